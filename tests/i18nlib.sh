# Running kesu in Japanese and in English: ja_JP.UTF-8, the system's if it
# has one, else compiled into the test directory for LOCPATH (the system's
# locale configuration is never touched).  Source after tests/lib.sh;
# ja_locale fails (and says why) when the locale cannot be made.
ja_locale() {
	JA_LOCPATH=
	if ! locale -a 2>/dev/null | grep -qix 'ja_JP\.utf-\?8'; then
		JA_LOCPATH="$T_DIR/locale"
		mkdir -p "$JA_LOCPATH"
		localedef -i ja_JP -f UTF-8 "$JA_LOCPATH/ja_JP.UTF-8" >/dev/null 2>&1 ||
			{ echo "# localedef ja_JP.UTF-8 failed (package locales)" >&2; return 1; }
	fi
	export JA_LOCPATH
}
# ja / en CMD...: kesu under one locale, nothing inherited that would
# override it.  Under make asan, with the suppressions such runs need
# (tests/lsan-i18n.supp: a page printed in a test of the locale meets
# fontconfig's leak as well as glibc's).
I18N_LSAN="fast_unwind_on_malloc=0:print_suppressions=0:suppressions=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lsan-i18n.supp"
export I18N_LSAN
ja() {
	env -u LC_ALL -u LANGUAGE -u LC_MESSAGES -u LC_CTYPE ${JA_LOCPATH:+LOCPATH="$JA_LOCPATH"} \
		LSAN_OPTIONS="$I18N_LSAN" LANG=ja_JP.UTF-8 "$KESU" "$@"
}
en() {
	env -u LC_ALL -u LANGUAGE -u LC_MESSAGES -u LC_CTYPE -u LOCPATH LSAN_OPTIONS="$I18N_LSAN" \
		LANG=C "$KESU" "$@"
}
export -f ja en
