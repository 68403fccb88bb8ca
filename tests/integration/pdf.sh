#!/usr/bin/env bash
# Printed certificates and the disposal ledger: every field and label on
# the page (pdftotext), the QR code decoded and compared with the file's
# SHA-256, the font embedded, each page compared with a reference image,
# refusals (tampered, unsigned, contradictory certificates; damaged
# registers), hostile strings, a multi-page ledger, and kesu wipe --pdf.
# KESU_PDF_UPDATE=1 rewrites the reference images (after a deliberate
# layout change; look at them before committing).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"
# Under make asan: fontconfig's own leak while it reads its configuration.
export LSAN_OPTIONS=fast_unwind_on_malloc=0:suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan-fontconfig.supp

for t in pdftotext pdftoppm pdffonts pdfinfo pdfimages zbarimg compare convert; do
	command -v "$t" >/dev/null || { not_ok "$t is installed (make deps)"; t_done; exit 1; }
done
export TZ=Asia/Tokyo SOURCE_DATE_EPOCH=1800000000   # 2027-01-15T17:00:00+09:00
FX=$FIXTURES/pdf
mkdir -p "$T_DIR/fx" "$T_DIR/pdf"
cp "$FX"/kesu-cert-* "$FX"/register.jsonl* "$FX"/ca.pem "$T_DIR/fx/"
CA=$T_DIR/fx/ca.pem

cert_of() { # ASSET: the fixture certificate for that asset number
	grep -l "\"property_number\": \"$1\"" "$T_DIR"/fx/kesu-cert-*.json
}
text_of() { pdftotext -layout "$1" - 2>/dev/null; }
export -f text_of
# has PDF STRING...: every string is on the page
has() {
	local pdf=$1 s t
	shift
	t=$(text_of "$pdf")
	for s in "$@"; do
		grep -qF -- "$s" <<<"$t" || { echo "missing on the page: $s" >&2; return 1; }
	done
}
export -f has
lacks() {
	local pdf=$1 s t
	shift
	t=$(text_of "$pdf")
	for s in "$@"; do
		! grep -qF -- "$s" <<<"$t" || { echo "unexpected on the page: $s" >&2; return 1; }
	done
}
export -f lacks
# same_pages PDF NAME: each page against tests/fixtures/pdf/NAME-N.png; a
# few pixels may differ (font rasterisation), a moved block may not.
same_pages() {
	local pdf=$1 name=$2 png n bad=0 diff total
	rm -f "$T_DIR/pdf/$name"-*.png
	pdftoppm -r 60 -gray -png "$pdf" "$T_DIR/pdf/$name" || return 1
	for png in "$T_DIR/pdf/$name"-*.png; do
		n=${png##*-}
		if [ "${KESU_PDF_UPDATE:-}" = 1 ]; then
			cp "$png" "$FX/$name-$n"
			continue
		fi
		[ -f "$FX/$name-$n" ] || { echo "no reference $FX/$name-$n" >&2; return 1; }
		diff=$(compare -metric AE -fuzz 25% "$FX/$name-$n" "$png" null: 2>&1) || true
		total=$(identify -format '%[fx:w*h]' "$png")
		# 0.3% of the page: a changed hash is less, a shifted row far more.
		if ! [ "${diff%%.*}" -le $((total * 3 / 1000)) ] 2>/dev/null; then
			echo "$name page $n: $diff pixels differ from the reference (of $total)" >&2
			mkdir -p "${KESU_BUILD:-/tmp}/pdf-diff" && cp "$png" "${KESU_BUILD:-/tmp}/pdf-diff/$name-$n"
			bad=1
		fi
	done
	[ "$(ls "$FX/$name"-*.png | wc -l)" -eq "$(ls "$T_DIR/pdf/$name"-*.png | wc -l)" ] || bad=1
	return $bad
}
signer_date() { # startdate|enddate CERT: as the page shows it (RFC 3339, local)
	local d
	d=$(openssl pkcs7 -inform DER -in "$2.p7s" -print_certs 2>/dev/null |
		openssl x509 -noout "-$1" | cut -d= -f2)
	date -d "$d" +%Y-%m-%dT%H:%M:%S%:z
}
qr_of() { # PDF: the QR code's text (it is on the last page with the check box)
	local pages
	pages=$(pdfinfo "$1" | awk '/^Pages:/ {print $2}')
	pdftoppm -r 150 -gray -png -f "$pages" -l "$pages" "$1" "$T_DIR/pdf/qr" &&
		zbarimg -q --raw "$T_DIR"/pdf/qr-*.png 2>/dev/null; rm -f "$T_DIR"/pdf/qr-*.png
}
export -f qr_of

for kind in erased not-erased my-number; do
	c=$(cert_of $kind)
	out=$("$KESU" cert pdf --ca "$CA" --out "$T_DIR/pdf" "$c"); rc=$?
	pdf=$T_DIR/pdf/$(basename "${c%.json}").pdf
	check "$kind: cert pdf exits 0 and prints the PDF's path" \
		test $rc -eq 0 -a "$out" = "$pdf" -a -s "$pdf"
	j() { jq -r "$1" "$c"; }
	check "$kind: every label is on the page in Japanese and English" has "$pdf" \
		データ消去証明書 "Certificate of Data Erasure" 担当者 "Person in charge" 所属 \
		所管部署 資産番号 機密性分類 理由 マイナンバー 承認者 承認番号 承認日 立会者 \
		型番 シリアル番号 容量 消去方式 NIST区分 消去技術 検証方式 検証結果 開始 終了 \
		結果 作業結果 不良範囲 注記 署名者 証明書の有効期間 担当者印 立会者印 承認者印
	check "$kind: every value of the certificate is on the page" has "$pdf" \
		"$(j .id)" "$(j .operator.name)" "$(j .operator.title)" "$(j .operator.organization)" \
		"$(j .operator.contact)" "$(j .customer)" "$(j .asset.property_number)" \
		"$(j .approval.approver)" "$(j .approval.reference)" "$(j .approval.date)" \
		"$(j '.witnesses[0].name')" "$(j '.witnesses[0].organization')" "$(j .device.serial)" \
		"$(j .device.model)" "$(j .device.wwn)" "$(j .method.name)" "$(j .run_record.sha256)" \
		"$(j .run_record.run_id)" "$(j .issued_at)" "$(j '.asset.destination // "-"')" \
		"$(j '.before.partitions[0].label')" "$(j .execution.host)"
	check "$kind: codes are translated" has "$pdf" "機密性3（秘密文書相当）" "廃棄 / disposal" \
		"上書き / overwrite" "ハードディスク / hdd"
	check "$kind: the signer's subject and validity are printed" has "$pdf" \
		"CN=山田 太郎,O=テスト消去株式会社,C=JP" "CN=Example City kesu test CA" \
		"$(signer_date startdate "$c") – $(signer_date enddate "$c")" \
		"印刷時にCA証明書 ca.pem で検証済み"
	sha=$(sha256sum "$c" | cut -d' ' -f1)
	check "$kind: the QR code holds the id and the file's SHA-256" \
		test "$(qr_of "$pdf")" = "kesu-certificate id=$(j .id) sha256=$sha"
	check "$kind: the SHA-256 and the openssl command are printed as text" has "$pdf" \
		"$sha" "openssl cms -verify -binary -inform DER -in $(basename "$c").p7s"
	# The printed command (wrapped on paper, so compared without white
	# space) is the one that checks the file.
	cmd=(openssl cms -verify -binary -inform DER -in "$(basename "$c").p7s" -content "$(basename "$c")"
		-CAfile ca.pem -purpose any)
	check "$kind: the printed openssl command checks the file" \
		bash -c 'pdftotext -raw "$1" - 2>/dev/null | tr -d " \n" | grep -qF "$(tr -d " " <<<"${*:3}")" &&
			cd "$(dirname "$2")" && "${@:3}" >/dev/null 2>&1' _ "$pdf" "$c" "${cmd[@]}"
	check "$kind: every font is embedded (IPAexGothic)" \
		bash -c 'f=$(pdffonts "$1" | tail -n +3); grep -q IPAexGothic <<<"$f" &&
			! grep -vE " yes +(yes|no) +(yes|no) +[0-9]+ +[0-9]+ *$" <<<"$f"' _ "$pdf"
	check "$kind: PDF title, creator and the fixed creation date" \
		bash -c 'i=$(pdfinfo -isodates "$1"); grep -q "^Title:.*データ消去証明書 $2" <<<"$i" &&
			grep -q "^Creator: *kesu " <<<"$i" && grep -q "^CreationDate: *2027-01-15T17:00:00+09" <<<"$i"' \
		_ "$pdf" "$(j .id)"
	check "$kind: the pages match the reference images" same_pages "$pdf" "$kind"
done
pdf_of() { echo "$T_DIR/pdf/$(basename "$(cert_of "$1")" .json).pdf"; }
check "an erased certificate carries no warning banner" \
	lacks "$(pdf_of erased)" "未消去" "NOT ERASED" "PHYSICAL DESTRUCTION" "一部消去不能"
check "a not-erased certificate says so in a banner, with the reason" \
	has "$(pdf_of not-erased)" "未消去：この媒体は消去されていません" "NOT ERASED" \
	"interrupted by SIGINT during pass 1"
check "a My Number certificate says physical destruction is awaited" \
	has "$(pdf_of my-number)" "物理破壊が必要" "PHYSICAL DESTRUCTION REQUIRED" "awaiting"
check "an exceptions certificate lists its bad range and says so" \
	has "$(pdf_of my-number)" "一部消去不能" "ERASED WITH EXCEPTIONS" "2,048" "書込み / write"

c=$(cert_of erased)
"$KESU" cert pdf --lang ja --out "$T_DIR/ja" "$c" >/dev/null
check "--lang ja: Japanese labels only" bash -c 'has "$1" 担当者 資産番号 && lacks "$1" "Person in charge" "Property number"' \
	_ "$T_DIR/ja/$(basename "${c%.json}").pdf"
"$KESU" cert pdf --lang en --out "$T_DIR/en" "$c" >/dev/null
check "--lang en: English labels only" bash -c 'has "$1" "Person in charge" "Certificate of Data Erasure" && lacks "$1" 担当者 資産番号' \
	_ "$T_DIR/en/$(basename "${c%.json}").pdf"
check "without a CA the page says the signature was not checked against one" \
	bash -c '"$KESU" cert pdf --config /dev/null --out "$2" "$1" >/dev/null && has "$2"/*.pdf "NOT checked against a CA"' \
	_ "$c" "$T_DIR/noca"

# Refusals: nothing is printed from a file that is not what was signed.
mkdir -p "$T_DIR/bad" && cp "$c" "$c.p7s" "$T_DIR/bad/"
b=$T_DIR/bad/$(basename "$c")
sed -i 's/"A-0001"/"A-0002"/; s/"erased"/"erased"/; s/山田 太郎/山田 次郎/' "$b"
out=$("$KESU" cert pdf --config /dev/null "$b" 2>&1); rc=$?
check "a changed certificate is refused (exit 9), no PDF" \
	bash -c '[ $1 -eq 9 ] && grep -q "changed after signing" <<<"$2" && ! ls "$3"/*.pdf 2>/dev/null' _ "$rc" "$out" "$T_DIR/bad"
cp "$c" "$T_DIR/bad/"
make_ca other >/dev/null 2>&1
out=$("$KESU" cert pdf --ca "$T_DIR/other/ca.pem" "$b" 2>&1); rc=$?
check "a certificate from another CA is refused (exit 9), no PDF" \
	bash -c '[ $1 -eq 9 ] && ! ls "$2"/*.pdf 2>/dev/null' _ "$rc" "$T_DIR/bad"
rm "$b.p7s"
out=$("$KESU" cert pdf --config /dev/null "$b" 2>&1); rc=$?
check "an unsigned certificate is refused (exit 3), naming the .p7s" \
	bash -c '[ $1 -eq 3 ] && grep -q "p7s" <<<"$2"' _ "$rc" "$out"
check "usage errors exit 2" bash -c '"$KESU" cert pdf 2>/dev/null; a=$?; "$KESU" cert pdf --lang fr x 2>/dev/null; b=$?; [ $a -eq 2 ] && [ $b -eq 2 ]'

# A contradictory certificate, signed anyway: kesu will not print it.
make_operator op other >/dev/null 2>&1 || not_ok "operator set-up"
mkdir -p "$T_DIR/out"
ex=$(issue "$FIXTURES/runs/exceptions.json" op --no-register)
jq -S --indent 2 '.result = "erased"' "$ex" > "$T_DIR/bad/lie.json"
openssl cms -sign -binary -outform DER -md sha256 -in "$T_DIR/bad/lie.json" \
	-signer "$T_DIR/op/cert.pem" -inkey "$T_DIR/op/kesu-signing.key" -out "$T_DIR/bad/lie.json.p7s" 2>/dev/null
out=$("$KESU" cert pdf --ca "$T_DIR/other/ca.pem" "$T_DIR/bad/lie.json" 2>&1); rc=$?
check "a signed certificate that contradicts itself is not printed (exit 9)" \
	bash -c '[ $1 -eq 9 ] && grep -q "contradicts itself" <<<"$2" && [ ! -e "$3" ]' _ "$rc" "$out" "$T_DIR/bad/lie.pdf"

# Hostile strings from the medium: a file system label of 10,000
# characters with control and direction-override characters.
long=$(head -c 10000 /dev/zero | tr '\0' 'X')
jq --arg l "$long" '.before.partitions[0].label = ("\u202e\u0007evil" + $l) |
	.before.partitions[0].uuid = "\u001b[31m\t\r\n"' "$FIXTURES/runs/erased.json" > "$T_DIR/hostile.json"
h=$(issue "$T_DIR/hostile.json" op --no-register)
check "hostile strings: the certificate still prints" \
	bash -c '"$KESU" cert pdf --ca "$1" "$2" >/dev/null' _ "$T_DIR/other/ca.pem" "$h"
hp=${h%.json}.pdf
check "hostile strings: hidden characters are shown as code points" \
	has "$hp" "<U+202E><U+0007>evilXXX" "[10006 chars]" "<U+001B>[31m<U+0009><U+000D><U+000A>"
check "hostile strings: the page stays readable (two pages, signature and seals there)" \
	bash -c '[ "$(pdfinfo "$1" | awk "/^Pages:/ {print \$2}")" -le 2 ] && has "$1" 承認者印 "openssl cms -verify" "$2"' \
	_ "$hp" "$(jq -r .id "$h")"

# A destruction document's evidence photos: a thumbnail of each file whose
# SHA-256 is the document's, a box for one that is not or will not decode.
mkdir -p "$T_DIR/ev" "$T_DIR/dreg"
convert -size 640x480 gradient:'#336699'-'#ffcc00' "$T_DIR/ev/label.jpg"
convert -size 300x400 xc:white -fill red -draw 'circle 150,200 150,300' "$T_DIR/ev/after.png"
head -c 1500 "$T_DIR/ev/label.jpg" > "$T_DIR/ev/cut.jpg"
destroy_doc() {
	"$KESU" destroy --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
		--config /dev/null --ca-file "$T_DIR/other/ca.pem" --register "$T_DIR/dreg/register.jsonl" \
		--cert-dir "$T_DIR/dest" --operator '山田 太郎' --organization '情報政策課' \
		--location '第二工場' --company '株式会社クラッシュ' --person '佐藤 花子' \
		--technique 破砕 --no-erasure-record 'leased, returned unerased' "$@"
}
images_of() { pdfimages -list "$1" | tail -n +3 | awk '{print $4 "x" $5}' | tr '\n' ' '; }
export -f images_of
dd=$(destroy_doc --serial PHOTO-01 --label-photo "$T_DIR/ev/label.jpg" --destroyed-photo "$T_DIR/ev/after.png")
"$KESU" cert pdf --ca "$T_DIR/other/ca.pem" --out "$T_DIR/dpdf" "$dd" >/dev/null; rc=$?
dp=$T_DIR/dpdf/$(basename "$dd" .json).pdf
check "destruction: cert pdf exits 0" test $rc -eq 0 -a -s "$dp"
check "destruction: both photos are in the PDF as thumbnails (pdfimages: 480x360, 300x400)" \
	test "$(images_of "$dp")" = "480x360 300x400 "
check "destruction: each thumbnail has its file name and verified hash under it" has "$dp" \
	"$(jq -r '.evidence[0].file' "$dd") (label-photo)" "$(jq -r '.evidence[1].file' "$dd") (destroyed-photo)" \
	"SHA-256 $(jq -r '.evidence[0].sha256' "$dd")（文書と一致）"
cp "$T_DIR/ev/label.jpg" "$T_DIR/dest/$(jq -r '.evidence[1].file' "$dd")"
"$KESU" cert pdf --ca "$T_DIR/other/ca.pem" --out "$T_DIR/dpdf2" "$dd" >/dev/null
dp2=$T_DIR/dpdf2/$(basename "$dd" .json).pdf
check "destruction: a photo changed beside the document is not drawn, and the page says so" \
	bash -c '[ "$(images_of "$1")" = "480x360 " ] && has "$1" "のSHA-256が文書の記載と一致しません" "does not match" "$2"' _ "$dp2" "$(jq -r '.evidence[1].file' "$dd")"
rm "$T_DIR/dest/$(jq -r '.evidence[0].file' "$dd")"
"$KESU" cert pdf --ca "$T_DIR/other/ca.pem" --out "$T_DIR/dpdf3" "$dd" >/dev/null
check "destruction: a missing photo is named in a box, no image drawn" \
	bash -c '[ -z "$(images_of "$1")" ] && has "$1" "が文書の横にありません" "is not beside the document" "$2"' \
	_ "$T_DIR/dpdf3/$(basename "$dd" .json).pdf" "$(jq -r '.evidence[0].file' "$dd")"
dc=$(destroy_doc --serial PHOTO-02 --label-photo "$T_DIR/ev/cut.jpg")
"$KESU" cert pdf --ca "$T_DIR/other/ca.pem" --out "$T_DIR/dpdf4" "$dc" >/dev/null
check "destruction: a truncated JPEG is shown as a box saying it cannot be shown" \
	bash -c '[ -z "$(images_of "$1")" ] && has "$1" "を表示できません" "cannot be shown" "JPEG"' \
	_ "$T_DIR/dpdf4/$(basename "$dc" .json).pdf"

# Countersignatures and the signed approval on the erasure page.
make_role '鈴木 一郎' other witness && make_role '市 受領係' other city &&
	make_role '佐藤 花子' other approver || not_ok "role set-up"
OCA=$T_DIR/other/ca.pem
appr=$("$KESU" approval new --key "$T_DIR/佐藤 花子/kesu-signing.key" --cert "$T_DIR/佐藤 花子/cert.pem" \
	--config /dev/null --ca "$OCA" --out "$T_DIR/appr" --reference 'R8-情政-17' --reason disposal \
	--class 3 --customer '総務課' --operator '山田 太郎' --asset A-0042 \
	--valid-from "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" \
	--valid-until "$(date -u -d '+3 days' +%Y-%m-%dT%H:%M:%SZ)")
# The erasure must begin after the approval was signed and end before its
# certificate is issued: the run's four times moved to the next seconds.
t0=$(date +%s) map=""
for m in 0 1 2 4; do
	map="$map s/2026-11-22T10:0$m:00+09:00/$(date -d "@$((t0 + 1 + m))" +%Y-%m-%dT%H:%M:%S%:z)/g;"
done
sed "$map" "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/appr-run0.json")" > "$T_DIR/appr-run.json"
sleep 7
ac=$("$KESU" cert issue "$T_DIR/appr-run.json" \
	--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null \
	--operator '山田 太郎' --organization 'テスト消去株式会社' --customer '総務課' --asset A-0042 \
	--class 3 --reason disposal --approval "$appr" --ca-file "$OCA" --no-register --cert-dir "$T_DIR/ac")
cs() { "$KESU" cert countersign --config /dev/null --ca "$OCA" --key "$T_DIR/$1/kesu-signing.key" \
	--cert "$T_DIR/$1/cert.pem" "${@:2}" >/dev/null; }
cs '鈴木 一郎' "$ac" && cs '市 受領係' --role city "$ac" || not_ok "countersign set-up"
"$KESU" cert pdf --ca "$OCA" --out "$T_DIR/acp" "$ac" >/dev/null
ap=$T_DIR/acp/$(basename "$ac" .json).pdf
check "countersigners: each with its role, subject and validity, verified against the CA" has "$ap" \
	"副署（立会者・市）" "Countersignature 1" "立会者（witness） / witness: CN=鈴木 一郎" \
	"市（受領）（city） / city: CN=市 受領係" \
	"$(signer_date startdate "$ac.city-1") – $(signer_date enddate "$ac.city-1")" \
	"印刷時にCA証明書で検証済み（署名・役割）"
check "approval: id, signer, window and verified" has "$ap" "$(jq -r .id "$appr")" \
	"$(jq -r .valid_from "$appr") – $(jq -r .valid_until "$appr")" \
	"CN=佐藤 花子" "R8-情政-17" "印刷時にCA証明書で検証済み（承認者の署名"
"$KESU" cert pdf --config /dev/null --out "$T_DIR/acp-noca" "$ac" >/dev/null
check "without a CA: countersignatures and approval are marked not checked" \
	has "$T_DIR/acp-noca/$(basename "$ac" .json).pdf" "役割は印刷時に確認していません" \
	"CA証明書による検証は印刷時に行っていません" "NOT checked"
# A witness's signature of another certificate, renamed beside this one,
# and an edited approval copy.
other=$(issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/other-run.json")" op --no-register)
cs '鈴木 一郎' "$other" && cp "$other.witness-1.p7s" "$ac.witness-2.p7s"
sed -i 's/A-0042/A-0043/' "$(dirname "$ac")/$(basename "$appr")"
"$KESU" cert pdf --ca "$OCA" --out "$T_DIR/acp-bad" "$ac" >/dev/null
bp=$T_DIR/acp-bad/$(basename "$ac" .json).pdf
check "a countersignature that does not verify is shown as such, never as verified" \
	bash -c 'has "$1" "副署を検証できません" "DOES NOT VERIFY" "witness-2.p7s" &&
		[ "$(pdftotext "$1" - | grep -c "検証済み（署名・役割）")" -eq 2 ]' _ "$bp"
check "an edited approval beside the certificate is shown as not verifying" \
	has "$bp" "承認書を検証できません" "The approval does not verify" "SHA-256 differs"

# A spot-check verification report (kesu verify's output, signed like a
# certificate) prints as 検証報告書.
mkdir -p "$T_DIR/vr"
for f in sample-no-data full-data-found; do
	cp "$FIXTURES/../fuzz/corpus/verification/$f.json" "$T_DIR/vr/kesu-verification-$f.json"
	openssl cms -sign -binary -outform DER -md sha256 -in "$T_DIR/vr/kesu-verification-$f.json" \
		-signer "$T_DIR/op/cert.pem" -inkey "$T_DIR/op/kesu-signing.key" \
		-out "$T_DIR/vr/kesu-verification-$f.json.p7s" 2>/dev/null
done
out=$("$KESU" cert pdf --ca "$OCA" "$T_DIR"/vr/kesu-verification-*.json); rc=$?
vr=$T_DIR/vr/kesu-verification-sample-no-data.pdf
check "verification report: cert pdf prints both (exit 0)" \
	bash -c '[ $1 -eq 0 ] && [ "$(wc -l <<<"$2")" -eq 2 ] && [ -s "$3" ]' _ "$rc" "$out" "$vr"
check "verification report: title, verdict, method and medium on the page" has "$vr" \
	検証報告書 "Verification Report" "データなし / no-data-found" "抽出検査（NIST SP 800-88） / sample" \
	0123456789abcdef 2,002 KESU-B "山田 太郎" "乱数様" "信頼度" 0.99 "印刷時にCA証明書 ca.pem で検証済み"
check "verification report: the QR code holds its id and SHA-256" \
	test "$(qr_of "$vr")" = "kesu-certificate id=$(jq -r .id "${vr%.pdf}.json") sha256=$(sha256sum < "${vr%.pdf}.json" | cut -d' ' -f1)"
check "verification report: data found, the finding and the other medium are said" \
	has "$T_DIR/vr/kesu-verification-full-data-found.pdf" "DATA FOUND" "NOT THE SAME MEDIUM" \
	"GPT header at LBA 1" "5cbb18d0-4548-43e4-94e1-e3a0ff85b12e" "4,608"
jq -S --indent 2 '.verdict = "no-data-found"' "$T_DIR/vr/kesu-verification-full-data-found.json" \
	> "$T_DIR/vr/lie.json"
openssl cms -sign -binary -outform DER -md sha256 -in "$T_DIR/vr/lie.json" -signer "$T_DIR/op/cert.pem" \
	-inkey "$T_DIR/op/kesu-signing.key" -out "$T_DIR/vr/lie.json.p7s" 2>/dev/null
out=$("$KESU" cert pdf --ca "$OCA" "$T_DIR/vr/lie.json" 2>&1); rc=$?
check "verification report: a verdict its findings contradict is not printed (exit 9)" \
	bash -c '[ $1 -eq 9 ] && [ ! -e "$2" ]' _ "$rc" "$T_DIR/vr/lie.pdf"

# The ledger.
cd "$T_DIR/fx" || exit 1
out=$("$KESU" register report --pdf --out "$T_DIR/pdf/ledger.pdf" --register register.jsonl \
	--cert-dir . --ca ca.pem); rc=$?
L=$T_DIR/pdf/ledger.pdf
check "report: exits 0 and counts the media" test $rc -eq 0 -a "$out" = "$L: 3 media"
check "report: one row per medium with asset, department, serial, model, method, result, operator, approver" \
	has "$L" 媒体廃棄記録簿 "Media disposal ledger" erased not-erased my-number "総務部 総務課" \
	WD-WCC6Y0ABCDEF "WDC WD10EZEX-08WN4A0" nist-clear "消去完了 / erased" "未消去 / not-erased" \
	"山田 太郎" "佐藤 花子" "記録なし / not"
check "report: totals, the open My Number item, the security manager's box" \
	has "$L" "集計" "媒体数" "物理破壊の記録なし（破壊待ち）" "情報セキュリティ管理者"
check "report: the register head's hash and its verified signature" \
	has "$L" "$(tail -n1 register.jsonl | tr -d '\n' | sha256sum | cut -d' ' -f1)" \
	"署名・ハッシュ連鎖とも検証済み / signature and hash chain verified (CA: ca.pem)"
check "report: the font is embedded" bash -c 'pdffonts "$1" | grep -q "IPAexGothic.* yes"' _ "$L"
check "report: the page matches the reference image" same_pages "$L" ledger
"$KESU" register report --pdf --out "$T_DIR/pdf/dep.pdf" --register register.jsonl --cert-dir . \
	--ca ca.pem --department 'ほかの課' >/dev/null
check "report --department: only that department's media" \
	has "$T_DIR/pdf/dep.pdf" "ほかの課" "この期間に記録された媒体はありません"
"$KESU" register report --pdf --out "$T_DIR/pdf/until.pdf" --register register.jsonl --cert-dir . \
	--ca ca.pem --until 2000-01-01 >/dev/null
check "report --until: the period filters on the register time" \
	has "$T_DIR/pdf/until.pdf" "この期間に記録された媒体はありません"
"$KESU" register report --pdf --out "$T_DIR/pdf/nocert.pdf" --register register.jsonl --ca ca.pem >/dev/null
check "report: a certificate not present here is named in its row, in the page's languages" \
	has "$T_DIR/pdf/nocert.pdf" "(証明書なし / not" "here)"   # the narrow column wraps it
check "report: without a CA the head is marked not checked" \
	bash -c '"$KESU" register report --pdf --out "$1" --register register.jsonl --cert-dir . --config /dev/null >/dev/null &&
		has "$1" "NOT CHECKED" "台帳の署名は確認していません"' _ "$T_DIR/pdf/noca.pdf"
cp register.jsonl reg-bad.jsonl
sed -i '2s/"not-erased"/"erased"/' reg-bad.jsonl
out=$("$KESU" register report --pdf --out "$T_DIR/pdf/bad.pdf" --register reg-bad.jsonl --ca ca.pem 2>&1); rc=$?
check "report: a damaged register is refused (exit 9), no PDF" \
	bash -c '[ $1 -eq 9 ] && grep -q "line 2" <<<"$2" && [ ! -e "$3" ]' _ "$rc" "$out" "$T_DIR/pdf/bad.pdf"
check "report: --pdf and --out are required (exit 2)" \
	bash -c '"$KESU" register report --out x 2>/dev/null; a=$?; "$KESU" register report --pdf 2>/dev/null; b=$?; [ $a -eq 2 ] && [ $b -eq 2 ]'

# A ledger longer than a page repeats its table head.
for i in $(seq 1 36); do
	issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/big-run-$i.json")" op --register "$T_DIR/big/register.jsonl" --asset "B-$i" >/dev/null ||
		{ not_ok "issue $i"; break; }
done
"$KESU" register report --pdf --out "$T_DIR/pdf/big.pdf" --register "$T_DIR/big/register.jsonl" \
	--ca "$T_DIR/other/ca.pem" >/dev/null
pages=$(pdfinfo "$T_DIR/pdf/big.pdf" | awk '/^Pages:/ {print $2}')
check "report: 36 media over $pages pages, the table head repeated" \
	bash -c '[ "$1" -ge 2 ] && [ "$(pdftotext -layout "$2" - | grep -c "シリアル番号 / Serial")" -ge 2 ] &&
		has "$2" B-1 B-36' _ "$pages" "$T_DIR/pdf/big.pdf"

# The printing libraries are a plugin (lib/plugin.h): kesu links none of
# them (nor libpq, nor libcurl), loads kesu-print.so for a page, and names
# the plugin it cannot load or refuses to.
check "kesu links no printing, database or HTTP library" \
	bash -c '! ldd "$KESU" | grep -E "lib(cairo|pango|qrencode|jpeg|png|pq|curl)"'
NP=$T_DIR/noplug
mkdir -p "$NP/plugins" && cp "$KESU" "$NP/kesu"
c=$(ls "$T_DIR"/fx/kesu-cert-*.json | head -n 1)
check "no kesu-print.so beside kesu: exit 3, the file named, no PDF" \
	bash -c '"$1/kesu" cert pdf --ca "$2" --out "$1" "$3" 2>"$1/err"; [ $? -eq 3 ] &&
		grep -qF "$1/plugins/kesu-print.so" "$1/err" && ! ls "$1"/*.pdf 2>/dev/null' _ "$NP" "$CA" "$c"
cp "$KESU_BUILD/plugins/kesu-print.so" "$NP/plugins/" && chmod 0666 "$NP/plugins/kesu-print.so"
check "a kesu-print.so others may write is refused: exit 5" \
	bash -c '"$1/kesu" cert pdf --ca "$2" --out "$1" "$3" 2>"$1/err"; [ $? -eq 5 ] &&
		grep -q "refusing to load.*writable by group or others" "$1/err"' _ "$NP" "$CA" "$c"
chmod 0644 "$NP/plugins/kesu-print.so"
check "the same kesu-print.so, not writable by others, prints" \
	bash -c '"$1/kesu" cert pdf --ca "$2" --out "$1" "$3" >/dev/null && ls "$1"/*.pdf >/dev/null' _ "$NP" "$CA" "$c"

# kesu wipe --pdf
cd "$T_DIR" || exit 1
img=$(make_image disk.img 4) && L=$(make_loop "$img") || { not_ok "loop device set-up"; t_done; exit 1; }
"$KESU" wipe --yes --quiet --progress=none --state-dir "$T_DIR/state" --out "$T_DIR/wout" --json --pdf \
	--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config "$POLICY_OFF_CONF" \
	--operator '山田 太郎' --organization 'テスト消去株式会社' --customer '総務課' --asset A-0042 \
	--class 3 --reason disposal --approver '佐藤 花子' --no-register "$L" > "$T_DIR/w.json"
rc=$?
wc=$(jq -r '.[0].certificate' "$T_DIR/w.json") wp=$(jq -r '.[0].pdf' "$T_DIR/w.json")
check "wipe --pdf: exit 0 and the PDF beside the certificate" \
	test $rc -eq 0 -a "$wp" = "${wc%.json}.pdf" -a -s "$wp"
check "wipe --pdf: the page is this device's certificate" \
	bash -c 'has "$1" "$2" A-0042 "$(jq -r .id "$3")" && [ "$(qr_of "$1")" = "kesu-certificate id=$(jq -r .id "$3") sha256=$(sha256sum "$3" | cut -d" " -f1)" ]' \
	_ "$wp" "$L" "$wc"
check "wipe --pdf with --no-cert is a usage error" \
	bash -c '"$KESU" wipe --yes --no-cert --pdf "$1" 2>/dev/null; [ $? -eq 2 ]' _ "$L"
# Without kesu-print.so, --pdf stops before the device is touched.
mkdir -p "$T_DIR/np2/plugins" && cp "$KESU" "$T_DIR/np2/kesu"
printf 'KEEP-ME' | dd of="$L" bs=7 count=1 conv=notrunc status=none
check "wipe --pdf without kesu-print.so: exit 3 before any write" \
	bash -c '"$1/kesu" wipe --yes --quiet --progress=none --state-dir "$1/state" --out "$1/out" --pdf \
		--key "$2/op/kesu-signing.key" --cert "$2/op/cert.pem" --config "$3" --operator o \
		--organization o --asset A-1 --class 3 --reason disposal --approver a --no-register \
		"$4" 2>"$1/err"; [ $? -eq 3 ] && grep -qF "$1/plugins/kesu-print.so" "$1/err" &&
		[ "$(head -c 7 "$4")" = KEEP-ME ] && ! ls "$1"/out/* 2>/dev/null' \
	_ "$T_DIR/np2" "$T_DIR" "$POLICY_OFF_CONF" "$L"
t_done
