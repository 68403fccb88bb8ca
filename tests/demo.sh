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

step "kesu wipe --method nist-clear $DEMO_LOOP, confirmed by typing the device's name"
# A loop device has no serial number, so kesu asks for its name.
echo "${DEMO_LOOP#/dev/}" | "$KESU" wipe --method nist-clear --progress=none \
	--state-dir "$DEMO_DIR/state" --out "$DEMO_DIR/records" "$DEMO_LOOP"
DEMO_RECORD=$(ls "$DEMO_DIR"/records/kesu-run-*.json)

step "checked without kesu: the whole device reads back as zeros"
cmp -n "$(blockdev --getsize64 "$DEMO_LOOP")" "$DEMO_LOOP" /dev/zero && echo "cmp: all zero"

step "the run record $DEMO_RECORD"
jq '{result, reason, method: .method.name, passes: [.passes[] | {pattern, verified}],
     verification, bad_ranges, bytes_written, started_at, ended_at,
     device: .device.path, before: .before.partitions}' "$DEMO_RECORD"
jq -e '.result == "erased" and .verification.outcome == "passed"' "$DEMO_RECORD" >/dev/null

echo
echo "demo: ok"
