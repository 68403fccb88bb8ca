#!/usr/bin/env bash
# Regenerates the committed seed corpus (tests/fuzz/corpus/<target>/) and
# tests/fuzz/ca.pem from kesu's own tools, so seeds are real files: a
# throwaway CA signs an operator and a TSA certificate, kesu issues and
# registers certificates, openssl ts stamps a signature, the device models
# answer IDENTIFY and SEND_EXT_CSD.  Usage (from the repo root, after
# `make` and `make unit-tests`): make fuzz-corpus
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
C=$root/tests/fuzz/corpus
KESU=$build/kesu
tmp=$(mktemp -d /tmp/kesu-corpus.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# checkpoint/, inspect/ and the seeds of targets added later are kept as they are:
# their seeds come from the engineers of those formats.
for t in certificate run_record config cms timestamp mmc ata nvme scsi verification destruction approval custody health; do
	rm -rf "${C:?}/$t"; mkdir -p "$C/$t"
done
mkdir -p "$C/register_line" "$C/register_head"

"$root/certs/ca/init-ca.sh" "$tmp/ca" "/C=JP/O=Fuzz/CN=Fuzz CA" 3650 >/dev/null 2>&1
"$KESU" key new --subject "/C=JP/O=Fuzz/CN=山田 太郎" --out "$tmp/op" >/dev/null
"$root/certs/ca/issue-operator.sh" "$tmp/ca" "$tmp/op/kesu-signing.csr" "$tmp/op/cert.pem" 3650 >/dev/null 2>&1
cp "$tmp/ca/ca.pem" "$root/tests/fuzz/ca.pem"

mkdir -p "$tmp/out"
# Typed approvers on class 3: no signed approval asked for here.
printf '[policy]\nsigned_approval_classes = none\n' > "$tmp/policy-off.conf"
for r in erased exceptions interrupted erased-host; do
	loc=()
	[ "$r" = erased-host ] && loc=(--location '本庁舎 地下1階 作業室')
	"$KESU" cert issue "$root/tests/fixtures/runs/$r.json" --key "$tmp/op/kesu-signing.key" \
		--cert "$tmp/op/cert.pem" --config "$tmp/policy-off.conf" --operator '山田 太郎' \
		--organization 'テスト' --customer '総務課' --asset A-1 --class 3 \
		--reason disposal --approver '佐藤 花子' --approval-date 2026-11-20 \
		--cert-dir "$tmp/out" --register "$tmp/register.jsonl" "${loc[@]}" >/dev/null
done
n=0
for f in "$tmp"/out/kesu-cert-*.json; do
	n=$((n + 1)); cp "$f" "$C/certificate/cert-$n.json"
done
cp "$tmp/register.jsonl" "$C/register_line/three-lines.jsonl"
# Destruction documents: one closing the latest erasure, one with no
# erasure record; the register with their lines.
printf 'label' > "$tmp/label.jpg"
for args in "--serial WD-WCC6Y0ABCDEF --my-number" "--serial LEASED-1 --no-erasure-record leased"; do
	# shellcheck disable=SC2086
	"$KESU" destroy $args --technique 破砕 --witness '鈴木 一郎/情報政策課' \
		--label-photo "$tmp/label.jpg" --key "$tmp/op/kesu-signing.key" \
		--cert "$tmp/op/cert.pem" --config /dev/null --ca-file "$tmp/ca/ca.pem" \
		--operator '山田 太郎' --organization 'テスト' --location '第二工場' \
		--company '株式会社クラッシュ' --person '佐藤 花子' --cert-dir "$tmp/dest" \
		--register "$tmp/register.jsonl" >/dev/null
done
n=0
for f in "$tmp"/dest/kesu-destruction-????????-????-????-????-????????????.json; do
	n=$((n + 1)); cp "$f" "$C/destruction/destruction-$n.json"
done
cp "$tmp/register.jsonl" "$C/register_line/with-destruction.jsonl"
head -c -20 "$tmp/register.jsonl" > "$C/register_line/torn.jsonl"
cp "$tmp/register.jsonl.head" "$C/register_head/head-from-tools.json"
cp "$root"/tests/fixtures/runs/*.json "$C/run_record/"
# One with per-pass timings, which cert show reads (certs/document/run_speed.c).
jq '.passes |= map(. + {timing: {write: {ms: 156, bytes: 1073741824, mb_per_s: 6882.8}, verify: null}})' \
	"$root/tests/fixtures/runs/erased.json" >"$C/run_record/timed.json"

# An approval signed by an approver, and hand-overs signed by their giver.
"$KESU" key new --subject "/C=JP/O=Fuzz/CN=佐藤 花子" --out "$tmp/appr" >/dev/null
"$root/certs/ca/issue-role.sh" "$tmp/ca" approver "$tmp/appr/kesu-signing.csr" "$tmp/appr/cert.pem" 3650 >/dev/null 2>&1
a=$("$KESU" approval new --key "$tmp/appr/kesu-signing.key" --cert "$tmp/appr/cert.pem" \
	--config /dev/null --out "$tmp/docs" --reference 'R8-情政-17' --reason disposal --class 3 \
	--customer '総務課' --asset A-0042 --serial SN-1 --operator '山田 太郎' \
	--valid-from 2026-11-20 --valid-until 2026-12-20)
cp "$a" "$C/approval/approval-assets.json"
a=$("$KESU" approval new --key "$tmp/appr/kesu-signing.key" --cert "$tmp/appr/cert.pem" \
	--config /dev/null --out "$tmp/docs" --reference R2 --reason lease-return --class 2 \
	--serial SN-1 --serial SN-2 --operator-cert "$tmp/op/cert.pem" \
	--valid-from 2026-11-20T09:00:00+09:00 --valid-until 2026-11-21)
cp "$a" "$C/approval/approval-by-cert.json"
c=$("$KESU" custody new --key "$tmp/op/kesu-signing.key" --cert "$tmp/op/cert.pem" \
	--config /dev/null --out "$tmp/docs" --serial SN-1 --serial SN-2 --from '山田 太郎/テスト市' \
	--to '業者 一郎/消去株式会社' --place 'サーバ室' --seal SEAL-1 --reference R8 \
	--at 2026-11-20T10:00:00+09:00)
cp "$c" "$C/custody/handover.json"
c=$("$KESU" custody new --key "$tmp/op/kesu-signing.key" --cert "$tmp/op/cert.pem" \
	--config /dev/null --out "$tmp/docs" --serial SN-1 --from '山田 太郎/消去株式会社' \
	--to '破砕 三郎/破砕センター' --place x --destruction --at 2026-11-21T09:00:00+09:00)
cp "$c" "$C/custody/destruction.json"

# CMS over the fixed document fuzz_cms.c checks, signed by the operator.
printf '{"fuzz": true}\n' > "$tmp/doc"
openssl cms -sign -binary -outform DER -md sha256 -signer "$tmp/op/cert.pem" \
	-inkey "$tmp/op/kesu-signing.key" -in "$tmp/doc" -out "$C/cms/doc.p7s"
cp "$(ls "$tmp"/out/kesu-cert-*.json.p7s | head -1)" "$C/cms/cert-other-content.p7s"

# A TSA under the same CA, stamping the bytes fuzz_timestamp.c checks.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/tsa.key" \
	-out "$tmp/tsa.csr" -subj "/O=Fuzz/CN=Fuzz TSA" 2>/dev/null
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
	"extendedKeyUsage=critical,timeStamping" > "$tmp/tsa.ext"
openssl x509 -req -in "$tmp/tsa.csr" -CA "$tmp/ca/ca.pem" -CAkey "$tmp/ca/private/ca.key" \
	-CAcreateserial -days 3650 -extfile "$tmp/tsa.ext" -out "$tmp/tsa.pem" 2>/dev/null
cat > "$tmp/ts.cnf" <<CNF
[ tsa ]
default_tsa = t
[ t ]
serial = $tmp/tsaserial
signer_cert = $tmp/tsa.pem
certs = $tmp/ca/ca.pem
signer_key = $tmp/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
ess_cert_id_alg = sha256
CNF
printf 'signature bytes' > "$tmp/sig"
openssl ts -query -data "$tmp/sig" -sha256 -cert -out "$tmp/q.tsq" 2>/dev/null
openssl ts -reply -config "$tmp/ts.cnf" -queryfile "$tmp/q.tsq" -out "$C/timestamp/granted.tsr" 2>/dev/null
openssl ts -query -data "$tmp/sig" -sha1 -no_nonce -out "$tmp/q1.tsq" 2>/dev/null
openssl ts -reply -config "$tmp/ts.cnf" -queryfile "$tmp/q1.tsq" -out "$C/timestamp/rejected-sha1.tsr" 2>/dev/null || true

cat > "$C/config/full.conf" <<'CONF'
# kesu.conf
[operator]
name = 山田 太郎
organization = テスト消去株式会社
location = 本庁舎 地下1階 作業室
[customer]
name = 総務課
[signing]
key = /etc/kesu/kesu-signing.key
cert = /etc/kesu/operator.pem
[trust]
ca_file = /etc/kesu/ca.pem
tsa_ca_file = /etc/kesu/tsa-ca.pem
[timestamp]
url = http://tsa.example.jp/tsa
[register]
path = /var/lib/kesu/register.jsonl
[paths]
state_dir = /var/lib/kesu
CONF
printf '[signing]\nkey = pkcs11:token=kesu;object=op\npin_file = /etc/kesu/pin\n' > "$C/config/pkcs11.conf"
printf '[station]\nmethod_nvme = nvme-sanitize-crypto\nmethod_usb = nist-clear\nfallback = nist-clear\nverify = sample\nstart = auto\nasset_map = /etc/kesu/assets.csv\napproval_ref = 総務-2026-114\napproval_date = 2026-11-30\npdf = yes\n' > "$C/config/station.conf"

"$build/tests/make_seeds" "$C"
for f in "$root"/tests/fixtures/sysfs/sata-hdd/sys/devices/*/*/*/*/*/*/vpd_pg8?; do
	cp "$f" "$C/scsi/$(basename "$f")"
done
# Evidence photos (fuzz_image): small JPEGs (baseline, progressive, grey,
# CMYK) and PNGs (palette with transparency, 16-bit, interlaced).
rm -rf "${C:?}/image"; mkdir -p "$C/image"
convert -size 48x32 gradient:red-blue -quality 80 "$C/image/baseline.jpg"
convert -size 48x32 gradient:white-black -interlace Plane "$C/image/progressive-grey.jpg"
convert -size 16x16 xc:cyan -colorspace CMYK "$C/image/cmyk.jpg"
convert -size 24x12 xc:'rgba(0,0,255,0)' -fill blue -draw 'rectangle 0,0 11,11' "$C/image/palette-alpha.png"
convert -size 20x20 gradient:green-yellow -depth 16 "$C/image/rgb16.png"
convert -size 20x20 gradient:black-white -interlace PNG "$C/image/interlaced.png"
# and the unit test's hand-made Adam7 one (not its 40-megapixel one: each
# run of it takes the fuzzer's time of a hundred small ones).
cp "$root"/tests/fixtures/images/red-blue-33x17-interlaced.png "$C/image/"
echo "corpus written to $C"
