#!/usr/bin/env bash
# Append and verify time on a large register.
# Usage: KESU=build/kesu tests/bench-register.sh [ENTRIES] (default 10000)
#   KESU_BENCH_OLD_LINES=1 writes lines without run_id (registers of kesu
#   before lines named their run), to time an older kesu on the same size.
# Everything lives in a temporary directory removed on exit.
KESU=$(cd "$(dirname "${KESU:?set KESU to the kesu binary}")" && pwd)/$(basename "$KESU")
N=${1:-10000}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/certlib.sh"
command -v perl >/dev/null || { echo "bench-register: needs perl" >&2; exit 1; }
make_ca ca && make_operator op ca || { echo "CA set-up failed" >&2; exit 1; }
mkdir -p "$T_DIR/reg" "$T_DIR/out"
R=$T_DIR/reg/register.jsonl
# Canonical lines (sorted keys, compact), chained, then a head signed by op.
OLD=${KESU_BENCH_OLD_LINES:-0} perl -MDigest::SHA=sha256_hex -e '
	my ($n, $old) = (shift, $ENV{OLD});
	my $prev = "0" x 64;
	for my $i (1 .. $n) {
		my $id = sprintf("00000000-0000-4000-8000-%012d", $i);
		my $run = sprintf("11111111-0000-4000-8000-%012d", $i);
		my $l = "{\"cert_file\":\"/nonexistent/kesu-cert-$id.json\",\"cert_id\":\"$id\",\"cert_sha256\":\"" . ("a" x 64) .
			"\",\"kind\":\"certificate\",\"model\":\"WDC WD10EZEX-08WN4A0\",\"operator\":\"op\",\"prev\":\"$prev\",\"result\":\"erased\"," .
			($old ? "" : "\"run_id\":\"$run\",") . "\"seq\":$i,\"serial\":\"WD-WCC6Y$i\",\"sig_sha256\":\"" . ("b" x 64) .
			"\",\"time\":\"2026-11-22T10:00:00+09:00\"}";
		print "$l\n";
		$prev = sha256_hex($l);
	}
	print STDERR "$prev\n";' "$N" > "$R" 2> "$T_DIR/last"
printf '{\n  "line_sha256": "%s",\n  "register": "register.jsonl",\n  "schema": "kesu-register-head/1",\n  "seq": %d,\n  "time": "2026-11-22T10:00:00+09:00"\n}\n' \
	"$(cat "$T_DIR/last")" "$N" > "$R.head"
openssl cms -sign -binary -md sha256 -outform DER -in "$R.head" -out "$R.head.p7s" \
	-signer "$T_DIR/op/cert.pem" -inkey "$T_DIR/op/kesu-signing.key" 2>/dev/null
CA=$T_DIR/ca/ca.pem
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>"$T_DIR/err" || { cat "$T_DIR/err" >&2; return 1; }; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
echo "register: $N entries, $(stat -c %s "$R") bytes"
echo "verify: $(ms "$KESU" register verify --register "$R" --ca "$CA") ms"
for i in 1 2 3; do
	c=$(issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/run-$i.json")" op --no-register)
	echo "append $i (register import): $(ms "$KESU" register import "$c" --register "$R" --ca "$CA" \
		--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null) ms"
done
c=$(issue "$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/run-x.json")" op --no-register)
echo "append (import) into an empty register, for comparison: $(ms "$KESU" register import "$c" --register "$T_DIR/empty/register.jsonl" --ca "$CA" \
	--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null) ms"
