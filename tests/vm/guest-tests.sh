#!/bin/sh
# The guest tests (busybox sh, run by /init inside the QEMU guest).
#
# Each group is a function g_NAME that reports one or more results with
# t_ok / t_fail / t_check (tests/vm/guest-lib.sh).  Groups run one at a time,
# each in its own shell under a timeout, so a hung kesu is killed and
# reported instead of stalling the guest.  To add a test: write g_NAME and
# add "NAME SECONDS" to GROUPS below.
. /vm/guest-lib.sh

GROUPS="
sysfs_disks 60
inventory 120
gate 120
"

# The kernel's own view of the disks QEMU was given: every disk is there,
# with the serial, model and size the host configured (tests/vm/disks.conf).
# This is what kesu's inventory has to match without udev.
g_sysfs_disks() {
	local d
	d=$(disk_by_serial "$NVME_SERIAL") \
		&& t_ok sysfs-nvme-serial \
		|| t_fail sysfs-nvme-serial "no disk with serial $NVME_SERIAL: $(ls /sys/block)"
	case "$d" in
	nvme*) t_ok sysfs-nvme-driver ;;
	*) t_fail sysfs-nvme-driver "serial $NVME_SERIAL is on '$d', not an nvme namespace" ;;
	esac
	t_check sysfs-nvme-size test "$(cat /sys/block/"$d"/size)" -eq $((NVME_MB * 2048))

	d=$(disk_by_serial "$SATA1_SERIAL") \
		&& t_ok sysfs-sata-serial \
		|| t_fail sysfs-sata-serial "no disk with serial $SATA1_SERIAL: $(ls /sys/block)"
	t_check sysfs-sata-model grep -qx "$SATA1_MODEL *" /sys/block/"$d"/device/model
	t_check sysfs-sata-libata sh -c "readlink -f /sys/block/$d/device | grep -q '/ata[0-9]'"
	t_check sysfs-sata-size test "$(cat /sys/block/"$d"/size)" -eq $((SATA1_MB * 2048))

	d=$(disk_by_serial "$SATA2_SERIAL") \
		&& t_check sysfs-sata2-model grep -qx "$SATA2_MODEL *" /sys/block/"$d"/device/model \
		|| t_fail sysfs-sata2-model "no disk with serial $SATA2_SERIAL"

	d=$(sdebug_add) \
		&& t_check sysfs-scsi-debug-size test "$(cat /sys/block/"$d"/size)" -eq $((SDEBUG_MB * 2048)) \
		|| t_fail sysfs-scsi-debug-size "scsi_debug disk did not appear: $(ls /sys/block)"
}

# want_identity PATH KIND TRANSPORT MODEL SERIAL MB LBS PBS: the identity
# subset of kesu's JSON that the inventory tests compare (ID_KEYS), as the
# compact JSON jq prints for it.
ID_KEYS='{path, kind, transport, model, serial, size_bytes, logical_block_size, physical_block_size}'
want_identity() {
	printf '{"path":"%s","kind":"%s","transport":"%s","model":"%s","serial":"%s","size_bytes":%s,"logical_block_size":%s,"physical_block_size":%s}' \
		"$1" "$2" "$3" "$4" "$5" $(($6 * 1048576)) "$7" "$8"
}

# want_content LABEL PTUUID FSUUID: what the host wrote on each QEMU disk
# (CONTENT_KEYS of kesu's "content").
CONTENT_KEYS='{pttype, ptuuid, partitions: [.partitions[] | {number, part_label, type, label: .label, uuid}]}'
want_content() {
	printf '{"pttype":"gpt","ptuuid":"%s","partitions":[{"number":1,"part_label":"%s","type":"ext4","label":"%s","uuid":"%s"}]}' \
		"$2" "$1" "$1" "$3"
}

# kesu list --json and kesu info --json name every disk by what QEMU was told
# (serial, model, block sizes), classify it by the driver it is on, and find
# the GPT and ext4 the host put on it — from sysfs and libblkid, no udev.
g_inventory() {
	local nvme sata1 sata2 sdbg sdbg_serial list=$VM_OUT/list.json info=$VM_OUT/info.json
	nvme=$(disk_by_serial "$NVME_SERIAL")
	sata1=$(disk_by_serial "$SATA1_SERIAL")
	sata2=$(disk_by_serial "$SATA2_SERIAL")
	sdbg=$(sdebug_add)
	sdbg_serial=$(disk_serial "$sdbg")

	t_check list-json-runs sh -c "kesu list --json > $list"
	j_begin "$list"
	j_eq list-nvme-identity "$(sel "$NVME_SERIAL") | $ID_KEYS" \
		"$(want_identity "/dev/$nvme" nvme nvme "$NVME_MODEL" "$NVME_SERIAL" \
			"$NVME_MB" "$NVME_LBS" "$NVME_PBS")"
	j_eq list-sata-identity "$(sel "$SATA1_SERIAL") | $ID_KEYS" \
		"$(want_identity "/dev/$sata1" hdd sata "$SATA1_MODEL" "$SATA1_SERIAL" \
			"$SATA1_MB" "$SATA1_LBS" "$SATA1_PBS")"
	j_eq list-sata2-identity "$(sel "$SATA2_SERIAL") | $ID_KEYS" \
		"$(want_identity "/dev/$sata2" hdd sata "$SATA2_MODEL" "$SATA2_SERIAL" \
			"$SATA2_MB" "$SATA2_LBS" "$SATA2_PBS")"
	# scsi_debug is a pseudo adapter: a virtual disk on the SCSI transport.
	j_eq list-scsi-debug-identity "$(sel "$sdbg_serial") | $ID_KEYS" \
		"$(want_identity "/dev/$sdbg" virtual scsi scsi_debug "$sdbg_serial" \
			"$SDEBUG_MB" 512 512)"
	j_eq list-scsi-debug-vendor "$(sel "$sdbg_serial") | .vendor" '"Linux"'
	j_eq list-nvme-content "$(sel "$NVME_SERIAL") | .content | $CONTENT_KEYS" \
		"$(want_content "$NVME_LABEL" "$NVME_PTUUID" "$NVME_FSUUID")"
	j_eq list-sata-content "$(sel "$SATA1_SERIAL") | .content | $CONTENT_KEYS" \
		"$(want_content "$SATA1_LABEL" "$SATA1_PTUUID" "$SATA1_FSUUID")"
	j_eq list-sata2-content "$(sel "$SATA2_SERIAL") | .content | $CONTENT_KEYS" \
		"$(want_content "$SATA2_LABEL" "$SATA2_PTUUID" "$SATA2_FSUUID")"
	# scsi_debug starts zeroed: no partition table, no signature.
	j_eq list-scsi-debug-content \
		"$(sel "$sdbg_serial") | .content | {pttype, signature, partitions}" \
		'{"pttype":null,"signature":null,"partitions":[]}'
	# Nothing is mounted or mapped yet: every test disk may be erased.
	j_eq list-test-disks-erasable \
		"[.devices[] | select(.serial == (\"$NVME_SERIAL\", \"$SATA1_SERIAL\", \"$SATA2_SERIAL\", \"$sdbg_serial\")) | [.erasable, .protected_reasons]]" \
		'[[true,[]],[true,[]],[true,[]],[true,[]]]'
	j_end

	t_check info-nvme-json-runs sh -c "kesu info --json /dev/$nvme > $info"
	j_begin "$info"
	j_eq info-nvme-identity "$ID_KEYS" \
		"$(want_identity "/dev/$nvme" nvme nvme "$NVME_MODEL" "$NVME_SERIAL" \
			"$NVME_MB" "$NVME_LBS" "$NVME_PBS")"
	j_eq info-nvme-content ".content | $CONTENT_KEYS" \
		"$(want_content "$NVME_LABEL" "$NVME_PTUUID" "$NVME_FSUUID")"
	j_eq info-nvme-partitions '.partitions' "[\"${nvme}p1\"]"
	j_end

	t_check info-sata-json-runs sh -c "kesu info --json /dev/$sata1 > $info"
	j_begin "$info"
	j_eq info-sata-identity "$ID_KEYS" \
		"$(want_identity "/dev/$sata1" hdd sata "$SATA1_MODEL" "$SATA1_SERIAL" \
			"$SATA1_MB" "$SATA1_LBS" "$SATA1_PBS")"
	j_eq info-sata-content ".content | $CONTENT_KEYS" \
		"$(want_content "$SATA1_LABEL" "$SATA1_PTUUID" "$SATA1_FSUUID")"
	j_eq info-sata-partitions '.partitions' "[\"${sata1}1\"]"
	j_eq info-sata-erasable '[.erasable, .protected_reasons]' '[true,[]]'
	j_end
}

# The safety gate on a real stack: a disk with a mounted partition and a
# disk under a device-mapper mapping are refused, with the reason named, and
# become erasable again once released (so the refusal came from the mount
# and the mapping, nothing else).
g_gate() {
	local sata1 sata2 info=$VM_OUT/gate.json mnt=/mnt/kesu-gate
	sata1=$(disk_by_serial "$SATA1_SERIAL")
	sata2=$(disk_by_serial "$SATA2_SERIAL")
	local verdict='{erasable, codes: [.protected_reasons[].code]}'

	mkdir -p "$mnt"
	if t_check gate-mount-partition mount -t ext4 "/dev/${sata1}1" "$mnt"; then
		kesu info --json "/dev/$sata1" > "$info"
		j_begin "$info"
		j_eq gate-mounted-disk-refused "$verdict" '{"erasable":false,"codes":["mounted"]}'
		j_eq gate-mounted-reason-names-mountpoint \
			"[.protected_reasons[] | select(.code == \"mounted\") | .text | contains(\"$mnt\")]" '[true]'
		j_end
		kesu list --json > "$info"
		j_begin "$info"
		j_eq gate-mounted-disk-refused-in-list "$(sel "$SATA1_SERIAL") | $verdict" \
			'{"erasable":false,"codes":["mounted"]}'
		j_end
		umount "$mnt"
		kesu info --json "/dev/$sata1" > "$info"
		j_begin "$info"
		j_eq gate-unmounted-disk-erasable "$verdict" '{"erasable":true,"codes":[]}'
		j_end
	fi

	if dm_create kesugate "0 $(cat /sys/block/"$sata2"/size) linear /dev/$sata2 0" > /dev/null; then
		t_ok gate-dm-mapping-created
		kesu info --json "/dev/$sata2" > "$info"
		j_begin "$info"
		j_eq gate-dm-member-refused "$verdict" '{"erasable":false,"codes":["holder"]}'
		j_end
		dm_remove kesugate
		kesu info --json "/dev/$sata2" > "$info"
		j_begin "$info"
		j_eq gate-dm-released-erasable "$verdict" '{"erasable":true,"codes":[]}'
		j_end
	else
		t_fail gate-dm-mapping-created "dmsetup create over /dev/$sata2 failed"
	fi
}

# sel SERIAL: jq filter for the device with that serial in kesu list --json.
sel() { echo ".devices[] | select(.serial == \"$1\")"; }

# sdebug_add: load scsi_debug (once) and print its disk's name.
sdebug_add() {
	local d i=0
	if ! [ -d /sys/module/scsi_debug ]; then
		insmod /vm/modules/scsi_debug.ko dev_size_mb="$SDEBUG_MB" \
			num_tgts=1 max_luns=1 >&2 || return 1
	fi
	while [ $i -lt 100 ]; do
		for d in /sys/block/sd*; do
			[ -e "$d/device/model" ] || continue
			if grep -q '^scsi_debug' "$d/device/model"; then
				wait_for_block "${d##*/}" 10 && { echo "${d##*/}"; return 0; }
			fi
		done
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

if [ "${1:-}" = --one ]; then
	"g_$2"
	exit 0
fi

only=$(sed -n 's/.*kesu\.only=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
echo "$GROUPS" | while read -r name secs; do
	[ -n "$name" ] || continue
	if [ -n "$only" ]; then
		case " $only " in *" $name "*) ;; *) continue ;; esac
	fi
	vm_log "group $name (limit ${secs}s)"
	timeout -s KILL "$secs" sh /vm/guest-tests.sh --one "$name"
	rc=$?
	vm_log "group $name ended ($rc)"
	if [ $rc -eq 137 ] || [ $rc -eq 124 ]; then
		t_fail "$name-finished" "group $name killed after ${secs}s"
	elif [ $rc -ne 0 ]; then
		t_fail "$name-finished" "group $name exited $rc"
	fi
done
