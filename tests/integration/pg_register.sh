#!/usr/bin/env bash
# The register in PostgreSQL, against a real throwaway server: schema and
# roles, stations that can only append, concurrent stations, a server
# killed mid-append, superuser edits found by verify, push/pull, and
# connection errors that never show a password.
#
# KESU_PG_STATIONS x KESU_PG_APPENDS concurrent appends (default 16 x 6
# here; `make pgcheck-full` runs 16 x 200).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"
. "$(dirname "$0")/../pglib.sh"

STATIONS=${KESU_PG_STATIONS:-16}
APPENDS=${KESU_PG_APPENDS:-6}

trap 'stop_tsa; pg_stop; t_cleanup' EXIT
pg_start || { not_ok "PostgreSQL test cluster starts"; t_done; exit 1; }
make_ca ca && make_operator op ca && make_operator cityop ca && make_tsa tsa && make_tsa rogue ||
	{ not_ok "test CA and TSA set-up"; t_done; exit 1; }
mkdir -p "$T_DIR/out"
export CA=$T_DIR/ca/ca.pem
psql_as postgres postgres -c "CREATE ROLE kesu_admin LOGIN CREATEROLE" \
	-c "CREATE DATABASE kesu OWNER kesu_admin" >/dev/null

ADMIN=$(pg_url kesu_admin)
check "init-db --schema-version 1 makes the database an older kesu made" \
	bash -c '"$KESU" register init-db --schema-version 1 --register "$1" | grep -q "schema at version 1 (was 0)"' _ "$ADMIN"
check "a version 1 database is refused until init-db upgrades it" \
	bash -c 'out=$("$KESU" register list --ca "$CA" --register "$1" 2>&1); [ $? -ne 0 ] && grep -q "schema version 1, this kesu needs 3" <<<"$out"' _ "$ADMIN"
check "init-db --schema-version 2 upgrades version 1 to 2" \
	bash -c '"$KESU" register init-db --schema-version 2 --register "$1" | grep -q "schema at version 2 (was 1)"' _ "$ADMIN"
check "init-db upgrades version 2 to 3" \
	bash -c '"$KESU" register init-db --register "$1" | grep -q "schema at version 3 (was 2)"' _ "$ADMIN"
check "init-db again changes nothing" \
	bash -c '"$KESU" register init-db --register "$1" 2>&1 | grep -qx ".*: schema already at version 3"' _ "$ADMIN"
check "init-db --schema-version 9 is refused (exit 2)" \
	bash -c '"$KESU" register init-db --schema-version 9 --register "$1" >/dev/null 2>&1; [ $? -eq 2 ]' _ "$ADMIN"
for i in $(seq -w 1 "$STATIONS"); do
	psql_as postgres -c "CREATE ROLE st$i LOGIN IN ROLE kesu_station" >/dev/null
done
psql_as postgres -c "CREATE ROLE city LOGIN IN ROLE kesu_sealer" \
	-c "CREATE ROLE auditor LOGIN IN ROLE kesu_reader" >/dev/null
export ST=$(pg_url st01) CITY=$(pg_url city)
CITYKEY=(--key "$T_DIR/cityop/kesu-signing.key" --cert "$T_DIR/cityop/cert.pem" --config /dev/null)

# ---- a station appends; the city seals ----
for run in erased exceptions interrupted; do
	issue "$FIXTURES/runs/$run.json" op --register "$ST" >/dev/null
done
check "three certificates appended by a station" \
	test "$(psql_as postgres -c 'SELECT count(*) FROM kesu.entries')" -eq 3
check "the stored lines are the file register's canonical lines, chained" \
	bash -c '"$PGBIN/psql" "host=$1 user=postgres dbname=kesu" -XAt -c "SELECT convert_from(line, '"'UTF8'"') FROM kesu.entries ORDER BY seq" > "$T_DIR/lines.jsonl" &&
		[ "$(jq -r .prev "$T_DIR/lines.jsonl" | sed -n 2p)" = "$(sed -n 1p "$T_DIR/lines.jsonl" | tr -d "\n" | sha256sum | cut -d" " -f1)" ]' _ "$PG_DIR"
check "verify accepts the untouched database register" \
	"$KESU" register verify --register "$ST" --ca "$CA"
check "a station cannot seal" \
	bash -c '"$KESU" register seal --register "$ST" --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null 2>/dev/null; [ $? -eq 5 ]'
check "the city seals the head" \
	bash -c '"$KESU" register seal --register "$CITY" "$@" | grep -q "sealed at entry 3"' _ "${CITYKEY[@]}"
check "verify --json: chain, documents and seal" \
	bash -c '"$KESU" register verify --json --register "$ST" --ca "$CA" | jq -e ".ok and .entries == 3 and .seals == 1 and .sealed_seq == 3 and .unsealed == 0 and .documents_checked == 3" >/dev/null'
check "the seal verifies with stock openssl" \
	bash -c 'cd "$T_DIR" && psql_as postgres -c "SELECT encode(head, '"'hex'"') FROM kesu.seals" | xxd -r -p > seal.json &&
		psql_as postgres -c "SELECT encode(sig, '"'hex'"') FROM kesu.seals" | xxd -r -p > seal.json.p7s &&
		openssl cms -verify -binary -inform DER -in seal.json.p7s -content seal.json -CAfile "$CA" -purpose any >/dev/null 2>&1'
check "the same certificate is not registered twice" \
	bash -c 'c=$(ls "$T_DIR"/out/*.json | head -1); out=$("$KESU" register import "$c" --register "$ST" --ca "$CA" \
		--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null 2>&1); [ $? -eq 9 ] && grep -q "already in the register" <<<"$out"'

# ---- a run is certified once, by the database ----
check "a second certificate for a run: refused before it is signed" \
	bash -c 'out=$(issue "$1" op --register "$ST" 2>&1); [ $? -eq 9 ] && grep -q "already certified by certificate" <<<"$out"' _ "$FIXTURES/runs/erased.json"
issue "$FIXTURES/runs/erased.json" op --no-register --cert-dir "$T_DIR/dup" > "$T_DIR/dup.path" 2>/dev/null
check "a second certificate for a run: refused by kesu.append() (import)" \
	bash -c 'out=$("$KESU" register import "$(cat "$T_DIR/dup.path")" --register "$ST" --ca "$CA" \
		--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null 2>&1)
		[ $? -eq 9 ] && grep -q "run .* is already certified by certificate .* (register entry 1); a run record is certified once" <<<"$out" &&
		[ "$(psql_as postgres -c "SELECT count(*) FROM kesu.entries")" -eq 3 ]'
check "a second certificate for a run: refused by the unique index, even for the owner" \
	bash -c 'out=$(psql_as postgres -c "BEGIN; INSERT INTO kesu.entries (seq, prev, line_sha256, line, kind, at, run_id) SELECT 99, prev, line_sha256, line, kind, at, run_id FROM kesu.entries WHERE seq = 1; ROLLBACK" 2>&1)
		grep -q "entries_run_id" <<<"$out"'

# ---- migration 2 on a database an older kesu filled ----
v1copy() { # DB: a version 1 database holding the kesu database's rows
	psql_as postgres postgres -c "CREATE DATABASE $1 OWNER kesu_admin" >/dev/null &&
	"$KESU" register init-db --schema-version 1 --register "$(pg_url kesu_admin "$1")" >/dev/null &&
	psql_as postgres -c "COPY (SELECT seq, prev, line_sha256, line, kind, at, cert_id, serial, model, result, operator_name FROM kesu.entries ORDER BY seq) TO STDOUT" |
		psql_as postgres "$1" -c "COPY kesu.entries (seq, prev, line_sha256, line, kind, at, cert_id, serial, model, result, operator_name) FROM STDIN" &&
	psql_as postgres -c "COPY kesu.documents TO STDOUT" | psql_as postgres "$1" -c "COPY kesu.documents FROM STDIN" &&
	psql_as postgres "$1" -c "UPDATE kesu.head SET (seq, line_sha256) = (SELECT seq, line_sha256 FROM kesu.entries ORDER BY seq DESC LIMIT 1)"
}
v1copy mig >/dev/null
check "migration 2 on a filled version 1 database: run ids taken from the lines, chain verifies" \
	bash -c '"$KESU" register init-db --register "$(pg_url kesu_admin mig)" | grep -q "version 3 (was 1)" &&
		[ "$(psql_as postgres mig -c "SELECT count(*) FROM kesu.entries WHERE run_id::text = convert_from(line, '"'UTF8'"')::jsonb->>'"'run_id'"'")" -eq 3 ] &&
		"$KESU" register verify --register "$(pg_url auditor mig)" --ca "$CA" >/dev/null'
check "migration 2 again: nothing to do" \
	bash -c '"$KESU" register init-db --register "$(pg_url kesu_admin mig)" | grep -q "already at version 3"'
v1copy migdup >/dev/null
psql_as postgres migdup -c "UPDATE kesu.entries SET line = convert_to(replace(convert_from(line, 'UTF8'), (SELECT convert_from(line, 'UTF8')::jsonb->>'run_id' FROM kesu.entries WHERE seq = 3), (SELECT convert_from(line, 'UTF8')::jsonb->>'run_id' FROM kesu.entries WHERE seq = 1)), 'UTF8') WHERE seq = 3" >/dev/null
check "migration 2 on a register that certifies a run twice: refused, left at version 1" \
	bash -c 'out=$("$KESU" register init-db --register "$(pg_url kesu_admin migdup)" 2>&1); [ $? -ne 0 ] && grep -q "is certified twice (entries 1 and 3)" <<<"$out" &&
		[ "$(psql_as postgres migdup -c "SELECT max(version) FROM kesu.schema_version")" -eq 1 ]'

# ---- what a station may not do ----
refused() { # ROLE SQL
	local out
	out=$(psql_as "$1" -c "$2" 2>&1) && return 1
	grep -q "permission denied" <<<"$out"
}
check "a station cannot UPDATE entries" refused st01 "UPDATE kesu.entries SET result = 'erased'"
check "a station cannot DELETE entries" refused st01 "DELETE FROM kesu.entries WHERE seq = 3"
check "a station cannot UPDATE documents" refused st01 "UPDATE kesu.documents SET cert = ''::bytea"
check "a station cannot move the head" refused st01 "UPDATE kesu.head SET seq = 0"
check "a station cannot INSERT around append()" \
	refused st01 "INSERT INTO kesu.entries (seq, prev, line_sha256, line, kind, at) VALUES (99, '', '', '', 'certificate', now())"
check "a station cannot TRUNCATE" refused st01 "TRUNCATE kesu.seals"
check "a station cannot add seals" refused st01 "SELECT kesu.seal(''::bytea, ''::bytea)"
check "a reader cannot append" refused auditor "SELECT kesu.append(''::bytea, ''::bytea, ''::bytea)"
check "append() refuses a line that does not extend the head" \
	bash -c 'out=$(psql_as st01 -c "SELECT kesu.append(line, d.cert, d.sig) FROM kesu.entries e JOIN kesu.documents d USING (seq) WHERE seq = 1" 2>&1); grep -q "does not extend the chain head" <<<"$out"'

# ---- superuser edits, each on its own copy of the database ----
tampered() { # NAME SQL EXPECTED-PATTERN [TEMPLATE] (check runs it in a subshell: no counters)
	local db=t_$1 out
	psql_as postgres postgres -c "CREATE DATABASE $db TEMPLATE ${4:-kesu}" >/dev/null || return 1
	psql_as postgres "$db" -c "$2" >/dev/null || return 1
	out=$("$KESU" register verify --register "$(pg_url auditor "$db")" --ca "$CA" 2>&1)
	[ $? -eq 9 ] && grep -q "$3" <<<"$out" || { echo "$1: $out" >&2; return 1; }
}
EDIT_LINE="UPDATE kesu.entries SET line = convert_to(replace(convert_from(line, 'UTF8'), '\"result\":\"erased-with-exceptions\"', '\"result\":\"erased\"'), 'UTF8'), result = 'erased' WHERE seq = 2"
check "an edited line is reported" tampered edit "$EDIT_LINE" "entry 2: edited after it was written"
check "an edited column (line intact) is reported" \
	tampered column "UPDATE kesu.entries SET serial = 'OTHER' WHERE seq = 2" "entry 2: the serial column does not match"
check "an asset column edited (certificate intact) is reported" \
	tampered asset "UPDATE kesu.entries SET asset = 'A-9999' WHERE seq = 2" "entry 2: the asset column does not match the stored certificate"
check "a run id moved by the superuser (past the unique index) is reported" \
	tampered runid "UPDATE kesu.entries SET run_id = gen_random_uuid() WHERE seq = 2" "entry 2: the run_id column does not match"
check "a deleted row is reported" \
	tampered delete "DELETE FROM kesu.documents WHERE seq = 2; DELETE FROM kesu.entries WHERE seq = 2" "entry 2: sequence number 3 where 2"
check "reordered rows are reported" \
	tampered reorder "ALTER TABLE kesu.documents DROP CONSTRAINT documents_seq_fkey; UPDATE kesu.entries SET seq = 100 WHERE seq = 2; UPDATE kesu.entries SET seq = 2 WHERE seq = 3; UPDATE kesu.entries SET seq = 3 WHERE seq = 100" "entry 2: sequence number 3 where 2"
check "a deleted last row is caught by the seal" \
	tampered tail "DELETE FROM kesu.documents WHERE seq = 3; DELETE FROM kesu.entries WHERE seq = 3; UPDATE kesu.head SET seq = 2, line_sha256 = (SELECT line_sha256 FROM kesu.entries WHERE seq = 2)" "entry 3: missing; seal 1"
check "a replaced document is reported" \
	tampered doc "UPDATE kesu.documents SET cert = cert || '\\x20'::bytea WHERE seq = 1" "entry 1: the stored certificate does not match"
check "an edited seal is reported" \
	tampered seal "UPDATE kesu.seals SET head = convert_to(replace(convert_from(head, 'UTF8'), '\"seq\": 3', '\"seq\": 2'), 'UTF8')" "seal 1: head signature does not verify"

# The same findings for a person in Japanese; what --json says stays the
# English bytes whatever the locale.
. "$(dirname "$0")/../i18nlib.sh"
ja_verify() { # DB EXPECTED-JAPANESE EXPECTED-ENGLISH-IN-JSON
	local u out a b
	u=$(pg_url auditor "$1")
	out=$(ja register verify --register "$u" --ca "$CA" 2>&1)
	[ $? -eq 9 ] && grep -q "$2" <<<"$out" || { echo "# $out" >&2; return 1; }
	a=$(ja register verify --json --register "$u" --ca "$CA" 2>/dev/null)
	b=$(en register verify --json --register "$u" --ca "$CA" 2>/dev/null)
	[ -n "$b" ] && [ "$a" == "$b" ] && jq -e --arg e "$3" '.error | contains($e)' <<<"$a" >/dev/null
}
if ja_locale; then
	check "ja: an edited column is reported in Japanese (the same --json as under C)" \
		ja_verify t_column "項目 2: serial 列が保存された行と一致しません" \
		"entry 2: the serial column does not match"
	check "ja: a replaced document is reported in Japanese" \
		ja_verify t_doc "項目 1: 保存された証明書が行に記録されたハッシュと一致しません" \
		"entry 1: the stored certificate does not match"
	check "ja: an edited seal is reported in Japanese" \
		ja_verify t_seal "封印 1: ヘッド: " "seal 1: head signature does not verify"
	check "ja: a deleted last row is reported in Japanese" \
		ja_verify t_tail "項目 3: ありません。封印 1 は 3 項目に署名していますが" "entry 3: missing; seal 1"
else
	not_ok "generate ja_JP.UTF-8 with localedef (package locales)"
fi

# ---- concurrent stations ----
conc_start=$(date +%s)
for i in $(seq -w 1 "$STATIONS"); do
	( url=$(pg_url "st$i")
	  for k in $(seq 1 "$APPENDS"); do
		# a run is certified once: every append its own run
		r=$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/st-run-$i-$k.json")
		issue "$r" op --register "$url" >/dev/null || echo "station $i: append failed" >&2
	  done ) &
done
wait
TOTAL=$((3 + STATIONS * APPENDS))
echo "# $STATIONS stations x $APPENDS appends: $(( $(date +%s) - conc_start )) s"
check "$STATIONS concurrent stations: all $TOTAL entries present" \
	test "$(psql_as postgres -c 'SELECT count(*) FROM kesu.entries')" -eq "$TOTAL"
check "$STATIONS concurrent stations: sequence 1..$TOTAL without gaps, in order" \
	bash -c '[ "$("$KESU" register list --ca "$CA" --json --register "$ST" | jq -r ".[].seq" | tr "\n" " ")" = "$(seq 1 "$1" | tr "\n" " ")" ]' _ "$TOTAL"
check "$STATIONS concurrent stations: no certificate twice" \
	test "$(psql_as postgres -c 'SELECT count(DISTINCT cert_id) FROM kesu.entries')" -eq "$TOTAL"
check "$STATIONS concurrent stations: each station's appends recorded under its role" \
	test "$(psql_as postgres -c "SELECT count(*) FROM kesu.entries WHERE seq > 3 GROUP BY station HAVING count(*) = $APPENDS" | wc -l)" -eq "$STATIONS"
"$KESU" register seal --register "$CITY" "${CITYKEY[@]}" >/dev/null
check "$STATIONS concurrent stations: the chain, documents and both seals verify" \
	bash -c '"$KESU" register verify --json --register "$ST" --ca "$CA" | jq -e ".ok and .seals == 2 and .unsealed == 0 and .entries == $1" >/dev/null' _ "$TOTAL"

# ---- seals with RFC 3161 tokens, on a copy (the seal count above stays) ----
# (the TSAs run only here: the stations' `wait` elsewhere would wait for them)
start_tsa tsa || not_ok "local TSA starts"
export TURL=$TSA_URL TCA=$T_DIR/tsa/ca.pem
psql_as postgres postgres -c "CREATE DATABASE tsx TEMPLATE kesu" >/dev/null
export TSX=$(pg_url city tsx) TSXR=$(pg_url auditor tsx)
check "seal --tsa: the seal is timestamped and the token stored with it" \
	bash -c '"$KESU" register seal --register "$TSX" --tsa "$TURL" --tsa-ca-file "$TCA" "$@" | grep -q "sealed at entry .*, timestamped" &&
		[ "$(psql_as postgres tsx -c "SELECT count(*) FROM kesu.seals WHERE tsr IS NOT NULL")" -eq 1 ]' _ "${CITYKEY[@]}"
check "verify --tsa-ca-file checks the seal's token" \
	bash -c '"$KESU" register verify --json --register "$TSXR" --ca "$CA" --tsa-ca-file "$TCA" --config /dev/null | jq -e ".ok and .seals_timestamped == 1 and .seal_tokens_unchecked == 0" >/dev/null'
check "verify without a TSA CA says the token is not checked" \
	bash -c '"$KESU" register verify --register "$TSXR" --ca "$CA" --config /dev/null | grep -q "1 seal timestamps NOT checked"'
check "the seal's token verifies with stock openssl ts" \
	bash -c 'cd "$T_DIR" && psql_as postgres tsx -c "SELECT encode(sig, '"'hex'"') FROM kesu.seals WHERE tsr IS NOT NULL" | xxd -r -p > tseal.p7s &&
		psql_as postgres tsx -c "SELECT encode(tsr, '"'hex'"') FROM kesu.seals WHERE tsr IS NOT NULL" | xxd -r -p > tseal.tsr &&
		openssl ts -verify -data tseal.p7s -in tseal.tsr -CAfile "$TCA" >/dev/null 2>&1'
printf '[trust]\nca_file = %s\ntsa_ca_file = %s\n[timestamp]\nurl = %s\n[signing]\nkey = %s\ncert = %s\n' \
	"$CA" "$TCA" "$TURL" "$T_DIR/cityop/kesu-signing.key" "$T_DIR/cityop/cert.pem" > "$T_DIR/ts.conf"
check "[timestamp] url in kesu.conf timestamps the seal" \
	bash -c '"$KESU" register seal --register "$TSX" --config "$T_DIR/ts.conf" | grep -q ", timestamped" &&
		"$KESU" register verify --json --register "$TSXR" --config "$T_DIR/ts.conf" | jq -e ".ok and .seals_timestamped == 2" >/dev/null'
tsa_mode tsa garbage
n0=$(psql_as postgres tsx -c "SELECT count(*) FROM kesu.seals WHERE tsr IS NULL")
out=$("$KESU" register seal --register "$TSX" --tsa "$TURL" --tsa-ca-file "$TCA" "${CITYKEY[@]}" 2>&1); rc=$?
tsa_mode tsa ok
check "TSA answering garbage: the seal is stored without a token, exit 11" \
	bash -c '[ $1 -eq 11 ] && grep -q "not timestamped" <<<"$2" && grep -q "timestamp authority" <<<"$2" &&
		[ "$(psql_as postgres tsx -c "SELECT count(*) FROM kesu.seals WHERE tsr IS NULL")" -eq $(($3 + 1)) ]' _ "$rc" "$out" "$n0"
start_tsa rogue
check "a seal timestamped by a TSA the verifier does not trust: verify refuses it (exit 9)" \
	bash -c '"$KESU" register seal --register "$TSX" --tsa "$2" --tsa-ca-file "$T_DIR/rogue/ca.pem" "${@:3}" >/dev/null &&
		out=$("$KESU" register verify --register "$TSXR" --ca "$CA" --tsa-ca-file "$TCA" --config /dev/null 2>&1); [ $? -eq 9 ] &&
		grep -q "seal [0-9]*: timestamp token" <<<"$out"' _ "$TSX" "$TSA_URL" "${CITYKEY[@]}"
stop_tsa

# ---- the server killed in the middle of appends ----
before=$(psql_as postgres -c 'SELECT count(*) FROM kesu.entries')
for w in 1 2 3 4; do
	( for k in 1 2 3 4 5 6; do
		r=$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/crash-run-$w-$k.json")
		c=$(issue "$r" op --register "$ST" 2>>"$T_DIR/crash.err") &&
			basename "$c" .json | sed 's/^kesu-cert-//' >> "$T_DIR/acked.$w"
	  done ) &
done
sleep 1
pg_crash
sleep 1
pg_ctl_start
wait
cat "$T_DIR"/acked.* > "$T_DIR/acked" 2>/dev/null
sed "s/^/# not acknowledged: /" "$T_DIR/crash.err" 2>/dev/null
echo "# crash: $(wc -l < "$T_DIR/acked") of 24 appends acknowledged"
check "server killed mid-append: every acknowledged append is there" \
	bash -c 'while read -r id; do [ "$(psql_as postgres -c "SELECT count(*) FROM kesu.entries WHERE cert_id = '"'"'$id'"'"'")" -eq 1 ] || exit 1; done < "$T_DIR/acked"'
check "server killed mid-append: nothing torn, the chain verifies" \
	"$KESU" register verify --register "$ST" --ca "$CA"
check "server killed mid-append: nothing half-written (every entry has its documents)" \
	test "$(psql_as postgres -c 'SELECT count(*) FROM kesu.entries e LEFT JOIN kesu.documents d USING (seq) WHERE d.seq IS NULL')" -eq 0
check "server killed mid-append: appends went on after the restart" \
	test "$(psql_as postgres -c 'SELECT count(*) FROM kesu.entries')" -gt "$before"

# ---- push and pull ----
LOCAL=$T_DIR/station/register.jsonl
mkdir -p "$T_DIR/pushed"
for run in erased exceptions; do
	# runs of their own: the database already certifies the fixtures' runs
	r=$(new_run "$FIXTURES/runs/$run.json" "$T_DIR/push-run-$run.json")
	issue "$r" op --register "$LOCAL" --cert-dir "$T_DIR/pushed" >/dev/null
done
check "push sends a station's local register" \
	bash -c '"$KESU" register push --register "$ST" --from "$1" --ca "$CA" --config /dev/null | grep -q ": 2 entries sent (certificates and documents), 0 already there"' _ "$LOCAL"
check "push again is a no-op (byte-identical, skipped)" \
	bash -c '"$KESU" register push --register "$ST" --from "$1" --ca "$CA" --config /dev/null | grep -q ": 0 entries sent (certificates and documents), 2 already there"' _ "$LOCAL"
check "push refuses a local register that does not verify" \
	bash -c 'cp -a "$T_DIR/station" "$T_DIR/bad" && sed -i "1s/\"erased\"/\"not-erased\"/" "$T_DIR/bad/register.jsonl" &&
		! "$KESU" register push --register "$ST" --from "$T_DIR/bad/register.jsonl" --ca "$CA" --config /dev/null >/dev/null 2>&1'
id=$(jq -r .cert_id "$LOCAL" | head -1)
check "pull writes the stored documents back, byte for byte" \
	bash -c '"$KESU" register pull --register "$ST" --out "$T_DIR/pulled" --config /dev/null >/dev/null &&
		cmp "$T_DIR/pulled/kesu-cert-$1.json" "$T_DIR/pushed/kesu-cert-$1.json" &&
		cmp "$T_DIR/pulled/kesu-cert-$1.json.p7s" "$T_DIR/pushed/kesu-cert-$1.json.p7s" &&
		openssl_verify "$T_DIR/pulled/kesu-cert-$1.json" "$CA"' _ "$id"
check "pull again leaves identical files alone" \
	bash -c '"$KESU" register pull --register "$ST" --out "$T_DIR/pulled" --config /dev/null | grep -q ": 0 documents written"'
check "pull never overwrites a different file" \
	bash -c 'echo x >> "$T_DIR/pulled/kesu-cert-$1.json"; out=$("$KESU" register pull --register "$ST" --out "$T_DIR/pulled" --config /dev/null 2>&1); [ $? -eq 9 ] && grep -q "exists with other content" <<<"$out"' _ "$id"

# ---- filters and export ----
check "list filters by serial in the database" \
	bash -c '[ "$("$KESU" register list --ca "$CA" --register "$ST" --serial WD-WCC6Y0ABCDEF --json | jq length)" -gt 0 ] &&
		[ "$("$KESU" register list --ca "$CA" --register "$ST" --serial nope --json | jq length)" -eq 0 ]'
check "list filters by operator and time" \
	bash -c '[ "$("$KESU" register list --ca "$CA" --register "$ST" --until 2020-01-01 --json | jq length)" -eq 0 ] &&
		[ "$("$KESU" register list --ca "$CA" --register "$ST" --operator "山田 太郎" --since 2020-01-01 --json | jq length)" -eq \
		  "$(psql_as postgres -c "SELECT count(*) FROM kesu.entries")" ]'
check "the serial filter is an index scan" \
	bash -c 'psql_as postgres -c "SET enable_seqscan = off; EXPLAIN SELECT e.line FROM kesu.entries e WHERE e.serial = '"'X'"' ORDER BY e.seq" | grep -q "entries_serial"'
# the register's own queries (tests/pg/pgquery.c), on the indexes
export PGQ="$KESU_BUILD/tests/pgquery"
pgq_n() { "$PGQ" "$ST" "$@" | jq length; }
export -f pgq_n
check "list --asset and --department: every row the columns name, and only those" \
	bash -c 'n=$(psql_as postgres -c "SELECT count(*) FROM kesu.entries WHERE asset = '"'A-0001'"' AND department = '"'総務課'"'"); [ "$n" -gt 3 ] &&
		[ "$(pgq_n list --asset A-0001)" -eq "$n" ] && [ "$(pgq_n list --department 総務課 --asset A-0001)" -eq "$n" ] &&
		[ "$(pgq_n list --asset nope)" -eq 0 ] && [ "$(pgq_n list --department 経理課)" -eq 0 ]'
check "list --kind and --run-id" \
	bash -c 'run=$(psql_as postgres -c "SELECT run_id FROM kesu.entries WHERE seq = 2");
		[ "$("$PGQ" "$ST" list --run-id "$run" | jq -r ".[].seq")" = 2 ] &&
		[ "$(pgq_n list --kind destruction)" -eq 0 ] &&
		[ "$(pgq_n list --kind certificate)" -eq "$(psql_as postgres -c "SELECT count(*) FROM kesu.entries")" ] &&
		! "$PGQ" "$ST" list --run-id NOT-A-UUID 2>/dev/null'
check "trace SERIAL: every row naming the serial, in order" \
	bash -c 'want=$(psql_as postgres -c "SELECT seq FROM kesu.entries WHERE serial = '"'WD-WCC6Y0ABCDEF'"' ORDER BY seq" | tr "\n" " ");
		[ -n "$want" ] && [ "$("$PGQ" "$ST" trace WD-WCC6Y0ABCDEF | jq -r ".[].seq" | tr "\n" " ")" = "$want" ] &&
		[ "$(pgq_n trace NO-SUCH-SERIAL)" -eq 0 ]'
indexed() { # INDEX WHERE
	psql_as postgres -c "SET enable_seqscan = off; EXPLAIN SELECT e.line FROM kesu.entries e WHERE $2 ORDER BY e.seq" | grep -q "$1"
}
# With statistics, as autovacuum keeps them: without, the planner may take
# (kind, seq) for its order and filter the rest.
psql_as postgres -c "ANALYZE kesu.entries" >/dev/null
check "the asset, department, run id and My Number filters are index scans" \
	bash -c "$(declare -f indexed); indexed entries_asset \"e.asset = 'X'\" && indexed entries_department \"e.department = 'X'\" &&
		indexed entries_run_id \"e.run_id = '00000000-0000-4000-8000-000000000001' AND e.kind = 'certificate'\" && indexed entries_my_number \"e.my_number AND e.kind = 'certificate'\""
r=$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/mn-run.json") && sed -i "s/WD-WCC6Y0ABCDEF/WD-MYNUMBER01/" "$r"
MN=$(issue "$r" op --register "$ST" --my-number 2>"$T_DIR/mn.err") || cat "$T_DIR/mn.err" >&2
export MNID=$(jq -r .id "$MN" 2>/dev/null)
# A copy in which a destruction document, appended by kesu destroy,
# closes it.
psql_as postgres postgres -c "CREATE DATABASE closed TEMPLATE kesu" >/dev/null
export CL=$(pg_url st01 closed) CLA=$(pg_url auditor closed)
destroy() { # REGISTER DIR ARGS...
	local reg=$1 dir=$2; shift 2
	"$KESU" destroy --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
		--config /dev/null --ca-file "$CA" --register "$reg" --cert-dir "$dir" \
		--operator '山田 太郎' --organization '情報政策課' --location '第二工場' \
		--company '株式会社クラッシュ' --person '佐藤 花子' --technique crush \
		--witness '鈴木 一郎/情報政策課' "$@"
}
export -f destroy
DOC=$(destroy "$CL" "$T_DIR/dest" --serial WD-MYNUMBER01 2>"$T_DIR/destroy.err") || cat "$T_DIR/destroy.err" >&2
export DOC
check "kesu destroy appends its destruction document to the database, closing the My Number erasure" \
	bash -c '[ -s "$DOC" ] && row=$(psql_as postgres closed -c "SELECT kind, closes, serial FROM kesu.entries ORDER BY seq DESC LIMIT 1") &&
		[ "$row" = "destruction|$MNID|WD-MYNUMBER01" ] &&
		[ "$(psql_as postgres closed -c "SELECT encode(sha256(d.cert), '"'hex'"') FROM kesu.documents d JOIN kesu.entries e USING (seq) WHERE e.kind = '"'destruction'"'")" = "$(sha256sum < "$DOC" | cut -d" " -f1)" ]'
check "list --open: a My Number certificate is open until a destruction document closes it" \
	bash -c '[ -n "$MNID" ] && [ "$("$PGQ" "$ST" list --open | jq -r ".[].cert_id")" = "$MNID" ] &&
		[ "$("$PGQ" "$(pg_url auditor closed)" list --open | jq length)" -eq 0 ] &&
		[ "$("$PGQ" "$(pg_url auditor closed)" list --kind destruction | jq length)" -eq 1 ]'
# ---- every document kind in the database ----
check "a second destruction of the closed item: refused (exit 6), nothing appended" \
	bash -c 'n=$(psql_as postgres closed -c "SELECT count(*) FROM kesu.entries"); out=$(destroy "$CL" "$T_DIR/dest" --serial WD-MYNUMBER01 2>&1); [ $? -eq 6 ] &&
		grep -q "closed by a destruction already" <<<"$out" && [ "$(psql_as postgres closed -c "SELECT count(*) FROM kesu.entries")" -eq "$n" ]'
check "the same destruction document again: already registered, nothing appended" \
	bash -c '"$KESU" register import "$DOC" --register "$CL" --ca "$CA" --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null | grep -q "already registered as"'
# A destruction made against a station's own register closes a
# certificate the database never saw: the database's admit() refuses it.
OWN=$T_DIR/own/register.jsonl
issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/own-run.json")" op --register "$OWN" --my-number --cert-dir "$T_DIR/own" >/dev/null
ODOC=$(destroy "$OWN" "$T_DIR/own" --serial WD-WCC6Y0ABCDEF 2>/dev/null)
export ODOC
check "a destruction closing a certificate the database does not hold: refused (exit 9), nothing appended" \
	bash -c 'n=$(psql_as postgres closed -c "SELECT count(*) FROM kesu.entries"); out=$("$KESU" register import "$ODOC" --register "$CL" --ca "$CA" --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null 2>&1)
		[ $? -eq 9 ] && grep -q "not registered: the erasure certificate .* it closes is not in the register" <<<"$out" &&
		[ "$(psql_as postgres closed -c "SELECT count(*) FROM kesu.entries")" -eq "$n" ]'
printf '%s\n' "SELECT kesu.append(convert_to('{\"kind\":\"repair\"}', 'UTF8'), ''::bytea, ''::bytea)" > "$T_DIR/repair.sql"
check "kesu.append() refuses a line of a kind it does not take" \
	bash -c 'out=$(psql_as st01 closed -f "$T_DIR/repair.sql" 2>&1); grep -q "lines of kind repair are not appended" <<<"$out"'
make_role '佐藤 花子' ca approver >/dev/null 2>&1
APPR=$("$KESU" approval new --key "$T_DIR/佐藤 花子/kesu-signing.key" --cert "$T_DIR/佐藤 花子/cert.pem" --config /dev/null \
	--ca "$CA" --out "$T_DIR/appr" --reference 'R8-情政-17' --reason disposal --class 3 --customer '総務課' \
	--operator '山田 太郎' --valid-from 2026-01-01T00:00:00Z --valid-until 2099-01-01T00:00:00Z --asset A-0042 \
	--register "$CL" 2>"$T_DIR/appr.err") || cat "$T_DIR/appr.err" >&2
HAND=$("$KESU" custody new --config /dev/null --ca "$CA" --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
	--out "$T_DIR/cust" --serial SN-7 --serial SN-8 --from 'op/テスト市 情報政策課' \
	--to '業者 一郎/テスト消去株式会社' --place x --register "$CL" 2>"$T_DIR/cust.err") || cat "$T_DIR/cust.err" >&2
export APPR HAND
check "approval new --register and custody new --register append to the database" \
	bash -c '[ -s "$APPR" ] && [ -s "$HAND" ] && [ "$(psql_as postgres closed -c "SELECT string_agg(kind, '"' '"' ORDER BY seq) FROM kesu.entries WHERE kind <> '"'certificate'"'")" = "destruction approval custody" ] &&
		psql_as postgres closed -c "SELECT convert_from(line, '"'UTF8'"') FROM kesu.entries WHERE kind = '"'custody'"'" | jq -e ".serials == [\"SN-7\",\"SN-8\"] and .to == \"テスト消去株式会社\"" >/dev/null'
check "verify checks every stored document's signature, of every kind" \
	bash -c '"$KESU" register verify --json --register "$CLA" --ca "$CA" | jq -e ".ok and .documents_checked == .entries" >/dev/null'
check "list --kind destruction / approval / custody and trace read them from the database" \
	bash -c '[ "$("$KESU" register list --ca "$CA" --kind approval --json --register "$CLA" | jq length)" -eq 1 ] &&
		[ "$("$KESU" register list --ca "$CA" --kind custody --json --register "$CLA" | jq length)" -eq 1 ] &&
		"$KESU" register trace --ca "$CA" --json WD-MYNUMBER01 --register "$CLA" | jq -e "last | .kind == \"destruction\" and (.destruction | test(\"crush\"))" >/dev/null'
MNASSET=$("$KESU" register list --ca "$CA" --kind certificate --json --register "$CLA" | jq -r '[.[] | select((.ledger.serial // .serial) == "WD-MYNUMBER01")][0].ledger.asset')
APPR2=$("$KESU" approval new --key "$T_DIR/佐藤 花子/kesu-signing.key" --cert "$T_DIR/佐藤 花子/cert.pem" --config /dev/null \
	--ca "$CA" --out "$T_DIR/appr2" --reference 'R8-情政-18' --reason disposal --class 3 --customer '総務課' \
	--operator '山田 太郎' --valid-from 2026-01-01T00:00:00Z --valid-until 2099-01-01T00:00:00Z --asset "$MNASSET" \
	--register "$CL" 2>"$T_DIR/appr2.err") || cat "$T_DIR/appr2.err" >&2
check "trace finds a hand-over by one of its serials, an approval by the medium's asset number, and no other" \
	bash -c '"$KESU" register trace --ca "$CA" --json SN-7 --register "$CLA" | jq -e "map(.kind) == [\"custody\"]" >/dev/null &&
		t=$("$KESU" register trace --ca "$CA" --json WD-MYNUMBER01 --register "$CLA") &&
		jq -e "[.[] | select(.kind == \"approval\")] | length == 1" <<<"$t" >/dev/null &&
		jq -e "map(.kind) | index(\"certificate\") != null and index(\"destruction\") != null" <<<"$t" >/dev/null'
check "list --kind certificate: the closed erasure shows closed (its destruction is not among the rows listed)" \
	bash -c '"$KESU" register list --ca "$CA" --kind certificate --json --register "$CLA" | jq -e "[.[] | select(.cert_id == \"$MNID\")][0].ledger.open == \"closed\"" >/dev/null'
check "pull writes every kind back under its own name, byte for byte" \
	bash -c '"$KESU" register pull --register "$CLA" --out "$T_DIR/pulled-docs" --config /dev/null >/dev/null &&
		cmp "$DOC" "$T_DIR/pulled-docs/$(basename "$DOC")" && cmp "$DOC.p7s" "$T_DIR/pulled-docs/$(basename "$DOC").p7s" &&
		cmp "$APPR" "$T_DIR/pulled-docs/$(basename "$APPR")" && cmp "$HAND" "$T_DIR/pulled-docs/$(basename "$HAND")"'
PREG=$T_DIR/preg/register.jsonl
issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/p-run.json")" op --register "$PREG" --my-number --cert-dir "$T_DIR/preg" >/dev/null
destroy "$PREG" "$T_DIR/preg" --serial WD-WCC6Y0ABCDEF >/dev/null 2>&1
export PREG
check "push sends a station's destruction documents with its certificates" \
	bash -c '"$KESU" register push --register "$CL" --from "$PREG" --ca "$CA" --config /dev/null | grep -q ": 2 entries sent" &&
		[ "$(psql_as postgres closed -c "SELECT kind FROM kesu.entries ORDER BY seq DESC LIMIT 1")" = destruction ] &&
		"$KESU" register verify --register "$CLA" --ca "$CA" >/dev/null'
make_role '鈴木 一郎' ca witness >/dev/null 2>&1
W1=$("$KESU" cert countersign --config /dev/null --ca "$CA" --key "$T_DIR/鈴木 一郎/kesu-signing.key" \
	--cert "$T_DIR/鈴木 一郎/cert.pem" --register "$CL" "$MN" 2>"$T_DIR/cs.err") || cat "$T_DIR/cs.err" >&2
export W1 MN
check "cert countersign --register appends the countersignature to the database, the certificate's bytes and the signature stored" \
	bash -c '[ -s "$W1" ] && [ "$(psql_as postgres closed -c "SELECT encode(sha256(d.sig), '"'hex'"') || encode(sha256(d.cert), '"'hex'"') FROM kesu.documents d JOIN kesu.entries e USING (seq) WHERE e.kind = '"'countersignature'"'")" = "$(sha256sum < "$W1" | cut -d" " -f1)$(sha256sum < "$MN" | cut -d" " -f1)" ] &&
		"$KESU" register verify --json --register "$CLA" --ca "$CA" | jq -e ".ok and .documents_checked == .entries" >/dev/null'
check "list shows the certificate's countersigners from the database" \
	bash -c '"$KESU" register list --ca "$CA" --kind certificate --json --register "$CLA" | jq -e "[.[] | select(.cert_id == \"$MNID\")][0].ledger.countersigners == \"witness: 鈴木 一郎\"" >/dev/null'
check "pull writes the countersignature beside its certificate, byte for byte" \
	bash -c '"$KESU" register pull --register "$CLA" --out "$T_DIR/pulled-cs" --config /dev/null >/dev/null &&
		cmp "$W1" "$T_DIR/pulled-cs/$(basename "$W1")" && cmp "$MN" "$T_DIR/pulled-cs/$(basename "$MN")"'
check "a countersignature row whose signer is edited is reported" \
	tampered csig "UPDATE kesu.entries SET line = convert_to(replace(convert_from(line, 'UTF8'), '鈴木 一郎', '別人'), 'UTF8') WHERE kind = 'countersignature'" "the line_sha256 column does not match the stored line" closed
check "an edited stored destruction document is reported" \
	tampered ddoc "UPDATE kesu.documents SET cert = cert || '\\x20'::bytea WHERE seq = (SELECT min(seq) FROM kesu.entries WHERE kind = 'destruction')" "the stored document does not match the hash in its line" closed
check "an edited closes column is reported" \
	tampered dcol "UPDATE kesu.entries SET closes = gen_random_uuid() WHERE kind = 'destruction'" "the closes column does not match the stored line" closed
check "a custody row moved to another serial is reported" \
	tampered ccol "UPDATE kesu.entries SET serial = 'SN-X' WHERE kind = 'custody'" "the serial column does not match the stored line" closed
check "a certificate column set on an approval row is reported" \
	tampered acol "UPDATE kesu.entries SET asset = 'A-1' WHERE kind = 'approval'" "a certificate column is set on a approval row" closed
# list and export check the chain first, as the file register's do
check "list on a database whose row was edited: nothing listed, exit 9" \
	bash -c 'psql_as postgres postgres -c "CREATE DATABASE t_list TEMPLATE kesu" >/dev/null &&
		psql_as postgres t_list -c "$1" >/dev/null &&
		out=$("$KESU" register list --ca "$CA" --register "$(pg_url auditor t_list)" 2>&1); [ $? -eq 9 ] &&
		grep -q "entry 2: edited after it was written" <<<"$out" && grep -q "nothing listed: the register does not verify" <<<"$out" &&
		! "$KESU" register export --csv --ca "$CA" --register "$(pg_url auditor t_list)" >/dev/null 2>&1' _ "$EDIT_LINE"
check "list without a CA to check the seals: refused (exit 2)" \
	bash -c '"$KESU" register list --config /dev/null --register "$ST" >/dev/null 2>&1; [ $? -eq 2 ]'
# verify --open-max-days from the database
check "verify --open-max-days 0: the open My Number item is LATE (exit 1)" \
	bash -c 'out=$("$KESU" register verify --open-max-days 0 --register "$ST" --ca "$CA"); [ $? -eq 1 ] &&
		grep -q "LATE: seq .*My Number erasure $MNID still open" <<<"$out" && grep -q "1 open item(s) older than 0 days" <<<"$out"'
check "verify --open-max-days 0 --json: the late items in the report" \
	bash -c 'out=$("$KESU" register verify --json --open-max-days 0 --register "$ST" --ca "$CA"); [ $? -eq 1 ] &&
		jq -e ".ok and .open_max_days == 0 and (.open_items_late | length) == 1" <<<"$out" >/dev/null'
check "verify --open-max-days: none once a destruction closed it, none within the limit (exit 0)" \
	bash -c '"$KESU" register verify --open-max-days 0 --register "$CLA" --ca "$CA" >/dev/null &&
		"$KESU" register verify --open-max-days 30 --register "$ST" --ca "$CA" >/dev/null'
check "verify --open-max-days x: refused (exit 2)" \
	bash -c '"$KESU" register verify --open-max-days x --register "$ST" --ca "$CA" >/dev/null 2>&1; [ $? -eq 2 ]'

# ---- the same queries through kesu register list / trace / export ----
check "kesu register list --asset: the database's rows, with the ledger's columns" \
	bash -c 'n=$(psql_as postgres -c "SELECT count(*) FROM kesu.entries WHERE asset = '"'A-0001'"'"); [ "$n" -gt 3 ] &&
		"$KESU" register list --ca "$CA" --asset A-0001 --json --register "$ST" > "$T_DIR/la.json" &&
		[ "$(jq length "$T_DIR/la.json")" -eq "$n" ] &&
		jq -e "all(.[]; .ledger.asset == \"A-0001\" and .ledger.department == \"総務課\")" "$T_DIR/la.json" >/dev/null &&
		[ "$("$KESU" register list --ca "$CA" --asset nope --json --register "$ST" | jq length)" -eq 0 ] &&
		[ "$("$KESU" register list --ca "$CA" --department 総務課 --asset A-0001 --register "$ST" | grep -c " A-0001 ")" -eq "$n" ]'
check "kesu register list --kind: erasure and certificate name the same rows; an unknown kind lists nothing (exit 0, as the file register)" \
	bash -c 'n=$(psql_as postgres -c "SELECT count(*) FROM kesu.entries"); 
		[ "$("$KESU" register list --ca "$CA" --kind erasure --json --register "$ST" | jq length)" -eq "$n" ] &&
		[ "$("$KESU" register list --ca "$CA" --kind certificate --json --register "$ST" | jq length)" -eq "$n" ] &&
		[ "$("$KESU" register list --ca "$CA" --kind destruction --json --register "$ST" | jq length)" -eq 0 ] &&
		out=$("$KESU" register list --ca "$CA" --kind no-such-kind --json --register "$ST") && [ "$(jq length <<<"$out")" -eq 0 ]'
check "kesu register list --open: the open My Number certificate, none once a destruction closes it" \
	bash -c '[ -n "$MNID" ] && out=$("$KESU" register list --ca "$CA" --open --json --register "$ST") &&
		[ "$(jq -r ".[].cert_id" <<<"$out")" = "$MNID" ] &&
		jq -e ".[0].ledger.open == \"open\" and .[0].ledger.my_number == \"yes\"" <<<"$out" >/dev/null &&
		[ "$("$KESU" register list --ca "$CA" --open --json --register "$(pg_url auditor closed)" | jq length)" -eq 0 ] &&
		[ "$("$KESU" register list --ca "$CA" --kind destruction --json --register "$(pg_url auditor closed)" | jq length)" -eq 2 ] &&
		"$KESU" register list --ca "$CA" --open --register "$ST" | grep -q " open "'
check "kesu register trace SERIAL: every row naming it, in order, from the database" \
	bash -c 'want=$(psql_as postgres -c "SELECT seq FROM kesu.entries WHERE serial = '"'WD-WCC6Y0ABCDEF'"' ORDER BY seq" | tr "\n" " ");
		[ -n "$want" ] && [ "$("$KESU" register trace --ca "$CA" --json WD-WCC6Y0ABCDEF --register "$ST" | jq -r ".[].seq" | tr "\n" " ")" = "$want" ] &&
		"$KESU" register trace --ca "$CA" WD-WCC6Y0ABCDEF --register "$ST" | head -1 | grep -q "^WD-WCC6Y0ABCDEF: $(wc -w <<<"$want") entries$"'
check "kesu register trace of a serial the database never saw exits 3" \
	bash -c 'out=$("$KESU" register trace --ca "$CA" NO-SUCH-SERIAL --register "$ST" 2>&1); [ $? -eq 3 ] && grep -q "NO-SUCH-SERIAL: 0 entries" <<<"$out"'
check "export --excel and a filtered export --csv read the database with the ledger's columns" \
	bash -c 'n=$(psql_as postgres -c "SELECT count(*) FROM kesu.entries");
		"$KESU" register export --ca "$CA" --excel --register "$ST" > "$T_DIR/pg-excel.csv" &&
		[ "$(head -c 3 "$T_DIR/pg-excel.csv" | od -An -tx1 | tr -d " ")" = efbbbf ] &&
		[ "$(grep -c $'"'"'\r$'"'"' "$T_DIR/pg-excel.csv")" -eq $((n + 1)) ] &&
		[ "$("$KESU" register export --ca "$CA" --csv --open --register "$ST" | grep -c "\"open\"")" -eq 2 ]'
check "export --csv reads the database" \
	bash -c '[ "$("$KESU" register export --ca "$CA" --csv --register "$ST" | wc -l)" -eq $(( $(psql_as postgres -c "SELECT count(*) FROM kesu.entries") + 1 )) ]'
check "[register] url in kesu.conf selects the database" \
	bash -c 'printf "[register]\nurl = %s\n" "$ST" > "$T_DIR/pg.conf" &&
		"$KESU" register list --ca "$CA" --config "$T_DIR/pg.conf" --json | jq -e "length > 3" >/dev/null'

# ---- kesu wipe registers in the database; a role that cannot append stops it first ----
WCERT=(--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config "$POLICY_OFF_CONF"
	--operator '山田 太郎' --organization 'テスト消去株式会社' --customer '総務課'
	--asset A-0042 --class 3 --reason disposal --approver '佐藤 花子' --approval-date 2026-11-20)
W=("$KESU" wipe --yes --quiet --progress=none --state-dir "$T_DIR/state" --out "$T_DIR/wout")
img=$(make_image disk.img 4) && head -c 4M /dev/urandom > "$img" && L=$(make_loop "$img") ||
	{ not_ok "loop device set-up"; t_done; exit 1; }
before=$(sha256sum < "$img")
out=$("${W[@]}" "${WCERT[@]}" --register "$(pg_url auditor)" "$L" 2>&1); rc=$?
check "wipe with a role that may not append: refused before the device is touched (exit 5)" \
	bash -c '[ $1 -eq 5 ] && grep -q "may not append" <<<"$2" && [ "$(sha256sum < "$3")" = "$4" ]' _ "$rc" "$out" "$img" "$before"
"${W[@]}" "${WCERT[@]}" --register "$ST" --json "$L" > "$T_DIR/wipe.json"
check "wipe registers its certificate in the database" \
	bash -c 'id=$(jq -r ".id" "$(jq -r ".[0].certificate" "$T_DIR/wipe.json")") &&
		[ "$(psql_as postgres -c "SELECT count(*) FROM kesu.entries WHERE cert_id = '"'"'$id'"'"'")" -eq 1 ]'

"$KESU" verify --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null \
	--operator '佐藤 花子' --progress none --out "$T_DIR/vout" --ca "$CA" --register "$CL" "$L" >/dev/null
check "kesu verify --register appends its spot-check report to the database, and verify checks it" \
	bash -c '[ "$(psql_as postgres closed -c "SELECT verdict FROM (SELECT convert_from(line, '"'UTF8'"')::jsonb->>'"'verdict'"' AS verdict, kind FROM kesu.entries) x WHERE kind = '"'verification'"'")" = no-data-found ] &&
		"$KESU" register verify --json --register "$CLA" --ca "$CA" | jq -e ".ok and .documents_checked == .entries" >/dev/null'

check "a spot check's stored report replaced is reported" \
	tampered vdoc "UPDATE kesu.documents SET cert = cert || '\\x20'::bytea WHERE seq = (SELECT seq FROM kesu.entries WHERE kind = 'verification')" "the stored document does not match the hash in its line" closed

# ---- errors that must not leak a password ----
psql_as postgres -c "CREATE ROLE pwstation LOGIN PASSWORD 'right-horse-battery' IN ROLE kesu_station" >/dev/null
noleak() { # URL EXIT PATTERN
	local out
	out=$("$KESU" register list --ca "$CA" --register "$1" 2>&1)
	[ $? -eq "$2" ] && grep -q "$3" <<<"$out" && ! grep -q "Sekr3t-staple" <<<"$out" ||
		{ echo "noleak: $out" >&2; return 1; }
}
check "connection refused: a clear error, exit 7, no password" \
	noleak "postgresql://st01:Sekr3t-staple@/kesu?host=$T_DIR/nowhere" 7 "st01:\*\*\*@.*cannot connect"
check "wrong password: a clear error, no password" \
	noleak "postgresql://pwstation:Sekr3t-staple@/kesu?host=$PG_DIR" 7 "password authentication failed"
check "password= parameter: not shown either" \
	noleak "postgresql:///kesu?host=$T_DIR/nowhere&user=st01&password=Sekr3t-staple" 7 "password=\*\*\*"
check "the right password works" \
	bash -c '"$KESU" register list --ca "$CA" --register "postgresql://pwstation:right-horse-battery@/kesu?host=$1" --json | jq -e length >/dev/null' _ "$PG_DIR"
check "a database without the schema: told to run init-db" \
	bash -c 'out=$("$KESU" register list --ca "$CA" --register "$(pg_url postgres postgres)" 2>&1); [ $? -eq 3 ] && grep -q "init-db" <<<"$out"'
check "[register] with both path and url is refused" \
	bash -c 'printf "[register]\npath = /x\nurl = postgresql:///kesu\n" > "$T_DIR/both.conf"; ! "$KESU" register list --ca "$CA" --config "$T_DIR/both.conf" 2>/dev/null'

t_done
