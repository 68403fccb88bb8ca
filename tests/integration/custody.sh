#!/usr/bin/env bash
# Custody of media (kesu-custody(5)) end to end: the city hands disks to
# the contractor, the contractor to the destruction vendor; each hand-over
# is signed by the giver and countersigned by the receiver, verifies with
# kesu and stock openssl, and a chain with a gap is reported as one.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

make_ca ca && make_role '市 職員' ca city && make_operator '業者 一郎' ca &&
	make_operator '破砕 三郎' ca && make_operator '他人 四郎' ca ||
	{ not_ok "test CA set-up"; t_done; exit 1; }
CA=$T_DIR/ca/ca.pem
CITY=(--key "$T_DIR/市 職員/kesu-signing.key" --cert "$T_DIR/市 職員/cert.pem")
VENDOR=(--key "$T_DIR/業者 一郎/kesu-signing.key" --cert "$T_DIR/業者 一郎/cert.pem")
SHRED=(--key "$T_DIR/破砕 三郎/kesu-signing.key" --cert "$T_DIR/破砕 三郎/cert.pem")
OTHER=(--key "$T_DIR/他人 四郎/kesu-signing.key" --cert "$T_DIR/他人 四郎/cert.pem")
cu() { local sub=$1; shift; "$KESU" custody "$sub" --config /dev/null --ca "$CA" "$@"; }

h1=$(cu new "${CITY[@]}" --out "$T_DIR/c" --serial SN-1 --serial SN-2 \
	--from '市 職員/テスト市 情報政策課' --to '業者 一郎/テスト消去株式会社' \
	--place 'サーバ室 B1' --seal 'SEAL-0001' --at 2026-11-20T10:00:00+09:00)
check "custody new writes a hand-over signed by the giver" test -s "$h1" -a -s "$h1.p7s"
check "stock openssl cms -verify accepts it" openssl_verify "$h1" "$CA"
out=$(cu verify "$h1"); rc=$?
check "before the receiver countersigns, verify says NOT RECEIVED (exit 1)" \
	bash -c '[ $1 -eq 1 ] && grep -q "NOT RECEIVED" <<<"$2"' _ "$rc" "$out"
out=$(cu receive "${OTHER[@]}" "$h1" 2>&1); rc=$?
check "someone other than the receiver cannot acknowledge it (exit 6)" \
	bash -c '[ $1 -eq 6 ] && grep -q "cannot acknowledge" <<<"$2"' _ "$rc" "$out"
r1=$(cu receive "${VENDOR[@]}" "$h1")
check "the receiver countersigns into FILE.receiver-1.p7s" test "$r1" = "$h1.receiver-1.p7s"
check "stock openssl verifies the receiver's countersignature over the same bytes" \
	bash -c 'cd "$(dirname "$1")" && cp "$2" ca.pem && openssl cms -verify -binary -inform DER -in "$(basename "$1").receiver-1.p7s" -content "$(basename "$1")" -CAfile ca.pem -purpose any >/dev/null 2>&1' _ "$h1" "$CA"
out=$(cu verify "$h1")
check "custody verify says OK with both parties" \
	grep -q "OK: 市 職員/テスト市 情報政策課 handed 2 media to 業者 一郎" <<<"$out"
out=$(cu verify --json "$h1")
check "custody verify --json lists the receiver" \
	jq -e '.[0].received and .[0].countersigners[0].role == "receiver"' <<<"$out"

out=$(cu new "${OTHER[@]}" --out "$T_DIR/c" --serial SN-1 --from '業者 一郎/テスト消去株式会社' \
	--to '破砕 三郎/破砕センター' --place x 2>&1); rc=$?
check "a hand-over signed by someone other than the giver is refused (exit 6)" \
	bash -c '[ $1 -eq 6 ] && grep -q "giving party signs" <<<"$2"' _ "$rc" "$out"
out=$(cu new "${VENDOR[@]}" --out "$T_DIR/c" --serial SN-1 --from '業者 一郎/テスト消去株式会社' \
	--to '破砕 三郎/テスト消去株式会社' --place x 2>&1); rc=$?
check "a hand-over within one party is refused (exit 9)" \
	bash -c '[ $1 -eq 9 ] && grep -q "same party" <<<"$2"' _ "$rc" "$out"

h2=$(cu new "${VENDOR[@]}" --out "$T_DIR/c" --serial SN-1 --serial SN-2 \
	--from '業者 一郎/テスト消去株式会社' --to '破砕 三郎/破砕センター' --place '破砕センター' \
	--seal 'C-77' --destruction --at 2026-11-21T09:00:00+09:00)
cu receive "${SHRED[@]}" "$h2" >/dev/null
chain() { cu chain --origin 'テスト市 情報政策課' "$@"; }
out=$(chain --serial SN-1 "$h2" "$h1"); rc=$?
check "a complete chain (given in any order) has no gap and ends at destruction" \
	bash -c '[ $1 -eq 0 ] && grep -q "2 hand-over(s), handed over for destruction by 破砕センター" <<<"$2" && ! grep -q GAP <<<"$2"' _ "$rc" "$out"
out=$(chain --serial SN-1 "$h1"); rc=$?
check "a chain that stops at the contractor is a gap (exit 1)" \
	bash -c '[ $1 -eq 1 ] && grep -q "GAP: the chain does not end at destruction: テスト消去株式会社" <<<"$2"' _ "$rc" "$out"
out=$(chain --serial SN-1 "$h2"); rc=$?
check "a hand-over from a party that never held the medium is a gap" \
	bash -c '[ $1 -eq 1 ] && grep -q "did not hold the medium" <<<"$2"' _ "$rc" "$out"
h3=$(cu new "${VENDOR[@]}" --out "$T_DIR/c" --serial SN-3 \
	--from '業者 一郎/テスト消去株式会社' --to '破砕 三郎/破砕センター' --place x --destruction)
out=$(chain --serial SN-3 --json "$h3"); rc=$?
check "an unacknowledged hand-over is a gap (--json)" \
	bash -c '[ $1 -eq 1 ] && jq -e "(.gaps | map(select(test(\"not acknowledged\"))) | length) == 1" <<<"$2"' _ "$rc" "$out"
# ---- the register's destruction documents settle the chain ----
DREG=$T_DIR/dreg/register.jsonl
"$KESU" destroy "${SHRED[@]}" --config /dev/null --ca-file "$CA" --register "$DREG" \
	--cert-dir "$T_DIR/dd" --operator '破砕 三郎' --organization '破砕センター' --location '破砕センター' \
	--company '破砕センター' --person '破砕 三郎' --technique crush --serial SN-1 \
	--no-erasure-record 'handed over by the contractor' >/dev/null 2>"$T_DIR/destroy.err" || cat "$T_DIR/destroy.err" >&2
out=$(chain --serial SN-1 --register "$DREG" "$h2" "$h1"); rc=$?
check "a chain that reached the destroyer, with its destruction registered: closed (exit 0)" \
	bash -c '[ $1 -eq 0 ] && grep -q "closed: destroyed (destruction .* registered at .*), last held by 破砕センター" <<<"$2" && ! grep -q GAP <<<"$2"' _ "$rc" "$out"
out=$(chain --serial SN-2 --register "$DREG" --json "$h2" "$h1"); rc=$?
check "the same chain without a registered destruction: open, in custody of the vendor since the hand-over (exit 1)" \
	bash -c '[ $1 -eq 1 ] && jq -e "(.closed | not) and .status == \"open: in custody of 破砕センター since 2026-11-21T00:00:00+00:00, not destroyed\" and .gaps == []" <<<"$2" >/dev/null' _ "$rc" "$out"
out=$(chain --serial SN-1 --register "$DREG" "$h1"); rc=$?
check "a destruction registered where custody never reached the destroyer is a gap (exit 1)" \
	bash -c '[ $1 -eq 1 ] && grep -q "GAP: destruction .* is registered at .*, but custody never reached the destroyer: テスト消去株式会社 holds the medium" <<<"$2"' _ "$rc" "$out"
out=$(chain --serial SN-1 --register "$T_DIR/nowhere/register.jsonl" "$h2" "$h1"); rc=$?
check "a register that does not exist holds no destruction: open (exit 1)" \
	bash -c '[ $1 -eq 1 ] && grep -q "open: in custody of 破砕センター" <<<"$2"' _ "$rc" "$out"
cp -a "$T_DIR/dreg" "$T_DIR/forged" && sed -i 's/"serial":"SN-1"/"serial":"SN-X"/' "$T_DIR/forged/register.jsonl"
out=$(chain --serial SN-X --register "$T_DIR/forged/register.jsonl" "$h2" "$h1" 2>&1); rc=$?
check "a register that does not verify is an error, not a verdict (exit 9)" \
	bash -c '[ $1 -eq 9 ] && grep -q "forged/register.jsonl" <<<"$2" && ! grep -q "closed:" <<<"$2"' _ "$rc" "$out"
cp "$h1" "$T_DIR/saved.json"
sed -i 's/SEAL-0001/SEAL-0002/' "$h1"
out=$(chain --serial SN-1 "$h2" "$h1" 2>&1); rc=$?
check "an edited hand-over is refused, not judged (exit 9)" \
	bash -c '[ $1 -eq 9 ] && grep -q "does not verify" <<<"$2"' _ "$rc" "$out"
cp "$T_DIR/saved.json" "$h1"
cp "$h2.receiver-1.p7s" "$h1.receiver-2.p7s"
out=$(cu verify "$h1"); rc=$?
check "a countersignature over other bytes is refused (BAD COUNTERSIGNATURE)" \
	bash -c '[ $1 -eq 9 ] && grep -q "BAD COUNTERSIGNATURE" <<<"$2"' _ "$rc" "$out"

CREG=$T_DIR/creg/register.jsonl
h4=$(cu new "${CITY[@]}" --out "$T_DIR/c" --serial SN-7 --serial SN-8 --register "$CREG" \
	--from '市 職員/テスト市 情報政策課' --to '業者 一郎/テスト消去株式会社' --place x)
check "custody new --register adds a custody line with both parties and every serial" \
	bash -c 'tail -1 "$1" | jq -e ".kind == \"custody\" and .serials == [\"SN-7\",\"SN-8\"] and .to == \"テスト消去株式会社\""' _ "$CREG"
check "register verify accepts it" "$KESU" register verify --register "$CREG" --ca "$CA" --config /dev/null
check "register trace of one of its serials shows the hand-over (custody lines list their media)" \
	bash -c '"$KESU" register trace --json SN-8 --register "$1" --ca "$2" --config /dev/null | jq -e "map(.kind) == [\"custody\"]" >/dev/null' _ "$CREG" "$CA"
out=$(cu receive "${VENDOR[@]}" --register "$CREG" "$T_DIR/c/none.json" 2>&1); rc=$?
check "custody receive --register of a file that is not there fails and registers nothing" \
	bash -c '[ $1 -ne 0 ] && [ "$(wc -l < "$2")" -eq 1 ]' _ "$rc" "$CREG"
r4=$(cu receive "${VENDOR[@]}" --register "$CREG" "$h4")
check "custody receive --register: the receipt is a countersignature line naming the hand-over" \
	bash -c 'tail -1 "$1" | jq -e --arg id "$(jq -r .id "$2")" ".kind == \"countersignature\" and .role == \"receiver\" and .signer == \"業者 一郎\" and .refers_to == \$id"' _ "$CREG" "$h4"
check "register verify checks the receipt's signature and role" \
	"$KESU" register verify --register "$CREG" --ca "$CA" --config /dev/null
check "register trace shows who received the media" \
	bash -c '"$KESU" register trace --json SN-8 --register "$1" --ca "$2" --config /dev/null | jq -e "map(select(.kind == \"custody\"))[0].countersigners | tostring | test(\"receiver\")" >/dev/null' _ "$CREG" "$CA"
out=$(cu receive "${VENDOR[@]}" --register "$CREG" "$h1" 2>&1); rc=$?
check "a receipt for a hand-over the register does not hold is refused, the receipt file kept" \
	bash -c '[ $1 -ne 0 ] && [ -s "$2.receiver-2.p7s" ] && ! tail -1 "$3" | grep -q receiver-2' _ "$rc" "$h1" "$CREG"
sed -i 's/SN-8/SN-9/' "$h4"
check "an edited registered hand-over fails register verify" \
	bash -c '! "$KESU" register verify --register "$1" --ca "$2" --config /dev/null >/dev/null 2>&1' _ "$CREG" "$CA"
t_done
