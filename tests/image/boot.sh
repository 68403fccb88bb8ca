#!/usr/bin/env bash
# The kesu live system in QEMU (make imagecheck / make check through
# tests/integration/image.sh): a PC with an NVMe and a SATA disk holding a
# partition table, an ext4 file system and a marker pattern, and a USB
# stick labelled KESU (FAT, made with mtools: nothing is mounted on the
# host).  Booted twice: from the ISO as a CD-ROM (BIOS, GRUB's default
# entry), and PXE-like (-kernel/-initrd) with the ISO written to a second
# USB stick as the boot medium.  Each run must end powered off with both
# internal disks zero, certificates on the stick that verify with stock
# openssl, the register verified by the host's kesu, the stick's other file
# intact, the ISO unchanged, the SMBIOS identity on the certificates, and
# the stick (and the boot stick) refused by the station as mounted.
# Touches only files in its test directory.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
README_CMD=$(sed -n 's/^ *\(openssl cms -verify .*\)$/\1/p' "$root/README.md" | head -n1)
build=${KESU_BUILD:-$(dirname "$KESU")}
img=${KESU_IMAGE_DIR:-$build/image}
TIMEOUT=${KESU_IMAGE_TIMEOUT:-240}
DISK_MB=64
SMBIOS_VENDOR="KESU Test Vendor"
SMBIOS_PRODUCT="KESU-PC 3000"
SMBIOS_SERIAL="KESU-HOST-0042"
SMBIOS_ASSET="TKY-PC-00042"

for tool in qemu-system-x86_64 mkfs.vfat mcopy fdisk mkfs.ext4 openssl jq xorriso softhsm2-util; do
	command -v "$tool" > /dev/null || { not_ok "$tool is installed (make deps)"; t_done; exit 1; }
done
t0=$SECONDS
if [ -z "${KESU_IMAGE_DIR:-}" ]; then
	make -s -C "$root" image BUILD="$build" > "$T_DIR/image-build.log" 2>&1 ||
		{ not_ok "make image"; sed 's/^/#   /' "$T_DIR/image-build.log" | tail -20 >&2; t_done; exit 1; }
	echo "# image: built in $((SECONDS - t0)) s ($(tail -n1 "$T_DIR/image-build.log"))"
fi
for f in kesu.iso vmlinuz initrd.img; do
	check "make image made $f" test -s "$img/$f" || { t_done; exit 1; }
done
iso_sum=$(sha256sum < "$img/kesu.iso")
# UEFI is not booted here (no OVMF firmware): that its boot image is there.
check "the ISO boots BIOS and UEFI (El Torito entries for both)" \
	bash -c 'r=$(xorriso -indev "$1" -report_el_torito plain 2>/dev/null) &&
		grep -q "boot img :   1  BIOS  y" <<<"$r" && grep -q "boot img :   2  UEFI  y" <<<"$r"' _ "$img/kesu.iso"

make_ca ca && make_operator op ca || { not_ok "test CA and operator"; t_done; exit 1; }
# TCG, as the VM bed: this machine's nested KVM aborts QEMU on an MSR
# (-cpu host) or hangs (-cpu qemu64).  KESU_IMAGE_KVM=1 tries KVM.
accel=(-accel tcg -cpu max)
[ "${KESU_IMAGE_KVM:-0}" = 1 ] && accel=(-accel kvm -cpu host)

# disk_image FILE LABEL: a GPT disk with one ext4 partition, its file
# system holding nothing we need, and "KESU-OLD-DATA" markers every MiB
# outside it (sector 2048 onwards is the partition; the markers go behind).
disk_image() {
	local f=$1 i
	case "$f" in "$T_DIR"/*) ;; *) echo "disk_image: $f is not ours" >&2; return 1 ;; esac
	truncate -s "${DISK_MB}M" "$f" &&
	printf 'g\nn\n1\n\n+16M\nw\n' | fdisk "$f" > /dev/null 2>&1 &&
	mkfs.ext4 -q -F -L "$2" -E offset=$((2048 * 512)) "$f" 16M > /dev/null 2>&1 || return 1
	for i in $(seq 20 $((DISK_MB - 1))); do
		printf 'KESU-OLD-DATA %s %04d\n' "$2" "$i" |
			dd of="$f" bs=1 seek=$((i << 20)) conv=notrunc status=none || return 1
	done
}

# stick_image DIR: the KESU stick: kesu.conf, the operator's key and
# certificate, the CA, the asset map and a file of the owner's.
stick_image() {
	local d=$1 f=$1/stick.img
	mkdir -p "$d/stick"
	# The example the image ships, set to start by itself from the asset
	# map, overwriting (QEMU's drives may not purge).
	sed -e 's/^start = confirm/start = auto/' -e 's/^method_\(nvme\|sata\) = purge/method_\1 = nist-clear/' \
		-e 's|^# asset_map = |asset_map = |' "$root/image/kesu.conf.example" > "$d/stick/kesu.conf"
	if [ "${STICK_KEY:-file}" = token ]; then
		stick_token "$d" || return 1
	else
		cp "$T_DIR/op/kesu-signing.key" "$d/stick/signing.key"
	fi
	cp "$T_DIR/op/cert.pem" "$d/stick/signing.pem"
	cp "$T_DIR/ca/ca.pem" "$d/stick/ca.pem"
	printf 'KESUNVME01,TKY-NVME-0001\nKESUSATA01,TKY-SATA-0001\n' > "$d/stick/assets.csv"
	head -c 100000 /dev/urandom > "$d/stick/owner-notes.bin"
	truncate -s 128M "$f" && mkfs.vfat -n KESU "$f" > /dev/null &&
		mcopy -s -i "$f" "$d"/stick/* ::/
}

# stick_token DIR: the operator's key on a SoftHSM token kept on the stick
# (softhsm2.conf at its top, the tokens below), its PIN in a file, and
# kesu.conf naming the token instead of a key file.
stick_token() {
	local d=$1
	mkdir -p "$d/stick/tokens"
	echo "directories.tokendir = $d/stick/tokens" > "$d/softhsm2-host.conf"
	SOFTHSM2_CONF=$d/softhsm2-host.conf softhsm2-util --init-token --free --label kesu-live \
		--pin 123456 --so-pin 654321 > /dev/null &&
	openssl pkcs8 -topk8 -nocrypt -in "$T_DIR/op/kesu-signing.key" -out "$d/key.p8" &&
	SOFTHSM2_CONF=$d/softhsm2-host.conf softhsm2-util --import "$d/key.p8" --token kesu-live \
		--label operator --id 01 --pin 123456 > /dev/null || return 1
	rm -f "$d/key.p8"
	echo "directories.tokendir = /media/kesu/tokens" > "$d/stick/softhsm2.conf"
	printf '123456\n' > "$d/stick/token.pin"
	sed -i 's|^key = .*|key = pkcs11:token=kesu-live;object=operator;type=private\npin_file = /media/kesu/token.pin\npkcs11_module = /usr/lib/softhsm/libsofthsm2.so|' \
		"$d/stick/kesu.conf"
}

# boot NAME QEMU-ARGS...: one PC with both disks and the stick; the run's
# files in $T_DIR/NAME.
boot() {
	local name=$1 d=$T_DIR/$1 start rc
	shift
	mkdir -p "$d"
	disk_image "$d/nvme.img" NVME-DATA && disk_image "$d/sata.img" SATA-DATA &&
		stick_image "$d" || { not_ok "$name: disk and stick images"; return 1; }
	sha256sum < "$d/stick/owner-notes.bin" > "$d/owner.sum"
	start=$SECONDS
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${accel[@]}" -smp 1 -m 1024 \
		-nodefaults -display none -no-reboot -serial "file:$d/console.log" \
		-smbios "type=1,manufacturer=$SMBIOS_VENDOR,product=$SMBIOS_PRODUCT,serial=$SMBIOS_SERIAL" \
		-smbios "type=3,asset=$SMBIOS_ASSET" \
		-drive "file=$d/nvme.img,if=none,id=nv,format=raw" -device nvme,serial=KESUNVME01,drive=nv \
		-device ahci,id=ahci -drive "file=$d/sata.img,if=none,id=sa,format=raw" \
		-device ide-hd,bus=ahci.0,drive=sa,serial=KESUSATA01,model=KESU-SATA \
		-device qemu-xhci,id=xhci -drive "file=$d/stick.img,if=none,id=stick,format=raw" \
		-device usb-storage,bus=xhci.0,drive=stick,serial=KESUSTICK01 \
		"$@" < /dev/null > "$d/qemu.log" 2>&1
	rc=$?
	echo "# $name: booted and ran in $((SECONDS - start)) s (qemu exit $rc)"
	# Kept for a look after a failure: the console and the stick's files.
	cp "$d/console.log" "$build/image-$name-console.log" 2>/dev/null
	mkdir -p "$d/out" && mcopy -s -n -i "$d/stick.img" ::/ "$d/out/" 2>/dev/null
	local got=$?
	rm -rf "$build/image-$name-stick" && cp -r "$d/out" "$build/image-$name-stick"
	check "$name: the live system powered off by itself (kesu.poweroff)" test "$rc" -eq 0 || {
		tail -n 30 "$d/console.log" | sed 's/^/#   /' >&2
		# Why a disk did not end erased, from the station's events on the stick.
		cat "$d"/out/events/station-*.jsonl 2>/dev/null |
			jq -r 'select(.event=="finished") | "#   \(.device): \(.result): \(.cause // "")"' >&2
		return 1; }
	[ "$got" -eq 0 ] || { not_ok "$name: the stick's files read back (mtools)"; return 1; }
	report "$name" "$d"
}

# report NAME DIR: the checks on one run's disks and stick.
report() {
	local name=$1 d=$2 out=$2/out certs ev
	check "$name: the NVMe disk is all zero (no byte of the old data)" \
		cmp -n $((DISK_MB << 20)) "$d/nvme.img" /dev/zero
	check "$name: the SATA disk is all zero" cmp -n $((DISK_MB << 20)) "$d/sata.img" /dev/zero
	certs=("$out"/state/station/*.json)
	certs=($(grep -l '"kesu-certificate' "${certs[@]}" 2>/dev/null))
	check "$name: two certificates on the stick" test "${#certs[@]}" -eq 2 || return 1
	for c in "${certs[@]}"; do
		check "$name: $(jq -r .device.serial "$c") certificate verifies with stock openssl cms -verify" \
			openssl_verify "$c" "$T_DIR/ca/ca.pem"
		check "$name: $(jq -r .device.serial "$c") certificate has a PDF beside it" \
			bash -c 'head -c 5 "${1%.json}.pdf" | grep -q %PDF' _ "$c"
	done
	check "$name: the register on the stick verifies with the host's kesu" \
		"$KESU" register verify --register "$out/register.jsonl" --ca "$T_DIR/ca/ca.pem"
	check "$name: the owner's file on the stick is intact" \
		bash -c '[ "$(sha256sum < "$1")" = "$(cat "$2")" ]' _ "$out/owner-notes.bin" "$d/owner.sum"
	check "$name: the ISO is unchanged" bash -c '[ "$(sha256sum < "$1")" = "$2" ]' _ "$img/kesu.iso" "$iso_sum"
	ev=$(cat "$out"/events/station-*.jsonl 2>/dev/null)
	check "$name: the station refused the KESU stick as mounted" \
		jq -se 'map(select(.event=="decided" and .serial=="KESUSTICK01"))[0] | .state=="refused" and (.reason|test("mounted"))' <<< "$ev"
	check "$name: and erased both internal disks" \
		jq -se '[.[] | select(.event=="finished" and .result=="erased") | .serial] | sort == ["KESUNVME01","KESUSATA01"]' <<< "$ev"
	check "$name: the SMBIOS identity is on every certificate" \
		bash -c 'for c in "${@:5}"; do jq -e --arg v "$1" --arg p "$2" --arg s "$3" --arg a "$4" \
			".host.vendor==\$v and .host.product==\$p and .host.serial==\$s and .host.asset_tag==\$a" "$c" > /dev/null || exit 1; done' \
		_ "$SMBIOS_VENDOR" "$SMBIOS_PRODUCT" "$SMBIOS_SERIAL" "$SMBIOS_ASSET" "${certs[@]}"
}

# KESU_IMAGE_BOOTS: which boots, "cdrom uefi" by default (make check): the
# PXE-style boot (token signing, two USB sticks) moved to make imagecheck
# after its emulated NVMe timed out once in a clean-clone CI run;
# make imagecheck runs "cdrom uefi pxe badkey".
BOOTS=" ${KESU_IMAGE_BOOTS:-cdrom uefi} "
# 1. The ISO as a CD-ROM, GRUB's default entry (screen console, power off).
if [[ $BOOTS == *" cdrom "* ]]; then
	boot cdrom -cdrom "$img/kesu.iso" -boot d
	check "cdrom: the live system was started by BIOS firmware (GRUB's BIOS image)" \
		grep -q "started by BIOS firmware" "$T_DIR/cdrom/console.log"
fi
# 2. PXE-like, with the ISO written to a USB stick as the boot medium the
# station must refuse, on the serial console, in Japanese, the operator's
# key on a (soft) PKCS#11 token.
if [[ $BOOTS == *" pxe "* ]]; then
cp "$img/kesu.iso" "$T_DIR/bootstick.img"
boot_sum=$(sha256sum < "$T_DIR/bootstick.img")
STICK_KEY=token boot pxe -kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
	-append "console=ttyS0,115200 panic=-1 kesu.poweroff kesu.lang=ja" \
	-drive "file=$T_DIR/bootstick.img,if=none,id=boot,format=raw" \
	-device usb-storage,bus=xhci.0,drive=boot,serial=KESUBOOT01
check "pxe: the key was on the token (no key file on the stick), and it signed" \
	bash -c '[ ! -e "$1/signing.key" ] && grep -q "^key = pkcs11:" "$1/kesu.conf" && ls "$1"/state/station/*.json.p7s >/dev/null' \
	_ "$T_DIR/pxe/out"
check "pxe: kesu.lang=ja: the station's dashboard is in Japanese (catalogue and locale in the image)" \
	grep -q "自動で開始します" "$T_DIR/pxe/console.log"
check "pxe: the boot stick was mounted read-only by the live system" \
	grep -q "boot medium .* mounted read-only" "$T_DIR/pxe/console.log"
check "pxe: the station refused the boot stick as mounted" \
	jq -se 'map(select(.event=="decided" and .serial=="KESUBOOT01"))[0] | .state=="refused" and (.reason|test("mounted"))' \
	"$T_DIR"/pxe/out/events/station-*.jsonl
check "pxe: the boot stick is unchanged" bash -c '[ "$(sha256sum < "$1")" = "$2" ]' _ "$T_DIR/bootstick.img" "$boot_sum"
fi
# 3. The same ISO started by UEFI firmware (OVMF, Debian's ovmf): GRUB's EFI
# image from the ISO's EFI boot entry, not its BIOS one.
if [[ $BOOTS == *" uefi "* ]]; then
	ovmf=/usr/share/OVMF
	if [ -r "$ovmf/OVMF_CODE_4M.fd" ] && cp "$ovmf/OVMF_VARS_4M.fd" "$T_DIR/uefi-vars.fd"; then
		boot uefi -drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf/OVMF_CODE_4M.fd" \
			-drive "if=pflash,format=raw,unit=1,file=$T_DIR/uefi-vars.fd" \
			-cdrom "$img/kesu.iso" -boot d
		check "uefi: the live system was started by UEFI firmware" \
			grep -q "started by UEFI firmware" "$T_DIR/uefi/console.log"
	else
		not_ok "uefi: no OVMF firmware in $ovmf (make deps installs ovmf)"
	fi
fi
# 4. (make imagecheck) A stick whose key others may read, on ext4 where
# modes are real: refused before the station starts, the disks untouched;
# the live system waits for another stick, so QEMU is stopped after a while.
if [[ $BOOTS == *" badkey "* ]]; then
	d=$T_DIR/badkey
	mkdir -p "$d"
	disk_image "$d/nvme.img" NVME-DATA && stick_image "$d" && rm "$d/stick.img" &&
		chmod 0644 "$d/stick/signing.key" && truncate -s 64M "$d/stick.img" &&
		mkfs.ext4 -q -F -L KESU -d "$d/stick" "$d/stick.img" > /dev/null 2>&1 ||
		{ not_ok "badkey: disk and ext4 stick images"; t_done; exit 1; }
	nvme_sum=$(sha256sum < "$d/nvme.img")
	timeout -k 5 "${KESU_IMAGE_BADKEY_SECONDS:-45}" qemu-system-x86_64 "${accel[@]}" -smp 1 -m 1024 \
		-nodefaults -display none -no-reboot -serial "file:$d/console.log" \
		-kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "console=ttyS0,115200 kesu.poweroff" \
		-drive "file=$d/nvme.img,if=none,id=nv,format=raw" -device nvme,serial=KESUNVME01,drive=nv \
		-device qemu-xhci,id=xhci -drive "file=$d/stick.img,if=none,id=stick,format=raw" \
		-device usb-storage,bus=xhci.0,drive=stick < /dev/null > "$d/qemu.log" 2>&1
	cp "$d/console.log" "$build/image-badkey-console.log" 2>/dev/null
	check "badkey: a world-readable key on an ext4 stick is refused with its mode" \
		grep -q "REFUSED: the signing key or PIN file /media/kesu/signing.key has mode 644; it must be 0600" "$d/console.log"
	check "badkey: the station never started and the disk is untouched" \
		bash -c '! grep -q "station starting" "$1" && [ "$(sha256sum < "$2")" = "$3" ]' _ "$d/console.log" "$d/nvme.img" "$nvme_sum"
fi
echo "# image: whole test $((SECONDS - t0)) s"
t_done
