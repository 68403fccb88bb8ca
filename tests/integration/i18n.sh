#!/usr/bin/env bash
# Japanese where a person reads, English under LANG=C, and the same bytes
# wherever a program reads (--json), whatever the locale; the catalogue
# check (make lint-po) refuses an incomplete or stale po/ja.po.
. "$(dirname "$0")/../lib.sh"
# Under make asan: glibc's own gettext cache, not kesu's (see the file).
export LSAN_OPTIONS=fast_unwind_on_malloc=0:print_suppressions=0:suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan-glibc-locale.supp
repo=$(cd "$(dirname "$0")/../.." && pwd)

. "$(dirname "$0")/../i18nlib.sh"
if ! ja_locale; then
	not_ok "generate ja_JP.UTF-8 with localedef (package locales)"
	t_done
	exit 1
fi
# has TEXT CMD...: CMD's stdout and stderr contain TEXT.
has() {
	local want=$1 out
	shift
	out=$("$@" 2>&1)
	case "$out" in *"$want"*) true ;; *) printf '# wanted %s in:\n%s\n' "$want" "$out" | head -20 >&2; false ;; esac
}
# ascii_only CMD...: nothing but ASCII on stdout and stderr.
ascii_only() {
	! "$@" 2>&1 | LC_ALL=C grep -q '[^[:print:][:space:]]'
}
# same_exit CMD...: ja and en end with the same exit status, not 0.
same_exit() {
	local a b
	ja "$@" >/dev/null 2>&1; a=$?
	en "$@" >/dev/null 2>&1; b=$?
	[ "$a" -eq "$b" ] && [ "$a" -ne 0 ] || { echo "# exit ja $a, C $b" >&2; false; }
}
# aligned COL: every line of stdin (kesu list) has its last column start at
# display column COL, counting East Asian wide characters as two.
aligned() {
	python3 -c '
import sys, unicodedata
col = int(sys.argv[1]); bad = 0
for n, line in enumerate(sys.stdin.read().splitlines()):
    w = 0
    for i, ch in enumerate(line):
        if w == col:
            break
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else (0 if unicodedata.combining(ch) else 1)
    if w != col or line[i - 1] != " " or line[i] == " ":
        print("# line %d does not start its last column at %d: %r" % (n, col, line)); bad = 1
sys.exit(bad)' "$1"
}

export -f aligned ascii_only
export KESU

img=$(make_image i18n.img 8)
dev=$(make_loop "$img") || { not_ok "attach image"; t_done; exit 1; }
assert_ours "$dev"

# --- what a person reads -------------------------------------------------
check "ja: kesu --help is Japanese" has "使い方: kesu コマンド" ja --help
check "ja: a command's --help, its option lines too" \
	bash -c 'out=$("$@" list --help) && [[ $out == *"一覧表示します"* && $out == *"このヘルプを表示して終了する"* ]]' _ ja
check "ja: an unknown option is reported in Japanese" has "不明なオプション '--jsn'" ja list --jsn
check "ja: the same exit code for an unknown option" same_exit list --jsn
check "ja: a missing device is reported in Japanese (library error)" \
	has "そのようなデバイスやファイルはありません" ja info "$T_DIR/no-such-file"
check "ja: the same exit code for a missing device" same_exit info "$T_DIR/no-such-file"
check "ja: an unknown command, its control characters cleaned" \
	bash -c '"$@" $'"'"'bad\033[31m'"'"' 2>&1 | grep -q "不明なコマンド '"'"'bad?\[31m'"'"'"' _ ja
check "ja: a usage error quoting argv cleans its control characters" \
	bash -c '"$@" key $'"'"'x\033[2J'"'"' 2>&1 | grep -q "不明なサブコマンド '"'"'x?\[2J'"'"'"' _ ja
check "ja: kesu list has Japanese headings" has "シリアル番号" ja list --all
check "ja: kesu list lists our loop device" has "${dev#/dev/}" ja list --all
check "ja: kesu list columns stay aligned with double-width headings" \
	bash -c '"$@" list --all | aligned 67' _ ja
check "ja: kesu methods translates the descriptions" has "0x00 を 1 パス" ja methods zero
check "ja: kesu info runs on our device" ja info "$dev"
check "ja: kesu info names the kind in words and a purge note in Japanese" \
	bash -c 'out=$(ja info "$1") && [[ $out == *"ループデバイス (loop) / loop"* &&
		$out == *"ループデバイスと virtio デバイスにはファームウェアによるパージがありません"* ]] ||
		{ echo "# $out" >&2; false; }' _ "$dev"
check "C: kesu info gives the kind's code and the note in English" \
	bash -c 'out=$(en info "$1") && [[ $out == *"kind/transport:   loop / loop"* &&
		$out == *"no firmware purge on loop or virtio devices"* ]]' _ "$dev"

# --- LANG=C stays English --------------------------------------------------
check "C: kesu --help is English" has "Usage: kesu COMMAND" en --help
check "C: --help is ASCII only" ascii_only en --help
check "C: kesu list is English and ASCII" \
	bash -c '"$@" list --all | head -1 | grep -q "^NAME " && ascii_only "$@" list --all' _ en
check "C: kesu list columns aligned" bash -c '"$@" list --all | aligned 67' _ en
check "C: errors are English" has "no such device or file" en info "$T_DIR/no-such-file"
check "C: usage errors are English" has "unknown option '--jsn'" en list --jsn

# --- what a program reads: the same bytes ---------------------------------
same_json() {
	local a b
	a=$(ja "$@" 2>/dev/null)
	b=$(en "$@" 2>/dev/null)
	[ -n "$b" ] && [ "$a" == "$b" ] || { diff <(echo "$a") <(echo "$b") | head -20 | sed 's/^/# /' >&2; false; }
}
export -f same_json
check "json: kesu info --json is the same under ja and C" same_json info --json "$dev"
check "json: our device's kesu list --json entry is the same" \
	bash -c 'a=$(ja list --json --all | jq -c --arg p "$1" ".devices[] | select(.path == \$p)") &&
		 b=$(en list --json --all | jq -c --arg p "$1" ".devices[] | select(.path == \$p)") &&
		 [ -n "$b" ] && [ "$a" == "$b" ]' _ "$dev"
check "json: kesu methods --json is the same" same_json methods --json
# A wipe of our own loop device: the summary's result in Japanese words,
# the code beside them; the JSON summary the same bytes but for the run's
# own id, times and record.
mkdir -p "$T_DIR/wst"
WIPE=(wipe --yes --no-cert --method zero --config /dev/null --state-dir "$T_DIR/wst")
check "ja: the wipe summary's result is Japanese, its code beside it" \
	bash -c 'cd "$1" && out=$(ja "${@:3}" "$2" 2>&1) && [[ $out == *": 消去完了 (erased)  (書き込み 8M、検証 8M"* ]] ||
		{ echo "# $out" | tail -5 >&2; false; }' _ "$T_DIR/wst" "$dev" "${WIPE[@]}"
check "C: the same summary in English" \
	bash -c 'cd "$1" && en "${@:3}" "$2" 2>&1 | grep -q "^$2: erased  (written 8M, verified 8M"' _ "$T_DIR/wst" "$dev" "${WIPE[@]}"
# A wipe stopped (SIGINT) before its verify leaves a checkpoint; the next
# wipe's note that it replaces it is the operator's language.
cd "$T_DIR/wst" || exit 1
KESU_TEST_PAUSE_BEFORE_VERIFY="$T_DIR/pause" "$KESU" "${WIPE[@]}" --quiet "$dev" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do [ -e "$T_DIR/pause.${dev#/dev/}" ] && break; sleep 0.05; done
kill -INT $pid
wait $pid
rm -f "$T_DIR/pause.${dev#/dev/}"
cd - >/dev/null || exit 1
check "ja: a wipe's note that it replaces an interrupted one is Japanese" \
	bash -c 'cd "$1" && out=$(ja "${@:3}" "$2" 2>&1) &&
		[[ $out == *"kesu: 注意: $2 には中断された消去があります"* && $out != *"has an interrupted"* ]] ||
		{ echo "# $out" | head -20 >&2; false; }' _ "$T_DIR/wst" "$dev" "${WIPE[@]}"
check "json: wipe --json's summary is the same under ja and C (the record's name aside)" \
	bash -c 'cd "$1" && strip="[.[] | del(.record)]" &&
		a=$(ja "${@:3}" --json "$2" 2>/dev/null | jq -c "$strip") &&
		b=$(en "${@:3}" --json "$2" 2>/dev/null | jq -c "$strip") &&
		[ -n "$b" ] && [ "$a" == "$b" ] || { echo "# $a / $b" >&2; false; }' _ "$T_DIR/wst" "$dev" "${WIPE[@]}"
echo '{}' > "$T_DIR/not-a-cert.json"
check "json: an error inside JSON output stays English" \
	bash -c 'ja cert verify --json --ca /dev/null "$1" | jq -e ".[0].error | test(\"^[ -~]+$\")" >/dev/null' _ "$T_DIR/not-a-cert.json"
check "json: cert verify --json of a bad file is the same" \
	same_json cert verify --json --ca /dev/null "$T_DIR/not-a-cert.json"
check "ja: the same document's fault on the terminal is Japanese" \
	has "schema: ありません" ja cert show "$T_DIR/not-a-cert.json"



# --- verbs, their help, and the safety gate's reasons ---------------------
check "ja: kesu cert --help lists its verbs in Japanese" \
	bash -c 'out=$("$@" cert --help) && [[ $out == *"サブコマンド:"* && $out == *"証明書を検証する"* &&
		$out == *"A4 の PDF に印刷する"* && $out == *"kesu-certificate(5) を参照"* &&
		$out != *"verify certificates"* ]]' _ ja
check "ja: kesu register --help lists its verbs in Japanese" \
	bash -c 'out=$("$@" register --help) && [[ $out == *"チェーン、署名済みヘッド、証明書を確認する"* &&
		$out == *"一つの媒体の経緯"* && $out == *"POSTGRESQL を参照"* && $out != *"list the entries"* ]]' _ ja
check "ja: a verb's help text (cert verify, register verify) is Japanese" \
	bash -c '[[ $("$@" cert verify --help) == *"証明書を検証します"* &&
		$("$@" register verify --help) == *"共有ロックのもとで台帳"* ]]' _ ja
check "C: the verb lists stay English" \
	bash -c '[[ $("$@" cert --help) == *"verify certificates: signature"* ]] && ascii_only "$@" register --help' _ en
# The --state-dir line names the default lib/config.h builds in, in both.
default=$(sed -n 's/^#define KESU_STATE_DIR_DEFAULT "\(.*\)"$/\1/p' "$repo/lib/config.h")
check "ja: wipe --help's --state-dir line is Japanese and names $default" \
	bash -c '[ -n "$1" ] && ja wipe --help | grep -- "--state-dir" | grep -q "チェックポイントの置き場所.*$1)" &&
		en wipe --help | grep -- "--state-dir" | grep -q "else $1)"' _ "$default"
# A mounted loop device of ours: kesu info (read-only) shows the gate's
# reason; nothing is ever written to it.
mimg=$(make_image mounted.img 16)
mkfs.ext4 -q -F "$mimg" >/dev/null 2>&1
mdev=$(make_loop "$mimg") || not_ok "attach the image to mount"
assert_ours "$mdev" && mkdir -p "$T_DIR/mnt" && mount -o ro "$mdev" "$T_DIR/mnt" &&
	T_MOUNTS+=("$T_DIR/mnt") || not_ok "mount our loop device"
check "ja: the safety gate's reason is Japanese (kesu info on a mounted device)" \
	has "[mounted] ${mdev#/dev/} は $T_DIR/mnt にマウントされています。先にアンマウントしてください" ja info "$mdev"
check "C: the same reason in English" has "[mounted] ${mdev#/dev/} is mounted on $T_DIR/mnt; unmount it first" en info "$mdev"
check "json: kesu info --json of the mounted device is the same, its reason in English" \
	bash -c 'same_json info --json "$1" && en info --json "$1" | jq -e "[.. | objects | select(.code? == \"mounted\") | .text] | first | test(\"is mounted on\")" >/dev/null' _ "$mdev"

# kesu station on the same mounted device (--only it; read-only: the gate
# refuses it before anything is opened for writing): the dashboard's
# reason in the operator's language (cut to its column, so only its
# start is compared), the events' reason and cause in English, the same
# events whatever the locale.
station_once() { # ja|en EVENTS DEVICE (each check runs under timeout)
	"$1" station --events "$2" --only "$3" --once --existing --config /dev/null \
		</dev/null 2>/dev/null
}
export -f station_once
check "ja: the station dashboard gives the state, the result word and the gate's reason in Japanese" \
	timeout 60 bash -c 'out=$(station_once ja "$1/st-ja.jsonl" "$2"); [ $? -eq 6 ] &&
		grep -qE "拒否 +拒否: ${2#/dev/} は /" <<<"$out" && ! grep -qE "is mounted|refused" <<<"$out" ||
		{ echo "# $out" >&2; false; }' _ "$T_DIR" "$mdev"
# The result column starts where it does in English: the state column is
# laid out in display columns (拒否 is two characters, four columns).
check "ja: the dashboard's result column starts at the same display column as under C" \
	timeout 60 bash -c 'j=$(station_once ja "$1/st-ja2.jsonl" "$2" | grep "拒否:") &&
		e=$(station_once en "$1/st-en2.jsonl" "$2" | grep "refused:") &&
		python3 -c "
import sys, unicodedata
def col(line, word):
    return sum(2 if unicodedata.east_asian_width(c) in \"WF\" else 1 for c in line[:line.index(word)])
sys.exit(col(sys.argv[1], \"拒否:\") != col(sys.argv[2], \"refused:\") or col(sys.argv[2], \"refused:\") < 90)
" "$j" "$e" || { echo "# $j / $e" >&2; false; }' _ "$T_DIR" "$mdev"
# Notes on stderr: the operator's language; the event lines below compare
# the note events too.
station_notes() { # ja|en DEVICE: the station's stderr
	"$1" station --only "$2" --once --existing --config /dev/null </dev/null 2>&1 >/dev/null
}
export -f station_notes
check "ja: the station's notes on stderr are Japanese" \
	timeout 60 bash -c 'out=$(station_notes ja "$1"); [[ $out == *"ディスクを待っています (kernel のイベント)"* ||
		$out == *"ディスクを待っています (udev のイベント)"* ]] && [[ $out != *"listening"* ]] ||
		{ echo "# $out" >&2; false; }' _ "$mdev"
check "C: the same note in English" \
	timeout 60 bash -c 'station_notes en "$1" | grep -q "kesu station: listening for disks"' _ "$mdev"
check "C: the dashboard gives it in English" \
	timeout 60 bash -c 'station_once en "$1/st-en.jsonl" "$2" |
		grep -qE "refused +refused: ${2#/dev/} is mounted on"' \
	_ "$T_DIR" "$mdev"
check "json: the station's events are the same under ja and C (times aside), reason and cause English" \
	bash -c 'a=$(jq -c "del(.time)" "$1/st-ja.jsonl") && b=$(jq -c "del(.time)" "$1/st-en.jsonl") &&
		[ -n "$b" ] && [ "$a" == "$b" ] &&
		jq -se "map(select(.event == \"decided\"))[0] | (.reason | test(\"is mounted on\")) and
			(.cause | test(\"is mounted on\")) and .state == \"refused\" and .result == \"refused\"" \
			"$1/st-ja.jsonl" >/dev/null &&
		jq -se "map(select(.event == \"note\"))[0].text | test(\"^listening for disks\")" \
			"$1/st-ja.jsonl" >/dev/null' _ "$T_DIR"

# A register edited after signing: its finding in the operator's language.
mkdir -p "$T_DIR/reg" && cp "$repo"/tests/fixtures/pdf/register.jsonl* "$repo/tests/fixtures/pdf/ca.pem" "$T_DIR/reg/"
sed -i '2s/"not-erased"/"erased"/' "$T_DIR/reg/register.jsonl"
REGV=(register verify --register "$T_DIR/reg/register.jsonl" --ca "$T_DIR/reg/ca.pem" --config /dev/null)
check "ja: a damaged register's finding is Japanese" \
	has "2 行目: 書き込み後に編集されています: ハッシュが 3 行目に記録された prev と一致しません" ja "${REGV[@]}"
check "C: the same finding in English" has "line 2: edited after it was written" en "${REGV[@]}"
check "ja: the same exit code for a damaged register" same_exit "${REGV[@]}"
check "json: register verify --json of it is the same, its finding in English" \
	bash -c 'same_json "$@" --json && en "$@" --json | grep -q "edited after it was written"' _ "${REGV[@]}"

# A register with an erasure and the destruction that closes it: the
# ledger's words, a certificate file's finding and a printed page's reason
# in the operator's or the page's language; what a program reads stays
# the same bytes.
. "$repo/tests/certlib.sh"
if make_ca ca && make_operator op ca; then
	REG=$T_DIR/lreg/register.jsonl
	R=(--register "$REG" --ca "$T_DIR/ca/ca.pem" --config /dev/null)
	run=$(new_run "$FIXTURES/runs/erased.json" "$T_DIR/run-mn.json")
	sed -i 's/WD-WCC6Y0ABCDEF/I18N-SERIAL-1/' "$run"
	cert=$(issue "$run" op --register "$REG" --my-number 2>/dev/null)
	printf 'not a picture' > "$T_DIR/out/after.jpg"
	doc=$("$KESU" destroy --key "$T_DIR/op/kesu-signing.key" --cert "$T_DIR/op/cert.pem" \
		--config /dev/null --ca-file "$T_DIR/ca/ca.pem" --register "$REG" \
		--cert-dir "$T_DIR/out" --operator '山田 太郎' --organization '情報政策課' \
		--location '第二工場' --company 'クラッシュ社' --person '佐藤 花子' \
		--serial I18N-SERIAL-1 --technique crush --destroyed-at 2026-11-21T10:00:00+09:00 \
		--destroyed-photo "$T_DIR/out/after.jpg" 2>/dev/null)
	[ -s "$cert" ] && [ -s "$doc" ] || not_ok "issue a certificate and its destruction"
	check "ja: register trace says the destruction and the open state in Japanese" \
		bash -c 'out=$(ja register trace I18N-SERIAL-1 "$@") &&
			[[ $out == *"物理破壊済み: crush 2026-11-21、クラッシュ社 (佐藤 花子)"* &&
			   $out == *"マイナンバー はい, 完了"* && $out != *"destroyed:"* ]] ||
			{ echo "# $out" >&2; false; }' _ "${R[@]}"
	check "C: the same trace in English" \
		has "destroyed: crush 2026-11-21 by クラッシュ社 (佐藤 花子)" en register trace I18N-SERIAL-1 "${R[@]}"
	check "json: register trace --json and list --json are the same, the ledger's words English" \
		bash -c 'same_json register trace --json I18N-SERIAL-1 "$@" && same_json register list --json "$@" &&
			en register trace --json I18N-SERIAL-1 "$@" | grep -q "destroyed: crush 2026-11-21 by"' _ "${R[@]}"
	check "csv: register export is the same under ja and C" same_json register export --csv "${R[@]}"
	check "ja: register list gives the result and the state in Japanese words" \
		bash -c 'out=$(ja register list "$@") && [[ $out == *"消去完了 (erased)"* && $out == *" 完了 "* &&
			$out != *" closed "* ]] || { echo "# $out" >&2; false; }' _ "${R[@]}"
	check "ja: register list's columns stay aligned (Japanese names and words in display columns)" \
		bash -c 'ja register list "$@" | aligned 116' _ "${R[@]}"
	check "C: register list in English, aligned around the Japanese operator's name" \
		bash -c 'out=$(en register list "$@") && [[ $out == *" erased "*" closed "* ]] &&
			en register list "$@" | aligned 116' _ "${R[@]}"
	# cert show: the codes in the printed page's Japanese words, the code
	# beside them; the bare codes under C and in --json.
	check "ja: cert show gives the reason, class, result and method codes in Japanese words" \
		bash -c 'out=$(ja cert show "$1") && [[ $out == *"廃棄 (disposal)"* &&
			$out == *"機密性3（秘密文書相当） (3)"* && $out == *"消去完了 (erased)"* &&
			$out == *"上書き (overwrite)"* ]] || { echo "# $out" | head -40 >&2; false; }' _ "$cert"
	check "C: cert show gives the bare codes" \
		bash -c 'out=$(en cert show "$1") && [[ $out == *"Reason"*" disposal"* && $out != *"廃棄"* &&
			$out != *"消去完了"* ]]' _ "$cert"
	check "json: cert show --json is the same under ja and C" same_json cert show --json "$cert"
	if make_role '佐藤 花子' ca approver; then
		appr=$("$KESU" approval new --key "$T_DIR/佐藤 花子/kesu-signing.key" \
			--cert "$T_DIR/佐藤 花子/cert.pem" --config /dev/null --ca "$T_DIR/ca/ca.pem" \
			--out "$T_DIR/appr" --reference R8-情政-17 --reason lease-return --class 2 \
			--customer 総務課 --operator '山田 太郎' --asset A-0042 \
			--valid-from 2026-01-01T00:00:00Z --valid-until 2099-01-01T00:00:00Z 2>/dev/null)
		check "ja: approval show gives the reason and class in Japanese words" \
			bash -c 'out=$(ja approval show "$1") && [[ $out == *"リース返却 (lease-return)"* &&
				$out == *"機密性2（公表を前提としない） (2)"* ]] ||
				{ echo "# $out" >&2; false; }' _ "$appr"
		check "C: approval show gives the bare codes" \
			bash -c 'out=$(en approval show "$1") && [[ $out == *"lease-return"* && $out != *"リース"* ]]' _ "$appr"
		check "json: approval show --json is the same under ja and C" same_json approval show --json "$appr"
	else
		not_ok "approver certificate set-up"
	fi
	# The page's language is --lang's, never the locale's; the photo
	# that cannot be drawn says why in it.
	check "ja page: an evidence photo that cannot be drawn says why in Japanese" \
		bash -c 'ja cert pdf --lang ja --out "$1/pja" "$2" >/dev/null 2>&1 &&
			t=$(pdftotext "$1/pja/$(basename "${2%.json}").pdf" - | tr -d "\n ") &&
			[[ $t == *"証拠写真を表示できません"* && $t == *"JPEGでもPNGでもありません"* &&
			   $t != *"notaJPEG"* ]] || { echo "# $t" | head -c 600 >&2; false; }' _ "$T_DIR" "$doc"
	check "the same --lang ja page under LANG=C: the same text (a page follows --lang, not the locale)" \
		bash -c 'export SOURCE_DATE_EPOCH=1800000000
			en cert pdf --lang ja --out "$1/pc" "$2" >/dev/null 2>&1 &&
			ja cert pdf --lang ja --out "$1/pj" "$2" >/dev/null 2>&1 &&
			b=$(basename "${2%.json}").pdf && [ -s "$1/pc/$b" ] &&
			[ "$(pdftotext "$1/pc/$b" -)" == "$(pdftotext "$1/pj/$b" -)" ]' _ "$T_DIR" "$doc"
	check "en page under LANG=ja_JP: the same reason in English" \
		bash -c 'ja cert pdf --lang en --out "$1/pen" "$2" >/dev/null 2>&1 &&
			pdftotext "$1/pen/$(basename "${2%.json}").pdf" - | tr -d "\n" |
			grep -q "not a JPEG or PNG image"' _ "$T_DIR" "$doc"
	# A certificate file changed after it was registered.
	printf ' ' >> "$cert"
	check "ja: register verify names a changed certificate file in Japanese" \
		has "が記録されたハッシュと一致しません (ファイルが変更されたか差し替えられています)" ja register verify "${R[@]}"
	check "C: the same finding in English" \
		has "does not match the hash recorded for it (the file was changed or replaced)" en register verify "${R[@]}"
	check "ja: the same exit code for it" same_exit register verify "${R[@]}"
	check "json: register verify --json of it is the same, its finding English" \
		bash -c 'same_json register verify --json "$@" &&
			en register verify --json "$@" | jq -e ".error | test(\"does not match the hash recorded\")" >/dev/null' _ "${R[@]}"
else
	not_ok "test CA set-up"
fi

# --- the catalogue check ---------------------------------------------------
# Each broken copy of po/ja.po must make `make lint-po` fail.
lint_po() {
	make -s --no-print-directory -C "$repo" lint-po PO_DIR="$1" BUILD="$T_DIR/build" >/dev/null 2>&1
}
export -f lint_po
export repo
mkdir -p "$T_DIR/good" "$T_DIR/untranslated" "$T_DIR/missing" "$T_DIR/stale" "$T_DIR/badfmt"
cp "$repo/po/ja.po" "$T_DIR/good/ja.po"
check "lint-po accepts po/ja.po as it is" lint_po "$T_DIR/good"
# The first message after the header loses its translation.
python3 - "$repo/po/ja.po" "$T_DIR" <<'PY'
import sys, re
src, d = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()
head, body = text.split("\n\n", 1)
entries = body.split("\n\n")
first = entries[0]
i = first.index("msgstr ")
open(d + "/untranslated/ja.po", "w", encoding="utf-8").write(
    head + "\n\n" + "\n\n".join([first[:i] + 'msgstr ""'] + entries[1:]))
open(d + "/missing/ja.po", "w", encoding="utf-8").write(head + "\n\n" + "\n\n".join(entries[1:]))
open(d + "/stale/ja.po", "w", encoding="utf-8").write(
    text.rstrip("\n") + '\n\nmsgid "a message no source has"\nmsgstr "どこにもないメッセージ"\n')
# A translation whose %s became %d: msgfmt --check must refuse it.
fmt = next(k for k, e in enumerate(entries) if "c-format" in e and 'msgstr "' in e and "%s" in e.split("msgstr", 1)[1])
e = entries[fmt]
j = e.index("msgstr")
bad = e[:j] + e[j:].replace("%s", "%d", 1)
open(d + "/badfmt/ja.po", "w", encoding="utf-8").write(
    head + "\n\n" + "\n\n".join(entries[:fmt] + [bad] + entries[fmt + 1:]))
PY
check "lint-po refuses an untranslated message" bash -c '! lint_po "$1"' _ "$T_DIR/untranslated"
check "lint-po refuses a catalogue that lacks a message of the sources" bash -c '! lint_po "$1"' _ "$T_DIR/missing"
check "lint-po refuses a message the sources no longer have" bash -c '! lint_po "$1"' _ "$T_DIR/stale"
check "lint-po refuses a translation whose formats differ" bash -c '! lint_po "$1"' _ "$T_DIR/badfmt"

t_done
