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
purge_caps 120
gate 120
wipe_clear 240
wipe_multipass 240
bad_sectors 240
flakey 240
purge_wipe 180
sd_card 120
hot_remove 180
station 210
disposal 180
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

# Firmware purge capability discovery through the real pass-through paths
# (NVMe admin ioctl on the namespace, SG_IO with ATA PASS-THROUGH through
# libata, SCSI through scsi_debug).  QEMU's NVMe controller advertises no
# Sanitize (SANICAP 0) and no crypto erase in Format (FNA 0) but does Format
# NVM; its SATA disk has neither the Security nor the Sanitize feature set;
# scsi_debug has no SANITIZE.  kesu must say exactly that, and offer only
# the methods that are left.
g_purge_caps() {
	local nvme sata sdbg info=$VM_OUT/caps.json
	nvme=$(disk_by_serial "$NVME_SERIAL")
	sata=$(disk_by_serial "$SATA1_SERIAL")
	sdbg=$(sdebug_add)

	kesu info --json "/dev/$nvme" > "$info"
	j_begin "$info"
	j_eq caps-nvme-interface '.purge | {interface, usb_bridge}' '{"interface":"nvme","usb_bridge":false}'
	j_eq caps-nvme-no-sanitize '.purge.nvme | {sanicap, sanitize}' \
		'{"sanicap":0,"sanitize":{"crypto":false,"block":false,"overwrite":false}}'
	j_eq caps-nvme-no-format-crypto '.purge.nvme | {fna, format, format_crypto}' \
		'{"fna":0,"format":true,"format_crypto":false}'
	j_eq caps-nvme-lba-format '.purge.nvme | {nsid, lba_bytes}' "{\"nsid\":1,\"lba_bytes\":$NVME_LBS}"
	j_eq caps-nvme-methods '.purge.methods' '["nvme-format-erase"]'
	j_end

	kesu info --json "/dev/$sata" > "$info"
	j_begin "$info"
	j_eq caps-sata-interface '.purge | {interface, usb_bridge}' '{"interface":"ata","usb_bridge":false}'
	j_eq caps-sata-no-sanitize '.purge.ata.sanitize' \
		'{"supported":false,"crypto":false,"block":false,"overwrite":false}'
	j_eq caps-sata-no-security '.purge.ata.security | {supported, enabled, locked, frozen}' \
		'{"supported":false,"enabled":false,"locked":false,"frozen":false}'
	j_eq caps-sata-methods '.purge.methods' '[]'
	j_end

	kesu info --json "/dev/$sdbg" > "$info"
	j_begin "$info"
	j_eq caps-scsi-debug-no-sanitize '.purge | {interface, sanitize: .scsi.sanitize, methods}' \
		'{"interface":"scsi","sanitize":{"overwrite":false,"block":false,"crypto":false},"methods":[]}'
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
		echo kesu-gate-sentinel > "$mnt/sentinel"
		sync
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
		kwipe /tmp/rec-gate-mounted "/dev/$sata1" --method nist-clear
		rc_is gate-mounted-disk-wipe-exit-6 $? 6 /tmp/rec-gate-mounted/wipe.log
		t_check gate-mounted-disk-untouched grep -q "^kesu-gate-sentinel$" "$mnt/sentinel"
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
		kwipe /tmp/rec-gate-dm "/dev/$sata2" --method nist-clear
		rc_is gate-dm-member-wipe-exit-6 $? 6 /tmp/rec-gate-dm/wipe.log
		dm_remove kesugate
		kesu info --json "/dev/$sata2" > "$info"
		j_begin "$info"
		j_eq gate-dm-released-erasable "$verdict" '{"erasable":true,"codes":[]}'
		j_end
	else
		t_fail gate-dm-mapping-created "dmsetup create over /dev/$sata2 failed"
	fi
}

# Keys of a run record compared after a clean erasure.
CLEAN_KEYS='{result, reason, bad_ranges, verification: .verification.outcome, bytes_written}'

# wipe_one NAME SERIAL METHOD BYTE PASSES: erase the disk with that serial
# with METHOD and prove it: it had content, kesu exits 0, every byte now
# reads back (O_DIRECT, busybox only) as the last pass's BYTE, the record
# says erased with the passes given, and kesu no longer finds anything on it.
wipe_one() {
	local name=$1 serial=$2 method=$3 byte=$4 passes=$5 d out rc r bytes
	d=$(disk_by_serial "$serial")
	out=/tmp/rec-$name
	bytes=$(dev_bytes "/dev/$d")
	t_check "$name-had-content" not is_filled "/dev/$d" "$byte"
	kwipe "$out" "/dev/$d" --method "$method"
	rc=$?
	rc_is "$name-exit-0" "$rc" 0 "$out/wipe.log"
	t_check "$name-every-byte-$byte" is_filled "/dev/$d" "$byte"
	t_record "$name-record" "$out" || return 0
	r=$(record_of "$out")
	j_begin "$r"
	j_eq "$name-record-erased" "$CLEAN_KEYS" \
		"{\"result\":\"erased\",\"reason\":null,\"bad_ranges\":[],\"verification\":\"passed\",\"bytes_written\":$((bytes * $(echo "$passes" | tr ',' ' ' | wc -w)))}"
	j_eq "$name-record-device" '.device | {path, serial, size_bytes}' \
		"{\"path\":\"/dev/$d\",\"serial\":\"$serial\",\"size_bytes\":$bytes}"
	j_eq "$name-record-passes" "{method: .method.name, passes: [.passes[] | .pattern], verified: [.passes[-1].verified]}" \
		"{\"method\":\"$method\",\"passes\":[$(echo "$passes" | sed 's/[^,]*/"&"/g')],\"verified\":[true]}"
	j_eq "$name-record-content-before" '.before.pttype' '"gpt"'
	j_end
	kesu info --json "/dev/$d" > "$out/after.json"
	j_begin "$out/after.json"
	j_eq "$name-nothing-found-after" '.content | {pttype, signature, partitions}' \
		'{"pttype":null,"signature":null,"partitions":[]}'
	j_end
}

# nist-clear (one pass of 0x00) on the 4Kn NVMe namespace.
g_wipe_clear() {
	wipe_one wipe-nvme-nist-clear "$NVME_SERIAL" nist-clear 00 00
}

# A two-pass method (0x55, then 0xAA) on the 512e SATA disk.
g_wipe_multipass() {
	wipe_one wipe-sata-nist-clear-flash "$SATA1_SERIAL" nist-clear-flash aa 55,aa
}

# Bad sectors from dm-error: two unwritable ranges punched into the SATA
# disk, at LBAs that are not multiples of 8 so 4 KiB rounding shows.  The
# wipe of the mapped device reports exactly those ranges, everything else
# is erased, and the run ends erased-with-exceptions, never erased.
BAD1_LBA=1003
BAD1_N=5
BAD2_LBA=20480
BAD2_N=9
g_bad_sectors() {
	local d sz m out=/tmp/rec-bad rc r end1 end2
	d=$(disk_by_serial "$SATA2_SERIAL")
	sz=$(cat /sys/block/"$d"/size)
	end1=$((BAD1_LBA + BAD1_N))
	end2=$((BAD2_LBA + BAD2_N))
	m=$(dm_create kesubad "0 $BAD1_LBA linear /dev/$d 0
$BAD1_LBA $BAD1_N error
$end1 $((BAD2_LBA - end1)) linear /dev/$d $end1
$BAD2_LBA $BAD2_N error
$end2 $((sz - end2)) linear /dev/$d $end2") \
		|| { t_fail bad-sectors-mapping "dmsetup create failed"; return 0; }
	t_check bad-sectors-mapping-fails-writes \
		not dd if=/dev/zero of="$m" bs=512 seek=$BAD1_LBA count=1 oflag=direct

	kwipe "$out" "$m" --method nist-clear
	rc=$?
	rc_is bad-sectors-exit-1 "$rc" 1 "$out/wipe.log"
	if t_record bad-sectors-record "$out"; then
		r=$(record_of "$out")
		j_begin "$r"
		j_eq bad-sectors-result '.result' '"erased-with-exceptions"'
		j_eq bad-sectors-exact-write-ranges \
			'[.bad_ranges[] | select(.operation == "write") | [.first_lba, .count]]' \
			"[[$BAD1_LBA,$BAD1_N],[$BAD2_LBA,$BAD2_N]]"
		j_eq bad-sectors-no-other-ranges \
			"[.bad_ranges[] | select(((.first_lba >= $BAD1_LBA and .first_lba + .count <= $end1) or (.first_lba >= $BAD2_LBA and .first_lba + .count <= $end2)) | not)]" '[]'
		j_eq bad-sectors-reason-given '.reason | type' '"string"'
		j_end
	fi
	dm_remove kesubad
	# Independently: every sector around the bad ones is zero on the disk.
	t_check bad-sectors-good-areas-zeroed range_is_zero "/dev/$d" 0 "$BAD1_LBA"
	t_check bad-sectors-middle-zeroed range_is_zero "/dev/$d" "$end1" $((BAD2_LBA - end1))
	t_check bad-sectors-tail-zeroed range_is_zero "/dev/$d" "$end2" $((sz - end2))
}

# range_is_zero DEV LBA COUNT: 512-byte sectors [LBA, LBA+COUNT) read 0.
range_is_zero() {
	local got want
	got=$(dd if="$1" bs=512 skip="$2" count="$3" iflag=direct 2>/dev/null | md5sum)
	want=$(head -c $(($3 * 512)) /dev/zero | md5sum)
	[ "$got" = "$want" ]
}

# dm_blockname NAME: dm-N for /dev/mapper/NAME.
dm_blockname() {
	local b
	for b in /sys/block/dm-*; do
		[ "$(cat "$b/dm/name" 2>/dev/null)" = "$1" ] && { echo "${b##*/}"; return 0; }
	done
	return 1
}

# A disk that starts failing in the middle of a run: kesu erases a linear
# mapping with eight passes; after its first MiB, kesu is stopped
# (SIGSTOP, so the failure is certainly mid-run whatever the machine's
# speed), the table is swapped for dm-flakey failing every read and write,
# and kesu continues.  The run must end failed or erased-with-exceptions
# (then naming the failing tail), never erased.
g_flakey() {
	local d sz m dm out=/tmp/rec-flakey rc r written
	d=$(disk_by_serial "$SATA2_SERIAL")
	sz=$(cat /sys/block/"$d"/size)
	m=$(dm_create kesuflaky "0 $sz linear /dev/$d 0") \
		|| { t_fail flakey-mapping "dmsetup create failed"; return 0; }
	dm=$(dm_blockname kesuflaky)
	# Eight passes, stopped after the first MiB: however slowly this
	# shell polls, kesu is nowhere near its last write when the disk
	# starts failing (a failure after the last write and its
	# verification would rightly end "erased").  Once the writes fail
	# kesu gives up quickly, so the unused passes cost nothing.
	kwipe_bg "$out" "$m" --passes 00,ff,00,ff,00,ff,00,ff
	if wait_written "$dm" 2048 "$KPID"; then
		kill -STOP "$KPID"
		written=$(block_writes "$dm")
		if dmsetup --noudevsync load kesuflaky \
			--table "0 $sz flakey /dev/$d 0 0 3600 1 error_writes" &&
			dmsetup --noudevsync resume kesuflaky && running "$KPID" &&
			[ "$written" -lt $((sz * 7)) ]; then
			t_ok flakey-failure-starts-mid-run
		else
			t_fail flakey-failure-starts-mid-run "table swap failed, kesu gone or too late ($written of $((sz * 8)) sectors written)"
		fi
		kill -CONT "$KPID"
	else
		t_fail flakey-failure-starts-mid-run "kesu ended before writing 1 MiB ($(block_writes "$dm") sectors)"
	fi
	wait_ended "$KPID" 120 && t_ok flakey-no-hang \
		|| { t_fail flakey-no-hang "kesu still running 120 s after the failure"; kill -9 "$KPID"; }
	wait "$KPID"
	rc=$?
	t_check flakey-exit-not-0 test "$rc" -ne 0
	if t_record flakey-record "$out"; then
		r=$(record_of "$out")
		j_begin "$r"
		j_eq flakey-not-erased \
			'.result | IN("failed", "erased-with-exceptions")' 'true'
		j_eq flakey-ranges-reach-the-end \
			"if .result == \"erased-with-exceptions\" then ([.bad_ranges[] | .first_lba + .count] | max) == $sz else true end" 'true'
		j_eq flakey-reason-given '.reason | type' '"string"'
		j_end
		vm_log "flakey: $(jq -c '{result, reason, bad_ranges: (.bad_ranges | length)}' "$r")"
	fi
	dm_remove kesuflaky
}

# Hot removal: the scsi_debug disk is deleted through sysfs while kesu
# writes to it (kesu stopped meanwhile, so it is certainly mid-run).  kesu
# must stop (no hang: bounded wait, and the group has a time limit), exit
# non-zero and record "failed" with a reason, not "erased" and not a pile of
# bad sectors.
g_hot_remove() {
	local d sz out=/tmp/rec-hotremove rc r
	d=$(sdebug_add) || { t_fail hot-remove-disk "scsi_debug disk did not appear"; return 0; }
	sz=$(cat /sys/block/"$d"/size)
	# As in g_flakey: many passes, stopped after the first MiB, so kesu
	# is surely mid-run however slowly this shell polls.
	kwipe_bg "$out" "/dev/$d" --passes 00,ff,00,ff,00,ff,00,ff
	if wait_written "$d" 2048 "$KPID"; then
		kill -STOP "$KPID"
		echo 1 > "/sys/block/$d/device/delete"
		if running "$KPID" && ! [ -e "/sys/block/$d" ]; then
			t_ok hot-remove-while-running
		else
			t_fail hot-remove-while-running "kesu gone or $d still there after delete"
		fi
		kill -CONT "$KPID"
	else
		t_fail hot-remove-while-running "kesu ended before writing 1 MiB ($(block_writes "$d") sectors)"
		echo 1 > "/sys/block/$d/device/delete"
	fi
	wait_ended "$KPID" 60 && t_ok hot-remove-no-hang \
		|| { t_fail hot-remove-no-hang "kesu still running 60 s after the disk was removed"; kill -9 "$KPID"; }
	wait "$KPID"
	rc=$?
	t_check hot-remove-exit-not-0 test "$rc" -ne 0
	if t_record hot-remove-record "$out"; then
		r=$(record_of "$out")
		j_begin "$r"
		j_eq hot-remove-failed '.result' '"failed"'
		# The reason names the cause.  Where kesu was when the disk went
		# decides which words: a write or a flush finds it gone ("the
		# device disappeared ..."); a write that keeps failing with EIO
		# while the node lingers ends as a dead device ("stopped
		# accepting writes").  A bare flush EIO must not be the reason.
		j_eq hot-remove-reason-names-cause \
			'.reason | test("disappeared|stopped accepting writes")' 'true'
		j_end
		# Exit 7 says "the device went away: reconnect it"; a device
		# that lingers dead is a failed erasure (1).
		if jq -e '.reason | test("disappeared")' "$r" >/dev/null; then
			rc_is hot-remove-exit-matches-cause "$rc" 7 "$out/wipe.log"
		else
			rc_is hot-remove-exit-matches-cause "$rc" 1 "$out/wipe.log"
		fi
		vm_log "hot-remove: $(jq -c '{result, reason}' "$r")"
	fi
}

# Firmware purge through kesu wipe on the real pass-through paths: every
# method the devices lack is refused before anything is written (exit 4,
# naming the capability that is missing), and nvme-format-erase (Format NVM,
# SES=1) runs end to end on the emulated NVMe: the namespace, filled with
# 0x5a first, reads back all zero, and the run record carries the firmware
# command and the sampled verification.
g_purge_wipe() {
	local nvme sata sdbg out rc r m want
	nvme=$(disk_by_serial "$NVME_SERIAL")
	sata=$(disk_by_serial "$SATA1_SERIAL")
	sdbg=$(sdebug_add)
	for m in nvme-sanitize-crypto:SANICAP nvme-sanitize-block:SANICAP \
		nvme-sanitize-overwrite:SANICAP nvme-format-crypto:FNA; do
		refused "purge-refuses-${m%%:*}" "/dev/$nvme" "${m%%:*}" "${m#*:}"
	done
	for m in ata-sanitize-crypto:'word 59' ata-sanitize-block:'word 59' \
		ata-secure-erase:'word 128' ata-secure-erase-enhanced:'word 128' \
		purge:'no sanitize or security erase'; do
		refused "purge-sata-refuses-${m%%:*}" "/dev/$sata" "${m%%:*}" "${m#*:}"
	done
	if [ -n "$sdbg" ]; then
		refused purge-scsi-debug-refuses-scsi-sanitize-block \
			"/dev/$sdbg" scsi-sanitize-block ''
	else
		t_fail purge-scsi-debug-refuses-scsi-sanitize-block "no scsi_debug disk"
	fi

	out=/tmp/rec-format
	head -c "$(dev_bytes "/dev/$nvme")" /dev/zero | tr '\000' '\132' \
		| dd of="/dev/$nvme" bs=1M oflag=direct 2>/dev/null
	t_check purge-nvme-format-erase-had-content is_filled "/dev/$nvme" 5a
	kwipe "$out" "/dev/$nvme" --method nvme-format-erase
	rc_is purge-nvme-format-erase-exit-0 $? 0 "$out/wipe.log"
	t_check purge-nvme-format-erase-plan-names-command \
		grep -q "method    nvme-format-erase (NIST purge" "$out/wipe.log"
	t_check purge-nvme-format-erase-every-byte-00 is_filled "/dev/$nvme" 00
	t_record purge-nvme-format-erase-record "$out" || return 0
	r=$(record_of "$out")
	j_begin "$r"
	j_eq purge-nvme-format-erase-result '{result, reason, bad_ranges, method: .method.name, category: .method.nist_category}' \
		'{"result":"erased","reason":null,"bad_ranges":[],"method":"nvme-format-erase","category":"purge"}'
	j_eq purge-nvme-format-erase-firmware '.firmware | {command, opcode, interface, status, nsid: .completion.nsid}' \
		'{"command":"nvme-format-erase","opcode":"0x80","interface":"nvme","status":"success","nsid":1}'
	j_eq purge-nvme-format-erase-verified '.verification | {mode, outcome, mismatched_blocks}' \
		'{"mode":"sample","outcome":"passed","mismatched_blocks":0}'
	j_end
}

# The mmc block driver on a real kernel: the SD card is found as an mmc
# device, kesu's eMMC pass-through refuses it without sending a command (an
# SD card has no EXT_CSD and no sanitize), emmc-sanitize is refused with
# that reason, and an overwrite erases it like any disk.
g_sd_card() {
	local d=mmcblk0 info=$VM_OUT/sd.json
	wait_for_block "$d" 20 || { t_fail sd-card-appears "no $d: $(ls /sys/block)"; return 0; }
	t_ok sd-card-appears
	t_check sd-card-is-sd grep -qx SD /sys/block/$d/device/type
	kesu info --json "/dev/$d" > "$info"
	j_begin "$info"
	j_eq sd-card-inventory '{transport, kind, size_bytes}' \
		"{\"transport\":\"mmc\",\"kind\":\"mmc\",\"size_bytes\":$((SD_MB * 1048576))}"
	j_eq sd-card-no-purge '.purge | {interface, methods, emmc}' '{"interface":null,"methods":[],"emmc":null}'
	j_eq sd-card-purge-says-why '.purge.error | test("SD card, not eMMC")' 'true'
	j_end
	refused sd-card-refuses-emmc-sanitize "/dev/$d" emmc-sanitize 'not eMMC'
	refused sd-card-refuses-purge "/dev/$d" purge 'not eMMC'
	local out=/tmp/rec-sd
	kwipe "$out" "/dev/$d" --method zero
	rc_is sd-card-overwrite-exit-0 $? 0 "$out/wipe.log"
	t_check sd-card-every-byte-00 is_filled "/dev/$d" 00
}

# refused NAME DEV METHOD TEXT: kesu wipe --method METHOD DEV exits 4, says
# TEXT, and writes no run record.
refused() {
	local out=/tmp/rec-refused-$1
	kwipe "$out" "$2" --method "$3"
	rc_is "$1" $? 4 "$out/wipe.log"
	if [ -n "$4" ] && ! grep -q "$4" "$out/wipe.log"; then
		t_fail "$1-says-why" "no '$4' in: $(tail -n 2 "$out/wipe.log")"
	elif [ -n "$(ls "$out"/kesu-run-*.json 2>/dev/null)" ]; then
		t_fail "$1-says-why" "a run record was written for a refused method"
	else
		t_ok "$1-says-why"
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

# kesu station with disks hot-added through QEMU's monitor (device_add,
# device_del; vm_hotplug): udevd runs with 60-kesu.rules alone, so the tag
# and the erasing marker are seen as udev applies them.  Disks present at
# start are refused; HOT1 is erased, certified and registered; HOT2 is
# pulled mid-run and ends failed with its cause while the station keeps
# going; a disk holding a mounted file system is refused.  The test hook
# KESU_TEST_PAUSE_BEFORE_VERIFY holds each run before its read-back, so
# "mid-run" is a fixed point, not a race.
ST=/tmp/station

# st_wait JQ SECONDS: until the station's event lines satisfy JQ (-s).
st_wait() {
	local i=0
	while [ $i -lt $(($2 * 5)) ]; do
		jq -se "$1" "$ST/ev.jsonl" >/dev/null 2>&1 && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# wait_file PATH SECONDS
wait_file() {
	local i=0
	while [ $i -lt $(($2 * 5)) ]; do
		[ -e "$1" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

st_ev() { # SERIAL EVENT: jq filter for that disk's events of that kind
	echo "map(select(.serial==\"$1\" and .event==\"$2\"))"
}

st_conf() {
	cat > "$ST/k.conf" <<CONF
[operator]
name = 山田 太郎
organization = テスト消去株式会社
[customer]
name = 総務課
[signing]
key = /vm/pki/op/kesu-signing.key
cert = /vm/pki/op/cert.pem
[trust]
ca_file = /vm/pki/ca/ca.pem
[register]
path = $ST/register.jsonl
[paths]
state_dir = $ST/state
[station]
start = auto
method = zero
approver = 佐藤 花子
class = 2
reason = disposal
asset_map = $ST/assets.csv
CONF
	printf '%s,A-HOT-1\n%s,A-HOT-2\n' "$HOT1_SERIAL" "$HOT2_SERIAL" > "$ST/assets.csv"
}

g_station() {
	local spid d1 d2 cert rc i
	mkdir -p "$ST"
	st_conf
	# First, a disk that arrives holding a file system that gets mounted:
	# refused by the gate, never started.
	local d3
	vm_hotplug "device_add virtio-blk-pci,drive=hot3,id=hot3dev,serial=$HOT3_SERIAL"
	i=0
	while [ $i -lt 100 ] && ! d3=$(disk_by_serial "$HOT3_SERIAL"); do sleep 0.2; i=$((i + 1)); done
	mkdir -p /mnt/station
	if [ -n "$d3" ] && wait_for_block "${d3}1" 10 && mount -t ext4 "/dev/${d3}1" /mnt/station; then
		kesu station --json --existing --once --only "/dev/$d3" --config "$ST/k.conf" \
			< /dev/null > "$ST/ev.jsonl" 2> "$ST/err.log"
		rc=$?
		umount /mnt/station
		t_check station-mounted-disk-refused-exit-6 test "$rc" -eq 6
		t_check station-mounted-disk-refused \
			st_wait 'map(select(.event=="decided"))[0] | .state=="refused" and (.reason|test("mounted"))' 1
		t_check station-mounted-disk-never-started st_wait 'map(select(.event=="started"))|length==0' 1
	else
		t_fail station-mounted-disk-refused "hot-added $HOT3_SERIAL (${d3:-none}) could not be mounted"
	fi
	: > "$ST/ev.jsonl"
	/lib/systemd/systemd-udevd --daemon --resolve-names=never > "$ST/udevd.log" 2>&1
	wait_file /run/udev/control 10
	t_check station-udevd-runs test -e /run/udev/control
	# The dashboard (one line per change, stdout not being a terminal) and
	# the JSON event lines (--events) of the same run.
	KESU_TEST_PAUSE_BEFORE_VERIFY=$ST/pause kesu station --events "$ST/ev.jsonl" \
		--config "$ST/k.conf" > "$ST/dash.txt" 2> "$ST/err.log" &
	spid=$!
	t_check station-listens-to-udev st_wait 'map(select(.event=="note" and (.text|test("udev events"))))|length==1' 10
	t_check station-present-disks-refused-never-started \
		st_wait 'map(select(.event=="decided"))|length>=3 and all(.state=="refused" and (.reason|test("present when the station started")))' 10

	vm_hotplug "device_add virtio-blk-pci,drive=hot1,id=hot1dev,serial=$HOT1_SERIAL"
	t_check station-hot-add-started st_wait "$(st_ev "$HOT1_SERIAL" started)|length==1" 30 || return 0
	d1=$(jq -sr "$(st_ev "$HOT1_SERIAL" started)[0].device" "$ST/ev.jsonl")
	t_check station-udev-tags-disk-kesu \
		sh -c "udevadm info --query=property --name=/dev/$d1 | grep -q '^TAGS=.*:kesu:'"
	if t_check station-hot1-runs-to-verify wait_file "$ST/pause.$d1" 30; then
		t_check station-erasing-marker-udisks-ignore sh -c "sleep 1; udevadm settle; \
			udevadm info --query=property --name=/dev/$d1 | grep -qx UDISKS_IGNORE=1"
		rm -f "$ST/pause.$d1"
	fi
	t_check station-hot1-erased-certified st_wait "$(st_ev "$HOT1_SERIAL" finished)[0] | .state==\"done\" and .result==\"erased\" and .certificate!=null" 40
	cert=$(jq -sr "$(st_ev "$HOT1_SERIAL" finished)[0].certificate" "$ST/ev.jsonl")
	t_check station-hot1-certificate-verifies kesu cert verify "$cert" --ca /vm/pki/ca/ca.pem
	t_check station-hot1-medium-zero cmp -n $((HOT1_MB * 1048576)) "/dev/$d1" /dev/zero
	t_check station-hot1-marker-cleared sh -c "! [ -e /run/kesu/erasing/$d1 ]"

	vm_hotplug "device_add virtio-blk-pci,drive=hot2,id=hot2dev,serial=$HOT2_SERIAL"
	t_check station-hot2-started st_wait "$(st_ev "$HOT2_SERIAL" started)|length==1" 30 || return 0
	d2=$(jq -sr "$(st_ev "$HOT2_SERIAL" started)[0].device" "$ST/ev.jsonl")
	wait_file "$ST/pause.$d2" 30
	vm_hotplug "device_del hot2dev"
	t_check station-hot2-pulled-fails-at-once \
		st_wait "$(st_ev "$HOT2_SERIAL" removed)[0] | .state==\"failed\" and .result==\"removed\" and (.cause|test(\"removed during the run\"))" 30
	rm -f "$ST/pause.$d2"
	t_check station-hot2-run-ends-failed-not-erased \
		st_wait "$(st_ev "$HOT2_SERIAL" finished)[0] | .state==\"failed\" and .result==\"removed\" and .certificate==null" 30
	# Put back, HOT2 resumes from the checkpoint its stopped run kept.
	t_check station-hot2-checkpoint-kept \
		sh -c "ls $ST/state/checkpoint-*$HOT2_SERIAL*.json >/dev/null 2>&1"
	vm_hotplug "device_add virtio-blk-pci,drive=hot2b,id=hot2bdev,serial=$HOT2_SERIAL"
	t_check station-hot2-back-resumes \
		st_wait "$(st_ev "$HOT2_SERIAL" decided)[1] | .action==\"start\" and (.reason|test(\"resumes the interrupted zero wipe\"))" 30
	i=0
	# Its resumed run is held before its read-back as every run here.
	while [ $i -lt 300 ] && ! jq -se "$(st_ev "$HOT2_SERIAL" finished)|length==2" \
		"$ST/ev.jsonl" >/dev/null 2>&1; do
		rm -f "$ST"/pause.* 2>/dev/null
		sleep 0.2
		i=$((i + 1))
	done
	t_check station-hot2-resumed-erased-certified \
		st_wait "$(st_ev "$HOT2_SERIAL" finished)[1] | .state==\"done\" and .result==\"erased\" and .certificate!=null" 1
	cert=$(jq -sr "$(st_ev "$HOT2_SERIAL" finished)[1].certificate" "$ST/ev.jsonl")
	t_check station-hot2-certificate-says-resumed \
		sh -c "jq -e '.execution.resumed' '$cert' >/dev/null && kesu cert verify '$cert' --ca /vm/pki/ca/ca.pem >/dev/null"
	t_check station-dashboard-says-hot1-erased \
		grep -qE "^[0-9]+ +$d1 .*$HOT1_SERIAL +${HOT1_MB}M +done +1/1 +100% .*erased" "$ST/dash.txt"
	t_check station-dashboard-says-hot2-removed \
		grep -qE "^[0-9]+ +$d2 .*$HOT2_SERIAL +${HOT2_MB}M +failed .*removed: disk removed during the run" "$ST/dash.txt"
	t_check station-keeps-going kill -0 "$spid"
	kill -TERM "$spid"
	wait "$spid"
	rc=$?
	t_check station-sigterm-idle-exits-0 test "$rc" -eq 0
	t_check station-two-erased-hot1-and-resumed-hot2 sh -c "[ \$(jq -s 'map(select(.event==\"finished\" and .result==\"erased\"))|length' $ST/ev.jsonl) -eq 2 ]"
	udevadm control --exit 2>/dev/null

	vm_log "station events: $(wc -l < "$ST/ev.jsonl") lines; stderr: $(head -c 300 "$ST/err.log" | vm_oneline)"
}

# One kesu wipe of the NVMe and the first SATA disk with certificates:
# each gets its asset number from --asset-map by its serial, and each
# certificate carries what the drive's own health log said before and
# after (QEMU's NVMe answers the SMART / Health log, its AHCI disk ATA
# SMART).  Runs last: it overwrites both disks.
DP=/tmp/disposal
g_disposal() {
	local nvme sata c cn cs rc
	nvme=$(disk_by_serial "$NVME_SERIAL")
	sata=$(disk_by_serial "$SATA1_SERIAL")
	mkdir -p "$DP/out" "$DP/state"
	cat > "$DP/k.conf" <<CONF
[operator]
name = 山田 太郎
organization = テスト消去株式会社
[customer]
name = 総務課
[signing]
key = /vm/pki/op/kesu-signing.key
cert = /vm/pki/op/cert.pem
[trust]
ca_file = /vm/pki/ca/ca.pem
[register]
path = $DP/register.jsonl
CONF
	# Each disk's class, reason and department from the map, matched by the
	# serial the drive reports (loop devices on the host have none).
	printf 'serial,asset,class,reason,customer\n%s,A-NVME-1,2,disposal,情報政策課\n%s,A-SATA-1,1,repair,\nKESUOTHER,A-X,,,\n' \
		"$NVME_SERIAL" "$SATA1_SERIAL" > "$DP/assets.csv"
	# The plan shows what each certificate will carry, map and config merged.
	kesu wipe --dry-run --json --progress none --config "$DP/k.conf" --state-dir "$DP/state" \
		--method zero --asset-map "$DP/assets.csv" "/dev/$nvme" "/dev/$sata" \
		> "$DP/plan.json" 2> "$DP/plan.log"
	t_check disposal-dry-run-shows-each-disks-class-reason-department jq -e \
		'[.plan[] | [.asset, .class, .reason, .customer]] | sort == [["A-NVME-1", 2, "disposal", "情報政策課"], ["A-SATA-1", 1, "repair", "総務課"]]' \
		"$DP/plan.json" ||
		vm_log "plan: $(jq -c '[.plan[] | [.asset, .class, .reason, .customer]]' "$DP/plan.json" | vm_oneline); $(head -c 300 "$DP/plan.log" | vm_oneline)"
	vm_log "kesu wipe --asset-map /dev/$nvme /dev/$sata"
	kesu wipe --yes --progress none --config "$DP/k.conf" --state-dir "$DP/state" \
		--out "$DP/out" --method zero --approver '佐藤 花子' \
		--asset-map "$DP/assets.csv" --json "/dev/$nvme" "/dev/$sata" \
		> "$DP/summary.json" 2> "$DP/wipe.log"
	rc=$?
	rc_is disposal-wipe-exit-0 $rc 0 "$DP/wipe.log"
	for c in $(jq -r '.[].certificate' "$DP/summary.json" 2>/dev/null); do
		case "$(jq -r .device.serial "$c")" in
		"$NVME_SERIAL") cn=$c ;;
		"$SATA1_SERIAL") cs=$c ;;
		esac
	done
	if [ -z "${cn:-}" ] || [ -z "${cs:-}" ]; then
		t_fail disposal-certificates "want one certificate per disk: $(head -c 300 "$DP/wipe.log" | vm_oneline)"
		return 0
	fi
	t_check disposal-nvme-asset-from-map jq -e '.asset.property_number == "A-NVME-1"' "$cn"
	t_check disposal-sata-asset-from-map jq -e '.asset.property_number == "A-SATA-1"' "$cs"
	t_check disposal-nvme-class-reason-department-from-map jq -e \
		'.asset.confidentiality_class == 2 and .asset.reason == "disposal" and .customer == "情報政策課"' "$cn"
	t_check disposal-sata-class-reason-from-map-department-from-config jq -e \
		'.asset.confidentiality_class == 1 and .asset.reason == "repair" and .customer == "総務課"' "$cs"
	t_check disposal-nvme-health-before-is-the-smart-log jq -e \
		'.health.before.source == "nvme" and (.health.before.power_on_hours | type) == "number" and (.health.before.critical_warning | type) == "number"' "$cn"
	t_check disposal-nvme-health-after-read jq -e '.health.after.source == "nvme"' "$cn"
	t_check disposal-sata-health-is-ata-smart jq -e \
		'.health.before.source == "ata" and (.health.before.overall | IN("passed", "failing", "unknown")) and .health.after.source == "ata"' "$cs"
	t_check disposal-sata-smart-passed jq -e '.health.before.overall == "passed"' "$cs"
	t_check disposal-sata-smart-power-on-hours jq -e \
		'[.health.before.attributes[] | select(.id == 9)] | length == 1' "$cs"
	t_check disposal-certificates-verify sh -c \
		'kesu cert verify --ca /vm/pki/ca/ca.pem "$1" && kesu cert verify --ca /vm/pki/ca/ca.pem "$2"' _ "$cn" "$cs"
	t_check disposal-cert-show-health sh -c \
		'kesu cert show "$1" | grep -q "Drive health before  *NVMe SMART: critical warning" &&
		 kesu cert show "$2" | grep -q "Drive health before  *ATA SMART"' _ "$cn" "$cs"
	vm_log "nvme health: $(jq -c .health.before "$cn" | head -c 400)"
	vm_log "sata health: $(jq -c .health.before "$cs" | head -c 400)"
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
	secs=$((secs * VM_SLOW))
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
