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
# checkpoint/ and the seeds of targets added later are kept as they are:
# their seeds come from the engineers of those formats.
for t in certificate run_record config cms timestamp mmc ata nvme scsi; do
	rm -rf "${C:?}/$t"; mkdir -p "$C/$t"
done
mkdir -p "$C/register_line" "$C/register_head"

"$root/certs/ca/init-ca.sh" "$tmp/ca" "/C=JP/O=Fuzz/CN=Fuzz CA" 3650 >/dev/null 2>&1
"$KESU" key new --subject "/C=JP/O=Fuzz/CN=山田 太郎" --out "$tmp/op" >/dev/null
"$root/certs/ca/issue-operator.sh" "$tmp/ca" "$tmp/op/kesu-signing.csr" "$tmp/op/cert.pem" 3650 >/dev/null 2>&1
cp "$tmp/ca/ca.pem" "$root/tests/fuzz/ca.pem"

mkdir -p "$tmp/out"
for r in erased exceptions interrupted; do
	"$KESU" cert issue "$root/tests/fixtures/runs/$r.json" --key "$tmp/op/kesu-signing.key" \
		--cert "$tmp/op/cert.pem" --config /dev/null --operator '山田 太郎' \
		--organization 'テスト' --customer '総務課' --asset A-1 --class 3 \
		--reason disposal --approver '佐藤 花子' --approval-date 2026-11-20 \
		--cert-dir "$tmp/out" --register "$tmp/register.jsonl" >/dev/null
done
n=0
for f in "$tmp"/out/kesu-cert-*.json; do
	n=$((n + 1)); cp "$f" "$C/certificate/cert-$n.json"
done
cp "$tmp/register.jsonl" "$C/register_line/three-lines.jsonl"
head -c -20 "$tmp/register.jsonl" > "$C/register_line/torn.jsonl"
cp "$tmp/register.jsonl.head" "$C/register_head/head-from-tools.json"
cp "$root"/tests/fixtures/runs/*.json "$C/run_record/"

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
echo "corpus written to $C"
