#!/usr/bin/env bash
# Runs every built unit test and every integration test, then prints one
# closing line "check: N passed, N failed".  Usage: tests/run.sh BUILD_DIR
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
export KESU="$(cd "$build" && pwd)/kesu"
export KESU_BUILD="$(cd "$build" && pwd)"
passed=0
failed=0
failed_names=()

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), ..." per group
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	# one pair of lines per group; test_stream runs several
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' |
		awk '{n += $1} END {if (NR) print n}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' |
		awk '{n += $1} END {if (NR) print n}')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		failed=$((failed + 1))   # crashed before cmocka could count
		failed_names+=("$(basename "$t") (exit $rc)")
	elif [ -n "$f" ] && [ "$f" -gt 0 ]; then
		failed_names+=("$(basename "$t")")
	fi
done

# Integration scripts print "ok - NAME" / "not ok - NAME" (tests/lib.sh).
for t in "$here"/integration/*.sh; do
	[ -f "$t" ] || continue
	echo "== $(basename "$t")"
	out=$(bash "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok - ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok - ')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
		failed_names+=("$(basename "$t") (exit $rc)")
	elif [ "$f" -gt 0 ]; then
		failed_names+=("$(basename "$t")")
	fi
done

# Under make asan the sanitizers write their reports to files in
# KESU_SAN_DIR (ASAN_OPTIONS/UBSAN_OPTIONS log_path), not to stderr, so a
# fault in a command that a test expects to fail is not taken for that
# failure: each report of a fault is one more failure here, printed whole.
# Files holding only LeakSanitizer's list of suppressions used are not.
if [ -n "${KESU_SAN_DIR:-}" ] && [ -d "$KESU_SAN_DIR" ]; then
	for f in "$KESU_SAN_DIR"/*; do
		[ -f "$f" ] || continue
		grep -q 'ERROR: \|runtime error:' "$f" || continue
		echo "not ok - sanitizer report $(basename "$f")"
		sed 's/^/#   /' "$f"
		failed=$((failed + 1))
		failed_names+=("sanitizer report $(basename "$f")")
	done
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	printf 'failing: %s\n' "${failed_names[@]}"
fi
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
