#!/usr/bin/env bash
# `make demo`: kesu's main job on a loop device over an image file in a
# temporary directory.  Later steps (wipe, certificate) extend this script.
# Usage: tests/demo.sh BUILD_DIR.  Touches nothing but its own image and loop
# device, which it detaches by exact name on exit, also on failure.
set -euo pipefail
build=${1:-build}
KESU="$(cd "$build" && pwd)/kesu"
[ -x "$KESU" ] || { echo "demo: $KESU not built; run make" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "demo: loop devices need root; run as root" >&2; exit 1; }

DEMO_DIR=$(mktemp -d /tmp/kesu-demo.XXXXXX)
DEMO_LOOP=""
demo_cleanup() {
	local rc=$?
	# Detach only the device we attached, and only while it still shows
	# our image as its backing file.
	if [ -n "$DEMO_LOOP" ]; then
		case "$(losetup -n -O BACK-FILE "$DEMO_LOOP" 2>/dev/null)" in
		"$DEMO_DIR"/*) losetup -d "$DEMO_LOOP" ;;
		esac
	fi
	rm -rf "$DEMO_DIR"
	[ $rc -eq 0 ] || echo "demo: FAILED (exit $rc); cleaned up $DEMO_DIR" >&2
	exit $rc
}
trap demo_cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }

step "an image file with a GPT and an ext4 filesystem, as a retired disk would have"
img="$DEMO_DIR/disk.img"
truncate -s 64M "$img"
printf 'label: gpt\nstart=2048, size=61440, name=data\n' | sfdisk -q "$img" >/dev/null
mkfs.ext4 -q -F -L city-files -E offset=$((2048 * 512)) "$img" 30M >/dev/null 2>&1
DEMO_LOOP=$(losetup --find --show "$img")
case "$(losetup -n -O BACK-FILE "$DEMO_LOOP")" in
"$DEMO_DIR"/*) ;;
*) echo "demo: $DEMO_LOOP is not backed by our image; refusing" >&2; exit 1 ;;
esac
echo "attached $img as $DEMO_LOOP"

step "kesu list --all"
"$KESU" list --all

step "kesu info $DEMO_LOOP"
"$KESU" info "$DEMO_LOOP"

step "kesu info --json $DEMO_LOOP"
"$KESU" info --json "$DEMO_LOOP" | tee "$DEMO_DIR/info.json"
jq -e '.erasable and .content.partitions[0].type == "ext4"' "$DEMO_DIR/info.json" >/dev/null

step "kesu wipe --dry-run $DEMO_LOOP: the plan, nothing written"
"$KESU" wipe --dry-run --method nist-clear "$DEMO_LOOP"

step "a throwaway CA and an operator certificate (for this demo only; a real CA key lives offline)"
CA_SCRIPTS="$(cd "$(dirname "$0")/../certs/ca" && pwd)"
"$CA_SCRIPTS/init-ca.sh" "$DEMO_DIR/ca" '/C=JP/O=デモ市/CN=デモ市 kesu CA (throwaway)' 1 2>/dev/null
"$KESU" key new --out "$DEMO_DIR/operator" --subject '/C=JP/O=デモ消去株式会社/CN=山田 太郎'
"$CA_SCRIPTS/issue-operator.sh" "$DEMO_DIR/ca" "$DEMO_DIR/operator/kesu-signing.csr" \
	"$DEMO_DIR/operator/operator.pem" 1 2>/dev/null
cat > "$DEMO_DIR/kesu.conf" <<CONF
[operator]
name = 山田 太郎
title = 主任
organization = デモ消去株式会社
contact = 03-0000-0000
[customer]
name = デモ市 総務課
[signing]
key = $DEMO_DIR/operator/kesu-signing.key
cert = $DEMO_DIR/operator/operator.pem
[trust]
ca_file = $DEMO_DIR/ca/ca.pem
[register]
path = $DEMO_DIR/register.jsonl
CONF
cat "$DEMO_DIR/kesu.conf"

step "kesu wipe --method nist-clear $DEMO_LOOP, confirmed by typing the device's name"
# A loop device has no serial number, so kesu asks for its name.  The
# certificate details not in kesu.conf come from the command line.
echo "${DEMO_LOOP#/dev/}" | "$KESU" wipe --method nist-clear --progress=none \
	--state-dir "$DEMO_DIR/state" --out "$DEMO_DIR/records" \
	--config "$DEMO_DIR/kesu.conf" --asset PC-2019-0042 --class 2 --reason disposal \
	--destination 'リサイクル業者' --approver '佐藤 花子 (総務課長)' \
	--approval-ref 'R8-総-123' --approval-date 2026-11-20 --witness '鈴木 一郎/総務課' \
	"$DEMO_LOOP"
DEMO_RECORD=$(ls "$DEMO_DIR"/records/kesu-run-*.json)
DEMO_CERT=$(ls "$DEMO_DIR"/records/kesu-cert-*.json)

step "checked without kesu: the whole device reads back as zeros"
cmp -n "$(blockdev --getsize64 "$DEMO_LOOP")" "$DEMO_LOOP" /dev/zero && echo "cmp: all zero"

step "the run record $DEMO_RECORD"
jq '{result, reason, method: .method.name, passes: [.passes[] | {pattern, verified}],
     verification, bad_ranges, bytes_written, started_at, ended_at,
     device: .device.path, before: .before.partitions}' "$DEMO_RECORD"
jq -e '.result == "erased" and .verification.outcome == "passed"' "$DEMO_RECORD" >/dev/null

step "kesu cert show $DEMO_CERT"
"$KESU" cert show "$DEMO_CERT"

step "kesu cert verify (signature, CA chain, consistency, run record)"
"$KESU" cert verify --config "$DEMO_DIR/kesu.conf" "$DEMO_CERT"

step "kesu register verify"
"$KESU" register verify --config "$DEMO_DIR/kesu.conf"

step "the city's check, with stock openssl and only the CA certificate"
cp "$DEMO_DIR/ca/ca.pem" "$DEMO_DIR/records/ca.pem"
X=$(basename "$DEMO_CERT")
echo "openssl cms -verify -binary -inform DER -in $X.p7s -content $X -CAfile ca.pem -purpose any"
(cd "$DEMO_DIR/records" &&
	openssl cms -verify -binary -inform DER -in "$X.p7s" -content "$X" -CAfile ca.pem -purpose any >/dev/null)

step "the information security manager, a witness and the city get role certificates"
role() { # ROLE DIR NAME
	"$KESU" key new --out "$DEMO_DIR/$2" --subject "/C=JP/O=デモ市/CN=$3" >/dev/null
	"$CA_SCRIPTS/issue-role.sh" "$DEMO_DIR/ca" "$1" "$DEMO_DIR/$2/kesu-signing.csr" \
		"$DEMO_DIR/$2/cert.pem" 1 2>/dev/null
}
role approver approver '佐藤 花子' && role witness witness '鈴木 一郎' && role city city 'デモ市 受領係'
openssl x509 -in "$DEMO_DIR/approver/cert.pem" -noout -ext extendedKeyUsage

step "kesu approval new: the manager signs a work order for class 3 media"
until=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
DEMO_APPROVAL=$("$KESU" approval new --config "$DEMO_DIR/kesu.conf" \
	--key "$DEMO_DIR/approver/kesu-signing.key" --cert "$DEMO_DIR/approver/cert.pem" \
	--reference 'R8-情政-17' --reason disposal --class 3 --customer 'デモ市 総務課' \
	--asset PC-2019-0099 --asset MN-2020-0007 --operator '山田 太郎' --valid-until "$until" \
	--out "$DEMO_DIR/approvals" --register "$DEMO_DIR/register.jsonl")
"$KESU" approval verify --config "$DEMO_DIR/kesu.conf" "$DEMO_APPROVAL"

step "without it, class 3 is refused before anything is written ([policy])"
echo "${DEMO_LOOP#/dev/}" | "$KESU" wipe --method zero --progress=none --state-dir "$DEMO_DIR/state" \
	--out "$DEMO_DIR/records3" --config "$DEMO_DIR/kesu.conf" --asset PC-2019-0099 --class 3 \
	--reason disposal --approver '佐藤 花子' "$DEMO_LOOP" && exit 1
echo "(refused, exit $?)"

step "kesu wipe --approval: the approved erasure"
echo "${DEMO_LOOP#/dev/}" | "$KESU" wipe --method zero --progress=none --state-dir "$DEMO_DIR/state" \
	--out "$DEMO_DIR/records3" --config "$DEMO_DIR/kesu.conf" --asset PC-2019-0099 --class 3 \
	--reason disposal --approval "$DEMO_APPROVAL" "$DEMO_LOOP"
DEMO_CERT3=$(ls "$DEMO_DIR"/records3/kesu-cert-*.json)
jq .approval "$DEMO_CERT3"

step "kesu cert countersign: the witness, then the city's receipt"
"$KESU" cert countersign --config "$DEMO_DIR/kesu.conf" --key "$DEMO_DIR/witness/kesu-signing.key" \
	--cert "$DEMO_DIR/witness/cert.pem" "$DEMO_CERT3"
"$KESU" cert countersign --config "$DEMO_DIR/kesu.conf" --key "$DEMO_DIR/city/kesu-signing.key" \
	--cert "$DEMO_DIR/city/cert.pem" "$DEMO_CERT3"
"$KESU" cert verify --config "$DEMO_DIR/kesu.conf" "$DEMO_CERT3"
X=$(basename "$DEMO_CERT3")
cp "$DEMO_DIR/ca/ca.pem" "$DEMO_DIR/records3/ca.pem"
for f in "$X.p7s" "$X.witness-1.p7s" "$X.city-1.p7s"; do
	echo "openssl cms -verify -binary -inform DER -in $f -content $X -CAfile ca.pem -purpose any"
	(cd "$DEMO_DIR/records3" &&
		openssl cms -verify -binary -inform DER -in "$f" -content "$X" -CAfile ca.pem -purpose any >/dev/null)
done

step "kesu custody: the city hands the disk to the contractor; the chain is not closed yet"
h1=$("$KESU" custody new --config "$DEMO_DIR/kesu.conf" --key "$DEMO_DIR/city/kesu-signing.key" \
	--cert "$DEMO_DIR/city/cert.pem" --serial PC-2019-0099 --from 'デモ市 受領係/デモ市 総務課' \
	--to '山田 太郎/デモ消去株式会社' --place 'サーバ室' --seal 'SEAL-0001' --out "$DEMO_DIR/custody")
"$KESU" custody receive --config "$DEMO_DIR/kesu.conf" "$h1"
"$KESU" custody chain --config "$DEMO_DIR/kesu.conf" --serial PC-2019-0099 --origin 'デモ市 総務課' "$h1" &&
	exit 1
echo "(a gap: the disk is not yet handed over for destruction, exit $?)"

step "a My Number disk: its erasure certificate stays open until it is destroyed"
# A second disk's run record (the test fixture of a SATA disk; on a real
# machine it comes from kesu wipe), certified as My Number media.  Its
# times are moved to now: the approval above was signed a moment ago, and
# an erasure that began before its approval is refused as a contradiction.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sed -e "s/\"run_id\": \"[^\"]*\"/\"run_id\": \"$(cat /proc/sys/kernel/random/uuid)\"/" \
	-e "s/2026-11-22T10:0[0-9]:00+09:00/$now/g" \
	"$(dirname "$0")/fixtures/runs/erased.json" > "$DEMO_DIR/records/run-mynumber.json"
sleep 1
"$KESU" cert issue "$DEMO_DIR/records/run-mynumber.json" --config "$DEMO_DIR/kesu.conf" \
	--asset MN-2020-0007 --class 3 --my-number --reason disposal \
	--approval "$DEMO_APPROVAL" --witness '鈴木 一郎/総務課'
"$KESU" register list --open --config "$DEMO_DIR/kesu.conf"

step "kesu destroy: the disk crushed (破砕) by a contractor, photos kept as evidence"
printf 'photo of the label' > "$DEMO_DIR/label.jpg"
printf 'photo of the pieces' > "$DEMO_DIR/after.jpg"
DEMO_DESTR=$("$KESU" destroy --config "$DEMO_DIR/kesu.conf" --serial WD-WCC6Y0ABCDEF \
	--technique 破砕 --particle-size 20 --location '株式会社クラッシュ 第二工場' \
	--company '株式会社クラッシュ' --person '高橋 次郎' --witness '鈴木 一郎/総務課' \
	--label-photo "$DEMO_DIR/label.jpg" --destroyed-photo "$DEMO_DIR/after.jpg" \
	--cert-dir "$DEMO_DIR/records")
jq '{kind, closes, technique, destroyed_by, witnesses, evidence}' "$DEMO_DESTR"
"$KESU" cert verify --config "$DEMO_DIR/kesu.conf" "$DEMO_DESTR"
X=$(basename "$DEMO_DESTR")
(cd "$DEMO_DIR/records" &&
	openssl cms -verify -binary -inform DER -in "$X.p7s" -content "$X" -CAfile ca.pem \
		-purpose any >/dev/null) && echo "openssl cms -verify: $X verified"

step "the My Number item is closed: nothing open, its whole life, the ledger"
"$KESU" register list --open --config "$DEMO_DIR/kesu.conf"
[ "$("$KESU" register list --open --json --config "$DEMO_DIR/kesu.conf" | jq length)" -eq 0 ]
"$KESU" register verify --open-max-days 0 --config "$DEMO_DIR/kesu.conf"
"$KESU" register trace WD-WCC6Y0ABCDEF --config "$DEMO_DIR/kesu.conf"
"$KESU" register export --csv --config "$DEMO_DIR/kesu.conf" | cut -d, -f1,3,6,19-

echo
echo "demo: ok"
