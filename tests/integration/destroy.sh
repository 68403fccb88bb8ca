#!/usr/bin/env bash
# kesu destroy: a destruction document closes the My Number erasure it
# follows, verifies with kesu and with stock openssl, keeps its evidence
# honest, and is registered; a serial never erased is refused unless the
# reason is given; a closed item is not closed twice; the batch manifest
# makes one document per row, or none when a row is wrong.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"
# kesu cert pdf loads fontconfig, whose caches LeakSanitizer reports under
# make asan (the same suppression as pdf.sh).
export LSAN_OPTIONS=fast_unwind_on_malloc=0:suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan-fontconfig.supp

make_ca ca && make_operator op ca || { not_ok "test CA set-up"; t_done; exit 1; }
REG=$T_DIR/reg/register.jsonl
CA=$T_DIR/ca/ca.pem
D=$T_DIR/dest
export REG CA D
mkdir -p "$T_DIR/out" "$T_DIR/ev"

# run_for SERIAL: a run record for another disk, certified once.
run_for() {
	new_run "$FIXTURES/runs/erased.json" "$T_DIR/run-$1.json" >/dev/null &&
	sed -i "s/WD-WCC6Y0ABCDEF/$1/" "$T_DIR/run-$1.json" && echo "$T_DIR/run-$1.json"
}
destroy() {
	"$KESU" destroy --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
		--config /dev/null --ca-file "$CA" --register "$REG" --cert-dir "$D" \
		--operator '山田 太郎' --organization '情報政策課' \
		--location '株式会社クラッシュ 第二工場' --company '株式会社クラッシュ' \
		--person '佐藤 花子' "$@"
}
export -f destroy
export T_DIR
lines() { wc -l < "$REG"; }

MN=$(issue "$(run_for WD-MYNUMBER01)" op --register "$REG" --my-number)
PLAIN=$(issue "$(run_for WD-PLAIN0002)" op --register "$REG")
MN_ID=$(jq -r .id "$MN")
printf 'label photo bytes' > "$T_DIR/ev/label.JPG"
printf 'destroyed photo bytes' > "$T_DIR/ev/after.jpeg"
check "two erasure certificates registered" test "$(lines)" -eq 2

out=$(destroy --serial NEVER-ERASED --technique crush --witness '鈴木 一郎/情報政策課' 2>&1)
rc=$?
check "a serial never erased is refused (exit 6)" test "$rc" -eq 6
check "the refusal names the fix" grep -q -- "--no-erasure-record REASON" <<<"$out"
check "nothing was written or registered for it" \
	bash -c '[ "$(wc -l < "$REG")" -eq 2 ] && ! ls "$D"/kesu-destruction-* 2>/dev/null'

doc=$(destroy --serial LEASED-MN-01 --technique 溶解 --my-number \
	--no-erasure-record 'leased server disk, returned to the city unerased' \
	--destroyed-photo "$T_DIR/ev/after.jpeg")
check "with --no-erasure-record it is recorded" test -f "$doc"
check "... and marked so: closes null, the reason kept" \
	jq -e '.closes == null and (.no_erasure_record | test("leased")) and .technique.name == "melt" and .asset.my_number' "$doc"
check "... and registered as a destruction line closing nothing" \
	bash -c 'tail -1 "$REG" | jq -e ".kind == \"destruction\" and .closes == null and .serial == \"LEASED-MN-01\""'

out=$(destroy --serial WD-MYNUMBER01 --technique degauss --witness '鈴木 一郎' 2>&1)
check "a My Number medium only degaussed is refused (exit 2)" \
	bash -c '[ "$0" -eq 2 ] && grep -q "physical destruction" <<<"$1"' "$?" "$out"
out=$(destroy --serial WD-MYNUMBER01 --technique crush --model 'OTHER MODEL' 2>&1)
check "a typed model the erasure certificate contradicts is refused (exit 6)" \
	bash -c '[ "$0" -eq 6 ]' "$?"

check "register list --open shows the My Number erasure still owed" \
	bash -c '"$KESU" register list --open --json --register "$REG" --ca "$CA" --config /dev/null |
		jq -e --arg id "$0" "length == 1 and .[0].cert_id == \$id and .[0].ledger.open == \"open\" and .[0].ledger.my_number == \"yes\""' "$MN_ID"
sleep 1
out=$("$KESU" register verify --open-max-days 0 --register "$REG" --ca "$CA" --config /dev/null)
check "register verify --open-max-days reports it late (exit 1)" \
	bash -c '[ "$0" -eq 1 ] && grep -q "LATE: .*serial WD-MYNUMBER01" <<<"$1"' "$?" "$out"
printf '[register]\nopen_max_days = 0\n' > "$T_DIR/late.conf"
out=$("$KESU" register verify --json --register "$REG" --ca "$CA" --config "$T_DIR/late.conf")
check "... and so does [register] open_max_days in kesu.conf (--json, exit 1)" \
	bash -c '[ "$0" -eq 1 ] && jq -e ".ok and .open_max_days == 0 and (.open_items_late | length == 1)" <<<"$1"' \
	"$?" "$out"
check "within the limit it verifies (exit 0)" \
	"$KESU" register verify --open-max-days 3650 --register "$REG" --ca "$CA" --config /dev/null
printf '[register]\nopen_max_days = soon\n' > "$T_DIR/bad.conf"
check "a bad open_max_days in kesu.conf is refused" \
	bash -c '! "$KESU" register verify --register "$REG" --ca "$CA" --config "$T_DIR/bad.conf" 2>&1 | grep -q verified'

doc=$(destroy --serial WD-MYNUMBER01 --technique 破砕 --particle-size 20 \
	--witness '鈴木 一郎/情報政策課' --label-photo "$T_DIR/ev/label.JPG" \
	--destroyed-photo "$T_DIR/ev/after.jpeg")
check "the My Number medium's destruction is recorded" test -f "$doc"
check "it closes the My Number erasure certificate" \
	jq -e --arg id "$MN_ID" '.closes == $id and .no_erasure_record == null and .technique.term_ja == "破砕" and .asset.my_number and .medium.identity_source == "register"' "$doc"
check "the evidence is copied beside it with its size and SHA-256" \
	bash -c 'for f in $(jq -r ".evidence[].file" "$0"); do
		[ -f "$(dirname "$0")/$f" ] || exit 1; done
		s=$(sha256sum < "$(dirname "$0")/$(jq -r ".evidence[0].file" "$0")" | cut -d" " -f1)
		[ "$s" = "$(jq -r ".evidence[0].sha256" "$0")" ] &&
		jq -e ".evidence | length == 2 and .[0].role == \"label-photo\" and (.[0].file | endswith(\".jpg\"))" "$0"' "$doc"
check "kesu cert verify accepts it" "$KESU" cert verify --ca "$CA" --config /dev/null "$doc"
check "stock openssl cms -verify accepts it" openssl_verify "$doc" "$CA"
check "register verify accepts the register with its destruction lines" \
	"$KESU" register verify --register "$REG" --ca "$CA" --config /dev/null
mkdir -p "$T_DIR/pdf"
check "kesu cert pdf prints it as 物理破壊証明書 with its evidence" \
	bash -c '"$KESU" cert pdf "$0" --out "$1" --ca "$CA" --config /dev/null >/dev/null &&
		t=$(pdftotext "$1"/*.pdf -) && grep -q "物理破壊証明書" <<<"$t" && grep -q "破砕" <<<"$t" &&
		grep -q "label-photo" <<<"$t" && grep -q "WD-MYNUMBER01" <<<"$t"' "$doc" "$T_DIR/pdf"
out=$(destroy --serial WD-MYNUMBER01 --technique crush --witness '鈴木 一郎' 2>&1)
check "a second destruction of a closed item is refused (exit 6)" \
	bash -c '[ "$0" -eq 6 ] && grep -q "closed by a destruction already" <<<"$1"' "$?" "$out"

ev=$(dirname "$doc")/$(jq -r '.evidence[1].file' "$doc")
cp "$ev" "$T_DIR/ev.bak"
printf 'x' >> "$ev"
out=$("$KESU" cert verify --ca "$CA" --config /dev/null "$doc" 2>&1)
check "a changed evidence file makes cert verify fail (exit 9)" \
	bash -c '[ "$0" -eq 9 ] && grep -q "evidence file" <<<"$1"' "$?" "$out"
rm "$ev"
check "a missing evidence file makes cert verify fail" \
	bash -c '! "$KESU" cert verify --ca "$CA" --config /dev/null "$0" >/dev/null 2>&1' "$doc"
cp "$T_DIR/ev.bak" "$ev"
check "put back, it verifies again" "$KESU" cert verify --ca "$CA" --config /dev/null "$doc"
cp "$doc" "$T_DIR/doc.bak"
sed -i 's/"crush"/"melt"/' "$doc"
check "an edited destruction document fails register verify" \
	bash -c '! "$KESU" register verify --register "$REG" --ca "$CA" --config /dev/null >/dev/null 2>&1'
cp "$T_DIR/doc.bak" "$doc"

# The batch: a vendor's pallet, one document per row.
for s in PALLET-01 PALLET-02 PALLET-03; do
	issue "$(run_for "$s")" op --register "$REG" --my-number >/dev/null
done
mkdir -p "$T_DIR/pallet/photos"
for s in PALLET-01 PALLET-02 PALLET-03; do printf '%s' "$s" > "$T_DIR/pallet/photos/$s.jpg"; done
printf 'vendor scan' > "$T_DIR/pallet/vendor.pdf"
printf '\xef\xbb\xbfserial,asset,technique,destroyed_photo\r\nPALLET-01,A-0001,,photos/PALLET-01.jpg\r\nPALLET-02,A-0001,,photos/PALLET-02.jpg\r\nPALLET-03,WRONG-ASSET,,photos/PALLET-03.jpg\r\n' \
	> "$T_DIR/pallet/bad.csv"
before=$(lines)
out=$(destroy --manifest "$T_DIR/pallet/bad.csv" --technique shred 2>&1)
check "a manifest row the register contradicts is refused (exit 6), naming it ..." \
	bash -c '[ "$0" -eq 6 ] && grep -q "row 3: serial PALLET-03" <<<"$1"' "$?" "$out"
check "... and nothing of the pallet is recorded" test "$(lines)" -eq "$before"
printf 'serial,technique,destroyed_photo,vendor_certificate,no_erasure_record\nPALLET-01,shred,photos/PALLET-01.jpg,vendor.pdf,\nPALLET-02,shred,photos/PALLET-02.jpg,vendor.pdf,\nPALLET-03,shred,photos/PALLET-03.jpg,vendor.pdf,\nPALLET-04,shred,photos/PALLET-03.jpg,,not in the register: leased\n' \
	> "$T_DIR/pallet/good.csv"
out=$(destroy --manifest "$T_DIR/pallet/good.csv" --witness '鈴木 一郎' --json)
check "a good manifest makes one document per row" \
	jq -e 'length == 4 and all(.[]; .ok) and (.[0:3] | all(.[]; .closes != null)) and .[3].closes == null' <<<"$out"
check "... each registered" test "$(lines)" -eq $((before + 4))
printf 'serial,colour\nX,red\n' > "$T_DIR/pallet/broken.csv"
before=$(lines)
out=$(destroy --manifest "$T_DIR/pallet/broken.csv" --technique shred 2>&1)
check "a malformed manifest is refused before anything is signed (exit 9)" \
	bash -c '[ "$0" -eq 9 ] && grep -q "unknown column" <<<"$1" && [ "$(wc -l < "$REG")" -eq "$2" ]' \
	"$?" "$out" "$before"
check "every destruction document of the batch verifies" \
	bash -c '"$KESU" cert verify --ca "$CA" --config /dev/null "$D"/kesu-destruction-*.json >/dev/null'
check "register verify after the batch" \
	"$KESU" register verify --register "$REG" --ca "$CA" --config /dev/null

R=(--register "$REG" --ca "$CA" --config /dev/null)
REG2=$T_DIR/city/register.jsonl
imp() { "$KESU" register import --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
	--register "$REG2" --ca "$CA" --config /dev/null "$@"; }
export -f imp
export REG2
out=$(imp "$doc" 2>&1)
check "the city's import of a destruction document before its erasure is refused" \
	bash -c '[ "$0" -ne 0 ] && grep -q "not in the register" <<<"$1" && [ ! -s "$2" ]' "$?" "$out" "$REG2"
check "... after its erasure certificate it is registered, closing it" \
	bash -c 'imp "$0" >/dev/null && imp "$1" >/dev/null && tail -1 "$2" | jq -e ".kind == \"destruction\"" >/dev/null &&
		[ "$("$KESU" register list --open --json --register "$2" --ca "$CA" --config /dev/null | jq length)" -eq 0 ]' \
	"$MN" "$doc" "$REG2"
check "after the pallet nothing is open, and verify --open-max-days 0 passes" \
	bash -c '[ "$("$KESU" register list --open --json "$@" | jq length)" -eq 0 ] &&
		"$KESU" register verify --open-max-days 0 "$@" >/dev/null' _ "${R[@]}"
check "register list --kind destruction --asset filters" \
	bash -c '[ "$("$KESU" register list --kind destruction --json "$@" | jq length)" -eq 6 ] &&
		[ "$("$KESU" register list --kind erasure --asset A-0001 --json "$@" | jq length)" -eq 5 ] &&
		[ "$("$KESU" register list --department 総務課 --kind erasure --json "$@" | jq length)" -eq 5 ] &&
		[ "$("$KESU" register list --department 無い課 --json "$@" | jq length)" -eq 0 ]' _ "${R[@]}"
out=$("$KESU" register trace WD-MYNUMBER01 "${R[@]}")
check "register trace shows the medium's erasure, then its destruction" \
	bash -c 'grep -q "2 entries" <<<"$0" && [ "$(grep -c "certificate .*erasure: erased" <<<"$0")" -eq 1 ] &&
		grep -q "destruction .*destroyed: crush" <<<"$0" && grep -q "closed" <<<"$0"' "$out"
check "register trace --json, in register order" \
	bash -c '"$KESU" register trace --json WD-MYNUMBER01 "$@" | jq -e "map(.kind) == [\"certificate\", \"destruction\"]"' _ "${R[@]}"
out=$("$KESU" register trace NOBODY "${R[@]}" 2>&1)
check "register trace of a serial the register never saw exits 3" bash -c '[ "$0" -eq 3 ]' "$?"
"$KESU" register export --csv "${R[@]}" > "$T_DIR/ledger.csv"
check "export --csv carries the ledger's columns" \
	bash -c 'head -1 "$0" | grep -q "\"asset\",\"department\",\"class\",\"my_number\",\"reason\",\"method\",\"approver\",\"witnesses\",\"destruction\",\"open\",\"closes\"" &&
		grep "WD-MYNUMBER01" "$0" | grep "\"certificate\"" | grep -q "\"closed\"" &&
		grep "LEASED-MN-01" "$0" | grep -q "(no erasure record)"' "$T_DIR/ledger.csv"
"$KESU" register export --excel "${R[@]}" > "$T_DIR/ledger-excel.csv"
check "export --excel: UTF-8 with a BOM and CRLF, same rows" \
	bash -c '[ "$(head -c 3 "$0" | od -An -tx1 | tr -d " ")" = efbbbf ] &&
		[ "$(grep -c $'"'"'\r$'"'"' "$0")" -eq "$(wc -l < "$1")" ]' "$T_DIR/ledger-excel.csv" "$T_DIR/ledger.csv"

out=$("$KESU" destroy --serial X --technique crush 2>&1)
check "missing where/by whom is a usage error (exit 2)" \
	bash -c '[ "$0" -eq 2 ] && grep -q -- "--location" <<<"$1"' "$?" "$out"
out=$("$KESU" destroy --serial X --device /dev/null --technique crush 2>&1)
check "--serial and --device together are a usage error (exit 2)" bash -c '[ "$0" -eq 2 ]' "$?"
img=$(make_image noserial.img 4)
out=$(destroy --device "$img" --technique crush 2>&1)
check "a device that reports no serial is refused, naming --serial" \
	bash -c '[ "$0" -eq 2 ] && grep -q -- "--serial" <<<"$1"' "$?" "$out"
check "destroy --help lists its options" bash -c '"$KESU" destroy --help | grep -q -- "--no-erasure-record"'
# A register nothing was added to yet: the lookup finds no erasure (exit 6,
# naming the fix, with a message), and --no-erasure-record starts it.
NEWREG=$T_DIR/fresh/register.jsonl
out=$(REG=$NEWREG destroy --serial FRESH-01 --technique crush 2>&1)
check "destroy on a register that does not exist yet: exit 6, naming --no-erasure-record" \
	bash -c '[ "$0" -eq 6 ] && grep -q -- "--no-erasure-record" <<<"$1"' "$?" "$out"
out=$(REG=$NEWREG destroy --serial FRESH-01 --technique crush \
	--no-erasure-record 'leased, returned unerased' 2>&1)
check "destroy with --no-erasure-record creates the register with its line" \
	bash -c '[ "$0" -eq 0 ] && [ "$(wc -l < "$1")" -eq 1 ] &&
		"$KESU" register verify --register "$1" --ca "$CA" --config /dev/null >/dev/null' \
	"$?" "$NEWREG"

# ---- a destruction recorded on a signed approval (kesu-approval(5)) ----
# The document names the approval (id, approver, reference, date) and links
# its copy by file and SHA-256, as an erasure certificate does; cert verify
# checks that copy, cert show shows it.
make_role '高橋 一郎' ca approver || not_ok "approver set-up"
now=$(date -u +%s)
appr=$("$KESU" approval new --key "$T_DIR/高橋 一郎/kesu-signing.key" --cert "$T_DIR/高橋 一郎/cert.pem" \
	--config /dev/null --ca "$CA" --out "$T_DIR/appr" --reference 'R8-破砕-3' --reason disposal \
	--class 3 --customer '総務課' --operator '山田 太郎' --serial APPR-DESTROY-01 \
	--valid-from "$(date -u -d "@$((now - 3600))" +%Y-%m-%dT%H:%M:%SZ)" \
	--valid-until "$(date -u -d "@$((now + 86400))" +%Y-%m-%dT%H:%M:%SZ)")
AD=$T_DIR/adest
adoc=$(destroy --cert-dir "$AD" --serial APPR-DESTROY-01 --technique crush --approval "$appr" \
	--no-erasure-record 'leased, returned unerased' --witness '鈴木 一郎/情報政策課' 2>&1)
check "destroy --approval records the document" test -s "$adoc"
check "the document names the approval: id, approver, reference, file and SHA-256" \
	bash -c 'jq -e --arg id "$(jq -r .id "$2")" --arg sum "$(sha256sum < "$2" | cut -d" " -f1)" --arg f "$(basename "$2")" \
		".approval.id == \$id and .approval.approver == \"高橋 一郎\" and .approval.reference == \"R8-破砕-3\" and .approval.document.sha256 == \$sum and .approval.document.file == \$f and (.approval.document.signer | test(\"高橋 一郎\"))" "$1" >/dev/null' \
	_ "$adoc" "$appr"
check "the approval is copied beside the document" \
	bash -c 'cmp "$2" "$(dirname "$1")/$(basename "$2")" && test -s "$(dirname "$1")/$(basename "$2").p7s"' _ "$adoc" "$appr"
check "cert verify checks the approval beside it" \
	bash -c '"$KESU" cert verify --ca "$CA" "$1" | grep -q "signed approval checked"' _ "$adoc"
check "cert show shows the approval" \
	bash -c 'out=$("$KESU" cert show "$1") && grep -q "承認者 / Approver  *高橋 一郎" <<<"$out" &&
		grep -q "承認ID / Approval ID  *$(jq -r .id "$2")" <<<"$out" && grep -q "Destruction document" <<<"$out"' _ "$adoc" "$appr"
mkdir -p "$T_DIR/apdf"
check "kesu cert pdf prints the destruction's approval, checked against the CA" \
	bash -c '"$KESU" cert pdf "$1" --out "$2" --ca "$CA" --lang en --config /dev/null >/dev/null &&
		t=$(pdftotext -raw "$2"/*.pdf -) && grep -q "R8-破砕-3" <<<"$t" &&
		grep -q "高橋 一郎" <<<"$t" && grep -qi "verified\|checked" <<<"$t"' _ "$adoc" "$T_DIR/apdf"
check "a document without --approval records none, and cert show says so" \
	bash -c 'jq -e "has(\"approval\") | not" "$1" >/dev/null && "$KESU" cert show "$1" | grep -q "no signed approval"' _ "$doc"
cp "$AD/$(basename "$appr")" "$T_DIR/appr-keep.json"
sed -i 's/R8-破砕-3/R8-破砕-4/' "$AD/$(basename "$appr")"
check "an edited approval copy fails cert verify (APPROVAL)" \
	bash -c '! "$KESU" cert verify --ca "$CA" "$1" > "$2" 2>&1 && grep -qi "approval" "$2"' _ "$adoc" "$T_DIR/v.out"
cp "$T_DIR/appr-keep.json" "$AD/$(basename "$appr")"
jq '.approval.date = "2099-01-01T00:00:00Z"' "$adoc" > "$T_DIR/late.json"
check "an approval dated after the destruction is a contradiction (cert show)" \
	bash -c '! "$KESU" cert show "$1" > "$2" 2>&1; grep -q "INCONSISTENT: approval.date 2099-01-01T00:00:00Z is after the medium was destroyed" "$2"' _ "$T_DIR/late.json" "$T_DIR/late.out"

# An approval that lists asset numbers covers a medium whose number only the
# register's erasure certificate holds: it is judged after the register
# completes the medium, not on what was typed.
for a in A-0001 A-9999; do
	"$KESU" approval new --key "$T_DIR/高橋 一郎/kesu-signing.key" --cert "$T_DIR/高橋 一郎/cert.pem" \
		--config /dev/null --ca "$CA" --out "$T_DIR/appr-$a" --reference "R8-破砕-$a" --reason disposal \
		--class 3 --customer '総務課' --operator '山田 太郎' --asset "$a" \
		--valid-from "$(date -u -d "@$((now - 3600))" +%Y-%m-%dT%H:%M:%SZ)" \
		--valid-until "$(date -u -d "@$((now + 86400))" +%Y-%m-%dT%H:%M:%SZ)" > "$T_DIR/appr-$a.path"
done
before=$(lines)
out=$(destroy --serial WD-PLAIN0002 --technique crush --approval "$(cat "$T_DIR/appr-A-9999.path")" \
	--witness '鈴木 一郎/情報政策課' 2>&1)
check "an approval for another asset number refuses the medium, nothing recorded (exit 6)" \
	bash -c '[ "$1" -eq 6 ] && grep -q "nothing recorded" <<<"$2" && [ "$(wc -l < "$3")" -eq "$4" ]' _ "$?" "$out" "$REG" "$before"
adoc2=$(destroy --serial WD-PLAIN0002 --technique crush --approval "$(cat "$T_DIR/appr-A-0001.path")" \
	--witness '鈴木 一郎/情報政策課' 2>&1)
check "an approval naming the asset the register holds for the serial covers it" \
	bash -c 'jq -e ".asset.property_number == \"A-0001\" and .approval.reference == \"R8-破砕-A-0001\"" "$1" >/dev/null' _ "$adoc2"
t_done
