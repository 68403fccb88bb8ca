#!/usr/bin/env bash
# kesu station on this machine's loop devices only: every run names its own
# loop device with --only (the station ignores every other disk), and the
# erasing run is on a file of ours.  Hot-plug, pulled disks and real drivers
# are tried in the QEMU guest (tests/vm/guest-tests.sh, group station).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

make_ca ca && make_operator op ca && make_role '佐藤 花子' ca approver ||
	{ not_ok "test CA set-up"; t_done; exit 1; }
img=$(make_image disk.img 8) && head -c 8M /dev/urandom > "$img" && L=$(make_loop "$img") ||
	{ not_ok "loop device set-up"; t_done; exit 1; }
assert_ours "$L"
# Loop devices report no serial, so the asset map cannot name them: in
# confirm mode the operator types the asset number with the bay's.
printf '# serial,asset\nS3Z9NB0K123456,A-ELSEWHERE\n' > "$T_DIR/assets.csv"
conf() { # START [CLASS] -> kesu.conf for a station signing with the test operator
	cat <<CONF
[operator]
name = 山田 太郎
organization = テスト消去株式会社
[customer]
name = 総務課
[signing]
key = $T_DIR/op/kesu-signing.key
cert = $T_DIR/op/cert.pem
[trust]
ca_file = $T_DIR/ca/ca.pem
[register]
path = $T_DIR/reg/register.jsonl
[paths]
state_dir = $T_DIR/state
[station]
start = $1
method = zero
approver = 佐藤 花子
approval_ref = R8-情政-17
approval_date = 2026-11-20
class = ${2:-2}
reason = disposal
asset_map = $T_DIR/assets.csv
CONF
}
# Class 2: a typed approver is enough ([policy]); class 3 needs a signed
# approval ([station] approval or --approval), refused without one.
conf confirm > "$T_DIR/confirm.conf"
conf confirm 3 > "$T_DIR/confirm3.conf"
now=$(date -u +%s)
new_approval() { # ARGS...: print the path of a class 3 approval for the test operator
	"$KESU" approval new --key "$T_DIR/佐藤 花子/kesu-signing.key" --cert "$T_DIR/佐藤 花子/cert.pem" \
		--config /dev/null --ca "$T_DIR/ca/ca.pem" --out "$T_DIR/appr" --reference 'R8-情政-17' \
		--reason disposal --class 3 --customer '総務課' --operator '山田 太郎' \
		--valid-from "$(date -u -d "@$((now - 3600))" +%Y-%m-%dT%H:%M:%SZ)" "$@"
}
UNTIL=$(date -u -d "@$((now + 86400))" +%Y-%m-%dT%H:%M:%SZ)
good=$(new_approval --asset A-STATION-3 --valid-until "$UNTIL") ||
	{ not_ok "approval set-up"; t_done; exit 1; }
{ cat "$T_DIR/confirm3.conf"; echo "approval = $good"; } > "$T_DIR/approved.conf"
conf auto > "$T_DIR/auto.conf"
ST=("$KESU" station --json --only "$L" --once)

out=$("$KESU" station --help); rc=$?
check "--help documents --only and --dry-run" \
	bash -c '[ $1 -eq 0 ] && grep -q -- "--only DEVICE" <<<"$2" && grep -q -- "--dry-run" <<<"$2"' _ "$rc" "$out"
out=$("$KESU" station --bays 40 2>&1); rc=$?
check "--bays out of range is a usage error (exit 2)" \
	bash -c '[ $1 -eq 2 ] && grep -q "1 to 16" <<<"$2"' _ "$rc" "$out"
printf '[station]\nmethod_sata = shred\n' > "$T_DIR/bad.conf"
out=$("${ST[@]}" --config "$T_DIR/bad.conf" 2>&1 </dev/null); rc=$?
check "a bad [station] method stops the station before it watches anything" \
	bash -c '[ $1 -ne 0 ] && grep -q "method_sata = shred: no such method" <<<"$2"' _ "$rc" "$out"

before=$(sha256sum < "$img")
# Present at start without --existing: refused, never written.
out=$(timeout 30 "${ST[@]}" --config "$T_DIR/auto.conf" </dev/null); rc=$?
check "a disk present at start is refused without --existing (exit 6)" \
	bash -c '[ $1 -eq 6 ] && jq -se "map(select(.event==\"decided\"))[0] | .state==\"refused\" and (.reason|test(\"present when the station started\"))" <<<"$2" >/dev/null' _ "$rc" "$out"
out=$(timeout 30 "${ST[@]}" --existing --dry-run --config "$T_DIR/confirm.conf" </dev/null); rc=$?
check "--dry-run decides and writes nothing" \
	bash -c '[ $1 -eq 0 ] && jq -se "map(select(.event==\"decided\"))[0] | .state==\"waiting\" and .method==\"zero\"" <<<"$2" >/dev/null && [ "$(sha256sum < "$3")" = "$4" ]' _ "$rc" "$out" "$img" "$before"

# Mounted: the gate refuses, nothing is started.
mimg=$(make_image fs.img 8) && mkfs.ext4 -q -F "$mimg" >/dev/null 2>&1 && M=$(make_loop "$mimg") &&
	assert_ours "$M" && t_mount "$M" "$T_DIR/mnt" || { not_ok "mounted loop set-up"; t_done; exit 1; }
out=$(timeout 30 "$KESU" station --events "$T_DIR/mounted.jsonl" --only "$M" --once --existing \
	--config "$T_DIR/auto.conf" </dev/null 2>/dev/null); rc=$?
check "a disk holding a mounted file system is refused, never started" \
	bash -c '[ $1 -eq 6 ] && jq -se "(map(select(.event==\"decided\"))[0] | .state==\"refused\" and (.reason|test(\"mounted\"))) and (map(select(.event==\"started\"))|length==0)" "$2" >/dev/null' _ "$rc" "$T_DIR/mounted.jsonl"
check "and the dashboard line (--events beside it) says refused and why" \
	bash -c 'grep -qE "^1 +${2#/dev/} .* refused +refused: .*mounted" <<<"$1"' _ "$out" "$M"
# --exit-when-done (the live image): a refusal is not a failure.
out=$(timeout 30 "$KESU" station --json --only "$M" --exit-when-done --existing \
	--config "$T_DIR/auto.conf" </dev/null 2>/dev/null); rc=$?
check "--exit-when-done exits 0 when the only disk was refused (mounted)" \
	bash -c '[ $1 -eq 0 ] && jq -se "map(select(.event==\"decided\"))[0].state==\"refused\"" <<<"$2" >/dev/null' _ "$rc" "$out"
out=$("$KESU" station --once --exit-when-done 2>&1 </dev/null); rc=$?
check "--once with --exit-when-done is a usage error (exit 2)" \
	bash -c '[ $1 -eq 2 ] && grep -q "exclude each other" <<<"$2"' _ "$rc" "$out"

# Class 3 with only a typed approver: the bay fails before anything is
# written, naming the policy, and the disk keeps its data.
dd if=/dev/urandom of="$L" bs=1M count=1 conv=notrunc status=none
out=$(printf 'start 1 A-STATION-3\n' | timeout 60 "${ST[@]}" --existing --config "$T_DIR/confirm3.conf"); rc=$?
check "class 3 without a signed approval refuses the bay, naming [policy] (exit 6)" \
	bash -c '[ $1 -eq 6 ] && jq -se "map(select(.event==\"finished\"))[0] | .state==\"refused\" and .result==\"refused\" and (.cause|test(\"signed approval\")) and .certificate==null" <<<"$2" >/dev/null' _ "$rc" "$out"
check "and nothing was written" bash -c '! cmp -s -n $((1 << 20)) "$1" /dev/zero' _ "$L"
# A run that fails (its register cannot be written: a file stands where
# its directory should be) is a failure; a refusal, as above, is not.
: > "$T_DIR/notadir"
sed "s|^path = .*register.jsonl|path = $T_DIR/notadir/register.jsonl|" "$T_DIR/confirm.conf" > "$T_DIR/noreg.conf"
out=$(printf 'start 1 A-STATION-3\n' | timeout 60 "$KESU" station --json --only "$L" \
	--exit-when-done --existing --config "$T_DIR/noreg.conf"); rc=$?
check "--exit-when-done exits 1 (failed) when a disk's run failed" \
	bash -c '[ $1 -eq 1 ] && jq -se "map(select(.event==\"finished\"))[0].result==\"error\"" <<<"$2" >/dev/null' _ "$rc" "$out"

# A signed approval for the batch: each disk's wipe is checked against it
# as `kesu wipe --approval` checks it, before anything is written.
written() { ! cmp -s -n $((1 << 20)) "$L" /dev/zero; }
out=$(printf 'start 1 A-NOT-COVERED\n' | timeout 60 "${ST[@]}" --existing --config "$T_DIR/approved.conf"); rc=$?
check "an approval that does not cover the disk refuses it (exit 6), saying why" \
	bash -c '[ $1 -eq 6 ] && jq -se "map(select(.event==\"finished\"))[0] | .state==\"refused\" and (.cause|test(\"does not cover this medium.*A-NOT-COVERED\")) and .certificate==null" <<<"$2" >/dev/null' _ "$rc" "$out"
check "and nothing was written to it" written
cp "$good" "$T_DIR/tampered.json" && cp "$good.p7s" "$T_DIR/tampered.json.p7s" &&
	sed -i 's/A-STATION-3/A-STATION-9/' "$T_DIR/tampered.json"
out=$(timeout 30 "${ST[@]}" --existing --config "$T_DIR/confirm3.conf" --approval "$T_DIR/tampered.json" </dev/null 2>&1); rc=$?
check "an approval whose signature does not verify stops the station at start, naming the file" \
	bash -c '[ $1 -ne 0 ] && grep -q "approval $2" <<<"$3" && ! grep -q "\"event\":\"decided\"" <<<"$3"' _ "$rc" "$T_DIR/tampered.json" "$out"
# Valid when the station starts, expired when the operator starts the bay:
# the window is judged as each wipe starts.
short=$(new_approval --asset A-STATION-3 --valid-until "$(date -u -d "@$(($(date -u +%s) + 4))" +%Y-%m-%dT%H:%M:%SZ)")
out=$( (sleep 6; printf 'start 1 A-STATION-3\n') |
	timeout 60 "${ST[@]}" --existing --config "$T_DIR/confirm3.conf" --approval "$short"); rc=$?
check "an approval that expired after the station started refuses the wipe (exit 6)" \
	bash -c '[ $1 -eq 6 ] && jq -se "(map(select(.event==\"decided\"))[0].state==\"waiting\") and (map(select(.event==\"finished\"))[0] | .state==\"refused\" and (.cause|test(\"after its validity\")))" <<<"$2" >/dev/null' _ "$rc" "$out"
check "and nothing was written to it" written
out=$(printf 'start 1 A-STATION-3\n' | timeout 60 "${ST[@]}" --existing --config "$T_DIR/approved.conf"); rc=$?
check "class 3 with a covering approval ([station] approval) is erased (exit 0)" \
	bash -c '[ $1 -eq 0 ] && jq -se "map(select(.event==\"finished\"))[0] | .result==\"erased\" and .certificate!=null" <<<"$2" >/dev/null' _ "$rc" "$out"
cert=$(jq -sr 'map(select(.event=="finished"))[0].certificate' <<<"$out")
check "its certificate records the signed approval (approver, reference, hash) and verifies" \
	bash -c 'jq -e --arg h "$(sha256sum < "$2" | cut -d" " -f1)" ".approval.approver == \"佐藤 花子\" and .approval.reference == \"R8-情政-17\" and .approval.document.sha256 == \$h" "$1" >/dev/null && "$KESU" cert verify --ca "$3" "$1" | grep -q "signed approval checked"' _ "$cert" "$good" "$T_DIR/ca/ca.pem"

# Confirm mode: the disk waits for its bay number (and asset) on stdin.
out=$(printf '1\nstart 1 A-STATION-1\n' | timeout 60 "${ST[@]}" --existing --config "$T_DIR/confirm.conf"); rc=$?
check "without its asset number the bay is not started" \
	bash -c 'jq -se "map(select(.event==\"note\" and (.text|test(\"needs its asset number\"))))|length==1" <<<"$1" >/dev/null' _ "$out"
check "confirm mode starts on 'start 1 ASSET', erases, certifies (exit 0)" \
	bash -c '[ $1 -eq 0 ] && jq -se "(map(select(.event==\"decided\"))[0].state==\"waiting\") and (map(select(.event==\"finished\"))[0] | .state==\"done\" and .result==\"erased\" and .certificate!=null)" <<<"$2" >/dev/null' _ "$rc" "$out"
check "the medium is zero" cmp -s -n $((8 << 20)) "$L" /dev/zero
cert=$(jq -sr 'map(select(.event=="finished"))[0].certificate' <<<"$out")
check "the certificate verifies and names the typed asset" \
	bash -c '"$KESU" cert verify "$1" --ca "$2" >/dev/null && jq -e ".asset.property_number? // .. | strings | select(. == \"A-STATION-1\")" "$1" >/dev/null' _ "$cert" "$T_DIR/ca/ca.pem"
check "and is in the register" bash -c 'grep -q "$(basename "$1" .json)" "$2" || "$KESU" register verify --register "$2" --ca "$3" >/dev/null' _ "$cert" "$T_DIR/reg/register.jsonl" "$T_DIR/ca/ca.pem"

# Auto mode: a disk the asset map cannot name is refused, never started.
out=$(timeout 30 "${ST[@]}" --existing --config "$T_DIR/auto.conf" </dev/null); rc=$?
check "auto mode refuses a disk without a serial for the asset map" \
	bash -c '[ $1 -eq 6 ] && jq -se "(map(select(.event==\"decided\"))[0].reason|test(\"reports no serial number\")) and (map(select(.event==\"started\"))|length==0)" <<<"$2" >/dev/null' _ "$rc" "$out"

# A signal during a run: interrupted, checkpoint kept, exit 7.
big=$(make_image big.img 256) && B=$(make_loop "$big") && assert_ours "$B" ||
	{ not_ok "big loop set-up"; t_done; exit 1; }
sed 's/^method = zero/method = dod-7/' "$T_DIR/confirm.conf" > "$T_DIR/slow.conf"
"$KESU" station --json --only "$B" --existing --config "$T_DIR/slow.conf" \
	< <(printf '1 A-STATION-2\n'; sleep 60) > "$T_DIR/sig.jsonl" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '"event":"progress"' "$T_DIR/sig.jsonl" && break; sleep 0.2; done
kill -TERM "$pid"
wait "$pid"; rc=$?
check "SIGTERM ends the run interrupted, with its checkpoint, exit 8" \
	bash -c '[ $1 -eq 8 ] && jq -se "(map(select(.event==\"stopping\"))|length==1) and (map(select(.event==\"finished\"))[0] | .result==\"interrupted\" and .state==\"failed\")" "$2" >/dev/null && ls "$3"/*.json >/dev/null 2>&1' _ "$rc" "$T_DIR/sig.jsonl" "$T_DIR/state"

# Re-inserted (here: the station started again), the disk resumes from its
# checkpoint under kesu wipe --resume's rules.  First, the same checkpoint
# copied to another loop device's name: bound to another medium, not used.
ck=$(ls "$T_DIR"/state/checkpoint-*"${B#/dev/}".json)
oimg=$(make_image other.img 256) && head -c 1M /dev/urandom | dd of="$oimg" conv=notrunc status=none &&
	C=$(make_loop "$oimg") && assert_ours "$C" || { not_ok "other loop set-up"; t_done; exit 1; }
ock=$(dirname "$ck")/$(basename "$ck" | sed "s/${B#/dev/}\.json\$/${C#/dev/}.json/")
cp "$ck" "$ock"
obefore=$(head -c 1M "$oimg" | sha256sum)
out=$(timeout 60 "$KESU" station --json --only "$C" --existing --once --config "$T_DIR/slow.conf" </dev/null); rc=$?
check "a checkpoint of another medium is not used: refused, saying why (exit 6)" \
	bash -c '[ $1 -eq 6 ] && jq -se "(map(select(.event==\"decided\"))[0] | .state==\"refused\" and (.reason|test(\"checkpoint not usable\"))) and (map(select(.event==\"started\"))|length==0)" <<<"$2" >/dev/null' _ "$rc" "$out"
check "and that disk was not written" test "$(head -c 1M "$oimg" | sha256sum)" = "$obefore"
rm -f "$ock"
out=$(timeout 600 "$KESU" station --json --only "$B" --existing --once --config "$T_DIR/slow.conf" </dev/null); rc=$?
check "restarted, the interrupted disk resumes by itself and ends erased (exit 0)" \
	bash -c '[ $1 -eq 0 ] && jq -se "(map(select(.event==\"decided\"))[0] | .action==\"start\" and (.reason|test(\"resumes the interrupted dod-7 wipe\"))) and (map(select(.event==\"finished\"))[0] | .result==\"erased\" and .certificate!=null)" <<<"$2" >/dev/null' _ "$rc" "$out"
cert=$(jq -sr 'map(select(.event=="finished"))[0].certificate' <<<"$out")
check "its certificate says it was resumed, as kesu wipe --resume's do, and verifies" \
	bash -c 'jq -e ".execution.resumed == true and .asset.property_number == \"A-STATION-2\"" "$1" >/dev/null && "$KESU" cert verify --ca "$2" "$1" >/dev/null' _ "$cert" "$T_DIR/ca/ca.pem"
check "and its checkpoint is gone" test ! -e "$ck"

t_done
