# Host side of the VM test bed; sourced by tests/integration/vm.sh after
# tests/lib.sh (which provides T_DIR, ok, not_ok and the cleanup trap).
#
# Everything lives in $T_DIR/vm: the initramfs, the disk images, the console
# log.  Nothing on the host is touched but those files: disk content is
# written into the image files directly (sfdisk and mkfs.ext4 on regular
# files), no loop device, no host block device.

VM_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=disks.conf
. "$VM_HERE/disks.conf"

# KESU_VM_ONLY="group group...": run only these guest groups (while writing
# a test); the guest gets them as kesu.only= on its kernel command line.
# The whole guest run, boot to poweroff; the guest's own per-group limits
# (guest-tests.sh) add up to less than this.
# The sanitized build (make asan) gets three times as long, as its guest
# groups do (tests/vm/guest-lib.sh).
VM_TIMEOUT=${KESU_VM_TIMEOUT:-600}
if [ -z "${KESU_VM_TIMEOUT:-}" ] && ldd "${KESU:-/nonexistent}" 2>/dev/null | grep -q 'libasan\.so'; then
	VM_TIMEOUT=1800
fi

# newest_kernel (vm_kernel): the kernel the guest boots.
. "$VM_HERE/../../image/initramfs-lib.sh"
vm_kernel() { newest_kernel; }

# vm_disk_image FILE MB SECTOR LABEL PTUUID FSUUID: a GPT disk image (for a
# disk with SECTOR-byte logical blocks) with one partition holding an ext4
# filesystem: the "content before" the guest tests expect kesu to find.
vm_disk_image() {
	local f=$1 mb=$2 ss=$3 label=$4 ptuuid=$5 fsuuid=$6 start size
	case "$f" in "$T_DIR"/*) ;; *) echo "vm_disk_image: $f is not a test file" >&2; return 1 ;; esac
	truncate -s "${mb}M" "$f" || return 1
	# fdisk rather than sfdisk: only fdisk takes a sector size for a file.
	# g: new GPT; n: partition 1, default extent (from 1 MiB); x i: disk
	# GUID; x n: partition name.
	printf 'g\nn\n1\n\n\nx\ni\n%s\nn\n%s\nr\nw\n' "$ptuuid" "$label" \
		| fdisk -b "$ss" "$f" >/dev/null 2>&1 || return 1
	read -r start size < <(fdisk -b "$ss" -l -o Start,Sectors "$f" \
		| awk 'p { print $1, $2; exit } $1 == "Start" { p = 1 }')
	[ -n "$start" ] && [ -n "$size" ] || return 1
	mkfs.ext4 -q -F -L "$label" -U "$fsuuid" -E offset=$((start * ss)) \
		"$f" "$((size * ss / 1024))k" >/dev/null 2>&1
}

# vm_report_results FILE: the guest's result lines as the suite's lines.
vm_report_results() {
	local verdict name detail
	while read -r tag verdict name detail; do
		[ "$tag" = KESU-VM-TEST ] || continue
		case "$verdict" in
		ok) ok "vm: $name" ;;
		not-ok) not_ok "vm: $name${detail:+ ($detail)}" ;;
		*) not_ok "vm: unparsable result line for '$name'" ;;
		esac
	done < <(tr -d '\r' < "$1")
}

# vm_monitor SOCK CMD: one human-monitor command to QEMU; prints its answer.
vm_monitor() {
	python3 - "$1" "$2" <<'PY'
import re, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(2)
def drain():
    out = b""
    try:
        while not out.rstrip().endswith(b"(qemu)"):
            b = s.recv(4096)
            if not b:
                break
            out += b
    except socket.timeout:
        pass
    return out
drain()
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(0.3)
# The monitor echoes what it is sent, redrawing the line per character.
out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", drain().decode(errors="replace"))
print(out.split(sys.argv[2])[-1].replace("(qemu)", "").strip())
PY
}

# vm_hotplug_agent DIR: until killed, carry out the guest's hot-plug
# requests ("KESU-VM-HOTPLUG CMD" lines on its results port, each once, in
# order) through the monitor socket.  Only device_add of a virtio disk on a
# drive defined at start and device_del, with plain characters.
vm_hotplug_agent() {
	local dir=$1 done=0 n line cmd
	while :; do
		n=0
		while IFS= read -r line; do
			line=${line%$'\r'}
			case "$line" in "KESU-VM-HOTPLUG "*) ;; *) continue ;; esac
			n=$((n + 1))
			[ "$n" -le "$done" ] && continue
			done=$n
			cmd=${line#KESU-VM-HOTPLUG }
			case "$cmd" in
			*[!A-Za-z0-9_,=.\ -]*) echo "refused: $cmd" >> "$dir/monitor.log"; continue ;;
			"device_add virtio-blk-pci,"* | "device_del "*) ;;
			*) echo "refused: $cmd" >> "$dir/monitor.log"; continue ;;
			esac
			echo "> $cmd" >> "$dir/monitor.log"
			vm_monitor "$dir/mon.sock" "$cmd" >> "$dir/monitor.log" 2>&1
		done < "$dir/results.txt"
		sleep 0.2
	done
}

vm_show_console() {
	local log=$1 keep=$2
	echo "# vm: guest console (last 60 lines) — full log: $keep" >&2
	tail -n 60 "$log" | sed 's/^/#   /' >&2
}

vm_run() {
	local dir=$T_DIR/vm kver kesu=$KESU rc fails_before=$T_FAIL
	local keep=${KESU_BUILD:-$(dirname "$KESU")}/vm-console.log
	mkdir -p "$dir"

	if ! kver=$(vm_kernel); then
		not_ok "vm: a Debian kernel with modules is installed (run 'make deps': linux-image-amd64)"
		return
	fi
	local tool
	for tool in qemu-system-x86_64 busybox dmsetup jq cpio gzip fdisk mkfs.ext4 timeout python3; do
		if ! command -v "$tool" >/dev/null; then
			not_ok "vm: $tool is installed (run 'make deps')"
			return
		fi
	done

	# A throwaway CA and operator for the station's certificates in the
	# guest (which has no openssl): made here, copied into the image.
	if ! { make_ca vmca && make_operator vmop vmca && mkdir -p "$dir/pki" &&
		cp -r "$T_DIR/vmca" "$dir/pki/ca" && cp -r "$T_DIR/vmop" "$dir/pki/op"; }; then
		not_ok "vm: test CA and operator for the guest"
		return
	fi
	if ! bash "$VM_HERE/build-initramfs.sh" "$kver" "$kesu" "$dir/initramfs.cpio.gz" \
		"$dir/pki" > "$dir/build.log" 2>&1; then
		not_ok "vm: initramfs builds"
		sed 's/^/#   /' "$dir/build.log" >&2
		return
	fi

	vm_disk_image "$dir/nvme.img" "$NVME_MB" "$NVME_LBS" "$NVME_LABEL" "$NVME_PTUUID" "$NVME_FSUUID" &&
	vm_disk_image "$dir/sata1.img" "$SATA1_MB" "$SATA1_LBS" "$SATA1_LABEL" "$SATA1_PTUUID" "$SATA1_FSUUID" &&
	vm_disk_image "$dir/sata2.img" "$SATA2_MB" "$SATA2_LBS" "$SATA2_LABEL" "$SATA2_PTUUID" "$SATA2_FSUUID" &&
	vm_disk_image "$dir/sd.img" "$SD_MB" "$SD_LBS" "$SD_LABEL" "$SD_PTUUID" "$SD_FSUUID" &&
	truncate -s "${HOT1_MB}M" "$dir/hot1.img" && truncate -s "${HOT2_MB}M" "$dir/hot2.img" &&
	vm_disk_image "$dir/hot3.img" "$HOT3_MB" 512 "$HOT3_LABEL" "$HOT3_PTUUID" "$HOT3_FSUUID" ||
		{ not_ok "vm: disk images are created"; return; }

	: > "$dir/results.txt"
	vm_hotplug_agent "$dir" &
	local agent=$!
	local start=$SECONDS
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
		-accel tcg -cpu max -smp 1 -m 768 \
		-nodefaults -nographic -no-reboot \
		-kernel "/boot/vmlinuz-$kver" -initrd "$dir/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 loglevel=5 rdinit=/init${KESU_VM_ONLY:+ kesu.only=${KESU_VM_ONLY// /,}}" \
		-serial "file:$dir/console.log" -serial "file:$dir/results.txt" \
		-drive "file=$dir/nvme.img,if=none,id=nvme0,format=raw" \
		-device "nvme,serial=$NVME_SERIAL,drive=nvme0,logical_block_size=$NVME_LBS,physical_block_size=$NVME_PBS" \
		-device ahci,id=ahci \
		-drive "file=$dir/sata1.img,if=none,id=sata1,format=raw" \
		-device "ide-hd,bus=ahci.0,drive=sata1,model=$SATA1_MODEL,serial=$SATA1_SERIAL,logical_block_size=$SATA1_LBS,physical_block_size=$SATA1_PBS" \
		-drive "file=$dir/sata2.img,if=none,id=sata2,format=raw" \
		-device "ide-hd,bus=ahci.1,drive=sata2,model=$SATA2_MODEL,serial=$SATA2_SERIAL,logical_block_size=$SATA2_LBS,physical_block_size=$SATA2_PBS" \
		-device sdhci-pci \
		-drive "file=$dir/sd.img,if=none,id=sd0,format=raw" \
		-device sd-card,drive=sd0 \
		-drive "file=$dir/hot1.img,if=none,id=hot1,format=raw" \
		-drive "file=$dir/hot2.img,if=none,id=hot2,format=raw,file.locking=off" \
		-drive "file=$dir/hot2.img,if=none,id=hot2b,format=raw,file.locking=off" \
		-drive "file=$dir/hot3.img,if=none,id=hot3,format=raw" \
		-monitor "unix:$dir/mon.sock,server=on,wait=off" \
		</dev/null > "$dir/qemu.log" 2>&1
	rc=$?
	kill "$agent" 2>/dev/null
	wait "$agent" 2>/dev/null
	[ -s "$dir/monitor.log" ] && sed 's/^/# vm monitor: /' "$dir/monitor.log" | tr -d '\r' | grep -v '^# vm monitor: *$' > "$dir/monitor.txt"
	cat "$dir/monitor.txt" >> "$dir/console.log" 2>/dev/null
	echo "# vm: guest ran $((SECONDS - start)) s on kernel $kver (qemu exit $rc)"
	cat "$dir/qemu.log" >> "$dir/console.log" 2>/dev/null

	vm_report_results "$dir/results.txt"
	if tr -d '\r' < "$dir/results.txt" | grep -qx KESU-VM-DONE; then
		ok "vm: guest ran to the end"
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		not_ok "vm: guest ran to the end (killed after ${VM_TIMEOUT}s)"
	else
		not_ok "vm: guest ran to the end (qemu exit $rc, no KESU-VM-DONE)"
	fi

	cp "$dir/console.log" "$keep" 2>/dev/null
	if [ "$T_FAIL" -gt "$fails_before" ]; then
		vm_show_console "$dir/console.log" "$keep"
	fi
}
