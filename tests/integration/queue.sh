#!/usr/bin/env bash
# kesu wipe with several requests in flight (io_uring) against one at a
# time: the same results and records at queue depth 1 and 8, for pattern
# and random passes with full verification, on loop devices with and
# without direct I/O; the synchronous fallback when io_uring is refused;
# and bad depths refused.
. "$(dirname "$0")/../lib.sh"

ST="$T_DIR/state"
OUT="$T_DIR/out"
mkdir -p "$OUT"
W=("$KESU" wipe --no-cert --state-dir "$ST" --out "$OUT" --yes --quiet)

rand_loop() {
	local f
	f=$(make_image "$1" "$2") || return 1
	head -c "$(($2 << 20))" /dev/urandom >"$f"
	make_loop "$f" "${@:3}"
}

record_for() {
	local f
	for f in $(ls -t "$OUT"/kesu-run-*.json 2>/dev/null); do
		if [ "$(jq -r .device.path "$f")" = "$1" ]; then echo "$f"; return; fi
	done
}

# What must not depend on the depth: everything the verdict and the
# certificate rest on, without times, ids, device names and the io block.
verdict_of() {
	jq -S '{result, reason, bytes_written, bytes_verified, bad_ranges, block_size,
		verification, method,
		passes: [.passes[] | {index, pattern, bytes_written, bytes_verified, verified}]}' "$1"
}

# 12 MiB: 6 chunks of 2 MiB, so 8 requests would be more than there is to do; the
# odd 4 KiB tail makes the last request short of a chunk.
A=$(rand_loop a.img 12) || exit 1
B=$(rand_loop b.img 12) || exit 1
truncate -s $(((12 << 20) + 4096)) "$T_DIR/a.img" "$T_DIR/b.img"
losetup -c "$A" && losetup -c "$B"

"${W[@]}" --queue-depth 1 --passes ff,00 --verify all "$A" >"$T_DIR/o1" 2>&1
check "qd 1 pattern: exit 0" test $? -eq 0
"${W[@]}" --queue-depth 8 --passes ff,00 --verify all "$B" >"$T_DIR/o8" 2>&1
check "qd 8 pattern: exit 0" test $? -eq 0
RA=$(record_for "$A") RB=$(record_for "$B")
check "qd 8 pattern: both devices all zeros (cmp)" \
	bash -c 'cmp -n $(((12 << 20) + 4096)) "$1" /dev/zero && cmp "$1" "$2"' _ "$A" "$B"
check "qd 1 vs 8 pattern: same verdict, counts and passes in the records" \
	cmp <(verdict_of "$RA") <(verdict_of "$RB")
check "qd 1 record: synchronous path" \
	test "$(jq -c '[.io.path, .io.queue_depth, .io.fallback]' "$RA")" = '["sync",1,null]'
check "qd 8 record: io_uring, depth 8, registered buffers, 20 MiB" \
	test "$(jq -c '[.io.path, .io.queue_depth, .io.registered_buffers, .io.buffer_bytes]' "$RB")" = \
	'["io_uring",8,true,20971520]'
check "pattern passes: no stream library in the record" \
	test "$(jq -c '[.io.stream_library, .method.random_stream]' "$RB")" = '[null,null]'

"${W[@]}" --queue-depth 1 --passes random,random --verify all "$A" >"$T_DIR/o1" 2>&1
check "qd 1 random: exit 0" test $? -eq 0
"${W[@]}" --queue-depth 8 --passes random,random --verify all "$B" >"$T_DIR/o8" 2>&1
check "qd 8 random: exit 0" test $? -eq 0
RA=$(record_for "$A") RB=$(record_for "$B")
check "qd 1 vs 8 random: same verdict, counts and passes in the records" \
	cmp <(verdict_of "$RA") <(verdict_of "$RB")
check "qd 8 random: erased, every byte read back" \
	test "$(jq -c '[.result, .verification.bytes_verified]' "$RB")" = "[\"erased\",$((2 * ((12 << 20) + 4096)))]"
check "qd 8 random: the medium is not constant" \
	bash -c '! cmp -s -n 1048576 "$1" /dev/zero' _ "$B"
# ipsec-mb makes the stream only with its VAES/AVX-512 code, on a CPU with
# every AVX-512 subset that code wants and VAES (kesu_stream_auto_choice);
# elsewhere, and in a build without it, libgcrypt.
want_lib=libgcrypt
if ldd "$KESU" | grep -q libIPSec_MB &&
	awk '/^flags/ {print; exit}' /proc/cpuinfo | tr ' ' '\n' |
	grep -cxE 'avx512(f|dq|cd|bw|vl)|vaes' | grep -qx 6; then
	want_lib=intel-ipsec-mb
fi
check "random passes: the record names the stream's library ($want_lib), on both paths" \
	test "$(jq -r .io.stream_library "$RA"),$(jq -r .io.stream_library "$RB")" = "$want_lib,$want_lib"

# A loop device doing direct I/O on the backing file: the queue reaches the
# file system on the real disk, not the page cache.
C=$(rand_loop c.img 16 --direct-io=on) || exit 1
"${W[@]}" --queue-depth 8 --method dod-3 --verify all "$C" >"$T_DIR/oc" 2>&1
check "qd 8 on a direct-I/O loop device: exit 0, erased" \
	test "$?:$(jq -r .result "$(record_for "$C")")" = "0:erased"

# Refused io_uring (as under kernel.io_uring_disabled): the synchronous
# path, the same verdict, and the record says why.
KESU_TEST_NO_URING=1 "${W[@]}" --queue-depth 8 --passes ff,00 --verify all "$B" >"$T_DIR/of" 2>&1
check "fallback: exit 0" test $? -eq 0
RF=$(record_for "$B")
RA=$(ls -t "$OUT"/kesu-run-*.json | while read -r f; do
	[ "$(jq -r '.device.path + " " + (.method.passes|join(","))' "$f")" = "$A ff,00" ] && { echo "$f"; break; }
done)
check "fallback: synchronous path, the reason recorded" \
	test "$(jq -c '[.io.path, .io.queue_depth, .io.queue_depth_requested, (.io.fallback|test("KESU_TEST_NO_URING"))]' "$RF")" = \
	'["sync",1,8,true]'
check "fallback: same verdict as qd 1" cmp <(verdict_of "$RA") <(verdict_of "$RF")

# Killed after a periodic checkpoint (its flush went through the queue):
# everything below the checkpoint's offset is on the medium, and --resume
# at another depth finishes the job.  The device is throttled by a blkio
# cgroup of our own so the write pass outlasts the 5 s checkpoint period.
BLK=/sys/fs/cgroup/blkio
if [ -w "$BLK" ] && [ -e "$BLK/blkio.throttle.write_bps_device" ]; then
	D=$(rand_loop d.img 256) || exit 1
	CG=$BLK/kesu-test-$$
	mkdir "$CG"
	echo "$(lsblk -dno MAJ:MIN "$D" | tr -d ' ') 16000000" >"$CG/blkio.throttle.write_bps_device"
	sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$CG" \
		"${W[@]}" --queue-depth 8 --method zero "$D" >/dev/null 2>&1 &
	pid=$!
	# The checkpoint is copied the moment it is seen: kesu may save the
	# next one (the verification's, at offset 0) before the kill lands.
	ck=$T_DIR/ck.seen
	for _ in $(seq 300); do
		for f in "$ST"/checkpoint-*.json; do
			[ -e "$f" ] && cp "$f" "$ck" 2>/dev/null &&
				[ "$(jq -r '.phase + " " + (.offset > 0 | tostring)' "$ck" 2>/dev/null)" = "write true" ] &&
				break 2
		done
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rmdir "$CG"
	off=$(jq -r .offset "$ck" 2>/dev/null)
	check "a periodic checkpoint in the write phase, then killed" \
		test "$(jq -r .phase "$ck" 2>/dev/null)" = write -a "${off:-0}" -gt 0
	check "the checkpoint's offset is a chunk boundary" test $((off % (2 << 20))) -eq 0
	# Read the medium, not the device's page cache: kesu writes around it
	# (O_DIRECT), and a buffered read racing those writes (udev probes the
	# device when a writer closes it, here at the kill) can leave a stale
	# page that cmp would read.  Seen once under make asan: cmp said byte 1
	# differed, and the resume's own check of all zeros passed.
	blockdev --flushbufs "$D"
	check "everything below the checkpoint's offset is written (cmp)" \
		cmp -n "$off" "$D" /dev/zero
	# The killed process's ring is torn down by the kernel only when its
	# requests in flight (up to 32 MiB here, at 16 MB/s) are done; until
	# then the device is still held and kesu rightly refuses it as busy.
	python3 -c 'import os, sys, time
for _ in range(200):
    try:
        os.close(os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)); break
    except OSError:
        time.sleep(0.1)' "$D"
	"${W[@]}" --queue-depth 3 --resume "$D" >"$T_DIR/or" 2>&1
	check "resume at depth 3: exit 0, erased, all zeros" \
		bash -c 'test "$1" -eq 0 && test "$(jq -r .result "$2")" = erased && cmp -n $((256 << 20)) "$3" /dev/zero' \
		_ $? "$(record_for "$D")" "$D"
	# The throttle charges each byte once at depth 8: a non-blocking first
	# attempt that the throttle turned away used to be charged as well,
	# and the wipe ran at half the throttled rate.
	E=$(rand_loop e.img 16 --direct-io=on) || exit 1
	mkdir "$CG"
	mm=$(lsblk -dno MAJ:MIN "$E" | tr -d ' ')
	echo "$mm 40000000" >"$CG/blkio.throttle.write_bps_device"
	sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$CG" \
		"${W[@]}" --queue-depth 8 --method zero --verify none "$E" >/dev/null 2>&1
	charged=$(awk -v d="$mm" '$1 == d && $2 == "Write" {print $3}' "$CG/blkio.throttle.io_service_bytes")
	rmdir "$CG"
	check "throttled depth-8 wipe: io_uring, each byte charged once" \
		test "$(jq -r .io.path "$(record_for "$E")"):$charged" = "io_uring:$((16 << 20))"
else
	not_ok "no writable blkio cgroup to throttle a loop device; cannot test a periodic checkpoint"
fi

# Depths kesu refuses, before touching a device.
for bad in 0 17 x 4x ""; do
	"${W[@]}" --queue-depth "$bad" --method zero "$A" >/dev/null 2>"$T_DIR/e"
	check "--queue-depth '$bad': exit 2" test $? -eq 2
done
check "--queue-depth: the message names the range" grep -q "must be 1 to 16" "$T_DIR/e"
printf '[wipe]\nqueue_depth = 99\n' >"$T_DIR/bad.conf"
"$KESU" wipe --config "$T_DIR/bad.conf" --no-cert --out "$OUT" --yes --quiet --method zero "$A" \
	>/dev/null 2>"$T_DIR/e"
check "kesu.conf queue_depth 99: exit 2, says kesu.conf" \
	bash -c 'test "$1" -eq 2 && grep -q "kesu.conf: \[wipe\] queue_depth" "$2"' _ $? "$T_DIR/e"
# 3: a depth the default never gives one device, whatever the CPUs.
printf '[wipe]\nqueue_depth = 3\n[paths]\nstate_dir = %s\n' "$ST" >"$T_DIR/three.conf"
"$KESU" wipe --config "$T_DIR/three.conf" --no-cert --out "$OUT" --yes --quiet --method zero "$A" \
	>/dev/null 2>&1
check "kesu.conf queue_depth 3: used" \
	test "$(jq -c '[.result, .io.queue_depth]' "$(record_for "$A")")" = '["erased",3]'

# The default depth: about two requests in flight per CPU this process may
# run on (taskset), shared among the devices, from 2 to 4 a device.
depths() { # CPUS 'OPTION...' DEV...: each device's depth and the depth asked for
	local cpus=$1 d opts
	read -ra opts <<<"$2"
	shift 2
	taskset -c "$cpus" "${W[@]}" "${opts[@]}" --method zero "$@" >/dev/null 2>&1 || return 1
	for d in "$@"; do jq -j '"\(.io.queue_depth)/\(.io.queue_depth_requested) "' "$(record_for "$d")"; done
}
# The first two CPUs this test may use: a cpuset need not start at CPU 0.
read -r cpu1 cpu2 < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0))[:2])')
check "default depth: one device, one CPU: 2" test "$(depths "$cpu1" '' "$A")" = "2/2 "
if [ -n "${cpu2:-}" ]; then
	check "default depth: one device, two CPUs: 4" test "$(depths "$cpu1,$cpu2" '' "$A")" = "4/4 "
	check "default depth: two devices, two CPUs: 2 each" \
		test "$(depths "$cpu1,$cpu2" '' "$A" "$B")" = "2/2 2/2 "
else
	not_ok "only one CPU: cannot check the default depth over two"
fi
check "default depth: --queue-depth wins over it" \
	test "$(depths "$cpu1" '--queue-depth 8' "$A")" = "8/8 "
"$KESU" wipe --help >"$T_DIR/h"
check "wipe --help: names --queue-depth and the memory" \
	grep -q -- "--queue-depth N .*36 MiB at most" "$T_DIR/h"
t_done
