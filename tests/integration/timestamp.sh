#!/usr/bin/env bash
# Trusted time (RFC 3161): certificates and register heads get a token from
# a local TSA (openssl ts -reply behind tests/tsa-server.py on 127.0.0.1),
# kesu and the README's stock openssl command check it, and every way the
# TSA can fail or lie is refused without losing a certificate.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"
trap 'stop_tsa; t_cleanup' EXIT

make_ca ca && make_operator op ca && make_tsa tsa && make_tsa rogue &&
	start_tsa tsa || { not_ok "test CA and TSA set-up"; t_done; exit 1; }
mkdir -p "$T_DIR/out" "$T_DIR/runs"
# A run record is certified once: each certificate gets its own run.
n_run=0
run() { n_run=$((n_run + 1)); new_run "$FIXTURES/runs/erased.json" "$T_DIR/runs/run-$n_run.json"; }
CA=$T_DIR/ca/ca.pem TCA=$T_DIR/tsa/ca.pem URL=$TSA_URL
REG=$T_DIR/reg/register.jsonl
V=("$KESU" cert verify --ca "$CA" --tsa-ca-file "$TCA")

# The README's command, word for word, so the documented one is tested.
TS_CMD=$(grep -m1 '^    openssl ts -verify' "$(dirname "$0")/../../README.md")
ts_openssl() { # SIGNED-FILE TSA-CA
	local w words=()
	[ -n "$TS_CMD" ] || { echo "README.md has no openssl ts -verify line" >&2; return 2; }
	for w in $TS_CMD; do
		case $w in
		FILE.p7s) words+=("$1.p7s") ;;
		FILE.tsr) words+=("$1.tsr") ;;
		tsa-ca.pem) words+=("$2") ;;
		*) words+=("$w") ;;
		esac
	done
	"${words[@]}" >/dev/null 2>&1
}
export TS_CMD
export -f ts_openssl

cert=$(issue "$(run)" op --no-register --tsa "$URL" --tsa-ca-file "$TCA")
check "cert issue --tsa writes the token beside the signature" test -s "$cert.tsr"
check "kesu cert verify checks the token and names the time" \
	bash -c '"${@:2}" "$1" | grep -q "OK: result erased.*timestamped 20.* by .*CN=tsa TSA"' _ "$cert" "${V[@]}"
check "verify --json reports the checked timestamp" \
	bash -c '"${@:2}" --json "$1" | jq -e ".[0].ok and .[0].timestamp.checked and (.[0].timestamp.gen_time | test(\"^20\"))" >/dev/null' _ "$cert" "${V[@]}"
check "the README's openssl ts -verify command accepts the token" ts_openssl "$cert" "$TCA"
check "the token asked for the TSA's certificate and was over SHA-256 with a nonce" \
	bash -c 'openssl ts -reply -in "$1" -text 2>/dev/null | grep -q "Hash Algorithm: sha256" &&
		openssl ts -reply -in "$1" -text 2>/dev/null | grep -q "^Nonce: 0x"' _ "$cert.tsr"
check "without a TSA CA the token is reported as not checked" \
	bash -c '"$KESU" cert verify --config /dev/null --ca "$2" "$1" | grep -q "timestamp token NOT checked"' _ "$cert" "$CA"

# Settings from kesu.conf.
printf '[trust]\nca_file = %s\ntsa_ca_file = %s\n[timestamp]\nurl = %s\n[policy]\nsigned_approval_classes = none\n' \
	"$CA" "$TCA" "$URL" > "$T_DIR/k.conf"
c2=$(issue "$(run)" op --no-register --config "$T_DIR/k.conf")
check "[timestamp] url in kesu.conf timestamps too" test -s "$c2.tsr"
check "[trust] tsa_ca_file in kesu.conf checks it" \
	bash -c '"$KESU" cert verify --config "$2" "$1" | grep -q "timestamped"' _ "$c2" "$T_DIR/k.conf"

# A token for other data: another certificate's token in place of its own.
cp "$cert.tsr" "$T_DIR/saved.tsr"
cp "$c2.tsr" "$cert.tsr"
out=$("${V[@]}" "$cert" 2>&1); rc=$?
check "a token for other data is refused (exit 9, BAD TIMESTAMP, imprint)" \
	bash -c '[ $1 -eq 9 ] && grep -q "BAD TIMESTAMP.*imprint" <<<"$2"' _ "$rc" "$out"
check "and the stock openssl command refuses it too" bash -c '! ts_openssl "$1" "$2"' _ "$cert" "$TCA"
cp "$T_DIR/saved.tsr" "$cert.tsr"
flip "$cert.tsr" $(( $(stat -c %s "$cert.tsr") - 40 ))
check "a token with a flipped byte is refused" bash -c '! "${@:2}" "$1" >/dev/null 2>&1' _ "$cert" "${V[@]}"
cp "$T_DIR/saved.tsr" "$cert.tsr"
out=$("$KESU" cert verify --ca "$CA" --tsa-ca-file "$T_DIR/rogue/ca.pem" "$cert" 2>&1); rc=$?
check "a token from a TSA the verifier does not trust is refused (exit 9)" \
	bash -c '[ $1 -eq 9 ] && grep -q "BAD TIMESTAMP" <<<"$2"' _ "$rc" "$out"

# The TSA failing at issue time: the certificate stands, exit 11, repair.
unstamped() { # NAME MODE PATTERN
	tsa_mode tsa "$2"
	local out rc c
	out=$(issue "$(run)" op --no-register --tsa "$URL" \
		--tsa-ca-file "$TCA" 2>&1); rc=$?
	c=$(grep -m1 '^/.*json$' <<<"$out")
	check "TSA $1: exit 11, the certificate is written and signed, no token" \
		bash -c '[ $1 -eq 11 ] && [ -s "$2" ] && [ -s "$2.p7s" ] && [ ! -e "$2.tsr" ] &&
			"$KESU" cert verify --ca "$3" "$2" >/dev/null' _ "$rc" "$c" "$CA"
	check "TSA $1: the message names the URL, the cause and the repair" \
		bash -c 'grep -q "timestamp authority $2.*$3" <<<"$1" && grep -q "kesu cert timestamp" <<<"$1"' \
		_ "$out" "$URL" "$3"
	tsa_mode tsa ok
	UNSTAMPED_CERT=$c
}
unstamped "returning garbage" garbage "not a DER RFC 3161 timestamp response"
unstamped "answering another request (wrong nonce)" wrong-nonce "nonce mismatch"
unstamped "failing with HTTP 500" http-500 "HTTP status 500"
tsa_mode rogue ok
start_tsa rogue; ROGUE=$TSA_URL
out=$(issue "$(run)" op --no-register --tsa "$ROGUE" --tsa-ca-file "$TCA" 2>&1); rc=$?
check "a TSA not chaining to --tsa-ca-file is refused at issue time (exit 11)" \
	bash -c '[ $1 -eq 11 ] && grep -q "timestamp token does not verify" <<<"$2"' _ "$rc" "$out"

stop_tsa
out=$(issue "$(run)" op --register "$REG" --tsa "$URL" --tsa-ca-file "$TCA" 2>&1); rc=$?
down=$(grep -m1 '^/.*json$' <<<"$out")
check "TSA down: exit 11, the error names the URL, certificate and register line kept" \
	bash -c '[ $1 -eq 11 ] && grep -q "timestamp authority $2" <<<"$3" && [ -s "$4.p7s" ] &&
		grep -q "$(jq -r .id "$4")" "$5"' _ "$rc" "$URL" "$out" "$down" "$REG"
check "TSA down: the register verifies, its head has no token" \
	bash -c '"$KESU" register verify --register "$1" --ca "$2" >/dev/null && [ ! -e "$1.head.tsr" ]' _ "$REG" "$CA"
start_tsa tsa; URL=$TSA_URL
check "kesu cert timestamp adds the missing token later" \
	bash -c '"$KESU" cert timestamp --config /dev/null --tsa "$2" --tsa-ca-file "$3" "$1" | grep -q "\.tsr: timestamped" &&
		"${@:4}" "$1" | grep -q timestamped' _ "$down" "$URL" "$TCA" "${V[@]}"
out=$("$KESU" cert timestamp --config /dev/null "$down" 2>&1); rc=$?
check "kesu cert timestamp without a TSA is a usage error" \
	bash -c '[ $1 -eq 2 ] && grep -q -- "--tsa URL" <<<"$2"' _ "$rc" "$out"

# The register head.
c3=$(issue "$(run)" op --register "$REG" --tsa "$URL" --tsa-ca-file "$TCA")
check "an append timestamps the new head" test -s "$REG.head.tsr"
check "register verify checks the head token" \
	bash -c '"$KESU" register verify --register "$1" --ca "$2" --tsa-ca-file "$3" | grep -q "head timestamped"' _ "$REG" "$CA" "$TCA"
check "the README's openssl ts -verify command accepts the head token" ts_openssl "$REG.head" "$TCA"
cp "$REG.head.tsr" "$T_DIR/head.tsr"
issue "$(run)" op --register "$REG" >/dev/null
check "an append without a TSA removes the old head's token" test ! -e "$REG.head.tsr"
cp "$T_DIR/head.tsr" "$REG.head.tsr"
out=$("$KESU" register verify --register "$REG" --ca "$CA" --tsa-ca-file "$TCA" 2>&1); rc=$?
check "register verify refuses a head token for an older head (exit 9)" \
	bash -c '[ $1 -eq 9 ] && grep -q "head.tsr.*imprint" <<<"$2"' _ "$rc" "$out"
out=$("$KESU" register verify --register "$REG" --ca "$CA" --tsa-ca-file "$T_DIR/rogue/ca.pem" 2>&1); rc=$?
check "register verify refuses a head token from an untrusted TSA" test "$rc" -eq 9

mkdir -p "$T_DIR/city"
"$KESU" register import --config /dev/null --register "$T_DIR/city/r.jsonl" --ca "$CA" \
	--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
	--tsa "$URL" --tsa-ca-file "$TCA" "$c3" >/dev/null
check "register import checks the certificate's token and timestamps the new head" \
	bash -c '[ -s "$1.head.tsr" ] && "$KESU" register verify --register "$1" --ca "$2" --tsa-ca-file "$3" | grep -q "head timestamped"' \
	_ "$T_DIR/city/r.jsonl" "$CA" "$TCA"
cp "$c2.tsr" "$c3.tsr"
out=$("$KESU" register import --config /dev/null --register "$T_DIR/city/r2.jsonl" --ca "$CA" \
	--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --tsa-ca-file "$TCA" "$c3" 2>&1); rc=$?
check "register import refuses a certificate with a token for other data" \
	bash -c '[ $1 -eq 9 ] && grep -q "BAD TIMESTAMP" <<<"$2" && [ ! -s "$3" ]' _ "$rc" "$out" "$T_DIR/city/r2.jsonl"

# Trusted time and an expiring operator certificate: one signed and stamped
# while valid stays valid; one stamped only after expiry does not.
"$KESU" key new --subject "/O=テスト/CN=short" --out "$T_DIR/short" >/dev/null &&
	ENDDATE=$(date -u -d '+6 seconds' +%y%m%d%H%M%SZ) "$CA_SCRIPTS/issue-operator.sh" "$T_DIR/ca" \
		"$T_DIR/short/kesu-signing.csr" "$T_DIR/short/cert.pem" >/dev/null 2>&1
good=$(issue "$(run)" short --no-register --tsa "$URL" --tsa-ca-file "$TCA")
late=$(issue "$(run)" short --no-register)
while openssl x509 -in "$T_DIR/short/cert.pem" -noout -checkend 0 >/dev/null; do sleep 1; done
sleep 1
check "the operator certificate has expired (stock openssl cms -verify refuses now)" \
	bash -c '! openssl_verify "$1" "$2"' _ "$good" "$CA"
check "a certificate timestamped while its signer was valid verifies after expiry" \
	bash -c '"${@:2}" "$1" | grep -q "OK: .*timestamped"' _ "$good" "${V[@]}"
"$KESU" cert timestamp --config /dev/null --tsa "$URL" --tsa-ca-file "$TCA" "$late" >/dev/null
out=$("${V[@]}" "$late" 2>&1); rc=$?
check "a token whose genTime is after the operator certificate expired is refused" \
	bash -c '[ $1 -eq 9 ] && grep -q "UNTRUSTED.*expired at" <<<"$2"' _ "$rc" "$out"
check "without that token the same certificate verifies (signer's own time)" \
	bash -c 'rm "$1.tsr" && "$KESU" cert verify --ca "$2" "$1" >/dev/null' _ "$late" "$CA"

# kesu wipe with the TSA down: the erasure is not lost.
if [ "$(id -u)" -eq 0 ]; then
	img=$(make_image disk.img 4) && L=$(make_loop "$img")
	stop_tsa
	out=$("$KESU" wipe --yes --quiet --progress=none --state-dir "$T_DIR/state" --out "$T_DIR/out" \
		--method zero --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
		--config "$POLICY_OFF_CONF" --operator '山田 太郎' --organization 'テスト' --customer '総務課' \
		--asset A-0042 --class 3 --reason disposal --approver '佐藤 花子' \
		--approval-date 2026-11-20 --register "$REG" --tsa "$URL" --tsa-ca-file "$TCA" \
		--json "$L" 2>"$T_DIR/wipe.err"); rc=$?
	wc=$(jq -r '.[0].certificate' <<<"$out" 2>/dev/null)
	check "kesu wipe with the TSA down: exit 11, says so, device erased" \
		bash -c '[ $1 -eq 11 ] && grep -q "not timestamped" "$2" && [ "$(jq -r .[0].result <<<"$3")" = erased ]' \
		_ "$rc" "$T_DIR/wipe.err" "$out"
	check "kesu wipe with the TSA down: the certificate is written, signed and registered" \
		bash -c '"$KESU" cert verify --ca "$2" "$1" | grep -q "OK: result erased" &&
			"$KESU" register verify --register "$3" --ca "$2" >/dev/null' _ "$wc" "$CA" "$REG"
fi
t_done
