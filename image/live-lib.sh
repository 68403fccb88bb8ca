# The kesu live system's steps, sourced by image/init (busybox sh, PID 1)
# and by tests/integration/image_live.sh on the host.  Paths come from
# variables so the host test can point them at files of its own.
LIVE_STICK_LABEL=${LIVE_STICK_LABEL:-KESU}
LIVE_BOOT_LABEL=${LIVE_BOOT_LABEL:-KESU_LIVE}
LIVE_STICK=${LIVE_STICK:-/media/kesu}
LIVE_BOOT=${LIVE_BOOT:-/run/kesu/boot}
LIVE_CMDLINE=${LIVE_CMDLINE:-/proc/cmdline}

# say TEXT: one line to every console the kernel command line names
# (console=tty0 console=ttyS0,115200: the screen and the serial port).
say() {
	local c any=
	for c in $(live_consoles); do
		[ -c "/dev/$c" ] && echo "kesu-live: $*" > "/dev/$c" 2>/dev/null && any=1
	done
	[ -n "$any" ] || echo "kesu-live: $*"
	[ -n "${LIVE_LOG:-}" ] && echo "$(date +%H:%M:%S) $*" >> "$LIVE_LOG"
	return 0
}

live_consoles() {
	local w
	for w in $(cat "$LIVE_CMDLINE" 2>/dev/null); do
		case "$w" in console=*) w=${w#console=}; echo "${w%%,*}" ;; esac
	done
}

# live_opt NAME: true when NAME or NAME=... is on the command line; the
# value (if any) on stdout.
live_opt() {
	local w
	for w in $(cat "$LIVE_CMDLINE" 2>/dev/null); do
		case "$w" in
		"$1") return 0 ;;
		"$1="*) echo "${w#*=}"; return 0 ;;
		esac
	done
	return 1
}

# conf_value FILE SECTION KEY: a value of kesu.conf(5) (the first, trimmed).
conf_value() {
	awk -v want="$2" -v key="$3" '
	/^[ \t]*#/ { next }
	/^[ \t]*\[/ { s = $0; gsub(/[][ \t\r]/, "", s); sec = s; next }
	sec == want {
		line = $0; sub(/^[ \t]+/, "", line)
		if (index(line, key) != 1) next
		rest = substr(line, length(key) + 1)
		if (rest !~ /^[ \t]*=/) next
		sub(/^[ \t]*=[ \t]*/, "", rest); sub(/[ \t\r]+$/, "", rest)
		print rest; exit
	}' "$1"
}

# key_mode_ok FILE: the signing key (or a token's PIN file) is a regular
# file no one but its owner may read or write (kesu refuses it too, later
# and less plainly).
key_mode_ok() {
	local m
	[ -f "$1" ] || { say "the signing key or PIN file $1 named in kesu.conf is not on the stick"; return 1; }
	m=$(stat -c %a "$1") || return 1
	case "$m" in
	*00) return 0 ;;
	*) say "REFUSED: the signing key or PIN file $1 has mode $m; it must be 0600 (readable by its owner only)"
	   return 1 ;;
	esac
}

# stick_check: the mounted stick holds a kesu.conf whose key is private.
stick_check() {
	local conf=$LIVE_STICK/kesu.conf key pin
	[ -f "$conf" ] || { say "the stick labelled $LIVE_STICK_LABEL has no kesu.conf at its top"; return 1; }
	key=$(conf_value "$conf" signing key)
	pin=$(conf_value "$conf" signing pin_file)
	case "$key" in
	pkcs11:*)
		# A token: kesu asks it; its PIN file is as private as a key.
		[ -n "$(conf_value "$conf" signing pkcs11_module)" ] ||
			{ say "kesu.conf on the stick names a token key but no [signing] pkcs11_module"; return 1; }
		[ -z "$pin" ] || key_mode_ok "$pin" ;;
	'') say "kesu.conf on the stick names no [signing] key"; return 1 ;;
	*) key_mode_ok "$key" ;;
	esac
}

# mount_boot_medium: the medium the system booted from, mounted read-only:
# a mounted disk is one kesu's safety gate refuses, so the station never
# writes to it.  A CD needs nothing (the station ignores optical drives);
# a stick written from the ISO carries the ISO's volume label.
mount_boot_medium() {
	local dev name
	dev=$(findfs "LABEL=$LIVE_BOOT_LABEL" 2>/dev/null) || return 0
	# A stick written from the ISO shows the volume label on one of the
	# ISO's partitions too; the ISO 9660 file system starts on the disk.
	name=${dev#/dev/}
	[ -e "/sys/class/block/$name/partition" ] &&
		dev=/dev/$(basename "$(readlink -f "/sys/class/block/$name/..")")
	mkdir -p "$LIVE_BOOT"
	mount -t iso9660 -o ro "$dev" "$LIVE_BOOT" 2>/dev/null ||
		{ say "WARNING: the boot medium $dev could not be mounted read-only"; return 1; }
	say "boot medium $dev mounted read-only at $LIVE_BOOT (never erased)"
}

# mount_stick: waits for the stick labelled KESU and mounts it read-write.
# On FAT the owner alone may read its files (mode 0600), so a key there
# passes key_mode_ok, and chmod is accepted without effect (quiet) where
# kesu sets a file's mode; on ext4 the key keeps its own mode.
mount_stick() {
	local dev n=0 why
	mkdir -p "$LIVE_STICK"
	while :; do
		if dev=$(findfs "LABEL=$LIVE_STICK_LABEL" 2>/dev/null); then
			if why=$(mount -t vfat -o rw,uid=0,gid=0,fmask=0177,dmask=0077,flush,quiet "$dev" "$LIVE_STICK" 2>&1) ||
				why=$(mount -o rw "$dev" "$LIVE_STICK" 2>&1); then
				say "stick $dev (label $LIVE_STICK_LABEL) mounted at $LIVE_STICK"
				STICK_DEV=$dev
				return 0
			fi
			[ $((n % 10)) -eq 0 ] &&
				say "the stick $dev labelled $LIVE_STICK_LABEL cannot be mounted (FAT or ext4): $why"
		elif [ $((n % 10)) -eq 0 ]; then
			say "waiting for the USB stick labelled $LIVE_STICK_LABEL (kesu.conf, signing key and certificate, CA); plug it in"
		fi
		n=$((n + 1))
		sleep 1
	done
}

# wait_stick_gone: after a refused stick, until it is pulled out.
wait_stick_gone() {
	say "remove the stick, fix it on another machine and plug it in again"
	while findfs "LABEL=$LIVE_STICK_LABEL" > /dev/null 2>&1; do sleep 1; done
}

# refused_disks EVENTS: the disks the station refused for another reason
# than being mounted (the stick and the boot medium are, by design): they
# were not erased, and --exit-when-done does not count them as failed.
refused_disks() {
	grep '"event":"decided"' "$1" 2>/dev/null | grep '"state":"refused"' |
		grep -v ' is mounted on ' | sed -n 's/.*"device":"\([^"]*\)".*/\1/p' | sort -u
}
