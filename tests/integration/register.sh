#!/usr/bin/env bash
# The disposal register: hash chain and signed head catch every edit,
# deletion, reordering and truncation; an append refuses a register that
# does not verify, and only a signed repair records a loss; concurrent
# writers lose nothing and readers see no false alarm; what a crash leaves
# after the signed head is cut and recorded; the city imports contractors'
# work; a run record is certified once.
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
cp -a "$T_DIR/reg" "$T_DIR/pristine"
check "register verify accepts the untouched register" \
	"$KESU" register verify --register "$REG" --ca "$CA"
check "register verify --json" \
	bash -c '"$KESU" register verify --json --register "$REG" --ca "$CA" | jq -e ".ok and .lines == 3 and .head_seq == 3" >/dev/null'
check "the head is CMS-signed and verifies with stock openssl" \
	bash -c 'cd "$(dirname "$REG")" && cp "$CA" ca.pem && openssl cms -verify -binary -inform DER \
		-in register.jsonl.head.p7s -content register.jsonl.head -CAfile ca.pem -purpose any >/dev/null 2>&1'
check "re-importing a registered certificate exits 0, says so, adds nothing" \
	bash -c 'c=$(ls "$T_DIR"/out/*.json | head -1); out=$("$KESU" register import "$c" --register "$REG" --ca "$CA" \
		--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null) &&
		grep -q "already registered as" <<<"$out" && [ "$(wc -l < "$REG")" -eq 3 ]'

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
	bash -c '"$KESU" register verify --register "$1" --ca "$CA" 2>&1 | grep -q "line 4: .*not covered by the signed head"' _ "$T_DIR/torn/register.jsonl"
issue "$FIXTURES/runs/purge.json" op --register "$T_DIR/torn/register.jsonl" >/dev/null
check "the next append cuts it and records a recovery entry" \
	bash -c 'sed -n 4p "$1" | jq -e ".kind == \"recovery\" and .cut_bytes == $TORN_LEN" >/dev/null &&
		sed -n 5p "$1" | jq -e ".kind == \"certificate\" and .seq == 5" >/dev/null' _ "$T_DIR/torn/register.jsonl"
check "and the recovered register verifies" \
	"$KESU" register verify --register "$T_DIR/torn/register.jsonl" --ca "$CA"
check "the cut bytes are kept beside the register" \
	bash -c '[ "$(cat "$1.cut-4")" = "$2" ]' _ "$T_DIR/torn/register.jsonl" "$TORN"

# Eight writers at once.
CONC=$T_DIR/conc/register.jsonl
for w in 1 2 3 4 5 6 7 8; do
	( for i in 1 2 3 4 5; do
		r=$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/conc-run-$w-$i.json")
		issue "$r" op --register "$CONC" >/dev/null || echo "writer $w failed" >&2
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
	bash -c '[ "$("$KESU" register list --register "$REG" --ca "$CA" --serial WD-WCC6Y0ABCDEF --json | jq length)" -eq 3 ] &&
		[ "$("$KESU" register list --register "$REG" --ca "$CA" --serial nope --json | jq length)" -eq 0 ]'
check "list filters by operator and time" \
	bash -c '[ "$("$KESU" register list --register "$REG" --ca "$CA" --operator "山田 太郎" --since 2020-01-01 --json | jq length)" -eq 3 ] &&
		[ "$("$KESU" register list --register "$REG" --ca "$CA" --until 2020-01-01 --json | jq length)" -eq 0 ]'
check "list refuses a damaged register" \
	bash -c '! "$KESU" register list --register "$T_DIR/delete/register.jsonl" --ca "$CA" >/dev/null 2>&1'
sed 's/"serial": "WD-WCC6Y0ABCDEF"/"serial": "=HYPERLINK(\\"http:\/\/x\\",\\"a,b\\")"/' \
	"$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/evil-base.json")" > "$T_DIR/evil-run.json"
issue "$T_DIR/evil-run.json" op --register "$REG" >/dev/null
check "export --csv quotes cells and defuses formulas" \
	bash -c '"$KESU" register export --csv --register "$REG" --ca "$CA" | grep -qF "\"'"'"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\""'
check "export --csv has a header and one row per entry" \
	bash -c '[ "$("$KESU" register export --csv --register "$REG" --ca "$CA" | wc -l)" -eq 5 ]'

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

# ---- An append checks the tail against the signed head (issue 10, item 4).
# Every attack gets its own register copy and its own test: verify names the
# line, an ordinary append (cert issue, register import, kesu wipe) is
# refused with that line and changes nothing, and verify still fails.
# (Before the fix, each append succeeded and verify passed again.)
TRUST=$T_DIR/trust.conf
# Class 3 with a typed approver, as the issue helper certifies: no signed
# approval asked for here ([policy]).
printf '[trust]\nca_file = %s\n[policy]\nsigned_approval_classes = none\n' "$CA" > "$TRUST"
export TRUST FIXTURES

# attack NAME MUTATION LINE: a copy of the pristine register with MUTATION
# applied (in its directory); prints the copy's directory.
attack() {
	local d="$T_DIR/atk-$1"
	rm -rf "$d" && cp -a "$T_DIR/pristine" "$d" && (cd "$d" && eval "$2") && echo "$d"
}
# refused_by HOW DIR LINE: the append is refused, names LINE, nothing changes.
refused_by() {
	local how=$1 d=$2 line=$3 before after out rc run
	before=$(cat "$d"/register.jsonl* 2>/dev/null | sha256sum)
	run=$(new_run "$FIXTURES/runs/purge.json" "$d/run.json")
	case $how in
	issue) out=$(issue "$run" op --register "$d/register.jsonl" --config "$TRUST" 2>&1) ;;
	import)
		c=$(issue "$run" op --no-register) &&
		out=$("$KESU" register import "$c" --register "$d/register.jsonl" --ca "$CA" \
			--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null 2>&1) ;;
	esac
	rc=$?
	after=$(cat "$d"/register.jsonl* 2>/dev/null | sha256sum)
	[ "$rc" -eq 9 ] && grep -q "line $line: .*nothing appended" <<<"$out" && [ "$before" = "$after" ] &&
		! "$KESU" register verify --register "$d/register.jsonl" --ca "$CA" >/dev/null 2>&1 ||
		{ echo "refused_by $how $d: rc=$rc $out" >&2; return 1; }
}
export -f refused_by
declare -A ATTACKS=(
	[dellast]="sed -i 3d register.jsonl|3"
	[del2last]="sed -i 2,3d register.jsonl|2"
	[editlast]="sed -i '3s/\"not-erased\"/\"erased\"/' register.jsonl|3"
	[cutcovered]="truncate -s -40 register.jsonl|3"
	[emptied]=": > register.jsonl|1"
)
for a in dellast del2last editlast cutcovered emptied; do
	mut=${ATTACKS[$a]%|*} line=${ATTACKS[$a]#*|}
	for how in issue import; do
		d=$(attack "$a-$how" "$mut")
		check "append refused after attack '$a' ($how): line $line named, nothing written" \
			refused_by "$how" "$d" "$line"
	done
	check "list refuses the register after attack '$a'" \
		bash -c 'out=$("$KESU" register list --register "$1/register.jsonl" --ca "$CA" 2>&1); [ $? -eq 9 ] && grep -q "line $2:" <<<"$out"' \
		_ "$T_DIR/atk-$a-issue" "$line"
	check "export refuses the register after attack '$a'" \
		bash -c 'out=$("$KESU" register export --csv --register "$1/register.jsonl" --ca "$CA" 2>&1); [ $? -eq 9 ] && grep -q "line $2:" <<<"$out"' \
		_ "$T_DIR/atk-$a-issue" "$line"
done
d=$(attack headgone "rm register.jsonl.head register.jsonl.head.p7s")
check "append refused when the signed head was deleted" \
	bash -c 'out=$(issue "$(new_run "$FIXTURES/runs/purge.json" "$1/r.json")" op --register "$1/register.jsonl" --config "$TRUST" 2>&1);
		[ $? -eq 9 ] && grep -q "signed head is missing" <<<"$out" && [ "$(wc -l < "$1/register.jsonl")" -eq 3 ]' _ "$d"
d=$(attack headflip "flip register.jsonl.head.p7s 200")
check "append refused when the head's signature was damaged" \
	bash -c 'out=$(issue "$(new_run "$FIXTURES/runs/purge.json" "$1/r.json")" op --register "$1/register.jsonl" --config "$TRUST" 2>&1);
		[ $? -eq 9 ] && grep -q "signed head:" <<<"$out" && [ "$(wc -l < "$1/register.jsonl")" -eq 3 ]' _ "$d"

# A forger deletes the last line and signs a matching head with a key of
# their own: a writer with [trust] ca_file refuses it.
make_ca evilca && make_operator evil evilca
d=$(attack forged "sed -i 3d register.jsonl")
printf '{\n  "line_sha256": "%s",\n  "register": "register.jsonl",\n  "schema": "kesu-register-head/1",\n  "seq": 2,\n  "time": "2026-11-22T10:00:00+09:00"\n}\n' \
	"$(sed -n 2p "$d/register.jsonl" | tr -d '\n' | sha256sum | cut -c1-64)" > "$d/register.jsonl.head"
openssl cms -sign -binary -md sha256 -outform DER -in "$d/register.jsonl.head" -out "$d/register.jsonl.head.p7s" \
	-signer "$T_DIR/evil/cert.pem" -inkey "$T_DIR/evil/kesu-signing.key" 2>/dev/null
check "a head re-signed by a forger's own key is refused by a writer that trusts the CA" \
	bash -c 'out=$(issue "$(new_run "$FIXTURES/runs/purge.json" "$1/r.json")" op --register "$1/register.jsonl" --config "$TRUST" 2>&1);
		[ $? -eq 9 ] && grep -q "signed head: .*not issued by" <<<"$out" && [ "$(wc -l < "$1/register.jsonl")" -eq 2 ] ||
		{ echo "$out" >&2; false; }' _ "$d"

# kesu wipe goes through the same issuing path and refuses before it erases.
img=$(make_image wipe.img 4) && L=$(make_loop "$img") && printf 'KEEPME' | dd of="$L" conv=notrunc status=none
d=$(attack wipe "sed -i 3d register.jsonl")
check "kesu wipe refuses a damaged register before erasing anything" \
	bash -c 'out=$("$KESU" wipe --yes --quiet --progress=none --state-dir "$T_DIR/state" --out "$T_DIR/wout" \
		--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config "$TRUST" --operator x \
		--organization o --customer c --asset A-9 --class 2 --reason disposal --approver a \
		--approval-date 2026-11-20 --register "$1/register.jsonl" "$2" 2>&1); rc=$?
		[ $rc -eq 9 ] && grep -q "line 3:" <<<"$out" && [ "$(head -c 6 "$2")" = KEEPME ] ||
		{ echo "rc=$rc $out" >&2; false; }' _ "$d" "$L"

# ---- A crash's leftovers after the signed head stay recoverable.
# A whole line whose head never came (the append before was cut off after
# its line was written): the next append cuts and records it.
cp -a "$T_DIR/pristine" "$T_DIR/uncov" && cp -a "$T_DIR/pristine" "$T_DIR/uncov-next"
issue "$(new_run "$FIXTURES/runs/purge.json" "$T_DIR/uncov-run.json")" op --register "$T_DIR/uncov-next/register.jsonl" >/dev/null
cp "$T_DIR/uncov-next/register.jsonl" "$T_DIR/uncov/register.jsonl"
check "verify reports a line after the signed head" \
	bash -c '"$KESU" register verify --register "$1" --ca "$CA" 2>&1 | grep -q "line 4: .*not covered"' _ "$T_DIR/uncov/register.jsonl"
check "the next append cuts the uncovered line, records it, and verifies" \
	bash -c 'issue "$(new_run "$FIXTURES/runs/purge.json" "$T_DIR/uncov-run2.json")" op --register "$1" --config "$TRUST" >/dev/null &&
		sed -n 4p "$1" | jq -e ".kind == \"recovery\"" >/dev/null && "$KESU" register verify --register "$1" --ca "$CA" >/dev/null' \
	_ "$T_DIR/uncov/register.jsonl"

# A crash between the head's two renames: new head, old signature, the new
# signature still in its temporary file.
cp -a "$T_DIR/pristine" "$T_DIR/halfhead"
cp "$T_DIR/uncov-next/register.jsonl" "$T_DIR/uncov-next/register.jsonl.head" "$T_DIR/halfhead/"
cp "$T_DIR/uncov-next/register.jsonl.head.p7s" "$T_DIR/halfhead/register.jsonl.head.p7s.tmp.Ab12Cd"
echo junk > "$T_DIR/halfhead/register.jsonl.head.tmp.Zz99Yy"
check "verify reports the half-written head" \
	bash -c '! "$KESU" register verify --register "$1" --ca "$CA" >/dev/null 2>&1' _ "$T_DIR/halfhead/register.jsonl"
check "the next append finishes the interrupted head, removes stray temporary files, and verifies" \
	bash -c 'issue "$(new_run "$FIXTURES/runs/purge.json" "$T_DIR/half-run.json")" op --register "$1" --config "$TRUST" >/dev/null &&
		[ "$(wc -l < "$1")" -eq 5 ] && ! ls "$1".head*.tmp.* >/dev/null 2>&1 &&
		"$KESU" register verify --register "$1" --ca "$CA" >/dev/null' _ "$T_DIR/halfhead/register.jsonl"

# ---- register repair: the only way past a loss, signed and on the record.
export RK_KEY="$T_DIR/op/kesu-signing.key" RK_CERT="$T_DIR/op/cert.pem"
repaired() { # DIR LOST_FIRST LOST_LAST (or null null)
	local r="$1/register.jsonl"
	"$KESU" register repair --register "$r" --reason "restore failed; lines lost" --operator '佐藤 花子' \
		--key "$RK_KEY" --cert "$RK_CERT" --config /dev/null --ca "$CA" >/dev/null &&
	"$KESU" register verify --register "$r" --ca "$CA" >/dev/null &&
	tail -n 1 "$r" | jq -e --argjson f "$2" --argjson l "$3" '.kind == "repair" and .lost_first_seq == $f and
		.lost_last_seq == $l and .by == "佐藤 花子" and (.signer | test("CN=op")) and .reason != ""' >/dev/null &&
	issue "$(new_run "$FIXTURES/runs/purge.json" "$1/after.json")" op --register "$r" --config "$TRUST" >/dev/null &&
	"$KESU" register verify --register "$r" --ca "$CA" >/dev/null
}
export -f repaired
check "repair after deleting the last line records seq 3 lost; appends work again" repaired "$T_DIR/atk-dellast-issue" 3 3
check "repair after deleting two lines records seqs 2-3 lost" repaired "$T_DIR/atk-del2last-issue" 2 3
check "repair after editing the last line records seq 3 lost and keeps the edited bytes" \
	bash -c 'repaired "$1" 3 3 && grep -q "\"erased\"" "$1/register.jsonl.cut-4"' _ "$T_DIR/atk-editlast-issue"
check "repair after emptying the file records seqs 1-3 lost" repaired "$T_DIR/atk-emptied-issue" 1 3
check "repair without a verified head records the loss as unknown" repaired "$T_DIR/atk-headgone" null null
check "the repair line's sequence skips the lost numbers, so none is reused" \
	bash -c '[ "$(jq -r .seq "$1/register.jsonl" | tr "\n" " ")" = "1 2 4 5 " ]' _ "$T_DIR/atk-dellast-issue"
check "repair on a register that verifies writes nothing" \
	bash -c 'b=$(sha256sum < "$1"); out=$("$KESU" register repair --register "$1" --reason x --operator y \
		--key "$RK_KEY" --cert "$RK_CERT" --config /dev/null --ca "$CA") && grep -q "nothing to repair" <<<"$out" &&
		[ "$(sha256sum < "$1")" = "$b" ]' _ "$T_DIR/pristine/register.jsonl"
check "repair needs a reason" \
	bash -c '"$KESU" register repair --register "$1" --operator y --key "$RK_KEY" --cert "$RK_CERT" \
		--config /dev/null --ca "$CA" 2>/dev/null; [ $? -eq 2 ]' _ "$T_DIR/atk-cutcovered-issue/register.jsonl"
check "repair lines show in list" \
	bash -c '"$KESU" register list --register "$1" --ca "$CA" | grep -q "(repair)"' _ "$T_DIR/atk-dellast-issue/register.jsonl"

# ---- A run record is certified once (item 7).
check "cert issue refuses a second certificate for a registered run, before signing" \
	bash -c 'n=$(ls "$T_DIR/out" | wc -l); out=$(issue "$FIXTURES/runs/erased.json" op --register "$REG" 2>&1);
		[ $? -eq 9 ] && grep -q "already certified" <<<"$out" && [ "$(ls "$T_DIR/out" | wc -l)" -eq "$n" ]'
check "import refuses another certificate (new id) for a registered run" \
	bash -c 'c=$(issue "$FIXTURES/runs/erased.json" op --no-register); out=$("$KESU" register import "$c" --register "$REG" \
		--ca "$CA" --key "$RK_KEY" --cert "$RK_CERT" --config /dev/null 2>&1); [ $? -eq 9 ] && grep -q "already certified" <<<"$out"'
c1=$(jq -r 'select(.kind=="certificate") | .cert_file' "$REG" | head -1)
cp "$c1" "$T_DIR/sameid.json" && sed -i 's/"A-0001"/"A-9999"/' "$T_DIR/sameid.json"
openssl cms -sign -binary -md sha256 -outform DER -in "$T_DIR/sameid.json" -out "$T_DIR/sameid.json.p7s" \
	-signer "$RK_CERT" -inkey "$RK_KEY" 2>/dev/null
check "import refuses a different certificate with a registered id" \
	bash -c 'out=$("$KESU" register import "$1" --register "$REG" --ca "$CA" --key "$RK_KEY" --cert "$RK_CERT" \
		--config /dev/null 2>&1); [ $? -eq 9 ] && grep -q "different certificate" <<<"$out"' _ "$T_DIR/sameid.json"

# ---- register verify compares each line with its certificate (item 6).
# An insider with a certified key rewrites line 1's result and re-chains:
# the hashes all agree, but the line no longer says what the certificate says.
rechain() { # DIR: recompute every prev link and sign a new head with op's key
	local r="$1/register.jsonl" prev=0000000000000000000000000000000000000000000000000000000000000000 line out="" n=0
	while IFS= read -r line; do
		line=$(jq -cS --arg p "$prev" '.prev = $p' <<<"$line")
		prev=$(printf '%s' "$line" | sha256sum | cut -c1-64)
		out+="$line"$'\n'; n=$((n + 1))
	done < "$r"
	printf '%s' "$out" > "$r"
	printf '{\n  "line_sha256": "%s",\n  "register": "register.jsonl",\n  "schema": "kesu-register-head/1",\n  "seq": %d,\n  "time": "2026-11-22T10:00:00+09:00"\n}\n' \
		"$prev" "$n" > "$r.head"
	openssl cms -sign -binary -md sha256 -outform DER -in "$r.head" -out "$r.head.p7s" \
		-signer "$RK_CERT" -inkey "$RK_KEY" 2>/dev/null
}
cp -a "$T_DIR/pristine" "$T_DIR/rechained" && rechain "$T_DIR/rechained"
check "a re-chained, re-signed copy of an untouched register verifies (the forging tool is exact)" \
	"$KESU" register verify --register "$T_DIR/rechained/register.jsonl" --ca "$CA"
for f in result:'"erased-with-exceptions"' serial:'"FORGED"' operator:'"別人"' run_id:'"00000000-0000-4000-8000-000000000000"' model:null; do
	k=${f%%:*} v=${f#*:}
	cp -a "$T_DIR/pristine" "$T_DIR/forge-$k"
	jq -cS ".$k = $v" <<<"$(sed -n 1p "$T_DIR/forge-$k/register.jsonl")" > "$T_DIR/l1"
	{ cat "$T_DIR/l1"; sed -n '2,$p' "$T_DIR/forge-$k/register.jsonl"; } > "$T_DIR/forge-$k/r" && mv "$T_DIR/forge-$k/r" "$T_DIR/forge-$k/register.jsonl"
	rechain "$T_DIR/forge-$k"
	check "verify catches a re-chained line whose $k contradicts its certificate" \
		bash -c 'out=$("$KESU" register verify --register "$1/register.jsonl" --ca "$CA" 2>&1); [ $? -eq 9 ] &&
			grep -q "line 1: its $2 does not match the certificate" <<<"$out" || { echo "$out" >&2; false; }' _ "$T_DIR/forge-$k" "$k"
done

# ---- Readers take a shared lock: no false alarm during appends (item 5).
LIVE=$T_DIR/live/register.jsonl
issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/live-0.json")" op --register "$LIVE" >/dev/null
( for i in $(seq 1 15); do
	issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/live-$i.json")" op --register "$LIVE" >/dev/null
done; touch "$T_DIR/live.done" ) &
alarms=0 reads=0
while [ ! -e "$T_DIR/live.done" ]; do
	"$KESU" register verify --register "$LIVE" --ca "$CA" >/dev/null 2>"$T_DIR/live.err" || { alarms=$((alarms + 1)); cat "$T_DIR/live.err" >&2; }
	reads=$((reads + 1))
done
wait
echo "# concurrent verify: $reads reads during 15 appends, $alarms false alarms"
check "verify during concurrent appends raises no false alarm ($reads reads)" test "$alarms" -eq 0

# ---- A full file system never leaves a line without its head.
FULL=$T_DIR/full
mkdir -p "$FULL" && t_mount_tmpfs() { mount -t tmpfs -o size=256k tmpfs "$FULL" && T_MOUNTS=("$FULL" "${T_MOUNTS[@]}"); }
if t_mount_tmpfs; then
	cp -a "$T_DIR/pristine/." "$FULL/"
	dd if=/dev/zero of="$FULL/filler" bs=4k status=none 2>/dev/null
	b=$(sha256sum < "$FULL/register.jsonl")
	out=$(issue "$(new_run "$FIXTURES/runs/purge.json" "$T_DIR/full-run.json")" op --register "$FULL/register.jsonl" 2>&1)
	rc=$?
	check "an append on a full file system fails (exit 7) and leaves the register as it was" \
		bash -c '[ "$1" -eq 7 ] && [ "$(sha256sum < "$2/register.jsonl")" = "$3" ] &&
			! ls "$2"/register.jsonl.head*.tmp.* >/dev/null 2>&1 || { echo "rc=$1 $4" >&2; false; }' _ "$rc" "$FULL" "$b" "$out"
	check "and the register still verifies" "$KESU" register verify --register "$FULL/register.jsonl" --ca "$CA"
	rm -f "$FULL/filler"
	check "with space again, the append succeeds and verifies" \
		bash -c 'issue "$(new_run "$FIXTURES/runs/purge.json" "$T_DIR/full-run2.json")" op --register "$1" >/dev/null &&
			"$KESU" register verify --register "$1" --ca "$CA" >/dev/null' _ "$FULL/register.jsonl"
	umount "$FULL"
else
	not_ok "tmpfs for the full file system test"
fi

t_done
