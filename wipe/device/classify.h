/* Pure decisions and parsers behind the device inventory: no file access
 * here, so every rule is tested with cmocka on literal inputs. */
#ifndef KESU_CLASSIFY_H
#define KESU_CLASSIFY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kind (hdd ssd nvme usb mmc loop virtual) and transport (sata sas nvme usb
 * mmc virtio loop scsi, "" when unknown) from the kernel name and the
 * device's resolved sysfs path ("/devices/pci0000:00/.../block/sda").
 * SCSI disks whose bus cannot be told (scsi_debug, virtio-scsi, iSCSI, FC)
 * get transport "scsi"; emulated ones (scsi_debug, virtio) kind "virtual". */
void kesu_classify(const char *devpath, const char *name, bool rotational,
		   char *kind, size_t kindsz, char *transport, size_t transz);

/* Unit serial number from a raw SCSI VPD page 0x80 (4-byte header, then the
 * serial, often right-justified with spaces).  Cleaned; false if absent. */
bool kesu_vpd80_serial(const unsigned char *page, size_t len, char *out,
		       size_t outsz);

/* The logical unit's NAA name ("0x" + hex) or else its EUI-64 ("eui." +
 * hex) from a raw VPD page 0x83.  False if the page names neither. */
bool kesu_vpd83_wwn(const unsigned char *page, size_t len, char *out,
		    size_t outsz);

/* A sysfs "wwid" value as kesu reports WWNs: "naa.5000C500..." becomes
 * "0x5000c500...", "eui."/"uuid." names stay (lower case); "t10." and
 * "nvme." strings are vendor/model/serial composites, not WWNs: false. */
bool kesu_wwid_to_wwn(const char *wwid, char *out, size_t outsz);

/* Value of the "E:<key>=" line of a udev database entry, cleaned. */
bool kesu_udev_db_get(const char *text, const char *key, char *out, size_t outsz);

/* Undo the octal escapes (\040 \011 \012 \134) of /proc mount and swap
 * paths, in place. */
void kesu_unescape_octal(char *s);

struct kesu_mount {
	unsigned maj, min;
	char mountpoint[PATH_MAX];
	char source[PATH_MAX];
	char fstype[32];
};

/* Parse /proc/self/mountinfo text.  Malformed lines are skipped.  *out is
 * malloc'd.  0 or -ENOMEM. */
int kesu_mountinfo_parse(const char *text, struct kesu_mount **out, size_t *n);

struct kesu_swap {
	char path[PATH_MAX];
	char type[16];        /* partition or file */
	uint64_t size_kib;
	uint64_t used_kib;
};

/* Parse /proc/swaps text (header line skipped). */
int kesu_swaps_parse(const char *text, struct kesu_swap **out, size_t *n);

/* The mount points whose disks are the running system: /, /boot,
 * /boot/efi, /usr, /var. */
bool kesu_is_system_mountpoint(const char *mp);

#endif
