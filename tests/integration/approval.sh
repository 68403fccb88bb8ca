#!/usr/bin/env bash
# Signed approvals (kesu-approval(5)) end to end: the information security
# manager signs with an approver certificate, kesu wipe and kesu cert issue
# check it before anything is written, the certificate records it, and
# kesu cert verify checks it again.  Each refusal leaves the device as it was.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

make_ca ca && make_ca otherca && make_operator op ca && make_role '佐藤 花子' ca approver &&
	make_role 'Other Approver' otherca approver && make_role '鈴木 一郎' ca witness ||
	{ not_ok "test CA set-up"; t_done; exit 1; }
CA=$T_DIR/ca/ca.pem
APPR=(--key "$T_DIR/佐藤 花子/kesu-signing.key" --cert "$T_DIR/佐藤 花子/cert.pem" --config /dev/null
	--ca "$CA" --out "$T_DIR/appr")
now=$(date -u +%s)
FROM=$(date -u -d "@$((now - 3600))" +%Y-%m-%dT%H:%M:%SZ)
UNTIL=$(date -u -d "@$((now + 86400))" +%Y-%m-%dT%H:%M:%SZ)
new_approval() { # ARGS...: print the path
	"$KESU" approval new "${APPR[@]}" --reference 'R8-情政-17' --reason disposal --class 3 \
		--customer '総務課' --operator '山田 太郎' --valid-from "$FROM" --valid-until "$UNTIL" "$@"
}

good=$(new_approval --asset A-0042 --asset A-0043)
check "kesu approval new writes a signed approval" test -s "$good" -a -s "$good.p7s"
check "stock openssl cms -verify accepts it" openssl_verify "$good" "$CA"
check "approval verify says OK, the approver and 'valid now'" \
	bash -c '"$KESU" approval verify --ca "$2" "$1" | grep -q "OK: approval R8-情政-17 by .*佐藤 花子.*valid now"' _ "$good" "$CA"
check "approval verify --json gives the approver's name and role from the certificate" \
	bash -c '"$KESU" approval verify --ca "$2" --json "$1" | jq -e ".[0].ok and .[0].approver == \"佐藤 花子\" and .[0].roles == \"approver\" and .[0].state == \"valid\""' _ "$good" "$CA"
check "approval show lists what it covers" \
	bash -c '"$KESU" approval show "$1" | grep -q "assets *A-0042, A-0043"' _ "$good"

out=$("$KESU" approval new --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
	--config /dev/null --ca "$CA" --out "$T_DIR/appr" --reference R --reason disposal --class 3 \
	--asset A-0042 --operator x --valid-until "$UNTIL" 2>&1); rc=$?
check "an operator certificate cannot sign an approval (exit 6, names the role)" \
	bash -c '[ $1 -eq 6 ] && grep -q "approver role" <<<"$2"' _ "$rc" "$out"
out=$(new_approval --asset A-0042 --valid-until "$FROM" 2>&1); rc=$?
check "an approval whose window is empty is refused (exit 9)" \
	bash -c '[ $1 -eq 9 ] && grep -q "never valid" <<<"$2"' _ "$rc" "$out"
out=$(new_approval --asset $'A-00\u202e42' 2>&1); rc=$?
check "an asset with a direction override is refused" \
	bash -c '[ $1 -ne 0 ] && grep -q "U+202E" <<<"$2"' _ "$rc" "$out"

# An approval made by an approver, then re-signed with an operator's key
# with plain openssl: the role check, not kesu approval new, must catch it.
forged=$T_DIR/forged/$(basename "$good")
mkdir -p "$T_DIR/forged" && cp "$good" "$forged" &&
	openssl cms -sign -binary -in "$forged" -signer "$T_DIR/op/cert.pem" \
		-inkey "$T_DIR/op/kesu-signing.key" -outform DER -out "$forged.p7s" -md sha256 -nosmimecap
check "approval verify refuses one signed by an operator (WRONG ROLE)" \
	bash -c '! "$KESU" approval verify --ca "$2" "$1" >"$3/o" 2>&1; grep -q "WRONG ROLE" "$3/o"' _ "$forged" "$CA" "$T_DIR"
other=$("$KESU" approval new --key "$T_DIR/Other Approver/kesu-signing.key" \
	--cert "$T_DIR/Other Approver/cert.pem" --config /dev/null --out "$T_DIR/other" \
	--reference R --reason disposal --class 3 --asset A-0042 --operator '山田 太郎' \
	--valid-from "$FROM" --valid-until "$UNTIL")
check "an approver of another CA is UNTRUSTED" \
	bash -c '"$KESU" approval verify --ca "$2" "$1" | grep -q "UNTRUSTED"' _ "$other" "$CA"
expired=$(new_approval --asset A-0042 --valid-from 2026-01-05 --valid-until 2026-01-06)
notmine=$(new_approval --asset A-9999)
c2=$("$KESU" approval new "${APPR[@]}" --reference R2 --reason disposal --class 2 --asset A-0042 \
	--operator '山田 太郎' --valid-from "$FROM" --valid-until "$UNTIL")
otherop=$("$KESU" approval new "${APPR[@]}" --reference R3 --reason disposal --class 3 --asset A-0042 \
	--operator '田中 次郎' --valid-from "$FROM" --valid-until "$UNTIL")
bycert=$("$KESU" approval new "${APPR[@]}" --reference R4 --reason disposal --class 3 --asset A-0042 \
	--operator-cert "$T_DIR/op/cert.pem" --valid-from "$FROM" --valid-until "$UNTIL")

# ---- kesu wipe on a loop device ----
printf '[trust]\nca_file = %s\n' "$CA" > "$T_DIR/kesu.conf"
printf '[trust]\nca_file = %s\n[policy]\nsigned_approval_classes = none\ntyped_approvers = no\n' \
	"$CA" > "$T_DIR/notyped.conf"
REG=$T_DIR/reg/register.jsonl
CERTOPTS=(--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config "$T_DIR/kesu.conf"
	--operator '山田 太郎' --organization 'テスト消去株式会社' --customer '総務課'
	--asset A-0042 --class 3 --reason disposal --register "$REG")
W=("$KESU" wipe --yes --quiet --progress=none --state-dir "$T_DIR/state" --out "$T_DIR/out")
img=$(make_image disk.img 4) && head -c 4M /dev/urandom > "$img" && L=$(make_loop "$img") ||
	{ not_ok "loop device set-up"; t_done; exit 1; }
before=$(sha256sum < "$img")
untouched() { [ "$(sha256sum < "$img")" = "$before" ] && ! ls "$T_DIR"/out/kesu-run-*.json >/dev/null 2>&1; }

refused() { # NAME EXIT PATTERN ARGS...
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("${W[@]}" "${CERTOPTS[@]}" "$@" "$L" 2>&1); rc=$?
	check "$name (exit $want), nothing written" \
		bash -c '[ $1 -eq $2 ] && grep -q -- "$3" <<<"$4"' _ "$rc" "$want" "$pat" "$out" &&
		check "$name: the device is untouched" untouched
}
refused "class 3 with a typed approver only is refused by the default [policy]" 6 \
	"signed approval" --approver '佐藤 花子'
refused "an approval signed by an operator is refused" 6 "approver role" --approval "$forged"
refused "an expired approval is refused" 6 "after its validity" --approval "$expired"
refused "an approval for another class is refused" 6 "class 2 media" --approval "$c2"
refused "an approval naming another operator is refused" 6 "does not name operator" --approval "$otherop"
refused "an approval that does not cover this medium is refused" 6 "does not cover this medium" \
	--approval "$notmine"
refused "an approver of another CA is refused" 9 "not issued by" --approval "$other"
refused "--approver contradicting the signed approval is refused" 2 "contradicts" \
	--approval "$good" --approver '別人'
out=$("${W[@]}" "${CERTOPTS[@]}" --config "$T_DIR/notyped.conf" --class 2 --approver x "$L" 2>&1); rc=$?
check "typed_approvers = no refuses a typed approver for class 2 (exit 6)" \
	bash -c '[ $1 -eq 6 ] && grep -q "typed approvers are not accepted" <<<"$2"' _ "$rc" "$out"

"${W[@]}" "${CERTOPTS[@]}" --approval "$good" --json "$L" > "$T_DIR/w.json"
check "wipe with a covering approval exits 0" test $? -eq 0
cert=$(jq -r '.[0].certificate' "$T_DIR/w.json")
check "the certificate names the approver from the signed certificate, reference and hash" \
	bash -c 'jq -e --arg h "$(sha256sum < "$2" | cut -d" " -f1)" ".approval.approver == \"佐藤 花子\" and .approval.reference == \"R8-情政-17\" and .approval.document.sha256 == \$h" "$1"' _ "$cert" "$good"
check "the approval is copied beside the certificate" \
	test -s "$(dirname "$cert")/$(basename "$good").p7s"
check "cert verify checks the approval" \
	bash -c '"$KESU" cert verify --ca "$2" "$1" | grep -q "signed approval checked"' _ "$cert" "$CA"
check "cert verify --json says approval_checked" \
	bash -c '"$KESU" cert verify --ca "$2" --json "$1" | jq -e ".[0].approval_checked"' _ "$cert" "$CA"
check "stock openssl verifies the certificate" openssl_verify "$cert" "$CA"
cp "$(dirname "$cert")/$(basename "$good")" "$T_DIR/saved.json"
sed -i 's/A-0043/A-0044/' "$(dirname "$cert")/$(basename "$good")"
check "an edited approval beside the certificate fails cert verify (APPROVAL)" \
	bash -c '! "$KESU" cert verify --ca "$2" "$1" >"$3/o" 2>&1; grep -q "APPROVAL" "$3/o"' _ "$cert" "$CA" "$T_DIR"
check "the approval given by path is checked instead" \
	bash -c '"$KESU" cert verify --ca "$2" --approval "$3" "$1" | grep -q "signed approval checked"' _ "$cert" "$CA" "$good"
check "another approval given by path is refused" \
	bash -c '! "$KESU" cert verify --ca "$2" --approval "$3" "$1" >/dev/null 2>&1' _ "$cert" "$CA" "$bycert"

# ---- a resumed wipe is judged against its approval again ----
# The copy beside the certificates as it was before the edit above.
cp "$T_DIR/saved.json" "$(dirname "$cert")/$(basename "$good")"
interrupted() { # APPROVAL: a zero wipe of $L under it, stopped (SIGINT) before it reads back
	local flag="$T_DIR/pause.${L#/dev/}" pid rc
	KESU_TEST_PAUSE_BEFORE_VERIFY="$T_DIR/pause" "${W[@]}" "${CERTOPTS[@]}" --method zero \
		--approval "$1" "$L" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 400); do [ -e "$flag" ] && break; sleep 0.05; done
	kill -INT $pid
	wait $pid
	rc=$?
	rm -f "$flag"
	[ $rc -eq 8 ]
}
resume_refused() { # NAME PATTERN ARGS...: the resume is refused (exit 6) and writes nothing
	local name=$1 pat=$2 out rc snap
	shift 2
	snap=$(sha256sum < "$img")
	out=$("${W[@]}" "${CERTOPTS[@]}" --resume "$@" "$L" 2>&1); rc=$?
	check "$name (exit 6)" bash -c '[ $1 -eq 6 ] && grep -q -- "$2" <<<"$3"' _ "$rc" "$pat" "$out" &&
		check "$name: nothing written, checkpoint kept" \
			bash -c '[ "$(sha256sum < "$1")" = "$2" ] && ls "$3"/checkpoint-*.json >/dev/null' \
			_ "$img" "$snap" "$T_DIR/state"
}
check "a wipe under an approval, interrupted before it reads back (exit 8)" interrupted "$good"
check "its checkpoint keeps the approval it was started under (path and SHA-256)" \
	bash -c 'jq -e --arg h "$(sha256sum < "$2" | cut -d" " -f1)" --arg f "$(realpath "$2")" ".certificate.approval == {file: \$f, sha256: \$h}" "$1"/checkpoint-*.json >/dev/null' _ "$T_DIR/state" "$good"
resume_refused "a resume without the approval is refused, naming its file" \
	"resume with --approval $(realpath "$good")"
resume_refused "a resume under another approval is refused" "not the one the interrupted wipe" \
	--approval "$bycert"
"${W[@]}" "${CERTOPTS[@]}" --resume --approval "$good" --json "$L" > "$T_DIR/r.json"
check "a resume under the same, still valid approval exits 0" test $? -eq 0
cert=$(jq -r '.[0].certificate' "$T_DIR/r.json")
check "its certificate says resumed and records the approval" \
	bash -c 'jq -e --arg h "$(sha256sum < "$2" | cut -d" " -f1)" ".execution.resumed and .approval.document.sha256 == \$h" "$1" >/dev/null' _ "$cert" "$good"
exp=$(($(date -u +%s) + 15))
short=$("$KESU" approval new "${APPR[@]}" --reference 'R8-情政-17' --reason disposal --class 3 \
	--customer '総務課' --operator '山田 太郎' --asset A-0042 --valid-from "$FROM" \
	--valid-until "$(date -u -d "@$exp" +%Y-%m-%dT%H:%M:%SZ)")
check "a wipe under a short approval, interrupted while it is valid (exit 8)" interrupted "$short"
while [ "$(date -u +%s)" -le "$exp" ]; do sleep 0.5; done
resume_refused "a resume after the approval expired is refused" "after its validity" --approval "$short"
rm -f "$T_DIR"/state/checkpoint-*.json
# The same with the asset number given per device (--asset DEVICE=NUMBER),
# where the certificate details are settled per device after prepare: the
# checkpoint must still keep the approval and the resume still answer to it.
saved_opts=("${CERTOPTS[@]}")
CERTOPTS=()
for a in "${saved_opts[@]}"; do [ "$a" = A-0042 ] && a="$L=A-0042"; CERTOPTS+=("$a"); done
check "per-device asset: a wipe under an approval, interrupted (exit 8)" interrupted "$good"
check "per-device asset: its checkpoint keeps the approval" \
	bash -c 'jq -e --arg h "$(sha256sum < "$2" | cut -d" " -f1)" ".certificate.approval.sha256 == \$h" "$1"/checkpoint-*.json >/dev/null' _ "$T_DIR/state" "$good"
resume_refused "per-device asset: a resume without the approval is refused" \
	"resume with --approval $(realpath "$good")"
"${W[@]}" "${CERTOPTS[@]}" --resume --approval "$good" --json "$L" > "$T_DIR/r2.json"
check "per-device asset: a resume under the same approval exits 0 and records it" \
	bash -c 'jq -e --arg h "$(sha256sum < "$2" | cut -d" " -f1)" ".execution.resumed and .approval.document.sha256 == \$h and .asset.property_number == \"A-0042\"" "$(jq -r ".[0].certificate" "$1")" >/dev/null' _ "$T_DIR/r2.json" "$good"
CERTOPTS=("${saved_opts[@]}")
rm -f "$T_DIR"/state/checkpoint-*.json

# ---- kesu cert issue: the approval must cover what the run record says ----
run=$(jq -r '.[0].record' "$T_DIR/w.json")
rr2=$(new_run "$run" "$T_DIR/run2.json")
ISSUE=("$KESU" cert issue --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem"
	--config "$T_DIR/kesu.conf" --operator '山田 太郎' --organization 'テスト消去株式会社'
	--customer '総務課' --class 3 --reason disposal --no-register --cert-dir "$T_DIR/issued")
out=$("${ISSUE[@]}" --asset A-0042 --approval "$notmine" "$rr2" 2>&1); rc=$?
check "cert issue refuses an approval that does not cover the medium (exit 6), no certificate" \
	bash -c '[ $1 -eq 6 ] && grep -q "does not cover this medium" <<<"$2" && ! ls "$3"/kesu-cert-*.json >/dev/null 2>&1' \
	_ "$rc" "$out" "$T_DIR/issued"
c=$("${ISSUE[@]}" --asset A-0042 --approval "$bycert" "$rr2")
check "an approval naming the operator by certificate is accepted" \
	bash -c '"$KESU" cert verify --ca "$2" "$1" | grep -q "signed approval checked"' _ "$c" "$CA"

# ---- kesu destroy --approval: every medium covered before anything is signed ----
DREG=$T_DIR/dreg/register.jsonl
# Registered first: kesu destroy on a register that does not exist yet
# fails with an empty message (destroy branch), which is not what this tests.
sn=$(new_approval --serial SN-DESTROY-1 --register "$DREG")
dst() {
	"$KESU" destroy --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
		--config /dev/null --ca-file "$CA" --register "$DREG" --cert-dir "$T_DIR/dd" \
		--operator '山田 太郎' --organization '情報政策課' --company 'クラッシュ' \
		--person '佐藤 花子' --location '工場' --technique crush \
		--no-erasure-record 'leased disk, never erased by kesu' "$@"
}
out=$(dst --serial SN-OTHER --approval "$sn" 2>&1); rc=$?
check "destroy refuses a medium the approval does not cover (exit 6), nothing recorded" \
	bash -c '[ $1 -eq 6 ] && grep -q "does not cover this medium" <<<"$2" && ! ls "$3"/kesu-destruction-* >/dev/null 2>&1' \
	_ "$rc" "$out" "$T_DIR/dd"
out=$(dst --serial SN-DESTROY-1 --approval "$forged" 2>&1); rc=$?
check "destroy refuses an approval signed by an operator (exit 6)" \
	bash -c '[ $1 -eq 6 ] && grep -q "approver role" <<<"$2"' _ "$rc" "$out"
check "destroy records a covered medium" dst --serial SN-DESTROY-1 --approval "$sn"

# ---- the register keeps approvals as lines of their own ----
AREG=$T_DIR/areg/register.jsonl
ra=$(new_approval --asset A-0050 --register "$AREG")
check "approval new --register adds an approval line" \
	bash -c 'tail -1 "$1" | jq -e ".kind == \"approval\" and .reference == \"R8-情政-17\" and .serial == null"' _ "$AREG"
check "register verify accepts it" "$KESU" register verify --register "$AREG" --ca "$CA" --config /dev/null
sed -i 's/A-0050/A-0051/' "$ra"
check "an edited registered approval fails register verify" \
	bash -c '! "$KESU" register verify --register "$1" --ca "$2" --config /dev/null >/dev/null 2>&1' _ "$AREG" "$CA"
t_done
