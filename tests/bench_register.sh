#!/usr/bin/env bash
# make bench, the register part: appends per second with 1, 4 and 16
# concurrent writers against the file register and the PostgreSQL register,
# and the time to verify a register of 100,000 entries in each.
#
# Usage: tests/bench_register.sh BUILD_DIR
#   KESU_BENCH_REG_CERTS  certificates each writer appends (default 40)
#   KESU_BENCH_VERIFY_N   entries in the register verified (default 100000)
#   KESU_BENCH_REG_PARTS  "appends verify" (default), or one of them
#   KESU_BENCH_DOC        markdown file whose "bench-register:begin/end"
#                         block receives the table ("-" for none)
#
# Writers run `kesu register import CERT...`: each append checks the
# certificate's signature against the CA, then appends (file: under flock,
# fsync, signed head; database: one transaction through kesu.append()).
# The certificates are made beforehand by tests/bench/regfill.c, and so are
# the 100,000 entries, loaded into the database with COPY: what is timed is
# the register, not issuing.  It uses a throwaway PostgreSQL cluster
# (tests/pglib.sh) and temporary files only, removed on exit.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
export KESU=$(cd "$build" && pwd)/kesu
REGFILL=$(cd "$build" && pwd)/tests/regfill
K=${KESU_BENCH_REG_CERTS:-40}
PARTS=${KESU_BENCH_REG_PARTS:-appends verify}
VN=${KESU_BENCH_VERIFY_N:-100000}
DOC=${KESU_BENCH_DOC:-$here/../docs/BENCHMARKS.md}
[ -x "$REGFILL" ] || { echo "bench: $REGFILL not built; run 'make bench'" >&2; exit 1; }
. "$here/lib.sh"
. "$here/certlib.sh"
. "$here/pglib.sh"

now_ns() { date +%s%N; }
secs() { awk -v n="$1" 'BEGIN {printf "%.2f", n / 1e9}'; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
pg_start || exit 1
make_ca ca && make_operator op ca || { echo "bench: CA set-up failed" >&2; exit 1; }
CA=$T_DIR/ca/ca.pem
OPKEY=(--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null)
psql_as postgres postgres -c "CREATE ROLE kesu_admin LOGIN CREATEROLE" \
	-c "CREATE DATABASE tmpl OWNER kesu_admin" >/dev/null
"$KESU" register init-db --register "$(pg_url kesu_admin tmpl)" >/dev/null || exit 1
psql_as postgres tmpl -c "CREATE ROLE st LOGIN IN ROLE kesu_station" >/dev/null

RESULTS=$T_DIR/results
: > "$RESULTS"
appends() {
	# Certificates for every run: (1 + 4 + 16) writers x K, for each register.
	NEED=$(( (1 + 4 + 16) * K * 2 ))
	"$REGFILL" "$T_DIR/op/kesu-signing.key" "$T_DIR/op/cert.pem" "$here/fixtures/runs/erased.json" \
		"$NEED" "$T_DIR/pool" || exit 1
	ls "$T_DIR"/pool/certs/*.json > "$T_DIR/pool.list"
	next=0
	take() { # COUNT: the next COUNT certificate paths
		sed -n "$((next + 1)),$((next + $1))p" "$T_DIR/pool.list"
		next=$((next + $1))
	}

	for kind in file postgresql; do
		for w in 1 4 16; do
			if [ "$kind" = file ]; then
				reg=$T_DIR/reg-$w/register.jsonl
			else
				psql_as postgres postgres -c "CREATE DATABASE w$w TEMPLATE tmpl" >/dev/null
				reg=$(pg_url st "w$w")
			fi
			for i in $(seq 1 "$w"); do take "$K" > "$T_DIR/batch.$kind.$w.$i"; done
			t0=$(now_ns)
			for i in $(seq 1 "$w"); do
				mapfile -t certs < "$T_DIR/batch.$kind.$w.$i"
				"$KESU" register import "${certs[@]}" --register "$reg" --ca "$CA" "${OPKEY[@]}" \
					>/dev/null 2>>"$T_DIR/bench.err" &
			done
			wait
			t=$(( $(now_ns) - t0 ))
			if [ "$kind" = file ]; then
				got=$(wc -l < "$reg")
				"$KESU" register verify --register "$reg" --ca "$CA" >/dev/null || got="$got (does not verify)"
			else
				got=$(psql_as postgres "w$w" -c 'SELECT count(*) FROM kesu.entries')
				"$KESU" register verify --register "$reg" --ca "$CA" >/dev/null || got="$got (does not verify)"
			fi
			rate=$(awk -v n=$((w * K)) -v t="$t" 'BEGIN {printf "%.1f", n / (t / 1e9)}')
			echo "| appends, $kind register, $w writer(s) x $K | $rate /s | $(secs "$t") s for $got entries |" | tee -a "$RESULTS"
		done
	done
}

# A register of VN entries, verified whole; and its certificate files
# checked by `kesu cert verify`, all in one command.
verifies() {
	"$REGFILL" "$T_DIR/op/kesu-signing.key" "$T_DIR/op/cert.pem" "$here/fixtures/runs/erased.json" \
		"$VN" "$T_DIR/big" || exit 1
	t0=$(now_ns)
	out=$("$KESU" register verify --register "$T_DIR/big/register.jsonl" --ca "$CA" 2>&1) || echo "bench: $out" >&2
	echo "| verify, file register, $VN entries (chain, head, every certificate file's hash) | $(secs $(( $(now_ns) - t0 ))) s | $out |" | tee -a "$RESULTS"
	psql_as postgres postgres -c "CREATE DATABASE big TEMPLATE tmpl" >/dev/null
	psql_as postgres big -c "\\copy kesu.entries (seq, prev, line_sha256, line, kind, at, cert_id, serial, model, result, operator_name, run_id, asset, department, my_number) FROM '$T_DIR/big/entries.csv' CSV" \
		-c "\\copy kesu.documents (seq, cert, sig) FROM '$T_DIR/big/documents.csv' CSV" \
		-c "DELETE FROM kesu.head" -c "\\copy kesu.head FROM '$T_DIR/big/head.csv' CSV" \
		-c "ANALYZE" >/dev/null || exit 1
	t0=$(now_ns)
	out=$("$KESU" register verify --register "$(pg_url st big)" --ca "$CA" 2>&1) || echo "bench: $out" >&2
	echo "| verify, PostgreSQL register, $VN entries (chain, columns, head, every stored document's signature) | $(secs $(( $(now_ns) - t0 ))) s | ${out#*: } |" | tee -a "$RESULTS"
	# 100,000 paths are more than one command line holds (ARG_MAX): xargs
	# splits them, and the row counts every file's verdict, so a file left
	# out (the old "ls *.json" failed that way and timed kesu over nothing)
	# stops the bench instead of making a figure.
	t0=$(now_ns)
	find "$T_DIR/big/certs" -maxdepth 1 -name '*.json' -print0 |
		xargs -0 "$KESU" cert verify --ca "$CA" --config /dev/null >"$T_DIR/big.verdicts" 2>"$T_DIR/big.err"
	el=$(( $(now_ns) - t0 ))
	ok=$(grep -c ": OK: " "$T_DIR/big.verdicts")
	bad=$(($(wc -l <"$T_DIR/big.verdicts") - ok))
	[ $((ok + bad)) -eq "$VN" ] || { echo "bench: cert verify gave $((ok + bad)) verdicts for $VN certificates" >&2; exit 1; }
	echo "| cert verify, $VN certificate files (signature, consistency; xargs, ARG_MAX paths a command) | $(secs "$el") s | $bad not OK |" | tee -a "$RESULTS"
}
case " $PARTS " in *" appends "*) appends ;; esac
case " $PARTS " in *" verify "*) verifies ;; esac
[ -s "$T_DIR/bench.err" ] && { echo "bench: writers reported:" >&2; sort "$T_DIR/bench.err" | uniq -c | head >&2; }

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "### $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo
	echo "Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r); $("$PGBIN/postgres" --version); the cluster on $(df --output=source "$PG_DIR" | tail -1) with default settings (fsync on)."
	echo "Load average (1, 5, 15 min): $load_start at the start, $load_end at the end."
	echo
	echo "| what | rate or time | detail |"
	echo "| --- | ---: | --- |"
	cat "$RESULTS"
} > "$T_DIR/table.md"
echo
cat "$T_DIR/table.md"
if [ "$DOC" != - ] && [ -f "$DOC" ] && grep -q '^<!-- bench-register:begin -->' "$DOC"; then
	awk -v t="$T_DIR/table.md" '
		/^<!-- bench-register:begin -->/ {print; while ((getline l < t) > 0) print l; skip = 1; next}
		/^<!-- bench-register:end -->/ {skip = 0}
		!skip {print}' "$DOC" > "$T_DIR/doc.new" && cat "$T_DIR/doc.new" > "$DOC"
	echo "bench: register table written to $DOC"
fi
