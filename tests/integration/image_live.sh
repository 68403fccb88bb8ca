#!/usr/bin/env bash
# The live system's steps (image/live-lib.sh) on this machine, under the
# image's own shell (busybox sh), on files of this test: the kernel
# command line options, kesu.conf values, and the stick's checks before the
# station starts (a signing key others may read is refused, with a message
# that says so).  The boot itself: tests/image/boot.sh (make imagecheck).
. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v busybox > /dev/null || { not_ok "busybox is installed (make deps)"; t_done; exit 1; }

# live CMDLINE SCRIPT: SCRIPT under busybox sh with live-lib.sh loaded, the
# stick at $T_DIR/stick and the command line CMDLINE.
live() {
	printf '%s\n' "$1" > "$T_DIR/cmdline"
	LIVE_CMDLINE=$T_DIR/cmdline LIVE_STICK=$T_DIR/stick \
		busybox sh -c ". '$root/image/live-lib.sh'; $2" 2>&1
}
export -f live; export root T_DIR

check "kesu.poweroff and kesu.lang=ja are read from the command line" \
	bash -c '[ "$(live "$1" "live_opt kesu.poweroff && echo yes; live_opt kesu.lang; live_opt kesu.dry || echo no")" = "$(printf "yes\nja\nno")" ]' \
	_ "console=tty0 kesu.poweroff kesu.lang=ja kesu.dryrun"
check "say writes to each console named (none here: stdout)" \
	bash -c '[ "$(live "quiet" "say hello")" = "kesu-live: hello" ]'

mkdir -p "$T_DIR/stick"
cat > "$T_DIR/stick/kesu.conf" <<CONF
# comment = no
[operator]
key = not this one
[signing]
cert = $T_DIR/stick/signing.pem
  key   =   $T_DIR/stick/signing.key  
CONF
check "conf_value reads a key of its own section, trimmed" \
	bash -c '[ "$(live "" "conf_value \"\$LIVE_STICK/kesu.conf\" signing key")" = "$T_DIR/stick/signing.key" ]'

out=$(live "" 'stick_check && echo PASSED')
check "a key that is not on the stick is refused, naming it" \
	bash -c 'grep -q "signing key or PIN file .*signing.key named in kesu.conf is not on the stick" <<<"$1" && ! grep -q PASSED <<<"$1"' _ "$out"
head -c 64 /dev/urandom > "$T_DIR/stick/signing.key"
chmod 0644 "$T_DIR/stick/signing.key"
out=$(live "" 'stick_check && echo PASSED')
check "a world-readable key (0644) is refused with its mode and the fix" \
	bash -c 'grep -q "REFUSED: the signing key or PIN file .* has mode 644; it must be 0600" <<<"$1" && ! grep -q PASSED <<<"$1"' _ "$out"
chmod 0640 "$T_DIR/stick/signing.key"
check "a group-readable key (0640) too" \
	bash -c '! live "" "stick_check" >/dev/null'
chmod 0600 "$T_DIR/stick/signing.key"
check "a 0600 key passes" bash -c 'live "" "stick_check && echo PASSED" | grep -qx PASSED'
printf '[signing]\nkey = pkcs11:token=kesu;object=operator;type=private\npkcs11_module = /usr/lib/softhsm/libsofthsm2.so\npin_file = %s\n' \
	"$T_DIR/stick/token.pin" > "$T_DIR/stick/kesu.conf"
printf '123456\n' > "$T_DIR/stick/token.pin"
chmod 0600 "$T_DIR/stick/token.pin"
check "a key on a PKCS#11 token with a private PIN file passes" \
	bash -c 'live "" "stick_check && echo PASSED" | grep -qx PASSED'
chmod 0644 "$T_DIR/stick/token.pin"
check "a token's PIN file others may read is refused" \
	bash -c 'live "" "stick_check" | grep -q "REFUSED: .*token.pin has mode 644"'
printf '[signing]\nkey = pkcs11:token=kesu;object=operator\n' > "$T_DIR/stick/kesu.conf"
check "a token key without pkcs11_module is refused" \
	bash -c 'live "" "stick_check" | grep -q "no \[signing\] pkcs11_module"'
printf '[operator]\nname = x\n' > "$T_DIR/stick/kesu.conf"
check "a kesu.conf naming no key is refused" \
	bash -c 'live "" "stick_check" | grep -q "names no \[signing\] key"'
rm "$T_DIR/stick/kesu.conf"
check "a stick without kesu.conf is refused, saying so" \
	bash -c 'live "" "stick_check || echo REFUSED" | grep -q "has no kesu.conf" '

printf '%s\n' '{"event":"decided","device":"sdb","state":"refused","reason":"sdb is mounted on /media/kesu; unmount it first"}' \
	'{"event":"decided","device":"sda","state":"refused","reason":"serial S1 is not in the asset map"}' \
	'{"event":"decided","device":"sda","state":"refused","reason":"serial S1 is not in the asset map"}' \
	'{"event":"decided","device":"nvme0n1","state":"running","reason":null}' \
	'{"event":"finished","device":"sdc","state":"refused","reason":"x"}' > "$T_DIR/events.jsonl"
check "refused_disks names a disk refused for another reason than a mount, once" \
	bash -c '[ "$(live "" "refused_disks $T_DIR/events.jsonl")" = sda ]'

# The real safety gate on what the init leaves mounted: the boot medium
# read-only, the stick read-write.  Both are refused by kesu info's gate
# (read only: nothing is erased here).
iso=$(make_image boot.img 4) && mkfs.ext4 -q -F -L KESU_LIVE "$iso" > /dev/null 2>&1 &&
	B=$(make_loop "$iso") && assert_ours "$B" && mkdir -p "$T_DIR/boot" &&
	mount -o ro "$B" "$T_DIR/boot" && T_MOUNTS=("$T_DIR/boot" "${T_MOUNTS[@]}") ||
	{ not_ok "read-only mounted loop set-up"; t_done; exit 1; }
out=$("$KESU" info --json "$B" 2>&1)
check "kesu's gate refuses a disk mounted read-only (the boot medium)" \
	bash -c 'jq -e ".erasable == false and (.protected_reasons | map(.code) | index(\"mounted\"))" <<<"$1" >/dev/null' _ "$out"
t_done
