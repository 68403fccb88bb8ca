#!/usr/bin/env bash
# kesu wipe --resume trusts only a checkpoint kesu wrote, for the medium it
# wrote it about, and only if that medium still holds what kesu wrote:
# hand-edited checkpoints, a loop device re-attached to another image, data
# changed behind kesu's back, an unsafe key file and old checkpoints are
# refused before anything is written.  Also: one device given twice.
. "$(dirname "$0")/../lib.sh"

ST="$T_DIR/state"
OUT="$T_DIR/out"
mkdir -p "$OUT"
W=("$KESU" wipe --no-cert --state-dir "$ST" --out "$OUT")

rand_image() { # rand_image NAME MIB: an image full of random data
	local f
	f=$(make_image "$1" "$2") || return 1
	head -c "$(($2 << 20))" /dev/urandom >"$f"
	echo "$f"
}

record_for() {
	local f
	for f in $(ls -t "$OUT"/kesu-run-*.json 2>/dev/null); do
		if [ "$(jq -r .device.path "$f")" = "$1" ]; then echo "$f"; return; fi
	done
}

no_erased_record() { # no run record for DEV says erased
	! jq -r "select(.device.path==\"$1\") | .result" "$OUT"/kesu-run-*.json 2>/dev/null |
		grep -qx erased
}

# interrupt_in_verify DEV: a zero wipe stopped (SIGINT) just before it reads
# back its only pass; exit 8 and a checkpoint in phase verify are checked.
interrupt_in_verify() {
	local flag="$T_DIR/pause.${1#/dev/}" pid rc
	KESU_TEST_PAUSE_BEFORE_VERIFY="$T_DIR/pause" "${W[@]}" --yes --quiet --method zero "$1" \
		>/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 400); do [ -e "$flag" ] && break; sleep 0.05; done
	kill -INT $pid
	wait $pid
	rc=$?
	rm -f "$flag"
	[ $rc -eq 8 ] && [ "$(jq -r .phase "$ST"/checkpoint-*.json)" = verify ]
}

# reattach DEV FILE: detach DEV (ours) and attach FILE at the same name, so
# the same path now leads to another medium.
reattach() {
	assert_ours "$1"
	losetup -d "$1" && losetup "$1" "$2" && assert_ours "$1"
}

IMG1=$(rand_image one.img 32) || exit 1
IMG2=$(rand_image two.img 32) || exit 1
cp "$IMG2" "$T_DIR/two.orig"
L=$(make_loop "$IMG1") || exit 1

# --- a hand-edited checkpoint ------------------------------------------------
check "interrupted in the last verification (exit 8, phase verify)" interrupt_in_verify "$L"
ck=$(ls "$ST"/checkpoint-*.json)
cp -p "$ck" "$T_DIR/ck.orig"
check "checkpoint carries schema /2, its medium and a MAC" \
	jq -e '.schema == "kesu-checkpoint/2" and (.mac | length) == 64 and .medium.inode != null' "$ck" >/dev/null
check "checkpoint key: mode 0600" test "$(stat -c %a "$ST/checkpoint.key")" = 600
# Declare the verification finished, then put random data on the device.
jq -c '.offset = .device.size_bytes' "$T_DIR/ck.orig" >"$ck"
head -c $((32 << 20)) /dev/urandom | dd of="$L" bs=1M oflag=direct status=none
"${W[@]}" --yes --quiet --resume "$L" >/dev/null 2>"$T_DIR/err"
rc=$?
check "edited checkpoint: refused, exit 9" test $rc -eq 9
check "edited checkpoint: the refusal names the MAC" grep -q "MAC does not match" "$T_DIR/err"
check "edited checkpoint: no erased record" no_erased_record "$L"

# --- another image at the same path -----------------------------------------
cp -p "$T_DIR/ck.orig" "$ck"
reattach "$L" "$IMG2" || exit 1
"${W[@]}" --yes --quiet --resume "$L" >/dev/null 2>"$T_DIR/err"
rc=$?
check "loop device re-attached to another image: refused, exit 6" test $rc -eq 6
check "re-attached: the refusal names the backing file" grep -q "backing file is another file" "$T_DIR/err"
check "re-attached: the other image is untouched" cmp -s "$IMG2" "$T_DIR/two.orig"
check "re-attached: checkpoint kept" test -e "$ck"
check "re-attached: no erased record" no_erased_record "$L"

# --- the right image, but its data changed since the interruption ----------
reattach "$L" "$IMG1" || exit 1
"${W[@]}" --yes --quiet --resume "$L" >/dev/null 2>"$T_DIR/err"
rc=$?
check "data changed behind kesu's back: refused, exit 6" test $rc -eq 6
check "data changed: the refusal says the medium does not hold what was written" \
	grep -q "does not hold what the interrupted wipe" "$T_DIR/err"
check "data changed: no erased record" no_erased_record "$L"

# --- a clean resume still works, and reads everything back -----------------
"${W[@]}" --yes --quiet --method zero "$L" >/dev/null 2>&1
check "interrupted again" interrupt_in_verify "$L"
"${W[@]}" --yes --quiet --resume "$L" >/dev/null 2>"$T_DIR/err"
rc=$?
rec=$(record_for "$L")
check "same medium, untouched: resume exit 0, erased" \
	test $rc -eq 0 -a "$(jq -r .result "$rec")" = erased
check "resume: the whole medium was read back" \
	test "$(jq .verification.bytes_verified "$rec")" -eq $((32 << 20))

# --- 4 KiB written between interruption and resume are found ---------------
check "interrupted a third time" interrupt_in_verify "$L"
tr '\0' '\253' </dev/zero | head -c 4096 | dd of="$L" bs=4096 seek=256 oflag=direct conv=notrunc status=none
"${W[@]}" --yes --quiet --resume "$L" >/dev/null 2>&1
rc=$?
rec=$(record_for "$L")
# The fingerprint reads only a few blocks; when it misses these the resumed
# verification must find them.
check "small change after the interruption: never erased" \
	test $rc -ne 0 -a "$(jq -r .result "$rec")" != erased
test $rc -eq 6 || check "small change: the exact bad range" \
	test "$(jq -c '.bad_ranges' "$rec")" = '[{"count":8,"first_lba":2048,"operation":"verify"}]'
rm -f "$ST"/checkpoint-*.json

# --- the key file and old checkpoints ---------------------------------------
check "interrupted a fourth time" interrupt_in_verify "$L"
chmod 0644 "$ST/checkpoint.key"
"${W[@]}" --yes --quiet --resume "$L" >/dev/null 2>"$T_DIR/err"
rc=$?
check "key readable by others: refused, exit 5" test $rc -eq 5
check "unsafe key: the refusal says why" grep -q "unsafe checkpoint key" "$T_DIR/err"
chmod 0600 "$ST/checkpoint.key"
ck=$(ls "$ST"/checkpoint-*.json)
jq -c '.schema = "kesu-checkpoint/1" | del(.mac, .medium, .certificate)' "$ck" >"$T_DIR/old" &&
	cat "$T_DIR/old" >"$ck"
"${W[@]}" --yes --quiet --resume "$L" >/dev/null 2>"$T_DIR/err"
rc=$?
check "kesu-checkpoint/1: refused, exit 9" test $rc -eq 9
check "kesu-checkpoint/1: says it is from an older kesu" grep -q "older kesu" "$T_DIR/err"
rm -f "$ck"

# --- a finished erasure whose run record cannot be written --------------------
# The checkpoint is the only trace of the erasure until its record is on
# disk: it must survive a record that cannot be written, and let --resume
# finish and record the run.
flag="$T_DIR/pause.${L#/dev/}"
KESU_TEST_PAUSE_BEFORE_VERIFY="$T_DIR/pause" "${W[@]}" --yes --quiet --method zero "$L" \
	>/dev/null 2>"$T_DIR/err" &
pid=$!
for _ in $(seq 400); do [ -e "$flag" ] && break; sleep 0.05; done
mv "$OUT" "$OUT.away" && : > "$OUT"
rm -f "$flag"
wait $pid
rc=$?
rm -f "$OUT" && mv "$OUT.away" "$OUT"
check "a run record that cannot be written fails the run (exit 7: an I/O error outside the erase)" test $rc -eq 7
check "and its checkpoint is kept, the message says so" \
	bash -c 'ls "$1"/checkpoint-*.json >/dev/null 2>&1 && grep -q "checkpoint is kept" "$2"' _ "$ST" "$T_DIR/err"
"${W[@]}" --yes --quiet --resume "$L" >/dev/null 2>&1
rc=$?
rec=$(ls -t "$OUT"/kesu-run-*.json | head -1)
check "--resume then finishes it and records an erased, resumed run" \
	bash -c '[ $1 -eq 0 ] && jq -e ".result == \"erased\" and (.resumed_from | type) == \"string\"" "$2" >/dev/null' _ "$rc" "$rec"
check "and removes the checkpoint" bash -c '! ls "$1"/checkpoint-*.json >/dev/null 2>&1' _ "$ST"

# --- one device under two names ---------------------------------------------
ln -s "$L" "$T_DIR/alias"
"${W[@]}" --dry-run "$L" "$T_DIR/alias" >/dev/null 2>"$T_DIR/err"
rc=$?
check "a device and a symlink to it: usage error, exit 2" test $rc -eq 2
check "given twice: the message names both" \
	grep -q "given twice: $L and $T_DIR/alias are the same device" "$T_DIR/err"
# Found before either name is probed: prepared at once, each name's
# exclusive-open check used to find the other holding the device now and
# then and refuse it as busy (exit 6).  A program holding it makes that
# every time, and the command line is still what is wrong.
if hold_exclusive "$L"; then
	"${W[@]}" --dry-run "$L" "$T_DIR/alias" >/dev/null 2>"$T_DIR/err"
	rc=$?
	release_exclusive
	check "given twice while another program holds it: still the usage error, exit 2" \
		bash -c '[ "$1" -eq 2 ] && grep -q "given twice" "$2"' _ "$rc" "$T_DIR/err"
else
	not_ok "hold the device open exclusively from another program"
fi
"${W[@]}" --dry-run "$IMG2" "$T_DIR/two.orig" >/dev/null 2>&1
check "two different image files: planned (exit 0)" test $? -eq 0

t_done
