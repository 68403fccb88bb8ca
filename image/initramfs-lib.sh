# Shared by the live image (image/build.sh) and the QEMU test bed
# (tests/vm/build-initramfs.sh): an initramfs staging tree from static
# busybox, ELF programs with the libraries ldd names, and the Debian
# kernel's own modules with their dependencies from modules.dep.
# Source it with $stage (the staging directory) and $moddir set.

die() { echo "${0##*/}: $*" >&2; exit 1; }

# stage_busybox: /bin/busybox and its applets as symlinks.
stage_busybox() {
	local bb a
	bb=$(command -v busybox) || die "busybox not found; run 'make deps' (busybox-static)"
	# A dynamically linked busybox would need its libraries too; the
	# Debian busybox-static package is what we expect.
	if ldd "$bb" >/dev/null 2>&1; then
		die "$bb is dynamically linked; install busybox-static ('make deps')"
	fi
	mkdir -p "$stage/bin"
	cp "$bb" "$stage/bin/busybox"
	for a in $(busybox --list); do
		[ "$a" = busybox ] && continue
		ln -sf busybox "$stage/bin/$a"
	done
}

# copy_same_path FILE: a host file at the same path in the image, following
# symlinks.
copy_same_path() {
	local src=$1
	mkdir -p "$stage$(dirname "$src")"
	cp -L "$src" "$stage$src"
}

# copy_elf PROGRAM DEST: an ELF program and every library it loads
# (including the loader itself).
copy_elf() {
	local bin=$1 dest=$2 lib
	mkdir -p "$stage$(dirname "$dest")"
	cp -L "$bin" "$stage$dest"
	# ldd lines: "libx.so.1 => /path (0x..)" or "/lib64/ld-linux... (0x..)"
	while read -r lib; do
		[ -n "$lib" ] && copy_same_path "$lib"
	done < <(ldd "$bin" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' | sort -u)
}

# copy_plugins BUILT_KESU DIR: kesu's plugins (plugins/kesu-*.so beside the
# built binary, lib/plugin.h) to DIR in the stage, each with its libraries.
copy_plugins() {
	local so
	for so in "$(dirname "$1")"/plugins/kesu-*.so; do
		[ -e "$so" ] || die "no plugins beside $1; run 'make'"
		copy_elf "$so" "$2/${so##*/}"
	done
}

# modules_read: path_of and deps_of from modules.dep, by module name with
# dashes as underscores.
# builtin: the drivers compiled into the kernel (nothing to load).
declare -A path_of=() deps_of=() loaded=() builtin=()
modules_read() {
	local line mod name
	[ -r "$moddir/modules.dep" ] || die "no $moddir/modules.dep; run 'make deps' (linux-image-amd64)"
	if [ -r "$moddir/modules.builtin" ]; then
		while IFS= read -r line; do
			name=${line##*/}
			name=${name%.ko}
			builtin[${name//-/_}]=1
		done < "$moddir/modules.builtin"
	fi
	while IFS= read -r line; do
		mod=${line%%:*}
		name=$(basename "$mod")
		name=${name%%.ko*}
		name=${name//-/_}
		path_of[$name]=$mod
		deps_of[$name]=${line#*:}
	done < "$moddir/modules.dep"
}

# modules_visit NAME: appends NAME to the array order after its
# dependencies (a depth-first walk, each module once).
order=()
modules_visit() {
	local name=${1//-/_} d dn
	[ -n "${loaded[$name]:-}" ] && return 0
	[ -z "${path_of[$name]:-}" ] && [ -n "${builtin[$name]:-}" ] && return 0
	[ -n "${path_of[$name]:-}" ] || die "module $1 not in $moddir/modules.dep"
	for d in ${deps_of[$name]}; do
		dn=$(basename "$d")
		dn=${dn%%.ko*}
		modules_visit "$dn"
	done
	loaded[$name]=1
	order+=("$name")
}

# module_copy NAME DIR: the module as a plain .ko in DIR.  Busybox insmod
# loads plain .ko files; Debian 12 ships them uncompressed, later kernels
# compress them, so decompress here when needed.
module_copy() {
	local name=$1 dir=$2 src=$moddir/${path_of[$1]}
	case "$src" in
	*.ko) cp "$src" "$dir/$name.ko" ;;
	*.ko.xz) xz -dc "$src" > "$dir/$name.ko" ;;
	*.ko.zst) zstd -qdc "$src" > "$dir/$name.ko" ;;
	*.ko.gz) gzip -dc "$src" > "$dir/$name.ko" ;;
	*) die "unknown module format: $src" ;;
	esac
}

# modules_stage DIR ORDER_FILE MODULE...: the modules and their
# dependencies in DIR, their load order in ORDER_FILE.
modules_stage() {
	local dir=$1 list=$2 m
	shift 2
	for m in "$@"; do modules_visit "$m"; done
	mkdir -p "$dir"
	: > "$list"
	for m in "${order[@]}"; do
		module_copy "$m" "$dir"
		echo "$m" >> "$list"
	done
}

# newest_kernel: the newest Debian kernel with both an image in /boot and
# modules (linux-image-amd64's kernel, not necessarily the running one);
# KESU_VM_KERNEL chooses another.
newest_kernel() {
	local v best=
	for v in $(ls /lib/modules 2>/dev/null | sort -V); do
		[ -r "/boot/vmlinuz-$v" ] && [ -r "/lib/modules/$v/modules.dep" ] && best=$v
	done
	[ -n "${KESU_VM_KERNEL:-}" ] && best=$KESU_VM_KERNEL
	[ -n "$best" ] && echo "$best"
}

# stage_cpio OUT: the staging tree as a gzip'd newc cpio, in a stable order.
stage_cpio() {
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) \
		| gzip -1 > "$1"
}
