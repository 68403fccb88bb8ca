#!/usr/bin/env bash
# make image: the kesu live system from this machine's Debian packages.
#   build.sh KESU_BIN MO_DIR LOCALEDIR OUTDIR PLUGINDIR
# OUTDIR gets vmlinuz and initrd.img (for PXE) and kesu.iso (BIOS and UEFI
# through grub-mkrescue; a hybrid image, so dd to a USB stick works too).
# Writes only OUTDIR and a staging directory in it.
set -euo pipefail

kesu_bin=$1
mo_dir=$2
localedir=$3
out=$4
plugindir=$5
here=$(cd "$(dirname "$0")" && pwd)
stage=$out/initramfs.d
. "$here/initramfs-lib.sh"

kver=$(newest_kernel) || die "no Debian kernel with modules in /boot; run 'make deps' (linux-image-amd64)"
moddir=/lib/modules/$kver
[ -x "$kesu_bin" ] || die "no kesu binary at $kesu_bin; run 'make'"
for t in grub-mkrescue xorriso mformat localedef cpio; do
	command -v "$t" > /dev/null || die "$t not found; run 'make deps'"
done

# Drivers for the disks a PC may hold and the sticks it may be given:
# NVMe, AHCI and old IDE-mode SATA, SCSI/SAS disks, virtio, eMMC/SD, USB
# hosts and storage (UAS too), CD-ROMs; FAT and ext4 for the stick, ISO
# 9660 for the boot medium (FAT's default character set is ascii in
# Debian's kernel: nls_ascii); USB keyboards for confirm mode.
MODULES=(crc32c_generic crct10dif_common crc-t10dif crc64 crc64-rocksoft t10-pi
	scsi_common scsi_mod sd_mod sr_mod sg libata libahci ahci ata_piix ata_generic
	nvme-core nvme virtio_pci virtio_blk virtio_scsi mmc_core mmc_block sdhci sdhci-pci
	usb-common usbcore xhci-hcd xhci-pci ehci-hcd ehci-pci uhci-hcd ohci-hcd ohci-pci
	usb-storage uas hid usbhid hid-generic
	crc16 mbcache jbd2 ext4 fat vfat nls_cp437 nls_ascii nls_iso8859-1 nls_utf8 isofs)

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,run,etc/kesu,media,lib/kesu}
stage_busybox
copy_elf "$kesu_bin" /usr/sbin/kesu
# Where the binary was built to look for them (PLUGINDIR).
copy_plugins "$kesu_bin" "$plugindir"
# Keys on a PKCS#11 token: OpenSSL's pkcs11 engine, OpenSC's module with
# pcscd and the CCID reader driver (smart cards, USB tokens), and
# SoftHSM's (a soft token kept on the stick; the boot test uses it).
for so in /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so /usr/lib/x86_64-linux-gnu/engines-3/libpkcs11.so \
	/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so /usr/lib/softhsm/libsofthsm2.so /usr/sbin/pcscd; do
	[ -e "$so" ] || die "$so missing; run 'make deps' (libengine-pkcs11-openssl opensc pcscd softhsm2)"
	copy_elf "$so" "$so"
done
mkdir -p "$stage/usr/lib/pcsc"
cp -rL /usr/lib/pcsc/drivers "$stage/usr/lib/pcsc/"
for so in "$stage"/usr/lib/pcsc/drivers/*/Contents/Linux/*.so*; do
	[ -e "$so" ] && copy_elf "${so#"$stage"}" "${so#"$stage"}"
done
modules_read
modules_stage "$stage/lib/kesu/modules" "$stage/lib/kesu/modules.order" "${MODULES[@]}"

# kesu's catalogues where the binary looks (LOCALEDIR), and the locales:
# ja_JP.UTF-8 compiled here (kesu.lang=ja), C.UTF-8 as the host has it.
for mo in "$mo_dir"/*/LC_MESSAGES/kesu.mo; do
	l=${mo#"$mo_dir"/}
	install -D -m 0644 "$mo" "$stage$localedir/$l"
done
mkdir -p "$stage/usr/lib/locale"
localedef -i ja_JP -f UTF-8 "$stage/usr/lib/locale/ja_JP.UTF-8" > /dev/null 2>&1 ||
	die "localedef ja_JP.UTF-8 failed (package locales)"
[ -d /usr/lib/locale/C.utf8 ] && cp -r /usr/lib/locale/C.utf8 "$stage/usr/lib/locale/"

# The PDF's font (IPAexGothic, fonts-ipaexfont) and fontconfig's own
# configuration, links followed; its cache is made on first use in /tmp.
for f in /usr/share/fonts/opentype/ipaexfont-gothic /usr/share/fonts/opentype/ipaexfont-mincho; do
	[ -d "$f" ] || die "$f missing; run 'make deps' (fonts-ipaexfont)"
	mkdir -p "$stage$f"
	cp -L "$f"/*.ttf "$stage$f/"
done
mkdir -p "$stage/etc/fonts"
cp -rL /etc/fonts/. "$stage/etc/fonts/"
sed -i 's|<cachedir>[^<]*</cachedir>|<cachedir>/tmp/fontconfig</cachedir>|' "$stage/etc/fonts/fonts.conf"

cp "$here/init" "$stage/init"
chmod 0755 "$stage/init"
cp "$here/live-lib.sh" "$stage/lib/kesu/"
cp "$here/kesu.conf.example" "$stage/etc/kesu/"
echo "kesu-live" > "$stage/etc/hostname"
echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
echo "root:x:0:" > "$stage/etc/group"

stage_cpio "$out/initrd.img"
rm -rf "$stage"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"

iso=$out/iso.d
rm -rf "$iso"
mkdir -p "$iso/boot/grub" "$iso/kesu"
cp "$out/vmlinuz" "$out/initrd.img" "$iso/boot/"
cp "$here/grub.cfg" "$iso/boot/grub/grub.cfg"
cp "$here/kesu.conf.example" "$iso/kesu/"
grub-mkrescue -o "$out/kesu.iso" "$iso" -- -volid KESU_LIVE > "$out/grub-mkrescue.log" 2>&1 ||
	{ cat "$out/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }
rm -rf "$iso"
echo "image: kernel $kver; $(du -h "$out/initrd.img" | cut -f1) initrd; $(du -h "$out/kesu.iso" | cut -f1) ISO"
