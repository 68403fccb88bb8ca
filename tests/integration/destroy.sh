#!/usr/bin/env bash
# kesu destroy: a destruction document closes the My Number erasure it
# follows, verifies with kesu and with stock openssl, keeps its evidence
# honest, and is registered; a serial never erased is refused unless the
# reason is given; a closed item is not closed twice; the batch manifest
# makes one document per row, or none when a row is wrong.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

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
t_done
