#!/usr/bin/env bash
# Firmware purge on this machine: only listing and read-only discovery.  No
# real drive here takes firmware commands (loop devices have no
# pass-through), so every command path is proven by the device models in
# the unit tests; the VM bed covers emulated NVMe and SATA.
. "$(dirname "$0")/../lib.sh"

json=$("$KESU" methods --json)
check "methods --json: 19 firmware purge methods" \
	test "$(jq '[.methods[] | select(.firmware == true)] | length' <<<"$json")" -eq 19
check "methods --json: emmc-sanitize is one" \
	test "$(jq '[.methods[] | select(.name == "emmc-sanitize") | .technique]' -c <<<"$json")" = '["block-erase"]'
check "methods --json: purge methods are NIST purge with sampling" \
	test "$(jq -c '[.methods[] | select(.firmware == true) | [.nist_category, .verify]] | unique' <<<"$json")" = '[["purge","sample"]]'
check "methods NAME: a purge method by name" \
	bash -c '"$1" methods nvme-format-erase | grep -q "^nvme-format-erase .*SES=1"' _ "$KESU"
check "methods --json: the crypto+block chains name both techniques" \
	test "$(jq -c '[.methods[] | select(.technique == "crypto-erase+block-erase") | .name]' <<<"$json")" = \
	'["nvme-sanitize-crypto-block","ata-sanitize-crypto-block","scsi-sanitize-crypto-block"]'

img=$(make_image purge.img 8)
lo=$(make_loop "$img") || { not_ok "attach image"; t_done; exit 1; }
assert_ours "$lo"
info=$("$KESU" info --json "$lo")
check "info --json: a loop device has no firmware purge" \
	test "$(jq -c '[.purge.interface, (.purge.methods | length)]' <<<"$info")" = '[null,0]'
check "info: text names the reason" \
	bash -c '"$1" info "$2" | grep -q "purge note: .*loop"' _ "$KESU" "$lo"
check "info --json: an image file has purge null" \
	test "$("$KESU" info --json "$img" | jq -c .purge)" = null
check "list --json: every device carries a purge key" \
	test "$("$KESU" list --json | jq '[.devices[] | has("purge")] | all')" = true
out="$T_DIR/out"
mkdir -p "$out"
"$KESU" wipe --method nvme-format-erase --no-cert -y --out "$out" --state-dir "$T_DIR/state" "$lo" 2>"$T_DIR/err"
rc=$?
check "wipe --method nvme-format-erase on a loop device is refused before anything runs" \
	test "$rc" -ne 0 -a -z "$(ls "$out")"
check "wipe: the refusal says why" grep -q "pass-through" "$T_DIR/err"
"$KESU" wipe --method emmc-sanitize --no-cert -y --out "$out" --state-dir "$T_DIR/state" "$lo" 2>"$T_DIR/err"
rc=$?
check "wipe --method emmc-sanitize on a loop device is refused (exit 4), nothing written" \
	test "$rc" -eq 4 -a -z "$(ls "$out")"
"$KESU" wipe --then zero --no-cert -y -n "$lo" 2>"$T_DIR/err2"
check "wipe --then without a purge method is a usage error (exit 2)" test $? -eq 2
check "wipe --help lists the purge options" \
	bash -c '"$1" wipe --help | grep -q -- "--unlock-hidden"' _ "$KESU"
t_done
