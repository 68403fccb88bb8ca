#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/fuzz_*.c, built by `make
# fuzz-build` into build-fuzz/ with clang, ASan and UBSan) for FUZZ_SECONDS
# each (3 under make check, 60 under make fuzz), starting from the committed
# seed corpus.  New inputs go to a temp dir, never into the repository; a
# crash is kept and named.  Prints `ok - fuzz-<target> (N execs)`.
# make check fuzzes from a fixed random seed (FUZZ_SEED, default 1) so that
# a red run can be repeated; make fuzz passes 0, a new seed every run, to
# go where no earlier run went.
. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
fb=${KESU_FUZZ_BUILD:-$root/build-fuzz}
secs=${FUZZ_SECONDS:-3}
seed=${FUZZ_SEED:-1}
# Leaks inside OpenSSL itself, each with its reason, are in this file.
export LSAN_OPTIONS="suppressions=$root/tests/lsan-fuzz-openssl.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export KESU_FUZZ_CA="$root/tests/fuzz/ca.pem"

n=0
for src in "$root"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	n=$((n + 1))
	bin=$fb/fuzz/fuzz_$t
	if [ ! -x "$bin" ]; then
		not_ok "fuzz-$t (no $bin: run make fuzz-build)"
		continue
	fi
	seeds=$root/tests/fuzz/corpus/$t
	if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
		not_ok "fuzz-$t (no seed corpus in $seeds)"
		continue
	fi
	# Debian's libcrypto has no frame pointers: the fast unwinder stops
	# inside it, and a suppression naming an OpenSSL function would never
	# match.  The slow one costs executions, so only where OpenSSL runs.
	case $t in
	cms | timestamp) export ASAN_OPTIONS=fast_unwind_on_malloc=0 ;;
	*) unset ASAN_OPTIONS ;;
	esac
	work=$T_DIR/$t
	mkdir -p "$work/corpus" "$work/crash"
	(cd "$root" && "$bin" -seed="$seed" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$work/crash/" \
		"$work/corpus" "$seeds") >"$work/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	if [ $rc -eq 0 ] && [ -n "$execs" ] && [ "$execs" -gt 0 ]; then
		ok "fuzz-$t ($execs execs in ${secs}s)"
	else
		not_ok "fuzz-$t (exit $rc, -seed=$(sed -n 's/^INFO: Seed: //p' "$work/log" | head -1))"
		grep -E '^(==|SUMMARY|    #[0-9])' "$work/log" | head -30 >&2
		for a in "$work"/crash/*; do
			[ -f "$a" ] || continue
			mkdir -p "$root/build-fuzz/crashes"
			cp "$a" "$root/build-fuzz/crashes/$t-$(basename "$a")"
			echo "fuzz-$t: input kept in build-fuzz/crashes/$t-$(basename "$a")" >&2
		done
	fi
done
[ $n -gt 0 ] || not_ok "fuzz: no targets in tests/fuzz"
t_done
