#!/usr/bin/env bash
# Every command and verb reads its options through cli/opts: the same
# mistake gets the same message, exit 2, and --help lists the verb's own
# options.  No device or register is touched.
. "$(dirname "$0")/../lib.sh"

# mistake NAME WANT ARGS...: exit 2 and exactly WANT on stderr, nothing on stdout.
mistake() {
	local name=$1 want=$2 rc
	shift 2
	"$KESU" "$@" >"$T_DIR/out" 2>"$T_DIR/err"
	rc=$?
	check "$name: exit 2" test "$rc" -eq 2
	check "$name: message" bash -c '[ "$(cat "$1")" = "$2" ] && [ ! -s "$3" ]' _ \
		"$T_DIR/err" "kesu: $want" "$T_DIR/out"
}

# verb CMD VALUE-OPTION OTHER-OPTIONS...: the unknown-option and
# missing-value messages, and a --help that names every option given.
verb() {
	local cmd=$1 valopt=$2 o
	shift 2
	# shellcheck disable=SC2086 # cmd is "register list": two words
	mistake "$cmd --bogus" "$cmd: unknown option '--bogus'; run 'kesu $cmd --help'" \
		$cmd --bogus
	# shellcheck disable=SC2086
	mistake "$cmd --$valopt" "$cmd: option '--$valopt' needs a value; run 'kesu $cmd --help'" \
		$cmd "--$valopt"
	# shellcheck disable=SC2086
	"$KESU" $cmd --help >"$T_DIR/help" 2>&1
	check "$cmd --help: usage line" grep -q "^Usage: kesu $cmd" "$T_DIR/help"
	for o in "$valopt" "$@" help; do
		check "$cmd --help: lists --$o" grep -qE -- "--$o( |\\[|$)" "$T_DIR/help"
	done
}

verb "register verify" register ca tsa-ca-file json config open-max-days
verb "register list" since until serial operator json register ca config asset department kind open
verb "register export" register csv excel since until serial operator ca config asset department kind open
verb "register trace" register json ca config
verb "destroy" serial device manifest model technique particle-size destroyed-at location \
	company person label-photo destroyed-photo vendor-certificate evidence \
	no-erasure-record witness my-number asset register cert-dir key cert tsa json
verb "register import" ca key cert register tsa tsa-ca-file config
verb "register repair" reason operator ca key cert register config
verb "register report" out pdf since until department lang cert-dir register ca config
verb "register init-db" register config
verb "register push" from register ca config
verb "register pull" out register since until serial operator config
verb "register seal" key cert register config

verb "wipe" asset-map same-asset asset method queue-depth no-cert location
verb "cert issue" key cert ca-file crl operator location witness register no-register tsa tsa-ca-file config
verb "cert verify" ca crl at json config tsa-ca-file
verb "cert timestamp" tsa tsa-ca-file config
verb "cert pdf" out lang ca config
"$KESU" cert show --help >"$T_DIR/help" 2>&1
check "cert show --help: usage and --json" \
	bash -c 'grep -q "^Usage: kesu cert show FILE" "$1" && grep -q -- "--json" "$1"' _ "$T_DIR/help"
mistake "cert show --bogus" "cert show: unknown option '--bogus'; run 'kesu cert show --help'" \
	cert show --bogus
mistake "cert show --json=x" "cert show: option '--json' takes no value; run 'kesu cert show --help'" \
	cert show --json=x
mistake "cert: unknown verb" \
	"cert: unknown subcommand 'sign'; use issue, verify, timestamp, show, countersign or pdf" cert sign
mistake "cert verify: bad --at" "--at: '2024-13-40' is not RFC 3339 or YYYY-MM-DD" \
	cert verify --at 2024-13-40 x
mistake "cert pdf: bad --lang" "--lang: 'fr' is not ja, en or ja+en" cert pdf --lang fr x

mistake "register: a verb the repair table does not take" \
	"register repair: unknown option '--json'; run 'kesu register repair --help'" \
	register repair --json
mistake "register: unknown verb" \
	"register: unknown subcommand 'frob'; use verify, list, export, trace, import, repair, report, init-db, push, pull or seal" \
	register frob
mistake "register list: bad time" "--since: 'yesterday' is not RFC 3339 or YYYY-MM-DD" \
	register list --since yesterday
mistake "register verify: an operand" "register verify: unexpected argument 'x'" \
	register verify x
mistake "register report: bad --lang" "--lang: 'xx' is not ja, en or ja+en" \
	register report --lang xx
"$KESU" register >"$T_DIR/out" 2>"$T_DIR/err"
check "register without a verb: exit 2" test $? -eq 2
check "register without a verb: the verbs on stderr" grep -q '^  repair ' "$T_DIR/err"
"$KESU" register --help >"$T_DIR/out" 2>&1
check "register --help: exit 0, every verb" \
	bash -c '[ "$(grep -c "^  [a-z-]\+  " "$1")" -eq 11 ]' _ "$T_DIR/out"
# A failure that echoes what it was given (a path, a file's contents) goes
# through kesu_report: no escape sequence reaches the terminal.
"$KESU" info $'/tmp/kesu-no-such\e]0;title\a\e[31m' >"$T_DIR/out" 2>"$T_DIR/err"
check "a failure echoing a typed path: exit 3, no control byte on stderr" \
	bash -c '[ "$1" -eq 3 ] && grep -q "kesu-no-such?" "$2" && ! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n" < "$2")' _ "$?" "$T_DIR/err"
t_done
