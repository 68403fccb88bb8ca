#!/usr/bin/env bash
# kesu wipe with several devices: each certificate names its own asset
# number (--asset DEVICE=NUMBER, --asset-map, --same-asset), and every
# ambiguity is refused before anything is written.  Loop devices have no
# serial: the map's serial matching is in test_asset_resolve and the VM
# bed's disposal group.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

make_ca ca && make_operator op ca || { not_ok "test CA set-up"; t_done; exit 1; }
OUT=$T_DIR/out REG=$T_DIR/reg/register.jsonl
CERTOPTS=(--key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" --config "$POLICY_OFF_CONF"
	--operator '山田 太郎' --organization 'テスト消去株式会社' --customer '総務課'
	--class 2 --reason disposal --approver '佐藤 花子' --approval-ref R-1
	--approval-date 2026-11-20 --register "$REG")
W=("$KESU" wipe --yes --quiet --progress=none --state-dir "$T_DIR/state" --out "$OUT"
	"${CERTOPTS[@]}")

img1=$(make_image a.img 4) && head -c 4M /dev/urandom > "$img1" && L1=$(make_loop "$img1") &&
	img2=$(make_image b.img 4) && head -c 4M /dev/urandom > "$img2" && L2=$(make_loop "$img2") &&
	img3=$(make_image c.img 4) && L3=$(make_loop "$img3") ||
	{ not_ok "loop device set-up"; t_done; exit 1; }
before=$(cat "$img1" "$img2" | sha256sum)
untouched() { [ "$(cat "$img1" "$img2" | sha256sum)" = "$before" ] && ! ls "$OUT"/kesu-run-*.json >/dev/null 2>&1; }

# refused NAME EXIT PATTERN ARGS...: exit EXIT, PATTERN in the message, nothing written.
refused() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("${W[@]}" "$@" 2>&1); rc=$?
	check "$name (exit $want, nothing written)" \
		bash -c '[ "$1" -eq "$2" ] && grep -qF -- "$3" <<<"$4"' _ "$rc" "$want" "$pat" "$out" &&
		check "$name: the devices and records are untouched" untouched
}

refused "one --asset for two devices" 2 "add --same-asset" --asset X-1 "$L1" "$L2"
refused "a device without an asset number" 2 "--asset $L2=NUMBER" --asset "$L1=A-1" "$L1" "$L2"
refused "--asset for a device not in the run" 2 "no device of this run is '$L3'" \
	--asset "$L1=A-1" --asset "$L2=A-2" --asset "$L3=A-3" "$L1" "$L2"
refused "two numbers for one device" 2 "two asset numbers, A-1 and A-9" \
	--asset "$L1=A-1" --asset "$L1=A-9" --asset "$L2=A-2" "$L1" "$L2"
refused "--same-asset with per-device numbers" 2 "--same-asset takes the one number" \
	--same-asset --asset "$L1=A-1" "$L1" "$L2"
refused "--asset with an empty number" 2 "NUMBER or DEVICE=NUMBER" --asset "$L1=" "$L1"
refused "--asset with an escape sequence (not echoed)" 2 "--asset 1 is empty, too long or holds control" \
	--asset $'\e[2J=A-1' "$L1"
printf 'NOSUCH-1,A-1\n' > "$T_DIR/map.csv"
refused "an asset map that names neither device" 2 "add its serial to the asset map" \
	--asset-map "$T_DIR/map.csv" "$L1" "$L2"
printf 'S1,A-1\nthis line has no comma\n' > "$T_DIR/bad.csv"
refused "a malformed asset map" 9 "bad.csv:2: expected 'serial,asset'" \
	--asset-map "$T_DIR/bad.csv" --asset "$L1=A-1" --asset "$L2=A-2" "$L1" "$L2"
# Issue #12: the map's columns class, reason and customer, by a header;
# every cell is checked, on any line, before a device is opened.
cols() { printf 'serial,asset,class,reason,customer\nS1,A-1,2,disposal,総務課\n%s\n' "$1" > "$T_DIR/cols.csv"; }
cols 'S2,A-2,4,disposal,'
refused "an asset map with class 4" 9 "cols.csv:3: class '4' is not 1, 2 or 3" \
	--asset-map "$T_DIR/cols.csv" --asset "$L1=A-1" --asset "$L2=A-2" "$L1" "$L2"
cols 'S2,A-2,,sold,'
refused "an asset map with an unknown reason" 9 "cols.csv:3: reason 'sold' is not disposal" \
	--asset-map "$T_DIR/cols.csv" --asset "$L1=A-1" --asset "$L2=A-2" "$L1" "$L2"
cols $'S2,A-2,,,総務\e[2J課'
refused "an asset map with an escape character in a customer" 9 "cols.csv:3: control, invisible" \
	--asset-map "$T_DIR/cols.csv" --asset "$L1=A-1" --asset "$L2=A-2" "$L1" "$L2"
printf 'serial,asset,colour\nS1,A-1,red\n' > "$T_DIR/cols.csv"
refused "an asset map with an unknown column" 9 "cols.csv:1: column 'colour' is unknown" \
	--asset-map "$T_DIR/cols.csv" --asset "$L1=A-1" "$L1"
# Without --class the map may give each device its class; a device it
# gives none (a loop device has no serial to match) is refused, unopened.
cols 'S2,A-2,3,reuse,情報政策課'
NOCLASS=() skip=0
for a in "${W[@]}"; do
	if [ "$a" = --class ]; then skip=1; elif [ $skip = 1 ]; then skip=0; else NOCLASS+=("$a"); fi
done
out=$("${NOCLASS[@]}" --asset-map "$T_DIR/cols.csv" --asset "$L1=A-1" "$L1" 2>&1); rc=$?
check "without --class, a device the map gives no class is refused (exit 2, nothing written)" \
	bash -c '[ $1 -eq 2 ] && grep -q "$2: certificate: confidentiality class must be 1, 2 or 3" <<<"$3"' \
	_ "$rc" "$L1" "$out" && check "and the devices and records are untouched" untouched
out=$("${NOCLASS[@]}" --asset "$L1=A-1" "$L1" 2>&1); rc=$?
check "without --class and without a map, the class is asked for before any probe (exit 2)" \
	bash -c '[ $1 -eq 2 ] && grep -q "confidentiality class must be" <<<"$2"' _ "$rc" "$out" &&
	check "and nothing was written" untouched
refused "an asset map whose name holds an escape sequence" 2 "rename the file" \
	--asset-map "$T_DIR/"$'\e[2J'".csv" --asset "$L1=A-1" "$L1"
refused "an asset map that cannot be read" 3 "--asset-map" \
	--asset-map "$T_DIR/none.csv" --asset "$L1=A-1" "$L1"

"${W[@]}" --dry-run "$L1" "$L2" >/dev/null 2>&1
check "--dry-run needs no asset number (it issues nothing)" test $? -eq 0
refused "--dry-run still refuses an ambiguous --asset" 2 "add --same-asset" --dry-run --asset X-1 "$L1" "$L2"
out=$("${W[@]}" --dry-run --asset "$L1=資産-1" --asset "$L2=A-2" "$L1" "$L2" 2>&1)
check "--dry-run shows each device's asset number" \
	bash -c 'grep -q "asset     資産-1" <<<"$1" && grep -q "asset     A-2" <<<"$1"' _ "$out"
out=$("${W[@]}" --dry-run --json --asset "$L1=A-1" --asset "$L2=A-2" "$L1" "$L2" 2>/dev/null)
check "--dry-run --json: plan[].asset" \
	bash -c 'jq -e --arg a "$2" ".plan[0].asset == \"A-1\" and .plan[0].device.path == \$a and .plan[1].asset == \"A-2\"" <<<"$1" >/dev/null' _ "$out" "$L1"
check "--dry-run shows the class and reason each certificate will carry" \
	bash -c 'grep -q "class     2" <<<"$1" && grep -q "reason    disposal" <<<"$1"' _ \
	"$("${W[@]}" --dry-run --asset "$L1=A-1" "$L1" 2>&1)"
check "--dry-run --json: plan[].class, .reason, .customer" \
	bash -c 'jq -e ".plan[0].class == 2 and .plan[0].reason == \"disposal\" and .plan[0].customer == \"総務課\"" <<<"$1" >/dev/null' _ \
	"$("${W[@]}" --dry-run --json --asset "$L1=A-1" "$L1" 2>/dev/null)"
# Without --customer the department comes from kesu.conf, in the plan as
# on the certificate.
printf '[policy]\nsigned_approval_classes = none\n[customer]\nname = 情報政策課\n' > "$T_DIR/cust.conf"
NOCUST=() skip=0
for a in "${W[@]}"; do
	if [ "$a" = --customer ] || [ "$a" = --config ]; then skip=1
	elif [ $skip = 1 ]; then skip=0
	else NOCUST+=("$a"); fi
done
check "--dry-run --json: the department from kesu.conf when no --customer" \
	bash -c 'jq -e ".plan[0].customer == \"情報政策課\"" <<<"$1" >/dev/null' _ \
	"$("${NOCUST[@]}" --config "$T_DIR/cust.conf" --dry-run --json --asset "$L1=A-1" "$L1" 2>/dev/null)"

"${W[@]}" --json --asset "$L2=B-2" --asset "$L1=B-1" "$L1" "$L2" > "$T_DIR/s1.json"
check "--asset DEVICE=NUMBER for each device: exit 0" test $? -eq 0
check "each certificate names its own device's asset number" \
	bash -c 'for c in $(jq -r ".[].certificate" "$1"); do
		echo "$(jq -r .device.path "$c") $(jq -r .asset.property_number "$c")"; done | sort > "$1.got"
		printf "%s B-1\n%s B-2\n" "$2" "$3" | sort | diff - "$1.got"' _ "$T_DIR/s1.json" "$L1" "$L2"

"${W[@]}" --json --same-asset --asset SRV-0007 "$L1" "$L2" > "$T_DIR/s2.json"
check "--same-asset: exit 0, both certificates name SRV-0007" \
	bash -c '[ "$(for c in $(jq -r ".[].certificate" "$1"); do jq -r .asset.property_number "$c"; done | sort -u)" = SRV-0007 ]' _ "$T_DIR/s2.json"
check "the register verifies and lists both assets" \
	bash -c '"$KESU" register verify --register "$1" --ca "$2" >/dev/null &&
		[ "$("$KESU" register list --register "$1" --ca "$2" --asset SRV-0007 --json | jq length)" -eq 2 ] &&
		[ "$("$KESU" register list --register "$1" --ca "$2" --asset B-1 --json | jq length)" -eq 1 ]' \
	_ "$REG" "$T_DIR/ca/ca.pem"
"${W[@]}" --asset X-1 "$L1" >/dev/null 2>&1
check "one device with a plain --asset works as before" test $? -eq 0

t_done
