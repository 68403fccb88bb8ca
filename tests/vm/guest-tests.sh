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
	if [ $rc -eq 137 ] || [ $rc -eq 124 ]; then
		t_fail "$name-finished" "group $name killed after ${secs}s"
	elif [ $rc -ne 0 ]; then
		t_fail "$name-finished" "group $name exited $rc"
	fi
done
