#!/usr/bin/env bash
# kesu station's dashboard on a real terminal: run under a pseudo-terminal
# of a set width with two loop devices of ours, the raw byte stream must
# show each redraw going back over the last one (cursor up exactly as many
# lines as were written since, each line erased before it is written), as
# many lines as bays plus title, header and note, none wider than the
# terminal; and with standard output not a terminal, plain lines without
# escape sequences.  No timing assumptions beyond generous timeouts: the
# script waits for what the dashboard shows.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../certlib.sh"

command -v python3 >/dev/null || { not_ok "python3 is needed for the pseudo-terminal"; t_done; exit 1; }
make_ca ca && make_operator op ca || { not_ok "test CA set-up"; t_done; exit 1; }
i1=$(make_image one.img 8) && i2=$(make_image two.img 8) && L1=$(make_loop "$i1") &&
	L2=$(make_loop "$i2") || { not_ok "loop device set-up"; t_done; exit 1; }
assert_ours "$L1"
assert_ours "$L2"
cat > "$T_DIR/kesu.conf" <<CONF
[operator]
name = 山田 太郎
organization = テスト消去株式会社
[customer]
name = 総務課
[signing]
key = $T_DIR/op/kesu-signing.key
cert = $T_DIR/op/cert.pem
[trust]
ca_file = $T_DIR/ca/ca.pem
[register]
path = $T_DIR/reg/register.jsonl
[paths]
state_dir = $T_DIR/state
[station]
start = confirm
method = zero
approver = 佐藤 花子
approval_ref = R8-情政-17
approval_date = 2026-11-20
class = 2
reason = disposal
CONF
COLS=72
ST=("$KESU" station --only "$L1" --only "$L2" --existing --once --bays 2 --config "$T_DIR/kesu.conf")

# on_tty NAME WAITING CMD...: CMD on a pseudo-terminal COLS wide; both
# bays are started by typing at it (echoed, as on a console) once the
# dashboard shows them WAITING (the state's word in its language).  The
# raw output goes to $T_DIR/NAME.raw, the exit status to $T_DIR/NAME.rc.
on_tty() {
LC_ALL=C python3 - "$COLS" "$T_DIR/$1.raw" "$T_DIR/$1.rc" "$2" "${@:3}" <<'PY'
import fcntl, os, select, struct, sys, termios, time
cols, raw_path, rc_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
waiting, argv = sys.argv[4].encode(), sys.argv[5:]
# The parent keeps the terminal's other end open too: reading the master
# never fails with EIO when the station exits, so its last drawing is not
# lost (it was, now and then, under make asan's slower exit).
fd, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for n in (0, 1, 2):
        os.dup2(slave, n)
    os.close(fd)
    os.execv(argv[0], argv)
buf, sent, status, deadline = b"", 0, None, time.monotonic() + 300
def drain(wait):
    global buf
    while select.select([fd], [], [], wait)[0]:
        buf += os.read(fd, 65536)
while status is None and time.monotonic() < deadline:
    drain(0.2)
    # Both bays waiting in one drawing: start them, one line each.
    if sent == 0 and buf.count(waiting) >= 2:
        os.write(fd, b"start 1 A-TTY-1\n")
        sent = 1
    elif sent == 1 and b"start 1 A-TTY-1\r\n" in buf:
        os.write(fd, b"start 2 A-TTY-2\n")
        sent = 2
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
if status is None:
    os.kill(pid, 15)
    _, status = os.waitpid(pid, 0)
drain(0.5)
open(raw_path, "wb").write(buf)
open(rc_path, "w").write("%d\n" % (os.waitstatus_to_exitcode(status)))
PY
}
on_tty tty waiting "${ST[@]}"
check "under a terminal, both bays erased and the station exits 0 (--once)" \
	test "$(cat "$T_DIR/tty.rc")" = 0

# verdict NAME DONE: the checks on NAME's raw stream, one line of verdict
# each, into $T_DIR/NAME.verdict; DONE is the state's word for an
# erased bay.
verdict() {
LC_ALL=C python3 - "$COLS" 2 "$T_DIR/$1.raw" "$2" > "$T_DIR/$1.verdict" <<'PY'
import re, sys, unicodedata
cols, bays, raw = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "rb").read()
done = sys.argv[4]
text = raw.decode("utf-8", "replace")
lines_per_frame = bays + 4            # title, blank, header, bays, note
ups = list(re.finditer(r"\x1b\[(\d+)A", text))
print("redraws", len(ups))
# Each cursor-up goes back exactly as many lines as were written since the
# previous one (the drawing and any echoed input): nothing scrolls away.
bad_up, prev = 0, 0
for m in ups:
    if int(m.group(1)) != text.count("\n", prev, m.start()):
        bad_up += 1
    prev = m.end()
print("cursor-up mismatches", bad_up)
# Every drawing: the same number of lines, each erased before it is
# written, then whatever is below erased.
frames = re.split(r"\x1b\[\d+A", text)
bad_frames = 0
for f in frames:
    body = f.split("\x1b[J")[0]
    if body.count("\r\x1b[2K") != lines_per_frame:
        bad_frames += 1
print("frames", len(frames), "with another line count", bad_frames)
# No line wider than the terminal (the last column stays free).
def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
widest = 0
for f in frames:
    for line in f.split("\r\x1b[2K")[1:]:
        line = line.split("\n")[0].split("\x1b[J")[0].rstrip("\r")
        widest = max(widest, width(line))
print("widest", widest)
print("clears", text.count("\x1b[2J"))
last = frames[-1]
print("last frame done", sum(1 for l in last.split("\n") if re.match(r"\r\x1b\[2K[12] +loop\d+ .* " + done + " ", l)))
print("header", [l for l in last.split("\n") if re.match(r"\r\x1b\[2K(BAY|番) ", l)][0][5:].rstrip())
PY
}
verdict tty done
v() { grep -q "^$1\$" "$T_DIR/tty.verdict"; }
check "the dashboard is redrawn (cursor up) more than once" \
	bash -c '[ "$(sed -n "s/^redraws //p" "$1")" -ge 2 ]' _ "$T_DIR/tty.verdict"
check "each redraw goes back exactly over the lines written since: no old state scrolls" \
	v "cursor-up mismatches 0"
check "every drawing has bays + 4 lines, each erased before it is written" \
	bash -c 'grep -qE "^frames [0-9]+ with another line count 0$" "$1"' _ "$T_DIR/tty.verdict"
check "no line is wider than the terminal ($COLS columns, one left free)" \
	bash -c '[ "$(sed -n "s/^widest //p" "$1")" -le $(($2 - 1)) ] && [ "$(sed -n "s/^widest //p" "$1")" -gt $(($2 / 2)) ]' _ "$T_DIR/tty.verdict" "$COLS"
check "the screen is never cleared (redrawn in place) at a constant width" v "clears 0"
check "the last drawing shows both bays done" v "last frame done 2"
[ "$T_FAIL" -eq 0 ] || sed 's/^/# /' "$T_DIR/tty.verdict"

# The same disks again under LANG=ja_JP.UTF-8: the titles, states and
# results in Japanese, each column starting where the English one does
# (display columns: a Japanese character takes two), the same drawing.
. "$(dirname "$0")/../i18nlib.sh"
if ja_locale; then
	fails=$T_FAIL
	on_tty tty-ja 開始待ち /usr/bin/env -u LC_ALL -u LANGUAGE -u LC_MESSAGES -u LC_CTYPE \
		${JA_LOCPATH:+LOCPATH="$JA_LOCPATH"} LSAN_OPTIONS="$I18N_LSAN" LANG=ja_JP.UTF-8 "${ST[@]}"
	verdict tty-ja 完了
	vj() { grep -q "^$1\$" "$T_DIR/tty-ja.verdict"; }
	check "ja: under a terminal, both bays erased and the station exits 0" \
		test "$(cat "$T_DIR/tty-ja.rc")" = 0
	check "ja: each redraw goes back exactly over the lines written since" vj "cursor-up mismatches 0"
	check "ja: every drawing has bays + 4 lines" \
		bash -c 'grep -qE "^frames [0-9]+ with another line count 0$" "$1"' _ "$T_DIR/tty-ja.verdict"
	check "ja: no line is wider than the terminal in display columns" \
		bash -c '[ "$(sed -n "s/^widest //p" "$1")" -le $(($2 - 1)) ]' _ "$T_DIR/tty-ja.verdict" "$COLS"
	check "ja: the last drawing shows both bays 完了" vj "last frame done 2"
	check "ja: the column titles are Japanese, each starting at the English one's display column" \
		python3 - "$T_DIR/tty.verdict" "$T_DIR/tty-ja.verdict" <<'PY'
import sys, unicodedata
def header(path):
    line = [l for l in open(path, encoding="utf-8") if l.startswith("header ")][0]
    return line[7:].rstrip("\n")
def starts(s):
    out, w, prev = [], 0, " "
    for c in s:
        if c != " " and prev == " ":
            out.append(w)
        w += 2 if unicodedata.east_asian_width(c) in "WF" else 1
        prev = c
    return out
en, ja = header(sys.argv[1]), header(sys.argv[2])
# The terminal cuts both at COLS - 1: a wide first character of the last
# title may not fit where the English one's first letter did.
e, j = starts(en), starts(ja)
ok = (en.startswith("BAY ") and ja.startswith("番 ") and "状態" in ja and
      len(j) >= len(e) - 1 and j == e[:len(j)])
if not ok:
    print("# %r\n# %r" % (en, ja))
sys.exit(not ok)
PY
	[ "$T_FAIL" -eq "$fails" ] || sed 's/^/# /' "$T_DIR/tty-ja.verdict"
else
	not_ok "generate ja_JP.UTF-8 with localedef (package locales)"
fi

# Not a terminal: one plain line per change, no escape sequence at all.
"${ST[@]}" < <(printf 'start 1 A-PIPE-1\nstart 2 A-PIPE-2\n') > "$T_DIR/plain.out" 2>"$T_DIR/plain.err"
rc=$?
check "with standard output not a terminal, both erased (exit 0)" test $rc -eq 0
check "plain lines: no escape sequence on stdout or stderr" \
	bash -c '! grep -q $'"'"'\e'"'"' "$1" "$2"' _ "$T_DIR/plain.out" "$T_DIR/plain.err"
check "one line per change, with both bays ending done" \
	bash -c '[ "$(grep -cE "^[12] +loop[0-9]+ .* done " "$1")" -eq 2 ]' _ "$T_DIR/plain.out"
t_done
