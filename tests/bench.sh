#!/usr/bin/env bash
# make bench: overwrite and verification throughput of kesu against dd,
# shred and nwipe on the same tmpfs-backed loop device, alternating the tools
# round by round so that drift on a shared machine hits them all alike.
#
# Usage: tests/bench.sh BUILD_DIR
#   KESU_BENCH_MIB   size of the device in MiB (default 1024, at least 1024
#                    unless KESU_BENCH_SMALL=1 for a quick harness check)
#   KESU_BENCH_ROUNDS rounds (default 3); the median of the rounds is shown
#   KESU_BENCH_TOOLS which to run (default "dd kesu shred nwipe"; dd always)
#
# It touches nothing but a tmpfs it mounts in its own temporary directory,
# the image file in it and the loop device on that file; all three are
# removed on exit, also on failure or Ctrl-C.  The loop device is detached
# only by its exact name and only while it is still backed by our image.
set -u
build=${1:-build}
KESU=$(cd "$build" && pwd)/kesu
MIB=${KESU_BENCH_MIB:-1024}
ROUNDS=${KESU_BENCH_ROUNDS:-3}
TOOLS=" ${KESU_BENCH_TOOLS:-dd kesu shred nwipe} "
want() { case "$TOOLS" in *" $1 "*) return 0 ;; esac; return 1; }

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it makes a loop device); run 'sudo make bench'"
[ -x "$KESU" ] || die "$KESU not built; run 'make' first"
if [ "$MIB" -lt 1024 ] && [ "${KESU_BENCH_SMALL:-0}" != 1 ]; then
	die "KESU_BENCH_MIB=$MIB is below 1024; the benchmark needs at least 1 GiB (KESU_BENCH_SMALL=1 for a harness check)"
fi
for t in dd shred nwipe losetup mount mountpoint awk jq; do
	command -v "$t" >/dev/null || die "$t is missing; run 'make deps'"
done
avail_mib=$(awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo)
[ "$avail_mib" -gt $((MIB * 2 + 512)) ] ||
	die "only ${avail_mib} MiB of memory available; a ${MIB} MiB tmpfs device needs about twice that"

DIR=$(mktemp -d /tmp/kesu-bench.XXXXXX)
MNT=$DIR/tmpfs
IMG=$MNT/disk.img
DEV=
cleanup() {
	if [ -n "$DEV" ]; then
		case "$(losetup -n -O BACK-FILE "$DEV" 2>/dev/null)" in
		"$IMG"*) losetup -d "$DEV" ;;
		esac
	fi
	mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$MNT" "$DIR/out" "$DIR/state"
mount -t tmpfs -o size=$((MIB + 64))m,mode=0700 kesu-bench "$MNT" || die "cannot mount a tmpfs"
# A filled image, so the tmpfs pages exist before the first timing.
dd if=/dev/zero of="$IMG" bs=1M count="$MIB" status=none || die "cannot create the image"
DEV=$(losetup --find --show "$IMG") || die "cannot attach a loop device"
SIZE=$((MIB * 1048576))

# Never write anywhere but our own loop device.
assert_ours() {
	case "$(losetup -n -O BACK-FILE "$DEV" 2>/dev/null)" in
	"$IMG"*) return 0 ;;
	esac
	echo "bench: $DEV is no longer backed by $IMG; stopping" >&2
	exit 99
}

# timed NAME CMD...: run CMD on our device, append "NAME wall cpu" (seconds;
# cpu = user + system of the tool's own processes) to the log.
timed() {
	local name=$1 rc real user sys TIMEFORMAT='%R %U %S'
	shift
	assert_ours
	{ time "$@" >>"$DIR/tool.log" 2>&1; } 2>"$DIR/t.one"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "bench: $name failed (exit $rc); see the log below" >&2
		tail -n 20 "$DIR/tool.log" >&2
		exit 1
	fi
	read -r real user sys <"$DIR/t.one"
	echo "$name $real $(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.3f", u + s}')" >>"$DIR/times"
}

COUNT=$((MIB / 4))
dd_write() { dd if=/dev/zero of="$DEV" oflag=direct bs=4M count="$COUNT" conv=fdatasync status=none; }
dd_read() { dd if="$DEV" of=/dev/null iflag=direct bs=4M count="$COUNT" status=none; }
shred_1() { shred -n1 "$DEV"; }
nwipe_run() {
	nwipe --autonuke --nogui --nowait --noblank --nosignals --verify=last \
		--method="$1" -l "$DIR/nwipe-$1.log" "$DEV"
}

# kesu wipe's options, as far as this build has them.
KESU_WIPE_OK=0
KOPTS=(--yes)
if "$KESU" wipe --help >"$DIR/wipe-help" 2>&1; then
	KESU_WIPE_OK=1
	for o in --no-cert --quiet; do
		grep -q -- "$o" "$DIR/wipe-help" && KOPTS+=("$o")
	done
	grep -q -- '--out' "$DIR/wipe-help" && KOPTS+=(--out "$DIR/out")
	grep -q -- '--state-dir' "$DIR/wipe-help" && KOPTS+=(--state-dir "$DIR/state")
fi
# kesu's exit status is checked after the clock stops (kesu_check): with
# --verify=none it is 1 by design, since an unverified wipe is not "erased".
kesu_run() {
	"$KESU" wipe "${KOPTS[@]}" "$@" "$DEV"
	echo $? >"$DIR/kesu.rc"
}
# kesu_check none|last: the run did what was timed, per its run record.
kesu_check() {
	local rc rec ok
	rc=$(cat "$DIR/kesu.rc")
	rec=$(ls -t "$DIR"/out/kesu-run-*.json 2>/dev/null | head -n 1)
	[ -n "$rec" ] || die "kesu wrote no run record (exit $rc)"
	if [ "$1" = none ]; then
		ok=$(jq --argjson s "$SIZE" '.bytes_written == $s and .verification.outcome == "skipped"' "$rec")
		[ "$rc" -eq 1 ] && [ "$ok" = true ] || die "kesu --verify=none: exit $rc, record $rec not a full unverified write"
	else
		ok=$(jq --argjson s "$SIZE" '.result == "erased" and .bytes_written == $s and .verification.bytes_verified == $s' "$rec")
		[ "$rc" -eq 0 ] && [ "$ok" = true ] || die "kesu --verify=$1: exit $rc, record $rec is not a full verified erase"
	fi
	mkdir -p "$DIR/out/done" && mv "$rec" "$DIR/out/done/"
}

echo "bench: $DEV on tmpfs, ${MIB} MiB, $ROUNDS rounds, $(nproc) CPUs, $(uname -r)"
[ "$KESU_WIPE_OK" = 1 ] || echo "bench: 'kesu wipe' is not in this build; kesu rows are skipped"
: >"$DIR/times"
for r in $(seq 1 "$ROUNDS"); do
	echo "bench: round $r/$ROUNDS"
	timed dd-zero-write dd_write
	timed dd-direct-read dd_read
	if [ "$KESU_WIPE_OK" = 1 ] && want kesu; then
		timed kesu-zero kesu_run --method zero --verify=none && kesu_check none
		timed kesu-random kesu_run --method random --verify=none && kesu_check none
		timed kesu-nist-clear kesu_run --method nist-clear --verify=last && kesu_check last
		timed kesu-random-verify kesu_run --method random --verify=last && kesu_check last
	fi
	if want shred; then
		timed shred-n1 shred_1
	fi
	if want nwipe; then
		timed nwipe-zero nwipe_run zero
		timed nwipe-random nwipe_run random
	fi
done

# Median seconds per tool, then MB/s (decimal) of device bytes per second.
# best NAME: the shortest wall time over the rounds (least disturbed by
# other load on a shared machine)
best() { grep "^$1 " "$DIR/times" | awk '{print $2}' | sort -g | head -n 1; }
# median NAME [COLUMN]: median of column 2 (wall) or 3 (cpu) over the rounds
median() { grep "^$1 " "$DIR/times" | awk -v c="${2:-2}" '{print $c}' | sort -g |
	awk '{a[NR] = $1} END {if (NR == 0) exit 1; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
rate() { awk -v s="$SIZE" -v t="$1" 'BEGIN {printf "%.1f", s / t / 1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

declare -A T R C B
for n in dd-zero-write dd-direct-read kesu-zero kesu-random kesu-nist-clear \
	kesu-random-verify shred-n1 nwipe-zero nwipe-random; do
	T[$n]=$(median "$n") || continue
	R[$n]=$(rate "${T[$n]}")
	B[$n]=$(rate "$(best "$n")")
	# CPU seconds of the tool's own processes per GB of device (the loop
	# driver's copy into tmpfs runs in kernel threads and is not counted)
	C[$n]=$(awk -v c="$(median "$n" 3)" -v s="$SIZE" 'BEGIN {printf "%.2f", c / (s / 1e9)}')
done
W=${R[dd-zero-write]}
RD=${R[dd-direct-read]}

row() { printf '| %-34s | %8s | %9s | %8s | %9s | %s |\n' "$1" "$2" "$3" "${B[$5]:-}" "${C[$5]:-}" "$4"; }
echo
echo "Device: loop on tmpfs, ${MIB} MiB; MB/s is the median of $ROUNDS alternating rounds,"
echo "best the fastest round; ratios use the medians."
echo "Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
C[hdr]="CPU s/GB"
C[sep]="---:"
B[hdr]="best"
B[sep]="---:"
row "run" "MB/s" "vs dd" "what the time covers" hdr
row "---" "---:" "---:" "---" sep
row "dd zero write (oflag=direct, 4M)" "$W" "1.00 W" "write + fdatasync" dd-zero-write
row "dd read (iflag=direct, 4M)" "$RD" "1.00 R" "read" dd-direct-read
if [ -n "${R[kesu-zero]:-}" ]; then
	row "kesu zero, --verify=none" "${R[kesu-zero]}" "$(ratio "${R[kesu-zero]}" "$W") W" "write" kesu-zero
	row "kesu random, --verify=none" "${R[kesu-random]}" "$(ratio "${R[kesu-random]}" "$W") W" "AES-CTR write" kesu-random
	# The verify pass alone: nist-clear (write+verify) minus the zero write.
	vt=$(awk -v a="${T[kesu-nist-clear]}" -v b="${T[kesu-zero]}" 'BEGIN {printf "%.3f", a - b}')
	if awk -v v="$vt" 'BEGIN {exit !(v > 0)}'; then
		vr=$(rate "$vt")
		row "kesu verify (nist-clear - zero)" "$vr" "$(ratio "$vr" "$RD") R" "read back + compare" none
	fi
	row "kesu nist-clear (write + verify)" "${R[kesu-nist-clear]}" "$(ratio "${R[kesu-nist-clear]}" "$W") W" "device bytes / total time" kesu-nist-clear
	row "kesu random + verify" "${R[kesu-random-verify]}" "$(ratio "${R[kesu-random-verify]}" "$W") W" "device bytes / total time" kesu-random-verify
fi
if [ -n "${R[shred-n1]:-}" ]; then
	row "shred -n1" "${R[shred-n1]}" "$(ratio "${R[shred-n1]}" "$W") W" "one random pass, no verify" shred-n1
fi
if [ -n "${R[nwipe-zero]:-}" ]; then
	row "nwipe zero, verify last" "${R[nwipe-zero]}" "$(ratio "${R[nwipe-zero]}" "$W") W" "device bytes / total time" nwipe-zero
	row "nwipe random (prng), verify last" "${R[nwipe-random]}" "$(ratio "${R[nwipe-random]}" "$W") W" "device bytes / total time" nwipe-random
fi
echo
echo "Raw seconds (tool, wall, cpu), in the order run:"
sed 's/^/  /' "$DIR/times"
echo
grep -h -i -m3 'prng\|verif' "$DIR"/nwipe-*.log 2>/dev/null | sed 's/^/nwipe log: /' | head -n 6
