# Shared helpers for integration tests; source it.  Tests touch only loop
# devices and image files they create here, and detach them by exact name on
# exit, also when a test fails.
set -u
: "${KESU:?KESU must point at the kesu binary (tests/run.sh sets it)}"

T_PASS=0
T_FAIL=0
T_LOOPS=()
T_MOUNTS=()
T_DIR=$(mktemp -d /tmp/kesu-test.XXXXXX)

# hold_exclusive DEV: another program holding DEV open with O_EXCL, as a
# mount or a partitioning tool would, until release_exclusive or the end of
# the test (60 s at most in any case).  Returns once the hold is taken; 1 if
# it could not be.
T_HOLDER=""
hold_exclusive() {
	rm -f "$T_DIR/held"
	python3 -c 'import os, signal, sys
os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
open(sys.argv[2], "w").close()
signal.alarm(60)
signal.pause()' "$1" "$T_DIR/held" &
	T_HOLDER=$!
	for _ in $(seq 50); do
		[ -e "$T_DIR/held" ] && return 0
		kill -0 "$T_HOLDER" 2>/dev/null || break
		sleep 0.1
	done
	release_exclusive
	return 1
}
release_exclusive() {
	[ -n "$T_HOLDER" ] && kill "$T_HOLDER" 2>/dev/null && wait "$T_HOLDER" 2>/dev/null
	T_HOLDER=""
}

t_cleanup() {
	local m d
	release_exclusive
	for m in "${T_MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	for d in "${T_LOOPS[@]}"; do
		# Only ever detach a loop device that is still backed by our file.
		case "$(losetup -n -O BACK-FILE "$d" 2>/dev/null)" in
		"$T_DIR"/*) losetup -d "$d" ;;
		esac
	done
	# make_loop usually runs in $(...), a subshell whose T_LOOPS is lost:
	# also detach, by exact name, every loop device backed by a file of ours.
	local name back
	while read -r name back; do
		case "$back" in "$T_DIR"/*) losetup -d "$name" 2>/dev/null ;; esac
	done < <(losetup -n -l -O NAME,BACK-FILE 2>/dev/null)
	rm -rf "$T_DIR"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok - $*"; T_PASS=$((T_PASS + 1)); }
not_ok() { echo "not ok - $*"; T_FAIL=$((T_FAIL + 1)); }

# check NAME CMD...: run CMD, report by its exit status.  A failure shows
# the command and everything it printed (as "# " diagnostic lines), so a
# "not ok" says why without running the test again by hand.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$name"
		return 0
	fi
	not_ok "$name"
	{
		printf '#   command (exit %d):' "$rc"
		printf ' %q' "$@"
		printf '\n'
		[ -n "$out" ] && printf '%s\n' "$out" | head -n 40 | sed 's/^/#   /'
	} >&2
	return 1
}

# make_image NAME SIZE_MIB: a zero-filled image in the test directory.
make_image() {
	local f="$T_DIR/$1"
	truncate -s "${2}M" "$f" && echo "$f"
}

# make_loop FILE [-P]: attach FILE (which must be ours) and print the device;
# -P asks the kernel to scan its partition table (loopNpM devices).
make_loop() {
	local f=$1 d
	local scan=()
	[ "${2:-}" = -P ] && scan=(-P)
	case "$f" in "$T_DIR"/*) ;; *) echo "make_loop: $f is not a test file" >&2; return 1 ;; esac
	d=$(losetup "${scan[@]}" --find --show "$f") || return 1
	T_LOOPS+=("$d")
	assert_ours "$d" || return 1
	echo "$d"
}

# assert_ours DEV: refuse to go on unless DEV is a loop device on our file.
assert_ours() {
	case "$(losetup -n -O BACK-FILE "$1" 2>/dev/null)" in
	"$T_DIR"/*) return 0 ;;
	esac
	echo "assert_ours: $1 is not backed by a file in $T_DIR; refusing" >&2
	exit 99
}

# t_mount DEV DIR: mount and remember it for cleanup.
t_mount() {
	mkdir -p "$2" && mount "$1" "$2" && T_MOUNTS=("$2" "${T_MOUNTS[@]}")
}

t_done() {
	echo "$(basename "$0"): $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
