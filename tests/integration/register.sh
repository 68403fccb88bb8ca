#!/usr/bin/env bash
# The disposal register: hash chain and signed head catch every edit,
# deletion, reordering and truncation; concurrent writers lose nothing; a
# torn last line is cut and recorded; the city imports contractors' work.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

make_ca ca && make_ca contractorca && make_operator op ca && make_operator ctr contractorca ||
	{ not_ok "test CA set-up"; t_done; exit 1; }
mkdir -p "$T_DIR/out"
REG=$T_DIR/reg/register.jsonl
export REG CA=$T_DIR/ca/ca.pem

for run in erased exceptions interrupted; do
	issue "$FIXTURES/runs/$run.json" op --register "$REG" >/dev/null
done
check "three certificates registered" test "$(wc -l < "$REG")" -eq 3
check "register verify accepts the untouched register" \
	"$KESU" register verify --register "$REG" --ca "$CA"
check "register verify --json" \
	bash -c '"$KESU" register verify --json --register "$REG" --ca "$CA" | jq -e ".ok and .lines == 3 and .head_seq == 3" >/dev/null'
check "the head is CMS-signed and verifies with stock openssl" \
	bash -c 'cd "$(dirname "$REG")" && cp "$CA" ca.pem && openssl cms -verify -binary -inform DER \
		-in register.jsonl.head.p7s -content register.jsonl.head -CAfile ca.pem -purpose any >/dev/null 2>&1'
check "the same certificate is not registered twice" \
	bash -c 'c=$(ls "$T_DIR"/out/*.json | head -1); ! "$KESU" register import "$c" --register "$REG" --ca "$CA" \
		--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null 2>/dev/null'

# tampered COPY-NAME MUTATION EXPECTED-LINE|PATTERN: verify must fail naming
# that line (or saying PATTERN).
tampered() {
	local name=$1 mut=$2 want=$3 d="$T_DIR/$1" out
	case $want in [0-9]*) want="line $want:" ;; esac
	rm -rf "$d" && cp -a "$T_DIR/reg" "$d"
	(cd "$d" && eval "$mut")
	out=$("$KESU" register verify --register "$d/register.jsonl" --ca "$CA" 2>&1)
	[ $? -eq 9 ] && grep -q "$want" <<<"$out" || { echo "$name: $out" >&2; return 1; }
}
check "an edited line is reported" \
	tampered edit "sed -i '2s/\"result\":\"erased-with-exceptions\"/\"result\":\"erased\"/' register.jsonl" 2
check "an edited last line is caught by the signed head" \
	tampered editlast "sed -i '3s/\"not-erased\"/\"erased\"/' register.jsonl" 3
check "a deleted line is reported" tampered delete "sed -i 2d register.jsonl" 2
check "a deleted last line is caught by the signed head" tampered dellast "sed -i 3d register.jsonl" 3
check "reordered lines are reported" \
	tampered reorder "{ sed -n 1p register.jsonl; sed -n 3p register.jsonl; sed -n 2p register.jsonl; } > r && mv r register.jsonl" 2
check "a truncated register is reported" \
	tampered trunc "truncate -s -40 register.jsonl" 3
check "a replaced certificate file is reported" \
	tampered certswap "c=\$(sed -n 's/.*\"cert_file\":\"\\([^\"]*\\)\".*/\\1/p' register.jsonl | head -1); cp \"\$c\" \"\$c.bak\"; echo ' ' >> \"\$c\"" 1
# restore the certificate the last mutation changed (it edited the shared file)
for b in "$T_DIR"/out/*.json.bak; do [ -e "$b" ] && mv "$b" "${b%.bak}"; done
check "a forged head (re-hashed, unsigned) is rejected" \
	tampered forge "echo tampered >> register.jsonl.head" "head: signature does not verify"

# Torn last line from a crash mid-append: cut at the next append, recorded.
cp -a "$T_DIR/reg" "$T_DIR/torn"
TORN='{"cert_file":"/x","cert_id":"'
export TORN_LEN=${#TORN}
printf '%s' "$TORN" >> "$T_DIR/torn/register.jsonl"
check "verify reports the torn last line" \
	bash -c '"$KESU" register verify --register "$1" --ca "$CA" 2>&1 | grep -q "line 4: incomplete last line"' _ "$T_DIR/torn/register.jsonl"
issue "$FIXTURES/runs/purge.json" op --register "$T_DIR/torn/register.jsonl" >/dev/null
check "the next append cuts it and records a recovery entry" \
	bash -c 'sed -n 4p "$1" | jq -e ".kind == \"recovery\" and .cut_bytes == $TORN_LEN" >/dev/null &&
		sed -n 5p "$1" | jq -e ".kind == \"certificate\" and .seq == 5" >/dev/null' _ "$T_DIR/torn/register.jsonl"
check "and the recovered register verifies" \
	"$KESU" register verify --register "$T_DIR/torn/register.jsonl" --ca "$CA"

# Eight writers at once.
CONC=$T_DIR/conc/register.jsonl
for w in 1 2 3 4 5 6 7 8; do
	( for i in 1 2 3 4 5; do
		issue "$FIXTURES/runs/erased.json" op --register "$CONC" >/dev/null || echo "writer $w failed" >&2
	done ) &
done
wait
check "8 concurrent writers: all 40 entries present" test "$(wc -l < "$CONC")" -eq 40
check "8 concurrent writers: sequence 1..40 without gaps" \
	bash -c '[ "$(jq -r .seq "$1" | tr "\n" " ")" = "$(seq 1 40 | tr "\n" " ")" ]' _ "$CONC"
check "8 concurrent writers: the chain and head verify" \
	"$KESU" register verify --register "$CONC" --ca "$CA"
check "8 concurrent writers: 40 distinct certificates" \
	test "$(jq -r .cert_id "$CONC" | sort -u | wc -l)" -eq 40

# list / export
check "list filters by serial" \
	bash -c '[ "$("$KESU" register list --register "$REG" --serial WD-WCC6Y0ABCDEF --json | jq length)" -eq 3 ] &&
		[ "$("$KESU" register list --register "$REG" --serial nope --json | jq length)" -eq 0 ]'
check "list filters by operator and time" \
	bash -c '[ "$("$KESU" register list --register "$REG" --operator "山田 太郎" --since 2020-01-01 --json | jq length)" -eq 3 ] &&
		[ "$("$KESU" register list --register "$REG" --until 2020-01-01 --json | jq length)" -eq 0 ]'
check "list refuses a damaged register" \
	bash -c '! "$KESU" register list --register "$T_DIR/delete/register.jsonl" >/dev/null 2>&1'
sed 's/"serial": "WD-WCC6Y0ABCDEF"/"serial": "=HYPERLINK(\\"http:\/\/x\\",\\"a,b\\")"/' \
	"$FIXTURES/runs/erased.json" > "$T_DIR/evil-run.json"
issue "$T_DIR/evil-run.json" op --register "$REG" >/dev/null
check "export --csv quotes cells and defuses formulas" \
	bash -c '"$KESU" register export --csv --register "$REG" | grep -qF "\"'"'"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\""'
check "export --csv has a header and one row per entry" \
	bash -c '[ "$("$KESU" register export --csv --register "$REG" | wc -l)" -eq 5 ]'

# The city's side: import contractor certificates it can verify.
export CITY=$T_DIR/city/register.jsonl
cc=$(issue "$FIXTURES/runs/erased.json" ctr --no-register)
cp "$T_DIR/contractorca/ca.pem" "$T_DIR/trusted.pem"
check "import verifies a contractor certificate and registers it" \
	bash -c '"$KESU" register import "$1" --register "$CITY" --ca "$T_DIR/trusted.pem" \
		--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null | grep -q "registered as 1"' _ "$cc"
check "import refuses a certificate from an untrusted CA" \
	bash -c 'c=$(issue "$1" op --no-register); out=$("$KESU" register import "$c" --register "$CITY" \
		--ca "$T_DIR/trusted.pem" --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
		--config /dev/null 2>&1); [ $? -eq 9 ] && grep -q "not registered" <<<"$out"' _ "$FIXTURES/runs/erased.json"
check "the city's register verifies with the city's CA" \
	"$KESU" register verify --register "$CITY" --ca "$CA"

t_done
