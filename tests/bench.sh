#!/usr/bin/env bash
# make bench: kesu's erase and verify throughput against dd (the machine's
# limit), shred and nwipe on loop devices this script makes itself.
#
# Every kesu-vs-dd comparison is paired: A B A B ... for PAIRS pairs, the
# order swapped every other pair, and the ratio is taken pair by pair, so
# drift on a shared machine hits both sides of a ratio alike.  Verification
# rates come from the run record's own phase timings (kesu-run-record(5)
# passes[].timing), never from differences of whole runs.
#
# Usage: tests/bench.sh BUILD_DIR
#   KESU_BENCH_MIB    size of the main device in MiB (default 1024)
#   KESU_BENCH_PAIRS  pairs per comparison (default 11, at least 11 unless
#                     KESU_BENCH_SMALL=1 for a quick harness check)
#   KESU_BENCH_TOOLS  which parts to run (default "write verify multi load
#                     cpu slow others register"; register is
#                     tests/bench_register.sh, with its own variables)
#   KESU_BENCH_SLOW_MIB  size of the disk-backed device (default 128)
#   KESU_BENCH_THROTTLE_MBS  its throttled rate in MB/s (default 20)
#   KESU_BENCH_DOC    markdown file whose "bench:begin/end" block receives the
#                     table (default docs/BENCHMARKS.md; "-" for none)
#
# It touches nothing but a tmpfs it mounts in its own temporary directory,
# image files in it and under /var/tmp, the loop devices on those files and
# a blkio cgroup of its own; all are removed on exit, also on failure or
# Ctrl-C.  A loop device is detached only by its exact name and only while
# it is still backed by our image.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
KESU=$(cd "$build" && pwd)/kesu
MIB=${KESU_BENCH_MIB:-1024}
PAIRS=${KESU_BENCH_PAIRS:-11}
PARTS=" ${KESU_BENCH_TOOLS:-write verify multi load cpu slow others register} "
DOC=${KESU_BENCH_DOC:-$here/../docs/BENCHMARKS.md}
want() { case "$PARTS" in *" $1 "*) return 0 ;; esac; return 1; }
if want register; then
	KESU_BENCH_DOC=$DOC bash "$here/bench_register.sh" "$build" || exit 1
	[ "$PARTS" = " register " ] && exit 0
fi

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it makes loop devices); run 'sudo make bench'"
[ -x "$KESU" ] || die "$KESU not built; run 'make' first"
if [ "${KESU_BENCH_SMALL:-0}" != 1 ]; then
	[ "$MIB" -ge 1024 ] || die "KESU_BENCH_MIB=$MIB is below 1024 (KESU_BENCH_SMALL=1 for a harness check)"
	[ "$PAIRS" -ge 11 ] || die "KESU_BENCH_PAIRS=$PAIRS is below 11 (KESU_BENCH_SMALL=1 for a harness check)"
fi
for t in dd shred nwipe losetup mount mountpoint awk jq openssl /usr/bin/time; do
	command -v "$t" >/dev/null || die "$t is missing; run 'make deps'"
done
MULTI_MIB=$((MIB / 2))
need_mib=$((MIB + 8 * MULTI_MIB + 1024))
avail_mib=$(awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo)
[ "$avail_mib" -gt "$need_mib" ] || die "only ${avail_mib} MiB of memory available; the tmpfs devices need about ${need_mib}"

DIR=$(mktemp -d /tmp/kesu-bench.XXXXXX)
SLOWDIR=$(mktemp -d /var/tmp/kesu-bench.XXXXXX)
MNT=$DIR/tmpfs
CG=
DEVS=()   # "device image" pairs we attached
LOADPID=
MDEVS=()
cleanup() {
	[ -n "$LOADPID" ] && kill "$LOADPID" 2>/dev/null && wait "$LOADPID" 2>/dev/null
	local d img
	for p in "${DEVS[@]}"; do
		d=${p%% *} img=${p#* }
		case "$(losetup -n -O BACK-FILE "$d" 2>/dev/null)" in
		"$img"*) losetup -d "$d" ;;
		esac
	done
	[ -n "$CG" ] && [ -d "$CG" ] && rmdir "$CG" 2>/dev/null
	mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"
	rm -rf "$DIR" "$SLOWDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$MNT" "$DIR/out" "$DIR/state"
mount -t tmpfs -o size=$((MIB + 8 * MULTI_MIB + 256))m,mode=0700 kesu-bench "$MNT" ||
	die "cannot mount a tmpfs"

# attach IMG MIB [losetup options]: a filled image (so its pages exist before
# the first timing) on a new loop device, left in $ATTACHED (not printed: a
# command substitution would lose DEVS, and with it the clean-up).
attach() {
	local img=$1 mib=$2
	shift 2
	dd if=/dev/zero of="$img" bs=1M count="$mib" status=none || die "cannot create $img"
	ATTACHED=$(losetup --find --show "$@" "$img") || die "cannot attach $img"
	DEVS+=("$ATTACHED $img")
}
# Never write anywhere but our own loop devices.
assert_ours() {
	local d p
	for d in "$@"; do
		for p in "${DEVS[@]}"; do
			[ "${p%% *}" = "$d" ] || continue
			case "$(losetup -n -O BACK-FILE "$d" 2>/dev/null)" in
			"${p#* }"*) continue 2 ;;
			esac
		done
		echo "bench: $d is not one of our loop devices any more; stopping" >&2
		exit 99
	done
}

attach "$MNT/main.img" "$MIB"; DEV=$ATTACHED
SIZE=$((MIB * 1048576))

# wall SECONDS of CMD (and "cpu" user+system seconds of its own processes,
# and "rss" peak KiB) into $DIR/last: "wall cpu rss".
measure() {
	/usr/bin/time -f '%e %U %S %M' -o "$DIR/t.one" "$@" >>"$DIR/tool.log" 2>&1
	local rc=$?
	# time(1) puts "Command exited with non-zero status N" first then.
	tail -n 1 "$DIR/t.one" | awk '{printf "%s %.3f %s\n", $1, $2 + $3, $4}' >"$DIR/last"
	return $rc
}
# A finer wall clock than time(1)'s hundredths: nanoseconds from date.
now_ns() { date +%s%N; }
# The whole machine's busy CPU so far, in milliseconds (/proc/stat: user,
# nice, system, irq, softirq; not idle, iowait or steal).  Unlike time(1)
# it counts the loop devices' kernel workers, which do the copying for both
# tools: dd's busy time over kesu's is about the ratio the two can reach
# when the CPUs, not the devices, are the limit.
busy_ms() { awk '/^cpu / {print ($2 + $3 + $4 + $7 + $8) * 1000 / 100; exit}' /proc/stat; }

dd_write() { # DEV MIB
	dd if=/dev/zero of="$1" oflag=direct bs=4M count=$(($2 / 4)) conv=fdatasync status=none
}
dd_read() { dd if="$1" of=/dev/null iflag=direct bs=4M count=$(($2 / 4)) status=none; }

KOPTS=(--yes --no-cert --quiet --out "$DIR/out" --state-dir "$DIR/state")
# kesu_rec: the newest run record, moved aside.
kesu_rec() {
	local rec
	rec=$(ls -t "$DIR"/out/kesu-run-*.json 2>/dev/null | head -n 1)
	[ -n "$rec" ] || die "kesu wrote no run record"
	mkdir -p "$DIR/done" && mv "$rec" "$DIR/done/" && echo "$DIR/done/${rec##*/}"
}
# kesu_wipe VERIFY METHOD DEV...: run, then check from the record that it
# did what is timed (every byte written; verified runs erased and fully read).
# KESU_BUSY: the machine's busy CPU (ms) during the kesu command alone.
# KESU_NS is the wall time of the kesu command alone: the checks after it
# start a jq, an ls and a mv per device, 10-20 ms each, which timing the
# whole function counted against kesu (up to 0.1 s at 8 devices).
kesu_wipe() {
	local verify=$1 method=$2 rc rec d t0
	shift 2
	assert_ours "$@"
	KESU_BUSY=$(busy_ms)
	t0=$(now_ns)
	"$KESU" wipe "${KOPTS[@]}" --method "$method" --verify="$verify" "$@" >>"$DIR/tool.log" 2>&1
	rc=$?
	KESU_NS=$(($(now_ns) - t0))
	KESU_BUSY=$(($(busy_ms) - KESU_BUSY))
	for d in "$@"; do
		rec=$(kesu_rec)
		if [ "$verify" = none ]; then
			[ "$(jq '.bytes_written == .device.size_bytes' "$rec")" = true ] ||
				die "kesu --verify=none on $d: not a full write ($rec)"
		else
			[ "$(jq '.result == "erased" and .verification.bytes_verified == .device.size_bytes' "$rec")" = true ] ||
				die "kesu --verify=$verify on $d: not a full verified erase ($rec)"
		fi
		echo "$rec" >>"$DIR/recs"
	done
	[ "$verify" = none ] || [ "$rc" -eq 0 ] || die "kesu exited $rc"
}

RESULTS=$DIR/results.md
: >"$RESULTS"
# ratio_row NAME TARGET FILE-OF-RATIOS NOTE: min/median/max and the verdict.
ratio_row() {
	local name=$1 target=$2 file=$3 note=$4
	sort -g "$file" | awk -v n="$name" -v t="$target" -v note="$note" '
		{a[NR] = $1}
		END {
			med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			if (t == "") v = "-"
			else if (substr(t, 1, 2) == "<=") v = (med <= substr(t, 3) + 0) ? "met" : "NOT met"
			else v = (med >= substr(t, 3) + 0) ? "met" : "NOT met"
			printf "| %s | %d | %.2f | %.2f | %.2f | %s | %s | %s |\n",
				n, NR, a[1], med, a[NR], t == "" ? "-" : t, v, note
		}' | tee -a "$RESULTS"
}
rate() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.1f", b / s / 1e6}'; }
medf() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# cpu_share NAME MIB: "dd's CPU ÷ kesu's D/K = X (the machine's busy CPU
# per GiB: dd D ms, kesu K ms)" from the medians of busy.NAME.dd and
# busy.NAME.kesu.  Where the CPUs, not the devices, are the limit, kesu's
# throughput over dd's can reach about X and no more.  Kesu's side covers
# its command alone, start-up included, not the record checks after it.
cpu_share() {
	local d k
	d=$(medf "$DIR/busy.$1.dd") k=$(medf "$DIR/busy.$1.kesu")
	awk -v d="$d" -v k="$k" -v m="$2" 'BEGIN {
		printf "dd'"'"'s CPU ÷ kesu'"'"'s %.2f (the machine'"'"'s busy CPU per GiB: dd %.0f ms, kesu %.0f ms)",
			(k > 0 ? d / k : 0), d * 1024 / m, k * 1024 / m }'
}

# pair_loop N FN: FN i order; order alternates "ab" / "ba".
pair_loop() {
	local i
	for i in $(seq 1 "$1"); do
		if [ $((i % 2)) -eq 1 ]; then "$2" ab; else "$2" ba; fi
	done
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: $DEV on tmpfs, ${MIB} MiB, $PAIRS pairs, $(nproc) CPUs, $(uname -r); load $load_start"

# ---- random pass vs dd zero-fill -------------------------------------
pair_write() {
	local a b t0 p c0
	for side in $(echo "$1" | fold -w1); do
		if [ "$side" = a ]; then
			assert_ours "$DEV"
			c0=$(busy_ms)
			t0=$(now_ns); dd_write "$DEV" "$MIB"; a=$(($(now_ns) - t0))
			echo $(($(busy_ms) - c0)) >>"$DIR/busy.$PAIR_NAME.dd"
		else
			kesu_wipe none random "$DEV"; b=$KESU_NS
			echo "$KESU_BUSY" >>"$DIR/busy.$PAIR_NAME.kesu"
			p=$(jq '.passes[0].timing.write.ms * 1000000' "$(tail -n 1 "$DIR/recs")")
		fi
	done
	# rate kesu / rate dd = time dd / time kesu
	awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f\n", a / b}' >>"$DIR/r.$PAIR_NAME"
	# The same runs' write phase (checkpoint, writes, flush) against dd's
	# whole run: the data path without kesu's start-up and run record.
	awk -v a="$a" -v b="$p" 'BEGIN {printf "%.4f\n", a / b}' >>"$DIR/r.$PAIR_NAME-phase"
}
if want write; then
	PAIR_NAME=write
	pair_loop "$PAIRS" pair_write
	ratio_row "random pass ÷ dd zero-fill" ">=0.95" "$DIR/r.write" \
		"wall time, whole command; $(cpu_share write "$MIB")"
	ratio_row "random pass, write phase ÷ dd zero-fill" "" "$DIR/r.write-phase" \
		"the same runs: the run record's write phase; the rest of the command is start-up and the run record"
fi

# ---- the same under the load of a parallel compile --------------------
if want load; then
	# A compile of kesu itself, over and over, in a copy of the tree.
	cp -r "$here/.." "$DIR/src" 2>/dev/null
	rm -rf "$DIR/src/build" "$DIR/src/build-asan" "$DIR/src/.git"
	( while :; do make -s -C "$DIR/src" -j2 BUILD="$DIR/loadbuild" all >/dev/null 2>&1
		rm -rf "$DIR/loadbuild"; done ) &
	LOADPID=$!
	sleep 3
	PAIR_NAME=load
	pair_loop "$PAIRS" pair_write
	# The compile keeps both CPUs busy: each side gets a share of them, so
	# what each needs per GiB (the quiet pairs above) decides the ratio.
	loadcpu=
	[ -s "$DIR/busy.write.kesu" ] && loadcpu="; the CPUs are shared here, and in the quiet pairs above $(cpu_share write "$MIB")"
	ratio_row "random pass ÷ dd zero-fill, parallel compile" ">=0.90" "$DIR/r.load" \
		"load average $(cut -d' ' -f1 /proc/loadavg) at the end$loadcpu"
	ratio_row "random pass, write phase ÷ dd zero-fill, parallel compile" "" "$DIR/r.load-phase" \
		"the same runs: the run record's write phase"
	kill "$LOADPID" 2>/dev/null; wait "$LOADPID" 2>/dev/null; LOADPID=
fi

# ---- verification: the run record's verify phase vs dd iflag=direct ---
pair_verify() {
	local a b t0 rec
	for side in $(echo "$1" | fold -w1); do
		if [ "$side" = a ]; then
			assert_ours "$DEV"
			t0=$(now_ns); dd_read "$DEV" "$MIB"; a=$(($(now_ns) - t0))
		else
			kesu_wipe last "$VMETHOD" "$DEV"
			rec=$(tail -n 1 "$DIR/recs")
			b=$(jq '.passes[-1].timing.verify.ms * 1000000' "$rec")
		fi
	done
	awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f\n", a / b}' >>"$DIR/r.$PAIR_NAME"
}
if want verify; then
	PAIR_NAME=verify-pattern VMETHOD=zero
	pair_loop "$PAIRS" pair_verify
	ratio_row "verify of a pattern pass ÷ dd read" ">=0.95" "$DIR/r.verify-pattern" \
		"run record's verify phase (cache drop + read + compare)"
	PAIR_NAME=verify-random VMETHOD=random
	pair_loop "$PAIRS" pair_verify
	ratio_row "verify of a random pass ÷ dd read" ">=0.95" "$DIR/r.verify-random" \
		"run record's verify phase (cache drop + read + regenerate + compare)"
fi

# ---- N devices in one run vs N parallel dd ---------------------------
if want multi; then
	for i in 1 2 3 4 5 6 7 8; do attach "$MNT/m$i.img" "$MULTI_MIB"; MDEVS+=("$ATTACHED"); done
	# MMETHOD random: kesu makes a keystream dd does not, which on these
	# CPU-bound devices decides the ratio (the row gives dd's CPU ÷ kesu's);
	# zero: the same bytes as dd, so what is left is how kesu's engine
	# drives N devices at once.
	pair_multi() {
		local a b t0 d c0 devs=("${MDEVS[@]:0:$N}")
		for side in $(echo "$1" | fold -w1); do
			if [ "$side" = a ]; then
				assert_ours "${devs[@]}"
				c0=$(busy_ms)
				t0=$(now_ns)
				for d in "${devs[@]}"; do dd_write "$d" "$MULTI_MIB" & done
				wait
				a=$(($(now_ns) - t0))
				echo $(($(busy_ms) - c0)) >>"$DIR/busy.multi$N$MMETHOD.dd"
			else
				kesu_wipe none "$MMETHOD" "${devs[@]}"; b=$KESU_NS
				echo "$KESU_BUSY" >>"$DIR/busy.multi$N$MMETHOD.kesu"
			fi
		done
		awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f\n", a / b}' >>"$DIR/r.multi$N$MMETHOD"
	}
	for MMETHOD in random zero; do
		for N in 2 4 8; do
			pair_loop "$PAIRS" pair_multi
			ratio_row "$N devices, $MMETHOD pass, one kesu run ÷ $N parallel dd" ">=0.90" \
				"$DIR/r.multi$N$MMETHOD" \
				"${MULTI_MIB} MiB each, total throughput; $(cpu_share "multi$N$MMETHOD" $((N * MULTI_MIB)))"
		done
	done
fi

# ---- CPU per GiB of a random pass vs OpenSSL's cipher alone ----------
if want cpu; then
	# OpenSSL's own cost of the keystream and nothing else: `openssl speed`
	# encrypts one 4 MiB buffer over and over and divides the bytes by the
	# user CPU time it took (not the wall time), so what the machine's
	# load takes away is not counted.  The earlier reference, `head -c |
	# openssl enc`, also paid for the pipe and for writing its output, and
	# so made kesu's random pass look cheaper (0.25x) than the cipher alone.
	# The cipher is the one kesu's run record names (method.random_stream).
	ossl_s_per_byte() {
		openssl speed -mr -evp "$CIPHER" -bytes 4194304 -seconds 1 2>/dev/null |
			awk -F: '/^\+F:/ && $4 > 0 {printf "%.6e\n", 1 / $4}'
	}
	# cpu_run CMD...: "$DIR/last" gets "cpu-seconds rss-KiB" of CMD, the CPU
	# from bash's times (milliseconds; time(1) rounds to 10 ms).
	cpu_run() {
		( /usr/bin/time -f '%M' -o "$DIR/t.rss" "$@" >>"$DIR/tool.log" 2>&1; times ) |
			awk -v rss="$(cat "$DIR/t.rss" 2>/dev/null)" '
				function s(x, a) { split(x, a, "m"); sub("s", "", a[2]); return a[1] * 60 + a[2] }
				NR == 2 { printf "%.4f ", s($1) + s($2) }' >"$DIR/last"
		tail -n 1 "$DIR/t.rss" >>"$DIR/last"
	}
	if [ ${#MDEVS[@]} -lt 4 ]; then
		for i in 1 2 3 4; do attach "$MNT/m$i.img" "$MULTI_MIB"; MDEVS+=("$ATTACHED"); done
	fi
	assert_ours "$DEV"
	kesu_wipe none random "$DEV"
	CIPHER=$(jq -r .method.random_stream "$(tail -n 1 "$DIR/recs")")
	case "$CIPHER" in aes-*-ctr) ;; *) die "the run record names no random stream cipher ($CIPHER)" ;; esac
	HALF=${MDEVS[0]}
	: >"$DIR/cpu.k"; : >"$DIR/cpu.o"; : >"$DIR/cpu.m"
	for i in $(seq 1 "$PAIRS"); do
		ossl=$(ossl_s_per_byte)
		[ -n "$ossl" ] || die "openssl speed -evp $CIPHER gave no rate"
		assert_ours "$DEV" "$HALF"
		cpu_run "$KESU" wipe "${KOPTS[@]}" --method random --verify=none "$HALF"
		kesu_rec >/dev/null
		half=$(awk '{print $1}' "$DIR/last")
		cpu_run "$KESU" wipe "${KOPTS[@]}" --method random --verify=none "$DEV"
		kesu_rec >/dev/null
		# kesu's user+system CPU for SIZE bytes against OpenSSL's for as many.
		awk -v o="$ossl" -v n="$SIZE" '{printf "%.4f\n", $1 / (o * n)}' "$DIR/last" >>"$DIR/r.cpu"
		awk -v n="$SIZE" '{printf "%.4f\n", $1 * 1073741824 / n}' "$DIR/last" >>"$DIR/cpu.k"
		awk -v o="$ossl" 'BEGIN {printf "%.4f\n", o * 1073741824}' >>"$DIR/cpu.o"
		# What one more GiB costs: the 1 GiB run less the 512 MiB run, so
		# start-up, probing and the run record (the same in both) drop out.
		awk -v o="$ossl" -v h="$half" -v n="$SIZE" -v m=$((MULTI_MIB * 1048576)) \
			'{printf "%.4f\n", ($1 - h) / (o * (n - m))}' "$DIR/last" >>"$DIR/r.cpum"
		awk -v h="$half" -v n="$SIZE" -v m=$((MULTI_MIB * 1048576)) \
			'{printf "%.4f\n", ($1 - h) * 1073741824 / (n - m)}' "$DIR/last" >>"$DIR/cpu.m"
		awk '{print $2}' "$DIR/last" >>"$DIR/rss1"
	done
	ratio_row "CPU per GiB, random pass ÷ OpenSSL $CIPHER alone" "<=1.20" "$DIR/r.cpu" \
		"kesu's user+system CPU (whole command, ${MIB} MiB) $(medf "$DIR/cpu.k") s/GiB; openssl speed -evp $CIPHER (4 MiB blocks, user CPU) $(medf "$DIR/cpu.o") s/GiB (medians)"
	ratio_row "CPU per further GiB, random pass ÷ OpenSSL $CIPHER alone" "" "$DIR/r.cpum" \
		"the same pairs: CPU of the ${MIB} MiB run less a ${MULTI_MIB} MiB run's, $(medf "$DIR/cpu.m") s/GiB (median): the fixed start-up and run record drop out"
	# Memory: peak RSS of one device against four.
	assert_ours "${MDEVS[@]:0:4}"
	measure "$KESU" wipe "${KOPTS[@]}" --method random --verify=last "${MDEVS[@]:0:4}"
	for i in 1 2 3 4; do kesu_rec >/dev/null; done
	rss4=$(awk '{print $3}' "$DIR/last")
	rss1=$(sort -g "$DIR/rss1" | tail -n 1)
	per=$(awk -v a="$rss1" -v b="$rss4" 'BEGIN {printf "%.1f", (b - a) / 3 / 1024}')
	echo "| peak memory | 1 device $((rss1 / 1024)) MiB, 4 devices $((rss4 / 1024)) MiB: $per MiB per added device | | | | | | peak RSS (time -f %M) |" | tee -a "$RESULTS"
fi

# ---- a realistic slow device: direct I/O to a file on the real disk --
# The default queue depth (4) against dd, then depths 1, 4 and 8 for the
# write and the verification, then the same device throttled by a blkio
# cgroup at depths 1 and 4.  Each row notes the load average at its end:
# this disk is shared with every other job on the machine.
if want slow; then
	SMIB=${KESU_BENCH_SLOW_MIB:-128}
	attach "$SLOWDIR/slow.img" "$SMIB" --direct-io=on; SDEV=$ATTACHED
	loadnote() { echo "load $(cut -d' ' -f1 /proc/loadavg)"; }
	slow_pair() {
		local a b t0 p
		for side in $(echo "$1" | fold -w1); do
			if [ "$side" = a ]; then
				assert_ours "$SDEV"
				t0=$(now_ns); dd_write "$SDEV" "$SMIB"; a=$(($(now_ns) - t0))
			else
				kesu_wipe none "$SMETHOD" "$SDEV"; b=$KESU_NS
				p=$(jq '.passes[0].timing.write.ms * 1000000' "$(tail -n 1 "$DIR/recs")")
			fi
		done
		awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f\n", a / b}' >>"$DIR/r.$PAIR_NAME"
		# The run record's write phase (writes and the pass's flush) against
		# dd's whole run, which is little more than its writes and flush:
		# the I/O path without kesu's start-up, gate and checkpoint files.
		awk -v a="$a" -v b="$p" 'BEGIN {printf "%.4f\n", a / b}' >>"$DIR/r.$PAIR_NAME-phase"
	}
	slow_verify_pair() {
		local a b t0 rec
		for side in $(echo "$1" | fold -w1); do
			if [ "$side" = a ]; then
				assert_ours "$SDEV"
				t0=$(now_ns); dd_read "$SDEV" "$SMIB"; a=$(($(now_ns) - t0))
			else
				kesu_wipe last zero "$SDEV"
				rec=$(tail -n 1 "$DIR/recs")
				b=$(jq '.passes[-1].timing.verify.ms * 1000000' "$rec")
			fi
		done
		awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f\n", a / b}' >>"$DIR/r.$PAIR_NAME"
	}
	KOPTS0=("${KOPTS[@]}")
	PAIR_NAME=slow SMETHOD=random
	pair_loop "$PAIRS" slow_pair
	ratio_row "random pass ÷ dd, loop on a disk file, direct I/O" ">=0.95" "$DIR/r.slow" \
		"${SMIB} MiB, whole command, default queue depth; $(loadnote)"
	ratio_row "random pass, write phase ÷ dd" "" "$DIR/r.slow-phase" \
		"the same runs: the run record's write phase; $(loadnote)"
	# A zero pass at each depth: no keystream to make, so the I/O path
	# alone against dd's one request at a time.
	SMETHOD=zero
	for QD in 1 4 8; do
		KOPTS=("${KOPTS0[@]}" --queue-depth "$QD")
		PAIR_NAME=slow-qd$QD
		pair_loop "$PAIRS" slow_pair
		ratio_row "zero pass at queue depth $QD ÷ dd, loop on a disk file, direct I/O" \
			">=0.95" "$DIR/r.$PAIR_NAME" "${SMIB} MiB, whole command; $(loadnote)"
		ratio_row "zero pass at queue depth $QD, write phase ÷ dd" "" "$DIR/r.$PAIR_NAME-phase" \
			"the same runs: the run record's write phase; $(loadnote)"
		[ "$(jq -r .io.queue_depth "$(tail -n 1 "$DIR/recs")")" = "$QD" ] ||
			die "kesu did not run at queue depth $QD ($(tail -n 1 "$DIR/recs"))"
	done
	for QD in 1 4 8; do
		KOPTS=("${KOPTS0[@]}" --queue-depth "$QD")
		PAIR_NAME=slowv-qd$QD
		pair_loop "$PAIRS" slow_verify_pair
		ratio_row "verify at queue depth $QD ÷ dd read, loop on a disk file, direct I/O" \
			">=0.95" "$DIR/r.$PAIR_NAME" "run record's verify phase; $(loadnote)"
	done
	KOPTS=("${KOPTS0[@]}")
	# The same device throttled by a blkio cgroup of our own.  The cgroup v2
	# io controller (io.max) is not available here: /sys/fs/cgroup is the
	# hybrid layout, its unified hierarchy offers only hugetlb and the io
	# controller is bound to v1 blkio; blkio's throttle does the same for
	# direct I/O, which is all that dd oflag=direct and kesu issue.
	BLK=/sys/fs/cgroup/blkio
	TMBS=${KESU_BENCH_THROTTLE_MBS:-20}
	if [ -w "$BLK" ] && [ -e "$BLK/blkio.throttle.write_bps_device" ]; then
		CG=$BLK/kesu-bench-$$
		mkdir "$CG"
		mm=$(lsblk -dno MAJ:MIN "$SDEV" | tr -d ' ')
		echo "$mm $((TMBS * 1000000))" >"$CG/blkio.throttle.write_bps_device"
		echo "$mm $((TMBS * 1000000))" >"$CG/blkio.throttle.read_bps_device"
		throttled() { sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$CG" "$@"; }
		thr_pair() {
			local a b t0 rec
			for side in $(echo "$1" | fold -w1); do
				if [ "$side" = a ]; then
					assert_ours "$SDEV"
					t0=$(now_ns)
					throttled dd if=/dev/zero of="$SDEV" oflag=direct bs=4M count=$((SMIB / 4)) conv=fdatasync status=none
					a=$(($(now_ns) - t0))
				else
					assert_ours "$SDEV"
					t0=$(now_ns)
					throttled "$KESU" wipe "${KOPTS[@]}" --method random --verify=none "$SDEV" >>"$DIR/tool.log" 2>&1
					b=$(($(now_ns) - t0))
					rec=$(kesu_rec)
					[ "$(jq '.bytes_written == .device.size_bytes' "$rec")" = true ] ||
						die "throttled kesu: not a full write ($rec)"
				fi
			done
			awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f\n", a / b}' >>"$DIR/r.$PAIR_NAME"
		}
		for QD in 1 4; do
			KOPTS=("${KOPTS0[@]}" --queue-depth "$QD")
			PAIR_NAME=thr-qd$QD
			pair_loop "$PAIRS" thr_pair
			ratio_row "random pass at queue depth $QD ÷ dd, throttled to $TMBS MB/s (blkio cgroup)" \
				">=0.95" "$DIR/r.$PAIR_NAME" \
				"${SMIB} MiB, over 5 s a side: one periodic checkpoint flush; $(loadnote)"
		done
		KOPTS=("${KOPTS0[@]}")
	else
		echo "| throttled device | not measured: no writable blkio cgroup with throttling here | | | | | | |" | tee -a "$RESULTS"
	fi
fi

# ---- shred and nwipe: three rounds, rates against dd ------------------
if want others; then
	for r in 1 2 3; do
		assert_ours "$DEV"
		measure dd if=/dev/zero of="$DEV" oflag=direct bs=4M count=$((MIB / 4)) conv=fdatasync status=none
		echo "dd $(cat "$DIR/last")" >>"$DIR/others"
		measure shred -n1 "$DEV"; echo "shred $(cat "$DIR/last")" >>"$DIR/others"
		assert_ours "$DEV"
		measure nwipe --autonuke --nogui --nowait --noblank --nosignals --verify=last \
			--method=random -l "$DIR/nwipe.log" "$DEV"
		echo "nwipe $(cat "$DIR/last")" >>"$DIR/others"
		kesu_wipe last random "$DEV"
		echo "kesu $(awk -v n="$KESU_NS" 'BEGIN {printf "%.3f", n / 1e9}') 0 0" >>"$DIR/others"
	done
	med() { grep "^$1 " "$DIR/others" | awk '{print $2}' | sort -g | awk '{a[NR]=$1} END {print a[2]}'; }
	for t in shred nwipe kesu; do
		echo "| $t vs dd zero-fill (3 rounds, medians) | $(rate "$SIZE" "$(med "$t")") MB/s vs $(rate "$SIZE" "$(med dd)") MB/s | | | | | | $(case $t in shred) echo 'one random pass, no verify';; nwipe) echo 'random (PRNG) + verify last';; kesu) echo 'random + full verify';; esac) |"
	done | tee -a "$RESULTS"
fi

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
# Which library made the random passes, as kesu's own records say: the
# choice depends on the CPU (kesu(8), random), and the rows depend on it.
stream_lib=$( (cat "$DIR/recs" 2>/dev/null | xargs -r jq -r '.io.stream_library // empty') | sort | uniq -c |
	awk '{printf "%s%s (%s runs)", (NR > 1 ? ", " : ""), $2, $1}')
cpuflag() { awk '/^flags/ {print; exit}' /proc/cpuinfo | tr ' ' '\n' | grep -qx "$1" && echo "$2" || echo "no $2"; }
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
{
	echo "### $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo
	echo "Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); $(cpuflag vaes VAES), $(cpuflag avx512f AVX-512)), $(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), $(openssl version | cut -d' ' -f1-2), intel-ipsec-mb $(pkgver libipsec-mb1), libgcrypt $(pkgver libgcrypt20); kesu's random stream from ${stream_lib:-no random pass run}."
	echo "Devices: loop on tmpfs (${MIB} MiB; ${MULTI_MIB} MiB each for several), and a loop with direct I/O on a file of the system disk's file system."
	echo "Load average (1, 5, 15 min): $load_start at the start, $load_end at the end."
	echo
	echo "| comparison | pairs | min | median | max | target | verdict | how |"
	echo "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |"
	cat "$RESULTS"
} >"$DIR/table.md"
echo
cat "$DIR/table.md"
if [ "$DOC" != - ] && [ -f "$DOC" ] && grep -q '^<!-- bench:begin -->' "$DOC"; then
	awk -v t="$DIR/table.md" '
		/^<!-- bench:begin -->/ {print; while ((getline l < t) > 0) print l; skip = 1; next}
		/^<!-- bench:end -->/ {skip = 0}
		!skip {print}' "$DOC" >"$DIR/doc.new" && cat "$DIR/doc.new" >"$DOC"
	echo "bench: table written to $DOC"
fi
