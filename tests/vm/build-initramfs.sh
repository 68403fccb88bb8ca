#!/usr/bin/env bash
# Builds the guest's initramfs: static busybox with its applet links, the
# Debian kernel's own modules (dependencies resolved from modules.dep, load
# order written to /vm/modules.order), kesu and its plugins with every
# shared library ldd names, dmsetup and jq with theirs, and the guest
# scripts.
#
# Usage: build-initramfs.sh KVER KESU_BIN OUT.cpio.gz [PKI_DIR]
# PKI_DIR (a test CA and operator, made by host.sh) goes to /vm/pki.
# Writes only OUT and a staging directory next to it.
set -euo pipefail

kver=$1
kesu_bin=$2
out=$3
pki=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
moddir=/lib/modules/$kver
stage=$(dirname "$out")/initramfs.d

# Drivers the guest tests exercise, in the order the tests need them; each
# one's dependencies are loaded before it.  ext4 (and the crc32c it asks the
# crypto API for, which cannot be autoloaded without modprobe) is for the
# mounted-partition safety gate test; the mmc drivers for the SD card.
MODULES=(crct10dif_common crc-t10dif crc64 crc64-rocksoft t10-pi scsi_common
	scsi_mod sd_mod sg libata libahci ahci nvme-core nvme dm-mod dm-flakey
	crc32c_generic crc16 mbcache jbd2 ext4 mmc_core mmc_block cqhci sdhci sdhci-pci
	virtio_pci virtio_blk)
# Copied but loaded by the guest tests themselves (they pass parameters).
LATE_MODULES=(scsi_debug)

. "$here/../../image/initramfs-lib.sh"
[ -x "$kesu_bin" ] || die "no kesu binary at $kesu_bin; run 'make'"

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,run,etc,vm/modules,mnt}
stage_busybox

copy_elf "$kesu_bin" /usr/sbin/kesu
# Beside the binary, where kesu looks first (lib/plugin.h).
copy_plugins "$kesu_bin" /usr/sbin/plugins
# An ASan/UBSan build (make asan) brings its runtime libraries through ldd
# like any other; the marker tells the guest to collect the sanitizers'
# reports and to allow its groups more time (tests/vm/guest-lib.sh).
if ldd "$kesu_bin" | grep -q 'libasan\.so'; then
	touch "$stage/vm/sanitized"
fi
copy_elf "$(command -v dmsetup)" /usr/sbin/dmsetup
copy_elf "$(command -v jq)" /usr/bin/jq
# udevd with kesu's rules alone, started by the station group to see that
# 60-kesu.rules tags a hot-added disk (the other groups run without udev).
copy_elf /lib/systemd/systemd-udevd /lib/systemd/systemd-udevd
copy_elf "$(command -v udevadm)" /usr/bin/udevadm
mkdir -p "$stage/etc/udev/rules.d"
cp "$here/../../udev/60-kesu.rules" "$stage/etc/udev/rules.d/"

modules_read
modules_stage "$stage/vm/modules" "$stage/vm/modules.order" "${MODULES[@]}"
for m in "${LATE_MODULES[@]}"; do
	m=${m//-/_}
	for d in ${deps_of[$m]:-}; do
		dn=$(basename "$d"); dn=${dn%%.ko*}; dn=${dn//-/_}
		[ -n "${loaded[$dn]:-}" ] || die "late module $m needs $dn, which is not loaded at boot"
	done
	[ -n "${path_of[$m]:-}" ] || die "module $m not in $moddir/modules.dep"
	module_copy "$m" "$stage/vm/modules"
done

cp "$here/init" "$stage/init"
[ -n "$pki" ] && cp -r "$pki" "$stage/vm/pki"
cp "$here/guest-lib.sh" "$here/guest-tests.sh" "$here/disks.conf" "$stage/vm/"
chmod 0755 "$stage/init"
echo "kesu-vm" > "$stage/etc/hostname"
echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
echo "root:x:0:" > "$stage/etc/group"

stage_cpio "$out"
rm -rf "$stage"
