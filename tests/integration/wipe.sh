#!/usr/bin/env bash
# kesu wipe on loop devices over our own image files: contents checked
# independently of kesu, corruption behind kesu's back caught, interruption
# and resume, refusals, parallel devices, bad input.
. "$(dirname "$0")/../lib.sh"

ST="$T_DIR/state"
OUT="$T_DIR/out"
mkdir -p "$OUT"
# Certificates have their own wipe tests (wipe_cert.sh); these runs skip them.
W=("$KESU" wipe --no-cert --state-dir "$ST" --out "$OUT")

# rand_loop NAME MIB: a loop device over an image full of random data.
rand_loop() {
	local f
	f=$(make_image "$1" "$2") || return 1
	head -c "$(($2 << 20))" /dev/urandom >"$f"
	make_loop "$f"
}

# record_for DEV: the newest run record for DEV in $OUT.
record_for() {
	local f best=
	for f in $(ls -t "$OUT"/kesu-run-*.json 2>/dev/null); do
		if [ "$(jq -r .device.path "$f")" = "$1" ]; then best=$f; break; fi
	done
	echo "$best"
}

result_of() { jq -r .result "$(record_for "$1")"; }

# --- methods, contents checked with cmp, not with kesu ---------------------
L1=$(rand_loop a.img 16) || exit 1
cp "$T_DIR/a.img" "$T_DIR/a.orig"
"${W[@]}" --yes --quiet --method zero "$L1" >"$T_DIR/o" 2>&1
check "wipe zero: exit 0" test $? -eq 0
check "wipe zero: device is all zeros (cmp)" cmp -n $((16 << 20)) "$L1" /dev/zero
check "wipe zero: record says erased" test "$(result_of "$L1")" = erased
check "wipe zero: summary prints the record path" grep -q "record: $OUT/kesu-run-" "$T_DIR/o"
rec=$(record_for "$L1")
check "wipe zero: record schema and full verification" \
	test "$(jq -c '[.schema, .verification.outcome, .verification.bytes_verified, .bytes_written, .resumed, .reason]' "$rec")" = \
	"[\"kesu-run-record/1\",\"passed\",$((16 << 20)),$((16 << 20)),false,null]"
check "wipe zero: record mode 0644" test "$(stat -c %a "$rec")" = 644
check "wipe zero: no checkpoint left" test -z "$(ls "$ST"/checkpoint-*.json 2>/dev/null)"

"${W[@]}" --yes --quiet --method one "$L1" >/dev/null 2>&1
check "wipe one: exit 0" test $? -eq 0
check "wipe one: device is all 0xFF (cmp)" \
	cmp -n $((16 << 20)) "$L1" <(tr '\0' '\377' </dev/zero | head -c $((16 << 20)))

"${W[@]}" --yes --quiet --method random "$L1" >/dev/null 2>&1
check "wipe random: exit 0" test $? -eq 0
check "wipe random: not the original" bash -c '! cmp -s "$1" "$2"' _ "$L1" "$T_DIR/a.orig"
check "wipe random: not constant" bash -c '! cmp -s -n 1048576 "$1" /dev/zero' _ "$L1"
check "wipe random: not the previous 0xFF" \
	bash -c '! cmp -s -n 1048576 "$1" <(tr "\0" "\377" </dev/zero | head -c 1048576)' _ "$L1"

"${W[@]}" --yes --quiet --passes 924924,random,00 --verify all "$L1" >/dev/null 2>&1
check "wipe --passes with --verify all: exit 0" test $? -eq 0
check "wipe --passes: zeros at the end" cmp -n $((16 << 20)) "$L1" /dev/zero
rec=$(record_for "$L1")
check "wipe --passes: every pass verified in the record" \
	test "$(jq -c '[.passes[].verified] + [.method.passes]' "$rec")" = '[true,true,true,["924924","random","00"]]'
check "wipe --passes: the record names the random stream's cipher" \
	test "$(jq -r '.method.random_stream' "$rec")" = aes-128-ctr

"${W[@]}" --yes --quiet --method nist-clear --verify sample "$L1" >/dev/null 2>&1
check "wipe --verify sample: exit 0, outcome passed" \
	test "$(jq -r '.verification.mode + " " + .verification.outcome' "$(record_for "$L1")")" = "sample passed"
check "wipe nist-clear: no random pass, no cipher named" \
	test "$(jq -r '.method.random_stream' "$(record_for "$L1")")" = null

# An image file, as well as a block device.
head -c $((8 << 20)) /dev/urandom >"$T_DIR/disk.img"
"${W[@]}" --yes --quiet --method one "$T_DIR/disk.img" >/dev/null 2>&1
check "image file: exit 0" test $? -eq 0
check "image file: all 0xFF (cmp)" \
	cmp "$T_DIR/disk.img" <(tr '\0' '\377' </dev/zero | head -c $((8 << 20)))
check "image file: record is_file" test "$(jq .device.is_file "$(record_for "$T_DIR/disk.img")")" = true

# --- confirmation ------------------------------------------------------------
"${W[@]}" --quiet "$L1" </dev/null >/dev/null 2>"$T_DIR/err"
check "wipe without --yes and no input: exit non-zero" test $? -ne 0
check "wipe without --yes: asks for the name" grep -q "Type its name (${L1#/dev/})" "$T_DIR/err"
echo wrong | "${W[@]}" "$L1" >/dev/null 2>"$T_DIR/err"
check "wipe with a wrong answer: exit 1" test $? -eq 1
head -c $((16 << 20)) /dev/urandom | dd of="$L1" bs=1M oflag=direct status=none
echo "${L1#/dev/}" | "${W[@]}" --method zero "$L1" >/dev/null 2>&1
check "wipe confirmed by typing the name: exit 0" test $? -eq 0
check "wipe confirmed: zeros" cmp -n $((16 << 20)) "$L1" /dev/zero

"${W[@]}" --dry-run --method dod-3 "$L1" >"$T_DIR/o" 2>&1
check "wipe --dry-run: exit 0" test $? -eq 0
check "wipe --dry-run: shows the plan" grep -q "method    dod-3" "$T_DIR/o"
check "wipe --dry-run: writes nothing" cmp -n $((16 << 20)) "$L1" /dev/zero
"${W[@]}" --dry-run --json --method dod-3 "$L1" >"$T_DIR/plan.json" 2>"$T_DIR/plan.err"
check "wipe --dry-run --json: the plan as JSON on stdout, nothing else" \
	jq -e --arg d "$L1" '.plan | length == 1 and .[0].device.path == $d and
		.[0].method.name == "dod-3" and (.[0].method.passes | length) == 3 and
		.[0].resume == null and .[0].estimate_s >= 0' "$T_DIR/plan.json"

# --- corruption behind kesu's back, between the write and the read-back ----
export KESU_TEST_PAUSE_BEFORE_VERIFY="$T_DIR/pause"
"${W[@]}" --yes --quiet --method zero "$L1" >"$T_DIR/o" 2>&1 &
pid=$!
flag="$T_DIR/pause.${L1#/dev/}"
for _ in $(seq 200); do [ -e "$flag" ] && break; sleep 0.05; done
check "corruption: kesu paused before verification" test -e "$flag"
assert_ours "$L1"
# 4 KiB of 0xAB at 1 MiB, written around kesu's exclusive open.
tr '\0' '\253' </dev/zero | head -c 4096 |
	dd of="$L1" bs=4096 seek=256 oflag=direct conv=notrunc status=none
rm -f "$flag"
wait $pid
rc=$?
unset KESU_TEST_PAUSE_BEFORE_VERIFY
check "corruption: exit 1" test $rc -eq 1
rec=$(record_for "$L1")
check "corruption: record is not erased" test "$(jq -r .result "$rec")" = erased-with-exceptions
check "corruption: exact bad range (LBA 2048, 8 blocks, verify)" \
	test "$(jq -c '.bad_ranges' "$rec")" = '[{"count":8,"first_lba":2048,"operation":"verify"}]'
check "corruption: verification failed with 8 blocks" \
	test "$(jq -c '[.verification.outcome, .verification.mismatched_blocks]' "$rec")" = '["failed",8]'

# --- interruption and resume -----------------------------------------------
L2=$(rand_loop b.img 64) || exit 1
printf 'label: gpt\nstart=2048, size=8192\n' | sfdisk -q "$L2" >/dev/null 2>&1
cp "$T_DIR/b.img" "$T_DIR/b.orig"
"${W[@]}" --yes --method gutmann --progress=json "$L2" >"$T_DIR/o" 2>"$T_DIR/e" &
pid=$!
for _ in $(seq 200); do grep -q '"phase":"write"' "$T_DIR/e" 2>/dev/null && break; sleep 0.05; done
kill -INT $pid
wait $pid
rc=$?
check "SIGINT: exit 8" test $rc -eq 8
check "SIGINT: record says interrupted" test "$(result_of "$L2")" = interrupted
check "SIGINT: no erased record for the device" \
	bash -c '! jq -r "select(.device.path==\"$1\") | .result" "$2"/kesu-run-*.json | grep -qx erased' _ "$L2" "$OUT"
ck=$(ls "$ST"/checkpoint-*.json 2>/dev/null | head -1)
check "SIGINT: checkpoint saved, mode 0600" test -n "$ck" -a "$(stat -c %a "$ck" 2>/dev/null)" = 600
check "SIGINT: progress JSON lines on stderr" bash -c 'grep "^{" "$1" | head -1 | jq -e .pass >/dev/null' _ "$T_DIR/e"
first=$(record_for "$L2")
"${W[@]}" --yes --quiet --resume "$L2" >"$T_DIR/o" 2>&1
check "resume: exit 0" test $? -eq 0
rec=$(record_for "$L2")
check "resume: record erased and resumed" \
	test "$(jq -c '[.result, .resumed, .resumed_from]' "$rec")" = "[\"erased\",true,\"$(jq -r .run_id "$first")\"]"
check "resume: 'before' is what the first run found (a GPT), not the half-erased state" \
	test "$(jq -r .before.pttype "$rec") $(jq -r .before.pttype "$first")" = "gpt gpt"
check "resume: every pass written once" \
	test "$(jq '.bytes_written' "$rec")" -eq $((35 * (64 << 20)))
check "resume: final random pass differs from the original" \
	bash -c '! cmp -s "$1" "$2"' _ "$L2" "$T_DIR/b.orig"
check "resume: checkpoint removed" test -z "$(ls "$ST"/checkpoint-*.json 2>/dev/null)"
"${W[@]}" --yes --quiet --resume "$L2" >/dev/null 2>"$T_DIR/err"
check "resume without a checkpoint: exit 3" test $? -eq 3

# Two signals: abort at once, still never "erased".
n_before=$(ls "$OUT" | wc -l)
"${W[@]}" --yes --method gutmann --progress=json "$L2" >/dev/null 2>"$T_DIR/e" &
pid=$!
for _ in $(seq 200); do grep -q '"phase":"write"' "$T_DIR/e" 2>/dev/null && break; sleep 0.05; done
kill -INT $pid
kill -INT $pid
wait $pid
rc=$?
check "second SIGINT: exit 8" test $rc -eq 8
check "second SIGINT: no erased record" \
	bash -c 'for f in $(ls -t "$2"/kesu-run-*.json | head -n $(( $(ls "$2" | wc -l) - $3 ))); do [ "$(jq -r .result "$f")" != erased ] || exit 1; done' _ "$L2" "$OUT" "$n_before"
"${W[@]}" --yes --quiet --resume "$L2" >/dev/null 2>&1
check "resume after an abort from the last periodic checkpoint: exit 0" test $? -eq 0

# SIGUSR1 prints the state of every device and the wipe goes on.
"${W[@]}" --yes --method gutmann --progress=json "$L2" >/dev/null 2>"$T_DIR/e" &
pid=$!
for _ in $(seq 200); do grep -q '"phase":"write"' "$T_DIR/e" 2>/dev/null && break; sleep 0.05; done
kill -USR1 $pid
wait $pid
rc=$?
check "SIGUSR1: the wipe still ends erased" test $rc -eq 0 -a "$(result_of "$L2")" = erased
check "SIGUSR1: a status line on stderr" grep -q "^${L2#/dev/}  pass [0-9]*/35" "$T_DIR/e"

# An unusable --out is found before the first write.
head -c 1M /dev/urandom >"$T_DIR/head.orig"
dd if="$T_DIR/head.orig" of="$L2" bs=1M oflag=direct status=none
"$KESU" wipe --no-cert --state-dir "$ST" --out "$T_DIR/a.orig" --yes --quiet --method zero "$L2" \
	>/dev/null 2>"$T_DIR/err"
check "unwritable --out: exit non-zero" test $? -ne 0
check "unwritable --out: nothing written" cmp -n 1048576 "$L2" "$T_DIR/head.orig"
check "unwritable --out: says to give a writable --out" grep -q "writable --out" "$T_DIR/err"

# --- the state directory comes from kesu.conf when --state-dir is absent ---
printf '[paths]\nstate_dir = %s\n' "$T_DIR/not-a-dir/state" >"$T_DIR/bad.conf"
: >"$T_DIR/not-a-dir"
head -c 1048576 "$L2" >"$T_DIR/head.orig"
"$KESU" wipe --no-cert --config "$T_DIR/bad.conf" --out "$OUT" --yes --quiet \
	--method zero "$L2" >/dev/null 2>"$T_DIR/err"
check "config state_dir: an unusable one stops the wipe" test $? -ne 0
check "config state_dir: the error names it" grep -q "not-a-dir" "$T_DIR/err"
check "config state_dir: nothing written" cmp -n 1048576 "$L2" "$T_DIR/head.orig"
printf '[paths]\nstate_dir = %s\n' "$T_DIR/cfg-state" >"$T_DIR/good.conf"
"$KESU" wipe --no-cert --config "$T_DIR/good.conf" --out "$OUT" --yes --quiet \
	--method zero "$L2" >/dev/null 2>&1
check "config state_dir: wipe with it ends erased" test "$(result_of "$L2")" = erased
check "config state_dir: checkpoints went there" test -d "$T_DIR/cfg-state"

# --- refusals -------------------------------------------------------------
L3=$(rand_loop c.img 16) || exit 1
mkfs.ext4 -q -F "$L3" && t_mount "$L3" "$T_DIR/mnt"
"${W[@]}" --yes --quiet --method zero "$L3" >/dev/null 2>"$T_DIR/err"
check "mounted loop device: refused with exit 6" test $? -eq 6
check "mounted loop device: says why" grep -qi "mount" "$T_DIR/err"
check "mounted loop device: file system intact" mountpoint -q "$T_DIR/mnt"
# Devices are prepared all at once: a refusal of the second stops the first
# too, before anything is written to either, and only the refusal is said.
head -c 1048576 /dev/urandom | dd of="$L1" bs=1M oflag=direct status=none
head -c 1048576 "$L1" >"$T_DIR/head.orig"
"${W[@]}" --yes --quiet --method zero "$L1" "$L3" >/dev/null 2>"$T_DIR/err"
check "mounted loop device second of two: refused with exit 6" test $? -eq 6
check "mounted loop device second of two: the refusal names it" \
	grep -q "^kesu: $L3: refused" "$T_DIR/err"
check "mounted loop device second of two: the first is untouched" \
	cmp -n 1048576 "$L1" "$T_DIR/head.orig"
umount "$T_DIR/mnt" && T_MOUNTS=()

# --- two devices in parallel ---------------------------------------------
head -c $((16 << 20)) /dev/urandom | dd of="$L1" bs=1M oflag=direct status=none
"${W[@]}" --yes --quiet --method zero "$L1" "$L3" >"$T_DIR/o" 2>&1
check "two devices: exit 0" test $? -eq 0
check "two devices: first is zero" cmp -n $((16 << 20)) "$L1" /dev/zero
check "two devices: second is zero" cmp -n $((16 << 20)) "$L3" /dev/zero
check "two devices: two erased records" \
	test "$(result_of "$L1") $(result_of "$L3")" = "erased erased"
check "two devices: one summary with both" \
	test "$(grep -c ': erased ' "$T_DIR/o")" -eq 2
"${W[@]}" --yes --quiet --json --method zero "$L1" "$L3" >"$T_DIR/o" 2>/dev/null
check "wipe --json: summary array" \
	test "$(jq -c '[.[].result]' "$T_DIR/o")" = '["erased","erased"]'

# Each device's record is written as it ends, not after the slowest one:
# both pause before verifying; the second is let go first and must have
# its record while the first still waits.
n_records() { jq -r .device.path "$OUT"/kesu-run-*.json 2>/dev/null | grep -cx "$1"; }
had1=$(n_records "$L1") had3=$(n_records "$L3")
KESU_TEST_PAUSE_BEFORE_VERIFY="$T_DIR/hold" "${W[@]}" --yes --quiet --method zero \
	"$L1" "$L3" >"$T_DIR/o" 2>&1 &
pid=$!
for _ in $(seq 200); do
	[ -e "$T_DIR/hold.${L1#/dev/}" ] && [ -e "$T_DIR/hold.${L3#/dev/}" ] && break
	sleep 0.05
done
rm -f "$T_DIR/hold.${L3#/dev/}"
for _ in $(seq 200); do [ "$(n_records "$L3")" -gt "$had3" ] && break; sleep 0.05; done
check "record as each device ends: the second's while the first waits" \
	test "$(n_records "$L3") $(n_records "$L1")" = "$((had3 + 1)) $had1"
check "record as each device ends: it says erased" test "$(result_of "$L3")" = erased
rm -f "$T_DIR/hold.${L1#/dev/}"
wait $pid
check "record as each device ends: exit 0 when both are done" test $? -eq 0
check "record as each device ends: the first's afterwards" \
	test "$(n_records "$L1") $(result_of "$L1")" = "$((had1 + 1)) erased"

# On a terminal: one live line per device, redrawn in place.
head -c $((8 << 20)) /dev/urandom >"$T_DIR/t1.img"
head -c $((8 << 20)) /dev/urandom >"$T_DIR/t2.img"
script -qec "$(printf '%q ' "${W[@]}" --yes --method dod-3 "$T_DIR/t1.img" "$T_DIR/t2.img")" \
	/dev/null >"$T_DIR/tty" 2>&1
check "terminal: exit 0" test $? -eq 0
check "terminal: lines redrawn with cursor-up for two devices" grep -q $'\033\[2A' "$T_DIR/tty"
check "terminal: a live line per device" \
	bash -c 'grep -q "t1.img  pass [0-9]/3" "$1" && grep -q "t2.img  pass [0-9]/3" "$1"' _ "$T_DIR/tty"

# --- bad input ---------------------------------------------------------------
bad() { # bad NAME CODE ARGS...: kesu wipe ARGS exits CODE with one "kesu:" line
	local name=$1 code=$2 rc
	shift 2
	"${W[@]}" "$@" >/dev/null 2>"$T_DIR/err"
	rc=$?
	check "bad input: $name exits $code" test $rc -eq "$code"
	check "bad input: $name says kesu:" grep -q '^kesu: ' "$T_DIR/err"
}
bad "no device" 2 --yes
bad "unknown method" 2 --yes --method nope "$L1"
bad "bad --verify" 2 --yes --verify often "$L1"
bad "bad --passes" 2 --yes --passes 0g "$L1"
bad "--method with --passes" 2 --yes --method zero --passes 00 "$L1"
bad "--resume with --method" 2 --yes --resume --method zero "$L1"
bad "bad --progress" 2 --yes --progress loud "$L1"
bad "unknown option" 2 --yes --bogus "$L1"
bad "same device twice" 2 --yes "$L1" "$L1"
bad "missing device" 3 --yes "$T_DIR/no-such-device"
bad "character device" 4 --yes /dev/null
check "bad input: nothing written after refusals" cmp -n $((16 << 20)) "$L1" /dev/zero
"$KESU" wipe --help >"$T_DIR/o" 2>&1
check "wipe --help: exit 0 and usage" grep -q '^Usage: kesu wipe' "$T_DIR/o"
t_done
