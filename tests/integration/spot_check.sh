#!/usr/bin/env bash
# kesu verify on loop devices made here: an erased disk is no-data-found
# (sample and full read), a file system, a GPT and a text file's worth of
# data in the middle are found, a certificate for another medium is a
# finding, the signed report verifies with stock openssl, and verify never
# writes to what it reads.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

make_ca ca && make_operator op ca || { not_ok "test CA set-up"; t_done; exit 1; }
OUT=$T_DIR/out
SIGN=(--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null)
V=("$KESU" verify "${SIGN[@]}" --operator '佐藤 花子' --organization '情報政策課'
	--progress none --out "$OUT")
CERTOPTS=("${SIGN[@]}" --operator '山田 太郎' --organization 'テスト消去株式会社'
	--customer '総務課' --asset A-0042 --class 2 --reason disposal --approver '佐藤 花子'
	--approval-date 2026-11-20 --no-register)

loop_with() { # NAME MIB: a loop device over a fresh zeroed image
	local img
	img=$(make_image "$1" "$2") && make_loop "$img"
}
verdict() { jq -r .document.verdict "$1"; }

# --- an erased disk ---
E=$(loop_with erased.img 32) && head -c 32M /dev/urandom | dd of="$E" bs=1M oflag=direct status=none ||
	{ not_ok "loop device set-up"; t_done; exit 1; }
"$KESU" wipe --yes --quiet --progress=none --method random --state-dir "$T_DIR/state" \
	--out "$OUT" "${CERTOPTS[@]}" --json "$E" > "$T_DIR/wipe.json"
check "kesu wipe --method random erases the test disk" test $? -eq 0
CERT=$(jq -r '.[0].certificate' "$T_DIR/wipe.json")
before=$(sha256sum < "$E")

"${V[@]}" --json "$E" > "$T_DIR/e1.json"; rc=$?
check "erased, sampled: exit 0, no-data-found" \
	bash -c '[ $1 -eq 0 ] && [ "$(jq -r .document.verdict "$2")" = no-data-found ]' _ "$rc" "$T_DIR/e1.json"
check "the sample is a NIST plan with its seed and a 0.23% statement at 99%" \
	jq -e '.document.method | .mode == "sample" and (.seed | test("^[0-9a-f]{16}$"))
		and .sample_locations >= 2000 and .confidence == 0.99
		and (.statement | test("0.23% of the medium or more .* 99% confidence"))
		and .bytes_read < 33554432' "$T_DIR/e1.json" >/dev/null
check "every region read is random-looking" \
	jq -e '.document.regions | .random.bytes > 0 and .data.cells == 0 and .zero.cells == 0' "$T_DIR/e1.json" >/dev/null
REPORT=$(jq -r .report "$T_DIR/e1.json")
check "the report is kesu-verification-<uuid>.json with a .p7s beside it" \
	bash -c '[[ $(basename "$1") =~ ^kesu-verification-[0-9a-f-]{36}\.json$ ]] && [ -s "$1.p7s" ]' _ "$REPORT"
check "the signed report verifies with the README's openssl command" \
	openssl_verify "$REPORT" "$T_DIR/ca/ca.pem"
cp "$REPORT" "$T_DIR/edited.json" && cp "$REPORT.p7s" "$T_DIR/edited.json.p7s" &&
	sed -i 's/no-data-found/data-found/' "$T_DIR/edited.json"
check "an edited report no longer verifies" bash -c '! openssl_verify "$1" "$2"' _ "$T_DIR/edited.json" "$T_DIR/ca/ca.pem"
check "a confidence of 0.999 states a larger fraction" \
	bash -c '"$@" --json --confidence 0.999 | jq -e ".document.method.statement | test(\"0.34% .* 99.9% confidence\")" >/dev/null' _ "${V[@]}" "$E"

"${V[@]}" --json --full --checks "$CERT" "$E" > "$T_DIR/e2.json"; rc=$?
check "erased, full read, checking its own certificate: exit 0, confirmed" \
	bash -c '[ $1 -eq 0 ] && jq -e ".document | .verdict == \"no-data-found\" and .method.mode == \"full\"
		and .method.bytes_read == 33554432 and .checks.confirmed and .checks.same_medium
		and .checks.certificate_id == \"$(jq -r .id "$3")\"
		and .checks.certificate_sha256 == \"$(sha256sum < "$3" | cut -c1-64)\"" "$2" >/dev/null' \
	_ "$rc" "$T_DIR/e2.json" "$CERT"
check "kesu verify did not change one byte of the disk" test "$(sha256sum < "$E")" = "$before"

# --- the report in the register ---
SREG=$T_DIR/sreg/register.jsonl
out=$("${V[@]}" --checks "$CERT" --register "$SREG" --ca "$T_DIR/ca/ca.pem" "$E"); rc=$?
check "verify --register: the signed report is registered (exit 0)" \
	bash -c '[ $1 -eq 0 ] && grep -q "registered: .* as 1" <<<"$2" &&
		tail -1 "$3" | jq -e ".kind == \"verification\" and .verdict == \"no-data-found\" and .signer == \"佐藤 花子\"
			and .refers_to == \"$(jq -r .id "$4")\" and .serial == $(jq .device.serial "$4")" >/dev/null' _ "$rc" "$out" "$SREG" "$CERT"
check "register verify checks the report, its signature included" \
	"$KESU" register verify --register "$SREG" --ca "$T_DIR/ca/ca.pem" --config /dev/null
check "register list shows the spot check with its verdict, checker and the certificate it checks" \
	bash -c '"$KESU" register list --kind verification --json --register "$1" --ca "$2" --config /dev/null |
		jq -e "length == 1 and (.[0].ledger | .result == \"no-data-found\" and .operator == \"佐藤 花子\" and .refers_to == \"$(jq -r .id "$3")\")" >/dev/null' _ "$SREG" "$T_DIR/ca/ca.pem" "$CERT"
make_ca otherca && make_operator stranger otherca
"$KESU" verify --key "$T_DIR/stranger/kesu-signing.key" --cert "$T_DIR/stranger/cert.pem" --config /dev/null \
	--operator 'Stranger' --progress none --out "$OUT" --register "$T_DIR/xreg/register.jsonl" \
	--ca "$T_DIR/ca/ca.pem" "$E" >/dev/null 2>&1
check "a registered report signed outside the CA fails register verify (exit 9)" \
	bash -c 'out=$("$KESU" register verify --register "$1" --ca "$2" --config /dev/null 2>&1); [ $? -eq 9 ] && grep -q "signature" <<<"$out"' \
	_ "$T_DIR/xreg/register.jsonl" "$T_DIR/ca/ca.pem"
out=$("${V[@]}" --no-sign --register "$SREG" "$E" 2>&1); rc=$?
check "verify --register --no-sign: usage error (exit 2), nothing read" \
	bash -c '[ $1 -eq 2 ] && grep -q "needs a signed report" <<<"$2" && [ "$(wc -l < "$3")" -eq 1 ]' _ "$rc" "$out" "$SREG"

# --- a certificate about another medium ---
O=$(loop_with other.img 16)
"${V[@]}" --json --checks "$CERT" "$O" > "$T_DIR/o1.json"; rc=$?
check "a blank disk checked against another disk's certificate: exit 1, a finding" \
	bash -c '[ $1 -eq 1 ] && jq -e ".document.checks | .same_medium == false and .confirmed == false
		and (.mismatches | map(.field) | index(\"size_bytes\"))" "$2" >/dev/null' _ "$rc" "$T_DIR/o1.json"
jq '.device.serial = "WD-OTHER-0001"' "$CERT" > "$T_DIR/other-serial.json"
out=$("${V[@]}" --checks "$T_DIR/other-serial.json" "$E"); rc=$?
check "the erased disk against a certificate for another serial: exit 1, named" \
	bash -c '[ $1 -eq 1 ] && grep -q "not the medium that certificate is about: serial is WD-OTHER-0001 there" <<<"$2"' _ "$rc" "$out"

# --- data: ext4, GPT, a text file in the middle ---
X=$(loop_with ext4.img 32) && mkfs.ext4 -q -F "$X" >/dev/null 2>&1
"${V[@]}" --json "$X" > "$T_DIR/x.json"; rc=$?
check "an ext4 file system: exit 1, data-found naming ext4 at offset 0" \
	bash -c '[ $1 -eq 1 ] && jq -e ".document.verdict == \"data-found\" and
		any(.document.findings[]; .what == \"ext4\" and .offset == 0)" "$2" >/dev/null' _ "$rc" "$T_DIR/x.json"

G=$(loop_with gpt.img 32) && printf 'label: gpt\n,,L\n' | sfdisk -q "$G" >/dev/null 2>&1
"${V[@]}" --json "$G" > "$T_DIR/g.json"; rc=$?
check "a GPT: data-found naming the header at LBA 1 and the backup at the last LBA" \
	bash -c '[ $1 -eq 1 ] && jq -e "any(.document.findings[]; .what == \"gpt\" and .offset == 512)
		and any(.document.findings[]; .what == \"gpt\" and .offset == 33553920)" "$2" >/dev/null' _ "$rc" "$T_DIR/g.json"

T=$(loop_with text.img 32)
for i in $(seq 1 60); do echo "住民記録 $i: 山田 太郎, 東京都千代田区霞が関1-1, tel 03-0000-$i"; done > "$T_DIR/residents.txt"
dd if="$T_DIR/residents.txt" of="$T" bs=512 seek=$((16 * 2048 + 77)) conv=notrunc oflag=direct,sync status=none 2>/dev/null ||
	dd if="$T_DIR/residents.txt" of="$T" bs=512 seek=$((16 * 2048 + 77)) conv=notrunc,sync status=none
sync
"${V[@]}" --json --full "$T" > "$T_DIR/t.json"; rc=$?
check "a zeroed disk with a text file in the middle: --full finds UTF-8 text there" \
	bash -c '[ $1 -eq 1 ] && jq -e "any(.document.findings[]; .what == \"text\"
		and .offset >= 16777216 + 77*512 and (.detail | test(\"UTF-8\")))" "$2" >/dev/null' _ "$rc" "$T_DIR/t.json"
check "the report names where, not what: no resident data is copied into it" \
	bash -c '! grep -q "山田\|霞が関" "$1"' _ "$(jq -r .report "$T_DIR/t.json")"

# --- refusals ---
out=$("${V[@]}" --full --confidence 0.9 "$E" 2>&1); rc=$?
check "--full with --confidence: usage error (exit 2)" test "$rc" -eq 2
out=$("${V[@]}" --confidence 1.5 "$E" 2>&1); rc=$?
check "a confidence outside (0, 1): exit 2" bash -c '[ $1 -eq 2 ] && grep -q "between 0 and 1" <<<"$2"' _ "$rc" "$out"
out=$("$KESU" verify "${SIGN[@]}" --out "$OUT" "$E" 2>&1); rc=$?
check "no operator: exit 2, says how" bash -c '[ $1 -eq 2 ] && grep -q -- "--operator" <<<"$2"' _ "$rc" "$out"
out=$("${V[@]}" "$T_DIR/no-such-disk" 2>&1); rc=$?
check "no such device: exit 3" test "$rc" -eq 3
echo '{"schema": "kesu-certificate/1"}' > "$T_DIR/bad-cert.json"
n=$(ls "$OUT" | wc -l)
out=$("${V[@]}" --checks "$T_DIR/bad-cert.json" "$E" 2>&1); rc=$?
check "--checks of a malformed certificate: exit 9 before reading, no report" \
	bash -c '[ $1 -eq 9 ] && [ "$(ls "$2" | wc -l)" -eq "$3" ]' _ "$rc" "$OUT" "$n"
out=$("$KESU" verify --config /dev/null --operator x --out "$OUT" "$E" 2>&1); rc=$?
check "no signing key: refused, pointing at --no-sign" \
	bash -c '[ $1 -ne 0 ] && [ $1 -ne 1 ] && grep -q -- "--no-sign" <<<"$2"' _ "$rc" "$out"
"$KESU" verify --config /dev/null --operator x --no-sign --progress none --out "$T_DIR/unsigned" "$E" >/dev/null
check "--no-sign writes the report without a .p7s" \
	bash -c 'ls "$1"/kesu-verification-*.json >/dev/null && ! ls "$1"/*.p7s 2>/dev/null' _ "$T_DIR/unsigned"

t_done
