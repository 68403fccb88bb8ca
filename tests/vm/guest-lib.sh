# Helpers for the guest side of the VM test bed (busybox sh); source it.
#
# Results go to two places: the console (ttyS0, kept in the host's log with
# the kernel's messages around them) and the second serial port (ttyS1),
# which the kernel never writes to, so the host parses clean lines:
#   KESU-VM-TEST ok NAME
#   KESU-VM-TEST not-ok NAME DETAIL...
#   KESU-VM-DONE                      (the guest reached the end)

VM_RESULTS=/dev/ttyS1
VM_OUT=/tmp/vm-out           # scratch space for command output
mkdir -p "$VM_OUT"

# Under make asan the guest runs the sanitized kesu (build-initramfs.sh
# leaves /vm/sanitized).  Its reports go to files rather than to stderr,
# so that a fault in a command a test expects to fail is not taken for the
# expected failure: vm_sanitizer_verdict reports them all at the end.
# VM_SLOW scales each group's time limit (ASan and UBSan under TCG).
VM_SAN=/tmp/sanitizer
VM_SLOW=1
if [ -e /vm/sanitized ]; then
	mkdir -p "$VM_SAN"
	export ASAN_OPTIONS="log_path=$VM_SAN/asan:detect_leaks=1"
	export UBSAN_OPTIONS="log_path=$VM_SAN/ubsan:print_stacktrace=1:halt_on_error=1"
	VM_SLOW=3
fi

vm_log() { echo "kesu-vm: [$(cut -d" " -f1 /proc/uptime)s] $*"; }

vm_result_raw() {
	echo "$*"
	echo "$*" > "$VM_RESULTS"
}

# One line, printable ASCII only, bounded: details quote command output.
vm_oneline() { tr -c ' -~' ' ' | cut -c1-300; }

t_ok() { vm_result_raw "KESU-VM-TEST ok $1"; }

t_fail() {
	local name=$1
	shift
	vm_result_raw "KESU-VM-TEST not-ok $name $(printf '%s' "$*" | vm_oneline)"
}

# t_check NAME CMD...: report by CMD's exit status; on failure the detail is
# the command line and the last lines it printed.  Returns CMD's verdict so
# a group can skip what depends on it (the failure is already reported).
t_check() {
	local name=$1
	shift
	if "$@" > "$VM_OUT/check.log" 2>&1; then
		t_ok "$name"
	else
		t_fail "$name" "$* :: $(tail -n 3 "$VM_OUT/check.log")"
		return 1
	fi
}

# disk_serial NAME: the serial the kernel shows for /sys/block/NAME, from
# sysfs only (no udev in this guest).  NVMe has device/serial; SCSI and ATA
# disks have the Unit Serial Number VPD page (4-byte header, then ASCII).
disk_serial() {
	local b=/sys/block/$1
	if [ -r "$b/device/serial" ]; then
		tr -d ' \n' < "$b/device/serial"
	elif [ -r "$b/device/vpd_pg80" ]; then
		dd if="$b/device/vpd_pg80" bs=1 skip=4 2>/dev/null | tr -d ' \n\0'
	elif [ -r "$b/serial" ]; then
		tr -d ' \n\0' < "$b/serial"     # virtio-blk
	fi
}

# disk_by_serial SERIAL: the /sys/block name of the disk with that serial.
disk_by_serial() {
	local d
	for d in /sys/block/*; do
		d=${d##*/}
		[ "$(disk_serial "$d")" = "$1" ] && { echo "$d"; return 0; }
	done
	return 1
}

# The disks QEMU is given (see tests/vm/host.sh), by serial.
. /vm/disks.conf
VM_SERIALS="$NVME_SERIAL $SATA1_SERIAL $SATA2_SERIAL"

vm_wait_for_disks() {
	local i s missing
	i=0
	while [ $i -lt 60 ]; do
		missing=
		for s in $VM_SERIALS; do
			disk_by_serial "$s" > /dev/null || missing="$missing $s"
		done
		[ -z "$missing" ] && return 0
		sleep 0.5
		i=$((i + 1))
	done
	vm_log "disks still missing after 30 s:$missing"
	return 1
}

# vm_hotplug CMD: ask the host to run one QEMU monitor command (device_add
# or device_del; vm_hotplug_agent in host.sh carries it out).  Requests go
# on the results port, which the host reads while the guest runs.
vm_hotplug() {
	vm_log "hot-plug request: $*"
	echo "KESU-VM-HOTPLUG $*" > "$VM_RESULTS"
}

# wait_for_block NAME SECONDS: wait until /dev/NAME exists.
wait_for_block() {
	local i=0
	while [ $i -lt $(($2 * 10)) ]; do
		[ -b "/dev/$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# dev_bytes DEV: the size of block device DEV (/dev/...) in bytes.
dev_bytes() { blockdev --getsize64 "$1"; }

# is_filled DEV HEX: every byte of DEV is 0xHEX, read with O_DIRECT so the
# answer comes from the disk, not from the page cache.  Independent of kesu:
# busybox dd, tr and md5sum only.
is_filled() {
	local dev=$1 hex=$2 n got want
	n=$(dev_bytes "$dev") || return 1
	got=$(dd if="$dev" bs=1M iflag=direct 2>/dev/null | md5sum) || return 1
	want=$(head -c "$n" /dev/zero | tr '\000' "\\$(printf '%03o' "0x$hex")" | md5sum)
	[ "$got" = "$want" ]
}

# dm_create NAME TABLE: a device-mapper device without udev, its node made
# by hand; prints /dev/mapper/NAME.
dm_create() {
	dmsetup --noudevsync create "$1" --table "$2" >&2 || return 1
	dmsetup mknodes "$1" >&2 || return 1
	wait_for_block "mapper/$1" 5 && echo "/dev/mapper/$1"
}

dm_remove() {
	dmsetup --noudevsync remove "$1" >&2
	dmsetup mknodes >&2
}

# not CMD...: succeeds when CMD fails (for t_check, which runs CMD in this
# shell so guest-lib functions work; "sh -c '! ...'" would not see them).
not() { ! "$@"; }

# JSON checks.  jq takes more than a second just to start under TCG, so
# checks on one file are queued and evaluated by one jq run:
#   j_begin FILE; j_eq NAME FILTER WANT; ...; j_end
# Each FILTER's outputs are collected; one output is compared as compact
# JSON with WANT, none or several show up as {"outputs":[...]} and fail.
# A filter that errors fails only its own check, with jq's message.
j_begin() {
	J_FILE=$1
	: > "$VM_OUT/jq.queue"
	: > "$VM_OUT/jq.prog"
	: > "$VM_OUT/jq.filters"
}

j_eq() {
	local sep
	[ -s "$VM_OUT/jq.prog" ] && sep=,
	printf '%s\t%s\n' "$1" "$3" >> "$VM_OUT/jq.queue"
	printf '%s\n(try ([%s] | if length == 1 then .[0] else {outputs: .} end | tojson)\n catch ("jq error: " + tostring))\n' \
		"${sep:-}" "$2" >> "$VM_OUT/jq.prog"
	printf '%s\n' "$2" >> "$VM_OUT/jq.filters"
}

j_end() {
	local name want got filter i=0 tab
	tab=$(printf '\t')
	jq -r -f "$VM_OUT/jq.prog" "$J_FILE" > "$VM_OUT/jq.out" 2> "$VM_OUT/jq.err"
	while IFS="$tab" read -r name want; do
		i=$((i + 1))
		got=$(sed -n "${i}p" "$VM_OUT/jq.out")
		filter=$(sed -n "${i}p" "$VM_OUT/jq.filters")
		if [ "$got" = "$want" ]; then
			t_ok "$name"
		else
			[ -n "$got" ] || got="no output: $(head -c 200 "$VM_OUT/jq.err")"
			t_fail "$name" "$filter is $got, want $want"
		fi
	done < "$VM_OUT/jq.queue"
	: > "$VM_OUT/jq.filters"
}

# kwipe OUT DEV ARGS...: kesu wipe DEV without asking, run records to OUT,
# output to OUT/wipe.log; returns kesu's exit status.  The certificate step
# is skipped (--no-cert) where kesu has it: the bed tests the erasure.
kwipe() {
	kwipe_bg "$@"
	wait "$KPID"
}

# kwipe_bg OUT DEV ARGS...: the same, in the background; KPID is kesu's
# own pid (not a subshell's), so it can be stopped and continued.
kwipe_bg() {
	local out=$1 dev=$2
	shift 2
	mkdir -p "$out" /tmp/kesu-state
	if [ -z "${KWIPE_NOCERT+set}" ]; then
		KWIPE_NOCERT=
		kesu wipe --help 2>&1 | grep -q -- '--no-cert' && KWIPE_NOCERT=--no-cert
	fi
	vm_log "kesu wipe $* $dev"
	kesu wipe --yes $KWIPE_NOCERT --progress none --state-dir /tmp/kesu-state \
		--out "$out" "$@" "$dev" > "$out/wipe.log" 2>&1 &
	KPID=$!
}

# running PID: the process exists and has not exited (a zombie has).
running() {
	[ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat"
}

# wait_written BLOCK SECTORS PID: wait (at most 60 s) until SECTORS have
# been written to /sys/block/BLOCK since boot or PID ended; true if PID is
# still running then.
wait_written() {
	local i=0
	while [ $i -lt 600 ]; do
		[ "$(block_writes "$1" 2>/dev/null || echo 0)" -gt "$2" ] && break
		running "$3" || break
		sleep 0.1
		i=$((i + 1))
	done
	running "$3"
}

# wait_ended PID SECONDS: true if PID ends within SECONDS.
wait_ended() {
	local i=0
	while running "$1" && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! running "$1"
}

# rc_is NAME RC WANT LOG: exit status RC is WANT; the detail quotes LOG.
rc_is() {
	if [ "$2" -eq "$3" ]; then
		t_ok "$1"
	else
		t_fail "$1" "exit $2, want $3 :: $(tail -n 3 "$4")"
	fi
}

# record_of OUT: the one run record kesu wrote into OUT.
record_of() {
	local f n=0 last=
	for f in "$1"/kesu-run-*.json; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		last=$f
	done
	[ "$n" -eq 1 ] && echo "$last"
}

# t_record NAME OUT: exactly one run record in OUT, and it parses.
t_record() {
	local r
	if r=$(record_of "$2") && jq -e .schema "$r" > /dev/null 2>&1; then
		t_ok "$1"
	else
		t_fail "$1" "want one kesu-run-*.json in $2, found: $(ls "$2")"
		return 1
	fi
}

# block_writes NAME: sectors written to /sys/block/NAME so far.
block_writes() { awk '{ print $7 }' "/sys/block/$1/stat"; }

# vm_sanitizer_verdict: under make asan, one result for every report the
# sanitizers wrote during the whole guest run (each printed on the console
# in full, for the host's log); nothing without the sanitized build.
vm_sanitizer_verdict() {
	local f n=0 first=
	[ -e /vm/sanitized ] || return 0
	for f in "$VM_SAN"/*; do
		[ -f "$f" ] || continue
		grep -q 'ERROR: \|runtime error:' "$f" || continue
		n=$((n + 1))
		echo "kesu-vm: sanitizer report $f:"
		sed 's/^/kesu-vm: | /' "$f"
		[ -n "$first" ] || first=$(grep -m1 'ERROR\|runtime error' "$f")
	done
	if [ "$n" -eq 0 ]; then
		t_ok sanitizer-clean
	else
		t_fail sanitizer-clean "$n report(s); first: $first"
	fi
}
