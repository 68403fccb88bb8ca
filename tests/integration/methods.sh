#!/usr/bin/env bash
# kesu methods: the table and JSON list every built-in method with its passes.
. "$(dirname "$0")/../lib.sh"

out=$("$KESU" methods)
check "methods: table lists 13 methods" \
	test "$(printf '%s\n' "$out" | grep -c '^  *passes: ')" -eq 13
check "methods: nist-clear is marked default" \
	bash -c 'printf "%s\n" "$1" | grep -q "^nist-clear .*\[default\]"' _ "$out"

json=$("$KESU" methods --json)
check "methods --json: 13 overwrite methods" test "$(jq '[.methods[] | select(.firmware != true)] | length' <<<"$json")" -eq 13
check "methods --json: gutmann has 35 passes, 8 random" \
	test "$(jq -c '.methods[] | select(.name=="gutmann") | [(.passes|length), ([.passes[]|select(.=="random")]|length), .npasses]' <<<"$json")" = "[35,8,35]"
check "methods --json: dod-3 passes" \
	test "$(jq -c '.methods[] | select(.name=="dod-3") | .passes' <<<"$json")" = '["00","ff","random"]'
check "methods --json: only nist-clear is default" \
	test "$(jq -c '[.methods[] | select(.default) | .name]' <<<"$json")" = '["nist-clear"]'
check "methods --json NAME: one method" \
	test "$("$KESU" methods --json vsitr | jq -c '[.methods[].name, .methods[0].passes[6]]')" = '["vsitr","aa"]'

"$KESU" methods --help >"$T_DIR/help" 2>&1
check "methods --help: exit 0 and usage" grep -q '^Usage: kesu methods' "$T_DIR/help"

"$KESU" methods no-such-method >/dev/null 2>"$T_DIR/err"
rc=$?
check "methods: unknown name exits 2" test "$rc" -eq 2
check "methods: unknown name says what to do" \
	grep -q "^kesu: methods: no method named 'no-such-method'; run 'kesu methods'" "$T_DIR/err"
"$KESU" methods --bogus >/dev/null 2>"$T_DIR/err"
rc=$?
check "methods: unknown option exits 2" test "$rc" -eq 2
check "methods: unknown option message" grep -q "unknown option '--bogus'" "$T_DIR/err"
t_done
