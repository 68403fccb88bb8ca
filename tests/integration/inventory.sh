#!/usr/bin/env bash
# kesu list / kesu info on loop devices over our own image files, the gate's
# refusals (mounted, partition, system disk: read-only checks), and the
# documented exit codes of bad input.
. "$(dirname "$0")/../lib.sh"

# jq_on DEV FILTER: run FILTER on DEV's entry in `kesu list --json --all`.
list_entry() {
	"$KESU" list --json --all | jq -e --arg p "$1" ".devices[] | select(.path == \$p) | $2" >/dev/null
}
info_is() {
	"$KESU" info --json "$1" | jq -e "$2" >/dev/null
}
# exit_is CODE CMD...: CMD exits with CODE and prints one "kesu: " line.
exit_is() {
	local want=$1 out rc
	shift
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq "$want" ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
		case "$out" in "kesu: "*";"*) true ;; *) false ;; esac ||
		{ echo "# got exit $rc: $out" >&2; false; }
}

# --- a blank disk ---------------------------------------------------------
blank=$(make_image blank.img 32)
bl=$(make_loop "$blank") || { not_ok "attach blank image"; t_done; exit 1; }
assert_ours "$bl"
check "list --all shows the blank loop device as erasable" \
	list_entry "$bl" '.kind == "loop" and .transport == "loop" and .erasable == true and .size_bytes == 33554432'
check "list shows an empty blank disk: no table, no signature" \
	list_entry "$bl" '.content.pttype == null and .content.signature == null and (.content.partitions | length) == 0'
check "info --json: loop backing file, erasable, no reasons" \
	info_is "$bl" "(.loop_backing_file == \"$blank\") and .erasable and (.protected_reasons | length) == 0 and .exclusive_checked"
# Every documented key, no more: a changed key set is an interface change.
LIST_KEYS='["content","erasable","exclusive_checked","firmware","is_file","kind","logical_block_size","maj_min","model","name","parent","partition","path","physical_block_size","protected_reasons","purge","removable","ro","rotational","serial","size_bytes","transport","vendor","wwn"]'
INFO_EXTRA='["discard","holders","loop_backing_file","mounts","partitions","swaps","system_uses"]'
check "list --json keys are the documented set" \
	list_entry "$bl" "(keys | sort) == $LIST_KEYS"
check "info --json adds the documented keys" \
	info_is "$bl" "(keys | sort) == ($LIST_KEYS + $INFO_EXTRA | sort)"
check "content keys are the documented set" \
	info_is "$bl" '(.content | keys | sort) == ["ambivalent","partitions","pttype","ptuuid","signature"]'
check "list without --all leaves loop devices out" \
	bash -c '! "$1" list --json | jq -e --arg p "$2" ".devices[] | select(.path == \$p)" >/dev/null' _ "$KESU" "$bl"
check "list table fits 80 columns" \
	bash -c '"$1" list --all | awk "length > 80 { bad = 1 } END { exit bad }"' _ "$KESU"
check "info text names the device and says erasable" \
	bash -c '"$1" info "$2" | grep -q "erasable: *yes"' _ "$KESU" "$bl"

# --- a GPT disk holding ext4 and swap ----------------------------------------
# The filesystems are written into the image file at the partition offsets, so
# this works whether or not the kernel scans partition tables.
gpt=$(make_image gpt.img 64)
printf 'label: gpt\nstart=2048, size=40960, name=data\nstart=43008, size=40960, name=swap\n' |
	sfdisk -q "$gpt" >/dev/null
mkfs.ext4 -q -F -L kesu-data -E offset=$((2048 * 512)) "$gpt" 20M >/dev/null 2>&1
sw=$(make_image swap.part 20)
mkswap -L kesu-swap "$sw" >/dev/null 2>&1
dd if="$sw" of="$gpt" bs=512 seek=43008 conv=notrunc status=none
gl=$(make_loop "$gpt" -P) || { not_ok "attach gpt image"; t_done; exit 1; }
assert_ours "$gl"
check "list --json --all reports the GPT" \
	list_entry "$gl" '.content.pttype == "gpt" and (.content.partitions | length) == 2'
check "list --json --all reports ext4 with its label" \
	list_entry "$gl" '.content.partitions[0] | .type == "ext4" and .label == "kesu-data" and .start_bytes == 1048576 and .part_label == "data"'
check "list --json --all reports the swap signature" \
	list_entry "$gl" '.content.partitions[1] | .type == "swap" and .label == "kesu-swap"'
check "partition keys are the documented set" \
	info_is "$gl" '(.content.partitions[0] | keys | sort) == ["ambivalent","label","name","number","part_label","part_type","part_uuid","size_bytes","start_bytes","type","usage","uuid"]'
check "info --json reports the same contents" \
	info_is "$gl" '.content.partitions[0].uuid != null and .content.partitions[1].type == "swap"'
cp --sparse=always "$gpt" "$T_DIR/copy.img"
check "an image file is a target of its own (kind file)" \
	info_is "$T_DIR/copy.img" ".is_file and .kind == \"file\" and .transport == \"file\" and .name == \"copy.img\" and .content.pttype == \"gpt\" and .content.partitions[0].type == \"ext4\" and .erasable"

# With partition scanning (most kernels), mount a partition: the whole disk
# must be refused as in use, and the partition itself as a partition.
part=""
if [ -e "/sys/block/${gl#/dev/}/${gl#/dev/}p1" ]; then
	part="${gl}p1"
	if [ ! -b "$part" ]; then   # no udev: make our own node
		part="$T_DIR/${gl#/dev/}p1"
		mknod "$part" b $(tr ':' ' ' < "/sys/block/${gl#/dev/}/${gl#/dev/}p1/dev")
	fi
fi
if [ -n "$part" ]; then
	check "info on a partition: refused as a partition" \
		info_is "$part" '.partition and (.protected_reasons | map(.code) | index("partition")) != null'
	check "info on a partition names the whole disk" \
		bash -c '"$1" info --json "$2" | jq -e --arg d "$3" ".protected_reasons[] | select(.code == \"partition\") | .text | contains(\$d)" >/dev/null' _ "$KESU" "$part" "$gl"
	t_mount "$part" "$T_DIR/mnt-part"
	check "whole disk refused while a partition is mounted" \
		info_is "$gl" '(.erasable | not) and ([.protected_reasons[].code] | index("mounted")) != null'
	check "list shows the mounted partition's disk as not erasable" \
		list_entry "$gl" '(.erasable | not)'
	umount "$T_DIR/mnt-part"
else
	echo "ok - # SKIP partition tests: this kernel does not scan partition tables"
fi

# A filesystem on the whole device, mounted: refused as mounted and busy is
# not repeated.
mkfs.ext4 -q -F -L whole "$bl" >/dev/null 2>&1
t_mount "$bl" "$T_DIR/mnt-whole"
check "mounted whole device is refused as mounted" \
	info_is "$bl" "(.erasable | not) and (.mounts[0].mountpoint == \"$T_DIR/mnt-whole\") and ([.protected_reasons[].code] | index(\"mounted\")) != null"
check "list shows the mounted device's state" \
	bash -c '"$1" list --all | grep -E "^${2#/dev/} .* mounted" >/dev/null' _ "$KESU" "$bl"
umount "$T_DIR/mnt-whole"
check "unmounted again: erasable" info_is "$bl" '.erasable'

# --- in use in other ways -------------------------------------------------
check "an image file attached to a loop device is refused (attached)" \
	info_is "$blank" "(.erasable | not) and ([.protected_reasons[].code] | index(\"attached\")) != null"

# A loop device stacked on ours: the lower device must be refused, and the
# upper one is detached by exact name even if this script fails.
STACKED=""
inv_cleanup() {
	if [ -n "$STACKED" ] && [ "$(losetup -n -O BACK-FILE "$STACKED" 2>/dev/null)" = "$bl" ]; then
		losetup -d "$STACKED"
	fi
	t_cleanup
}
trap inv_cleanup EXIT
STACKED=$(losetup --find --show "$bl")
check "a device under another loop device is refused (attached)" \
	info_is "$bl" "(.erasable | not) and ([.protected_reasons[].code] | index(\"attached\")) != null"
losetup -d "$STACKED" && STACKED=""
check "detached again: erasable" info_is "$bl" '.erasable'
SHARED=$(losetup --find --show "$blank")
[ "$(losetup -n -O BACK-FILE "$SHARED")" = "$blank" ] || { not_ok "second loop on our image"; t_done; exit 1; }
check "two loop devices over one file: each refused (attached)" \
	info_is "$bl" "(.erasable | not) and ([.protected_reasons[] | select(.code == \"attached\") | .text | contains(\"${SHARED#/dev/}\")] | length) == 1"
losetup -d "$SHARED" && SHARED=""

# Held open exclusively by a program (neither mount nor holder): busy.
if hold_exclusive "$bl"; then
	check "held open exclusively: info says busy" \
		info_is "$bl" '(.erasable | not) and ([.protected_reasons[].code] == ["busy"])'
	check "list does not claim devices: busy not seen there" \
		list_entry "$bl" '.erasable and (.exclusive_checked | not)'
	release_exclusive
	check "released: erasable" info_is "$bl" '.erasable'
else
	not_ok "hold the device open exclusively from another program"
fi
# A claim that ends a moment after kesu looks (as one outlives a wipe
# aborted by a second signal, for a moment): asked again, not refused.
if hold_exclusive "$bl"; then
	"$KESU" info --json "$bl" >"$T_DIR/settle.json" 2>&1 &
	info_pid=$!
	sleep 0.3
	release_exclusive
	wait "$info_pid"
	check "a claim released 0.3 s after kesu looked: erasable, not busy" \
		jq -e '.erasable' "$T_DIR/settle.json"
else
	not_ok "hold the device open exclusively from another program"
fi

# --- the system disk: read-only checks only --------------------------------
rootsrc=$(findmnt -n -o SOURCE --target /)
rootdisk=$(lsblk -n -d -o PKNAME "$rootsrc" 2>/dev/null | head -n1)
[ -n "$rootdisk" ] && rootdisk=/dev/$rootdisk || rootdisk=$rootsrc
if [ -b "$rootdisk" ]; then
	check "info on the disk holding / says system disk ($rootdisk)" \
		info_is "$rootdisk" '(.erasable | not) and ([.protected_reasons[].code] | index("system-disk")) != null and (.system_uses | map(.what) | index("/")) != null'
	check "list marks the system disk" \
		bash -c '"$1" list --json | jq -e --arg p "$2" ".devices[] | select(.path == \$p) | (.erasable | not)" >/dev/null' _ "$KESU" "$rootdisk"
else
	echo "ok - # SKIP system disk: / is not on a block device here ($rootsrc)"
fi

# --- bad input and exit codes ---------------------------------------------
check "nonexistent path: exit 3" exit_is 3 "$KESU" info /dev/kesu-no-such-disk
check "char device /dev/null: exit 4" exit_is 4 "$KESU" info /dev/null
check "directory: exit 4" exit_is 4 "$KESU" info "$T_DIR"
# A node for a loop minor with no device behind it: gone (exit 7).
stale_min=250
while [ -e "/sys/dev/block/7:$stale_min" ] && [ $stale_min -lt 1000 ]; do stale_min=$((stale_min + 1)); done
mknod "$T_DIR/stale" b 7 "$stale_min"
check "node without a device: exit 7" exit_is 7 "$KESU" info "$T_DIR/stale"
check "no device argument: exit 2" exit_is 2 "$KESU" info
check "list takes no arguments: exit 2" exit_is 2 "$KESU" list sda
check "unknown option: exit 2" bash -c '"$1" list --bogus >/dev/null 2>&1; [ $? -eq 2 ]' _ "$KESU"
check "list --help exits 0" bash -c '"$1" list --help | grep -q "Usage: kesu list"' _ "$KESU"
check "info --help exits 0" bash -c '"$1" info --help | grep -q "Usage: kesu info"' _ "$KESU"
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	chmod 0711 "$T_DIR"
	check "not root: exit 5" exit_is 5 setpriv --reuid=65534 --regid=65534 --clear-groups "$KESU" info "$bl"
	check "list, not root: exit 5" exit_is 5 setpriv --reuid=65534 --regid=65534 --clear-groups "$KESU" list --all
fi

t_done
