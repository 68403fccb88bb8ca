#!/usr/bin/env bash
# Builds the guest's initramfs: static busybox with its applet links, the
# Debian kernel's own modules (dependencies resolved from modules.dep, load
# order written to /vm/modules.order), kesu with every shared library ldd
# names, dmsetup and jq with theirs, and the guest scripts.
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

die() { echo "build-initramfs: $*" >&2; exit 1; }

[ -r "$moddir/modules.dep" ] || die "no $moddir/modules.dep; run 'make deps' (linux-image-amd64)"
[ -x "$kesu_bin" ] || die "no kesu binary at $kesu_bin; run 'make'"
bb=$(command -v busybox) || die "busybox not found; run 'make deps' (busybox-static)"
# A dynamically linked busybox would need its libraries too; the Debian
# busybox-static package is what we expect.
if ldd "$bb" >/dev/null 2>&1; then
	die "$bb is dynamically linked; install busybox-static ('make deps')"
fi

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,run,etc,vm/modules,mnt}

# Busybox and its applets as symlinks, so scripts can call them by name.
cp "$bb" "$stage/bin/busybox"
for a in $(busybox --list); do
	[ "$a" = busybox ] && continue
	ln -sf busybox "$stage/bin/$a"
done

# Copies a host file to the same path in the image, following symlinks.
copy_same_path() {
	local src=$1
	mkdir -p "$stage$(dirname "$src")"
	cp -L "$src" "$stage$src"
}

# An ELF program and every library it loads (including the loader itself).
copy_elf() {
	local bin=$1 dest=$2 lib
	mkdir -p "$stage$(dirname "$dest")"
	cp -L "$bin" "$stage$dest"
	# ldd lines: "libx.so.1 => /path (0x..)" or "/lib64/ld-linux... (0x..)"
	while read -r lib; do
		[ -n "$lib" ] && copy_same_path "$lib"
	done < <(ldd "$bin" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' | sort -u)
}

copy_elf "$kesu_bin" /usr/sbin/kesu
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

# Resolve the module list against modules.dep: a depth-first walk that puts
# every dependency before its user, each module once.
declare -A path_of=() deps_of=() loaded=()
while IFS= read -r line; do
	mod=${line%%:*}
	name=$(basename "$mod")
	name=${name%%.ko*}
	name=${name//-/_}
	path_of[$name]=$mod
	deps_of[$name]=${line#*:}
done < "$moddir/modules.dep"

order=()
visit() {
	local name=${1//-/_} d dn
	[ -n "${loaded[$name]:-}" ] && return 0
	[ -n "${path_of[$name]:-}" ] || die "module $1 not in $moddir/modules.dep"
	for d in ${deps_of[$name]}; do
		dn=$(basename "$d")
		dn=${dn%%.ko*}
		visit "$dn"
	done
	loaded[$name]=1
	order+=("$name")
}
for m in "${MODULES[@]}"; do visit "$m"; done

# Busybox insmod loads plain .ko files; Debian 12 ships them uncompressed,
# later kernels compress them, so decompress here when needed.
copy_module() {
	local name=$1 src=$moddir/${path_of[$1]}
	case "$src" in
	*.ko) cp "$src" "$stage/vm/modules/$name.ko" ;;
	*.ko.xz) xz -dc "$src" > "$stage/vm/modules/$name.ko" ;;
	*.ko.zst) zstd -qdc "$src" > "$stage/vm/modules/$name.ko" ;;
	*.ko.gz) gzip -dc "$src" > "$stage/vm/modules/$name.ko" ;;
	*) die "unknown module format: $src" ;;
	esac
}
: > "$stage/vm/modules.order"
for m in "${order[@]}"; do
	copy_module "$m"
	echo "$m" >> "$stage/vm/modules.order"
done
for m in "${LATE_MODULES[@]}"; do
	m=${m//-/_}
	for d in ${deps_of[$m]:-}; do
		dn=$(basename "$d"); dn=${dn%%.ko*}; dn=${dn//-/_}
		[ -n "${loaded[$dn]:-}" ] || die "late module $m needs $dn, which is not loaded at boot"
	done
	[ -n "${path_of[$m]:-}" ] || die "module $m not in $moddir/modules.dep"
	copy_module "$m"
done

cp "$here/init" "$stage/init"
[ -n "$pki" ] && cp -r "$pki" "$stage/vm/pki"
cp "$here/guest-lib.sh" "$here/guest-tests.sh" "$here/disks.conf" "$stage/vm/"
chmod 0755 "$stage/init"
echo "kesu-vm" > "$stage/etc/hostname"
echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
echo "root:x:0:" > "$stage/etc/group"

(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) \
	| gzip -1 > "$out"
rm -rf "$stage"
