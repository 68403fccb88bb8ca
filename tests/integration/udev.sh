#!/usr/bin/env bash
# udev/: the rules and the systemd units kesu-station(8) installs.  Nothing
# is installed on this machine: the rules are tried with `udevadm test` in a
# private mount namespace whose /etc/udev/rules.d, /run and /proc/cmdline
# are this test's own, on a loop device over a file of ours.  Debian 12's
# udevadm has no `verify`; the live rules (tags on a hot-added disk) are
# tried in the QEMU guest (tests/vm/guest-tests.sh, group station).
. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
rules=$root/udev/60-kesu.rules

for tool in udevadm unshare systemd-analyze; do
	command -v "$tool" >/dev/null || { not_ok "$tool is installed (make deps: udev, systemd)"; t_done; exit 1; }
done

# make install with the default PREFIX (/usr/local) into a directory of
# ours: the rules and units must land where udev and systemd read them,
# which PREFIX does not move (the defect: /usr/local/lib/udev/rules.d).
udevdir=$(pkg-config --variable=udevdir udev)/rules.d
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
make -s -C "$root" install DESTDIR="$T_DIR/inst" BUILD="${KESU_BUILD:-$root/build}" \
	> "$T_DIR/install.log" 2>&1
check "make install puts the rules in udev's own directory ($udevdir), whatever PREFIX" \
	test -f "$T_DIR/inst$udevdir/60-kesu.rules" -a ! -e "$T_DIR/inst/usr/local/lib/udev"
check "and the units in systemd's ($unitdir), naming kesu under PREFIX" \
	grep -qx "ExecStart=/usr/local/sbin/kesu station --json --existing --once --only /dev/%I" \
	"$T_DIR/inst$unitdir/kesu-station@.service"
make -s -C "$root" uninstall DESTDIR="$T_DIR/inst" BUILD="${KESU_BUILD:-$root/build}" \
	>> "$T_DIR/install.log" 2>&1
check "make uninstall removes them from there" \
	test ! -e "$T_DIR/inst$udevdir/60-kesu.rules" -a ! -e "$T_DIR/inst$unitdir/kesu-station.service"

# The units as `make install` writes them, pointing at the kesu under test.
mkdir -p "$T_DIR/units"
for u in kesu-station.service kesu-station@.service; do
	sed "s|/usr/sbin/kesu|$KESU|" "$root/udev/$u" > "$T_DIR/units/$u"
done
cp "$T_DIR/units/kesu-station@.service" "$T_DIR/units/kesu-station@sdz.service"
check "systemd-analyze verify accepts both units" \
	systemd-analyze verify --man=no "$T_DIR/units/kesu-station.service" \
	"$T_DIR/units/kesu-station@sdz.service"
check "the template runs a station for its disk alone and exits with it" \
	grep -qx "ExecStart=$KESU station --json --existing --once --only /dev/%I" \
	"$T_DIR/units/kesu-station@.service"
sed 's/^ExecStart=.*/ExecStart=/' "$T_DIR/units/kesu-station.service" > "$T_DIR/units/bad.service"
if systemd-analyze verify --man=no "$T_DIR/units/bad.service" >/dev/null 2>&1; then
	not_ok "systemd-analyze verify refuses a unit without a command (the check can fail)"
else
	ok "systemd-analyze verify refuses a unit without a command (the check can fail)"
fi

img=$(make_image disk.img 16)
loop=$(make_loop "$img") || { not_ok "attach a loop device"; t_done; exit 1; }
assert_ours "$loop"
name=${loop#/dev/}

# udev_props RULES MARKER CMDLINE: the properties udevadm test computes for
# our loop device with RULES as the only local rules, MARKER (yes/no) an
# erasing marker for it, CMDLINE as the kernel command line (udev reads PID
# 1's in a container; SYSTEMD_PROC_CMDLINE overrides both).  udevadm test
# writes links under /dev and a database under /run: both are private
# tmpfs here, /dev holding nothing but our loop device's node and null.
read -r maj min < <(tr ':' ' ' < "/sys/class/block/$name/dev")
udev_props() {
	local r=$1 marker=$2 cmdline=$3
	cp "$r" "$T_DIR/rules.d.60-kesu.rules"
	SYSTEMD_PROC_CMDLINE=$cmdline unshare -m --propagation private bash -c '
		set -e
		mount -t tmpfs tmpfs /etc/udev/rules.d
		cp "$1/rules.d.60-kesu.rules" /etc/udev/rules.d/60-kesu.rules
		mount -t tmpfs tmpfs /run
		mkdir -p /run/kesu/erasing
		[ "$2" = yes ] && : > "/run/kesu/erasing/$3"
		mount -t tmpfs tmpfs /dev
		mknod /dev/null c 1 3
		mknod "/dev/$3" b "$4" "$5"
		udevadm test --action=add "/sys/class/block/$3" 2>&1' _ "$T_DIR" "$marker" "$name" "$maj" "$min"
}

out=$(udev_props "$rules" no "quiet")
check "udevadm reads 60-kesu.rules without complaint" \
	bash -c 'grep -q "60-kesu.rules" <<<"$1" && ! grep -iE "60-kesu.rules.*(invalid|error|unknown|ignor)" <<<"$1"' _ "$out"
check "a loop device is not tagged for kesu" bash -c '! grep -E "^TAGS=.*:kesu:" <<<"$1"' _ "$out"
check "no erasing marker: udisks is not told to ignore the disk" \
	bash -c '! grep -q "^UDISKS_IGNORE=1" <<<"$1"' _ "$out"

out=$(udev_props "$rules" yes "quiet")
check "a disk kesu is erasing gets UDISKS_IGNORE=1 and UDISKS_AUTO=0" \
	bash -c 'grep -qx "UDISKS_IGNORE=1" <<<"$1" && grep -qx "UDISKS_AUTO=0" <<<"$1" && grep -qx "KESU_ERASING=1" <<<"$1"' _ "$out"

# The tag and the station-mode lines, on a copy whose only change is that
# virtual devices are not skipped (a loop device is all this machine has;
# the guest tries the file as installed on a real disk).
sed '/^KERNEL=="loop\*/d' "$rules" > "$T_DIR/any.rules"
check "the copy differs from the rules by the one line" \
	test "$(diff "$rules" "$T_DIR/any.rules" | grep -c '^<')" -eq 1
out=$(udev_props "$T_DIR/any.rules" no "quiet")
check "a whole disk is tagged kesu" bash -c 'grep -qE "^TAGS=.*:kesu:" <<<"$1"' _ "$out"
check "without kesu.station=1 no station unit is wanted" \
	bash -c '! grep -q "kesu-station@" <<<"$1"' _ "$out"
out=$(udev_props "$T_DIR/any.rules" no "BOOT_IMAGE=/vmlinuz kesu.station=1 quiet")
check "with kesu.station=1 systemd is asked for kesu-station@NAME.service" \
	bash -c 'grep -qx "SYSTEMD_WANTS=kesu-station@$2.service" <<<"$1"' _ "$out" "$name"
out=$(udev_props "$T_DIR/any.rules" no "kesu.station=0")
check "kesu.station=0 wants no station unit" bash -c '! grep -q "kesu-station@" <<<"$1"' _ "$out"

t_done
