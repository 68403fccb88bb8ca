#!/usr/bin/env bash
# kesu wipe issues and registers a certificate per device: round trip from a
# loop device to a certificate verified by kesu and by the city's openssl
# command; certificate problems stop kesu before anything is written.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"
. "$(dirname "$0")/../i18nlib.sh"

make_ca ca && make_ca otherca && make_operator op ca && make_operator stranger otherca &&
	make_operator revoked ca || { not_ok "test CA set-up"; t_done; exit 1; }
OUT=$T_DIR/out REG=$T_DIR/reg/register.jsonl
CERTOPTS=(--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config "$POLICY_OFF_CONF"
	--operator '山田 太郎' --organization 'テスト消去株式会社' --customer '総務課'
	--asset A-0042 --class 3 --reason disposal --approver '佐藤 花子'
	--approval-ref 'R8-情政-17' --approval-date 2026-11-20 --witness '鈴木 一郎/情報政策課'
	--register "$REG")
W=("$KESU" wipe --yes --quiet --progress=none --state-dir "$T_DIR/state" --out "$OUT")

img=$(make_image disk.img 8) && head -c 8M /dev/urandom > "$img" && L=$(make_loop "$img") ||
	{ not_ok "loop device set-up"; t_done; exit 1; }

# Refusals first: nothing may be written when no certificate could follow.
before=$(sha256sum < "$img")
out=$("${W[@]}" "$L" 2>&1); rc=$?
check "without certificate details wipe refuses (exit 2) and says how" \
	bash -c '[ $1 -eq 2 ] && grep -q -- "--no-cert" <<<"$2"' _ "$rc" "$out"
img2=$(make_image disk2.img 8) && L2=$(make_loop "$img2") || { not_ok "second loop device"; t_done; exit 1; }
out=$("${W[@]}" "${CERTOPTS[@]}" "$L" "$L2" 2>&1); rc=$?
check "one --asset for two devices without --same-asset is refused (exit 2) before anything is written" \
	bash -c '[ $1 -eq 2 ] && grep -q -- "--same-asset" <<<"$2" && [ "$(sha256sum < "$3")" = "$4" ]' \
	_ "$rc" "$out" "$img" "$before"
chmod 644 "$T_DIR/op/kesu-signing.key"
out=$("${W[@]}" "${CERTOPTS[@]}" "$L" 2>&1); rc=$?
check "with an unsafe key file wipe refuses (exit 5)" \
	bash -c '[ $1 -eq 5 ] && grep -q "chmod 600" <<<"$2"' _ "$rc" "$out"
chmod 600 "$T_DIR/op/kesu-signing.key"
check "and the device was not touched" test "$(sha256sum < "$img")" = "$before"

# The work location (issue #12) is typed text like the others: an escape
# character on the command line, or a direction-changing one in kesu.conf,
# is refused before anything is written.
out=$("${W[@]}" "${CERTOPTS[@]}" --location $'作業室\e[2J' "$L" 2>&1); rc=$?
check "a --location with an escape character is refused (exit 2) before writing" \
	bash -c '[ $1 -eq 2 ] && grep -q -- "--location" <<<"$2" && [ "$(sha256sum < "$3")" = "$4" ]' \
	_ "$rc" "$out" "$img" "$before"
printf '[operator]\nlocation = 作業室\xe2\x80\xaeB\n[policy]\nsigned_approval_classes = none\n' \
	> "$T_DIR/bidi.conf"
out=$("${W[@]}" "${CERTOPTS[@]}" --config "$T_DIR/bidi.conf" "$L" 2>&1); rc=$?
check "an [operator] location with a direction-changing character is refused (exit 2) before writing" \
	bash -c '[ $1 -eq 2 ] && grep -q "work location.*U+202E" <<<"$2" && [ "$(sha256sum < "$3")" = "$4" ] &&
		! ls "$5"/kesu-run-*.json >/dev/null 2>&1' _ "$rc" "$out" "$img" "$before" "$OUT"

# Signer trust is checked before any device is opened (issue #10, item 10):
# an operator of another CA, or a revoked one, would leave an erased disk
# with a certificate nobody accepts.
STRANGER=("${CERTOPTS[@]}" --key "$T_DIR/stranger/kesu-signing.key" --cert "$T_DIR/stranger/cert.pem")
out=$("${W[@]}" "${STRANGER[@]}" --ca-file "$T_DIR/ca/ca.pem" "$L" 2>&1); rc=$?
check "an operator certificate from another CA is refused (exit 9) before writing" \
	bash -c '[ $1 -eq 9 ] && grep -q "not issued by this CA" <<<"$2" && grep -q "nothing erased" <<<"$2"' _ "$rc" "$out"
"$CA_SCRIPTS/revoke-operator.sh" "$T_DIR/ca" "$T_DIR/revoked/cert.pem" >/dev/null 2>&1 &&
	"$CA_SCRIPTS/gen-crl.sh" "$T_DIR/ca" "$T_DIR/ca/crl.pem" >/dev/null 2>&1
printf '[trust]\nca_file = %s\ncrl_file = %s\n[policy]\nsigned_approval_classes = none\n' \
	"$T_DIR/ca/ca.pem" "$T_DIR/ca/crl.pem" > "$T_DIR/trust.conf"
REVOKED=("${CERTOPTS[@]}" --key "$T_DIR/revoked/kesu-signing.key" --cert "$T_DIR/revoked/cert.pem"
	--config "$T_DIR/trust.conf")
out=$("${W[@]}" "${REVOKED[@]}" "$L" 2>&1); rc=$?
check "a revoked operator certificate ([trust] crl_file) is refused (exit 9) before writing" \
	bash -c '[ $1 -eq 9 ] && grep -q "revoked" <<<"$2"' _ "$rc" "$out"
check "and still nothing was written: no device change, no run record" \
	bash -c '[ "$(sha256sum < "$1")" = "$2" ] && ! ls "$3"/kesu-run-*.json >/dev/null 2>&1' _ "$img" "$before" "$OUT"

"${W[@]}" "${CERTOPTS[@]}" --location '本庁舎 地下1階 作業室' --json "$L" > "$T_DIR/summary.json"
check "wipe with certificate options exits 0" test $? -eq 0
cert=$(jq -r '.[0].certificate' "$T_DIR/summary.json")
check "the summary names the certificate" test -s "$cert" -a -s "$cert.p7s"
check "the certificate is for this device and says erased" \
	bash -c 'jq -e --arg d "$2" ".device.path == \$d and .result == \"erased\" and .asset.property_number == \"A-0042\"" "$1" >/dev/null' _ "$cert" "$L"
# A loop device has no health log: recorded as not read, with the reason,
# before and after, on the run record and the certificate alike.
check "the certificate records the drive's health as not read, saying why" \
	bash -c 'jq -e ".health.before.source == \"none\" and (.health.before.reason | test(\"loop\")) and .health.after.source == \"none\"" "$1" >/dev/null &&
		rr=$(dirname "$1")/$(jq -r .run_record.file "$1") && jq -e ".health == $(jq -c .health "$1")" "$rr" >/dev/null' _ "$cert"
check "the certificate carries the work location, and cert show shows it" \
	bash -c 'jq -e ".operator.location == \"本庁舎 地下1階 作業室\"" "$1" >/dev/null &&
		"$KESU" cert show "$1" | grep -q "Work location  *本庁舎 地下1階 作業室"' _ "$cert"
check "cert show shows the health lines" \
	bash -c '"$KESU" cert show "$1" | grep -q "Drive health before  *not read: no drive health log"' _ "$cert"
# Each pass's speed, from the run record beside the certificate (nist-clear:
# one pass, written and read back), and only while it is that record.
check "cert show gives the pass's write and verify speeds from the run record" \
	bash -c 'rr=$(dirname "$1")/$(jq -r .run_record.file "$1")
		w=$(jq -r ".passes[0].timing.write.mb_per_s" "$rr") v=$(jq -r ".passes[0].timing.verify.mb_per_s" "$rr")
		out=$(en cert show "$1")
		grep -q "Speed, pass 1  *write $(printf %.1f "$w") MB/s (8388608 bytes in [0-9]* ms); verify $(printf %.1f "$v") MB/s (8388608 bytes in [0-9]* ms)$" <<<"$out" &&
		! grep -q "Speed, pass 2" <<<"$out"' _ "$cert"
ja_locale || not_ok "a ja_JP.UTF-8 locale for the next check"
check "cert show in Japanese gives them in Japanese" \
	bash -c 'ja cert show "$1" | grep -q "速度 パス 1 / Speed, pass 1  *書き込み [0-9.]* MB/s (8388608 バイト、[0-9]* ミリ秒)、検証 "' _ "$cert"
check "a changed run record beside it: cert show shows no speeds and says why" \
	bash -c 'rr=$(dirname "$1")/$(jq -r .run_record.file "$1"); cp "$rr" "$rr.keep"; echo >> "$rr"
		out=$(en cert show "$1"); mv "$rr.keep" "$rr"
		grep -q "Speed  *not shown: the run record beside it does not match" <<<"$out" && ! grep -q "Speed, pass" <<<"$out"' _ "$cert"
check "no run record beside it: cert show says so" \
	bash -c 'mkdir -p "$2/alone" && cp "$1" "$2/alone/" && en cert show "$2/alone/${1##*/}" |
		grep -q "Speed  *not shown: the run record is not beside the certificate"' _ "$cert" "$T_DIR"
# The printed certificate carries the same speeds, in a table marked as
# not signed, and says why when it has none to show.
export PDF_DIR=$T_DIR/pdf
# Printing loads fontconfig, whose first parse of its configuration
# LeakSanitizer reports under make asan (the suppression pdf.sh uses).
export PDF_LSAN=fast_unwind_on_malloc=0:suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan-fontconfig.supp
pdf_text() {
	LSAN_OPTIONS=$PDF_LSAN "$KESU" cert pdf --lang en --out "$PDF_DIR" "$1" >/dev/null &&
		pdftotext -layout "$PDF_DIR/$(basename "${1%.json}").pdf" -
}
export -f pdf_text
check "cert pdf prints the pass's write and verify speeds from the run record" \
	bash -c 'rr=$(dirname "$1")/$(jq -r .run_record.file "$1")
		w=$(jq -r ".passes[0].timing.write.mb_per_s" "$rr") v=$(jq -r ".passes[0].timing.verify.mb_per_s" "$rr")
		out=$(pdf_text "$1")
		grep -q "Speeds from the run record (not signed)" <<<"$out" &&
		grep -Eq "^ *1 +00 +$(printf %.1f "$w") MB/s +$(printf %.1f "$v") MB/s *$" <<<"$out"' _ "$cert"
check "a changed run record beside it: the PDF shows no speeds and says why" \
	bash -c 'rr=$(dirname "$1")/$(jq -r .run_record.file "$1"); cp "$rr" "$rr.keep"; echo >> "$rr"
		out=$(pdf_text "$1"); mv "$rr.keep" "$rr"
		grep -q "not shown: the run record beside it does not match the certificate" <<<"$out" &&
		! grep -q "MB/s" <<<"$out"' _ "$cert"
check "round trip: kesu cert verify (run record beside it matches)" \
	bash -c '"$KESU" cert verify --ca "$2" "$1" | grep -q "OK: result erased.*run record matches"' _ "$cert" "$T_DIR/ca/ca.pem"
check "round trip: the README openssl command" openssl_verify "$cert" "$T_DIR/ca/ca.pem"
check "the device reads back as zeros (checked without kesu)" \
	cmp -n "$(blockdev --getsize64 "$L")" "$L" /dev/zero
# The computer's SMBIOS identity, whatever /sys/class/dmi/id holds here: each
# value the certificate names is the firmware's (trimmed), and one the
# firmware does not give is not named (this machine may have none at all).
smbios_matches() { # CERT
	local key file v
	for key in vendor:sys_vendor product:product_name serial:product_serial asset_tag:chassis_asset_tag; do
		file=/sys/class/dmi/id/${key#*:}
		v=$(jq -r --arg k "${key%%:*}" '.host[$k] // empty' "$1")
		if [ -z "$v" ]; then continue; fi
		[ -r "$file" ] && [ "$(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' "$file")" = "$v" ] || return 1
	done
	[ -r /sys/class/dmi/id/sys_vendor ] || [ -r /sys/class/dmi/id/product_name ] ||
		[ -r /sys/class/dmi/id/product_serial ] || [ -r /sys/class/dmi/id/chassis_asset_tag ] ||
		jq -e 'has("host") | not' "$1" > /dev/null
}
check "the certificate's host is this machine's SMBIOS identity ($(cat /sys/class/dmi/id/sys_vendor 2>/dev/null || echo none here))" \
	smbios_matches "$cert"
check "and the run record keeps the same as host.smbios" \
	bash -c 'jq -e --argjson h "$(jq -c ".host // null" "$1")" ".host.smbios // null == \$h" "$2" >/dev/null' \
	_ "$cert" "$(dirname "$cert")/$(jq -r .run_record.file "$cert")"
check "the certificate is registered and the register verifies" \
	bash -c '[ "$(jq -r .cert_id "$1")" = "$(jq -r .id "$2")" ] && "$KESU" register verify --register "$1" --ca "$3" >/dev/null' \
	_ "$REG" "$cert" "$T_DIR/ca/ca.pem"

# A run that is not "erased" still gets its certificate, saying so.
"${W[@]}" "${CERTOPTS[@]}" --json --verify=none "$L" > "$T_DIR/summary2.json"; rc=$?
cert2=$(jq -r '.[0].certificate' "$T_DIR/summary2.json")
check "an unverified wipe exits 1 and is not certified as erased" \
	bash -c '[ $1 -eq 1 ] && [ "$(jq -r .result "$2")" != erased ]' _ "$rc" "$cert2"
check "its certificate verifies and states the true result" \
	bash -c 'r=$(jq -r .execution.run_result "$1"); c=$(jq -r .result "$1");
		[ "$r" != erased ] && [ "$c" != erased ] && "$KESU" cert verify --ca "$2" "$1" >/dev/null' _ "$cert2" "$T_DIR/ca/ca.pem"

out=$("${W[@]}" "${CERTOPTS[@]}" --my-number "$L" 2>&1)
check "My Number media: the wipe summary says physical destruction is required" \
	grep -q "PHYSICAL DESTRUCTION REQUIRED" <<<"$out"
check "the register holds all three, chain intact" \
	bash -c '[ "$(wc -l < "$1")" -eq 3 ] && "$KESU" register verify --register "$1" --ca "$2" >/dev/null' _ "$REG" "$T_DIR/ca/ca.pem"
# A resume certifies the asset the interrupted run was started for, whatever
# is typed at the resume (issue #10, item 2).
pause="$T_DIR/pause"
KESU_TEST_PAUSE_BEFORE_VERIFY="$pause" "${W[@]}" "${CERTOPTS[@]}" --method zero "$L" >/dev/null 2>&1 &
pid=$!
flag="$pause.${L#/dev/}"
for _ in $(seq 600); do [ -e "$flag" ] && break; sleep 0.05; done
kill -INT "$pid"; wait "$pid"; rc=$?; rm -f "$flag"
check "a certified wipe interrupted before its verification exits 8" test "$rc" -eq 8
OTHER=("${CERTOPTS[@]/A-0042/B-9999}")
out=$("${W[@]}" "${OTHER[@]}" --resume "$L" 2>&1); rc=$?
check "a resume naming another --asset is refused (exit 2), naming the option" \
	bash -c '[ $1 -eq 2 ] && grep -q -- "--asset differs" <<<"$2"' _ "$rc" "$out"
out=$("${W[@]}" "${CERTOPTS[@]/disposal/repair}" --resume "$L" 2>&1); rc=$?
check "so is one with another --reason" \
	bash -c '[ $1 -eq 2 ] && grep -q -- "--reason differs" <<<"$2"' _ "$rc" "$out"
"${W[@]}" --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config /dev/null \
	--register "$REG" --resume --json "$L" >"$T_DIR/resumed.json"; rc=$?
cert3=$(jq -r '.[0].certificate' "$T_DIR/resumed.json")
check "a resume without details ends erased and certifies the interrupted run's asset" \
	bash -c '[ $1 -eq 0 ] && jq -e ".result == \"erased\" and .asset.property_number == \"A-0042\" and .asset.reason == \"disposal\"" "$2" >/dev/null' \
	_ "$rc" "$cert3"
check "--no-cert skips the certificate" \
	bash -c '"$@" --no-cert --json | jq -e ".[0].certificate == null" >/dev/null' _ "${W[@]}" "$L"

t_done
