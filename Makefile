# kesu — see README.md.  `make deps` installs what everything else needs.
VERSION := 0.1.0

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale
# kesu-print.so, kesu-pg.so, kesu-http.so (lib/plugin.h).
PLUGINDIR ?= $(PREFIX)/lib/kesu
# udev and systemd read rules and units only from their own directories
# (/lib/udev/rules.d and /lib/systemd/system on Debian 12, /etc for local
# ones), never from PREFIX: ask their .pc files, whatever PREFIX is.
UDEVRULESDIR ?= $(or $(shell pkg-config --variable=udevdir udev 2>/dev/null),/lib/udev)/rules.d
SYSTEMDUNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
DESTDIR ?=

BUILD ?= build
CC ?= cc

# Every Debian 12 package the build, the tests, the demo and the benchmark use.
DEB_PACKAGES := build-essential pkg-config libblkid-dev uuid-dev libssl-dev \
	libjansson-dev libcmocka-dev mandoc jq fdisk e2fsprogs util-linux \
	coreutils kmod cpio nwipe dmsetup qemu-system-x86 linux-image-amd64 \
	busybox-static softhsm2 libengine-pkcs11-openssl opensc pcscd libccid openssl xz-utils \
	time postgresql libpq-dev libcairo2-dev libpango1.0-dev libqrencode-dev libjpeg62-turbo-dev libpng-dev \
	fonts-ipaexfont poppler-utils zbar-tools imagemagick \
	libcurl4-openssl-dev clang libclang-rt-14-dev python3 gettext locales liburing-dev libudev-dev udev \
	libgcrypt20-dev libipsec-mb-dev \
	grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools dosfstools ovmf

# What every command needs; the kesu executable links only these.  The
# printed documents, the database register and HTTP are plugins loaded by
# the commands that use them (lib/plugin.h): linked in, their 64 libraries
# cost every run, a wipe too, about 10 ms of CPU at start-up.
CORE_PKGS := blkid uuid libcrypto libgcrypt jansson liburing libudev
PRINT_PKGS := pangocairo libqrencode libjpeg libpng
PKGS := $(CORE_PKGS) libpq $(PRINT_PKGS) libcurl
# Intel's ipsec-mb makes the random pass's keystream in half libgcrypt's
# CPU time on processors with VAES and AVX-512 (wipe/engine/stream.h).  It exists for x86-64 only and ships no
# .pc file; KESU_IPSEC_MB=0 builds without it, on libgcrypt alone.
KESU_IPSEC_MB ?= $(if $(filter x86_64,$(shell uname -m)),1,0)
IPSEC_MB_CFLAGS := $(if $(filter 1,$(KESU_IPSEC_MB)),-DKESU_HAVE_IPSEC_MB)
IPSEC_MB_LIBS := $(if $(filter 1,$(KESU_IPSEC_MB)),-lIPSec_MB)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS)) $(IPSEC_MB_CFLAGS)
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) $(IPSEC_MB_LIBS) -lm
CORE_LIBS = $(shell pkg-config --libs $(CORE_PKGS)) $(IPSEC_MB_LIBS) -lm
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)

CFLAGS ?= -O2 -g
HARDEN ?= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection \
	-fcf-protection -fPIE
SAN ?=
ALL_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE \
	$(CFLAGS) $(HARDEN) $(SAN) $(PKG_CFLAGS) -I. \
	-DKESU_VERSION=\"$(VERSION)\" -DKESU_LOCALEDIR=\"$(LOCALEDIR)\" \
	-DKESU_PLUGINDIR=\"$(PLUGINDIR)\" -pthread -MMD -MP
# Tests and their device models also see tests/unit/support; product code
# never does.
TEST_CFLAGS = -Itests/unit/support
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now -pthread $(SAN) $(LDFLAGS)

# The layers, bottom up (docs/ARCHITECTURE.md): lib/ knows nothing of kesu's
# devices or documents; wipe/ and certs/ build on lib/ only; cli/ is the one
# place that parses options, prints and picks exit codes.
ALL_LIB_SRCS := $(sort $(wildcard lib/*.c wipe/*/*.c wipe/firmware/purge/*.c certs/*/*.c))
# *_plugin.c: the executable's side of a plugin, the same functions loading
# the plugin; everything else links the plugin's sources themselves.
STUB_SRCS := $(filter %_plugin.c,$(ALL_LIB_SRCS))
LIB_SRCS := $(filter-out $(STUB_SRCS),$(ALL_LIB_SRCS))
PLUGINS := print pg http
PLUGIN_print_SRCS := certs/print/render.c certs/print/image.c
PLUGIN_print_LIBS = $(shell pkg-config --libs $(PRINT_PKGS))
PLUGIN_pg_SRCS := certs/register/pg_conn.c
PLUGIN_pg_LIBS = $(shell pkg-config --libs libpq)
PLUGIN_http_SRCS := lib/http.c
PLUGIN_http_LIBS = $(shell pkg-config --libs libcurl)
PLUGIN_SRCS := $(foreach p,$(PLUGINS),$(PLUGIN_$(p)_SRCS))
PLUGIN_SOS := $(PLUGINS:%=$(BUILD)/plugins/kesu-%.so)
CORE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(PLUGIN_SRCS),$(LIB_SRCS)) $(STUB_SRCS))
CLI_SRCS := $(filter-out cli/main.c,$(sort $(wildcard cli/*.c cli/session/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
SUPPORT_SRCS := $(sort $(wildcard tests/unit/support/*.c))
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
MANPAGES := $(sort $(wildcard man/*.[1-8]))
# Translated man pages, man/LANG/NAME.SECTION.
MANPAGES_L10N := $(sort $(wildcard man/*/*.[1-8]))

# Message catalogues: po/LANG.po, compiled beside the binary into
# $(BUILD)/locale/, where kesu looks before LOCALEDIR (kesu(8), ENVIRONMENT).
PO_LANGS := ja
PO_DIR ?= po
MO_FILES := $(PO_LANGS:%=$(BUILD)/locale/%/LC_MESSAGES/kesu.mo)
# Every source a person-facing string may come from.  kesu_fail's and
# kesu_err_prefix's formats are catalogue keys: lib/error.c translates them
# where the message is made, so their callers need no marks.  OVERWRITE:2 is
# the description in wipe/engine/method.c's table, shown by `kesu methods`.
PO_SRCS = $(sort $(wildcard lib/*.[ch] wipe/*/*.[ch] wipe/firmware/purge/*.[ch] \
	certs/*/*.[ch] cli/*.[ch] cli/session/*.[ch]))
XGETTEXT_FLAGS := --from-code=UTF-8 --language=C --add-comments=TRANSLATORS: \
	--add-location=file --package-name=kesu --package-version=$(VERSION) \
	--msgid-bugs-address="the kesu issue tracker" --keyword=_ --keyword=N_ --keyword=P_:1,2 \
	--keyword=kesu_fail:4 --keyword=kesu_err_prefix:2 --keyword=kesu_usage_error:1 \
	--keyword=OVERWRITE:2 --keyword=kesu_reg_say:4 --flag=kesu_reg_say:4:c-format \
	--keyword=kesu_station_say:2 --flag=kesu_station_say:2:c-format \
	--keyword=station_note:2 --flag=station_note:2:c-format \
	--flag=kesu_fail:4:c-format --flag=kesu_err_prefix:2:c-format \
	--flag=kesu_usage_error:1:c-format

# Keep object files: test binaries are rebuilt from them incrementally.
.SECONDARY:

.PHONY: all deps check asan run-tests unit-tests demo bench vmcheck pgcheck-full install image imagecheck \
	uninstall clean lint-man lint-layers fuzz fuzz-build fuzz-bins fuzz-corpus \
	pot update-po lint-po

all: $(BUILD)/kesu $(PLUGIN_SOS) $(MO_FILES)

# --check: a translation's %s and %d must match the English format's, or
# kesu's own printf would read the wrong arguments.
$(BUILD)/locale/%/LC_MESSAGES/kesu.mo: $(PO_DIR)/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# The unit tests' own catalogue (test_i18n.c), apart from po/ so a change
# of wording there never breaks them.
$(BUILD)/tests/locale/ja/LC_MESSAGES/kesu.mo: tests/unit/i18n/ja.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

$(BUILD)/tests/test_i18n: | $(BUILD)/tests/locale/ja/LC_MESSAGES/kesu.mo

# The template for translators (not committed: it is generated).
pot:
	@mkdir -p po
	xgettext $(XGETTEXT_FLAGS) -o po/kesu.pot $(PO_SRCS)

# Brings every po/LANG.po up to the sources; new messages arrive untranslated
# and lint-po fails until someone translates them.
update-po: pot
	@for l in $(PO_LANGS); do \
	  msgmerge -q --update --backup=none --add-location=file $(PO_DIR)/$$l.po po/kesu.pot || exit 1; \
	done

# The catalogues are complete: no untranslated or fuzzy message, no message
# the sources no longer have, none the sources have and the catalogue lacks.
lint-po:
	@mkdir -p $(BUILD)/po
	@xgettext $(XGETTEXT_FLAGS) -o $(BUILD)/po/kesu.pot $(PO_SRCS)
	@for l in $(PO_LANGS); do \
	  stats=$$(LC_ALL=C msgfmt --check --statistics -o /dev/null $(PO_DIR)/$$l.po 2>&1) || \
	    { echo "$$stats" >&2; exit 1; }; \
	  case "$$stats" in *untranslated*|*fuzzy*) \
	    echo "$(PO_DIR)/$$l.po: $$stats" >&2; exit 1 ;; esac; \
	  LC_ALL=C msgcmp $(PO_DIR)/$$l.po $(BUILD)/po/kesu.pot || \
	    { echo "$(PO_DIR)/$$l.po lacks messages of the sources: run make update-po and translate them" >&2; exit 1; }; \
	  LC_ALL=C msgcmp --use-untranslated $(BUILD)/po/kesu.pot $(PO_DIR)/$$l.po 2>/dev/null || \
	    { echo "$(PO_DIR)/$$l.po has messages the sources no longer use: run make update-po" >&2; exit 1; }; \
	  echo "$(PO_DIR)/$$l.po: $$stats"; \
	done

# Each object's header dependencies are written for its path as given and
# as the other form (BUILD relative or absolute: the image test builds with
# an absolute one), so a header change rebuilds it whichever way make is
# called next.
DEPTARGETS = -MT $@ -MT $(if $(filter /%,$@),$(patsubst $(CURDIR)/%,%,$@),$(CURDIR)/$@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPTARGETS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) $(DEPTARGETS) -c -o $@ $<

$(BUILD)/libkesu.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The CLI layer as an archive too, so unit tests can reach its parts.
$(BUILD)/libkesu-cli.a: $(CLI_SRCS:%.c=$(BUILD)/%.o)
	@rm -f $@
	ar rcs $@ $^

# What the executable links instead of libkesu.a: no plugin's sources, the
# stubs that load them instead.
$(BUILD)/libkesu-core.a: $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Plugins: position-independent objects of their sources, linked against
# their libraries; what they call of kesu's own (kesu_fail and the like)
# they find in the executable, which exports exactly those symbols
# (plugin-exports.args, from the objects' undefined kesu_ symbols).
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fPIE,$(ALL_CFLAGS)) -fPIC $(DEPTARGETS) -c -o $@ $<

define plugin_rule
$(BUILD)/plugins/kesu-$(1).so: $(PLUGIN_$(1)_SRCS:%.c=$(BUILD)/pic/%.o)
	@mkdir -p $$(dir $$@)
	$$(CC) -shared -o $$@ $$^ -Wl,-z,relro,-z,now,-Bsymbolic -pthread $$(SAN) $$(LDFLAGS) \
	  $$(PLUGIN_$(1)_LIBS)
endef
$(foreach p,$(PLUGINS),$(eval $(call plugin_rule,$(p))))

$(BUILD)/plugin-exports.args: $(PLUGIN_SRCS:%.c=$(BUILD)/pic/%.o)
	@syms=$$(nm -u $^ | awk '$$1 == "U" && $$2 ~ /^kesu_/ {print $$2}' | sort -u); \
	  { echo "{"; for s in $$syms; do echo "  $$s;"; done; echo "};"; } > $(BUILD)/plugin-exports.list; \
	  { echo "-Wl,--dynamic-list=$(abspath $(BUILD))/plugin-exports.list"; \
	    for s in $$syms; do echo "-Wl,--require-defined=$$s"; done; } > $@

$(BUILD)/kesu: $(BUILD)/cli/main.o $(BUILD)/libkesu-cli.a $(BUILD)/libkesu-core.a \
		$(BUILD)/plugin-exports.args
	$(CC) -o $@ $(filter %.o %.a,$^) $(ALL_LDFLAGS) @$(BUILD)/plugin-exports.args $(CORE_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(SUPPORT_OBJS) $(BUILD)/libkesu-cli.a $(BUILD)/libkesu.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS)

# test_stream again as KESU_IPSEC_MB=0 builds it, on libgcrypt alone: the
# path of other architectures, kept honest on this one.
ifeq ($(KESU_IPSEC_MB),1)
$(BUILD)/nomb/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(IPSEC_MB_CFLAGS),$(ALL_CFLAGS)) $(TEST_CFLAGS) $(DEPTARGETS) -c -o $@ $<

$(BUILD)/tests/test_stream_libgcrypt_only: $(BUILD)/nomb/tests/unit/test_stream.o \
		$(BUILD)/nomb/wipe/engine/stream.o $(BUILD)/libkesu.a
	$(CC) -o $@ $^ $(ALL_LDFLAGS) $(filter-out $(IPSEC_MB_LIBS),$(PKG_LIBS)) $(CMOCKA_LIBS)

UNIT_BINS += $(BUILD)/tests/test_stream_libgcrypt_only
endif

unit-tests: $(UNIT_BINS)

# Installs only what is missing, so it is cheap to run before every check.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	  apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing >/dev/null \
	    || { echo "make deps: apt-get failed; run it as root with Debian's mirror reachable" >&2; exit 1; }; \
	fi

lint-man:
	@for m in $(MANPAGES) $(MANPAGES_L10N); do mandoc -Tlint -W warning $$m || exit 1; done; \
	echo "man pages: $(words $(MANPAGES) $(MANPAGES_L10N)) checked"

# The README's test command: every unit and integration test, then the VM bed.
check: deps
	@$(MAKE) --no-print-directory run-tests

# Fails the build when a lower layer includes from a higher one.
lint-layers:
	@bash tests/check-layers.sh

run-tests: lint-layers all unit-tests lint-man lint-po fuzz-build $(BUILD)/tests/pgquery
	@KESU_FUZZ_BUILD=$(abspath $(FUZZ_BUILD)) bash tests/run.sh $(BUILD)

# Reports go to files in build-asan/sanitizer/ (tests/run.sh counts each
# as a failure), so that none hides behind a test's expected failure.
ASAN_LOGS := $(abspath build-asan)/sanitizer
asan: deps
	@rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	@KESU_SAN_DIR=$(ASAN_LOGS) ASAN_OPTIONS=log_path=$(ASAN_LOGS)/asan \
	  UBSAN_OPTIONS=log_path=$(ASAN_LOGS)/ubsan:print_stacktrace=1 \
	  $(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g" HARDEN= \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  run-tests

# The QEMU test bed alone (make check runs it too, as tests/integration/vm.sh).
vmcheck: deps all
	@KESU=$(abspath $(BUILD))/kesu KESU_BUILD=$(abspath $(BUILD)) \
	  bash tests/integration/vm.sh

# The kesu live system (kesu-station(8), LIVE IMAGE): build/image/kesu.iso
# for sticks and optical drives, vmlinuz and initrd.img for PXE.
image: deps all
	@mkdir -p $(BUILD)/image
	@bash image/build.sh $(abspath $(BUILD))/kesu $(abspath $(BUILD))/locale $(LOCALEDIR) \
	  $(abspath $(BUILD))/image $(PLUGINDIR)

# The live system booted in QEMU over disk images (tests/image/boot.sh);
# make check runs its first two boots (tests/integration/image.sh), this
# also the refused-key boot, which waits out a 45 s timeout.
imagecheck: image
	@KESU=$(abspath $(BUILD))/kesu KESU_BUILD=$(abspath $(BUILD)) \
	  KESU_IMAGE_DIR=$(abspath $(BUILD))/image KESU_IMAGE_BOOTS="cdrom uefi pxe badkey" \
	  bash tests/image/boot.sh

# libFuzzer targets (tests/fuzz/): the library compiled by clang with ASan,
# UBSan and fuzzer coverage into its own directory, apart from the gcc build.
# make check runs each for FUZZ_SECONDS=3 (tests/integration/fuzz.sh) from
# the fixed FUZZ_SEED 1; make fuzz for FUZZ_SECONDS (default 60) each, from
# a new seed every run.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang CFLAGS="-O1 -g" HARDEN= \
	  SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" fuzz-bins

fuzz-bins: $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/libkesu.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libkesu.a $(ALL_LDFLAGS) $(PKG_LIBS)

# Regenerates tests/fuzz/corpus/ and tests/fuzz/ca.pem (committed).
fuzz-corpus: all $(BUILD)/tests/make_seeds
	@bash tests/fuzz/make-corpus.sh $(abspath $(BUILD))

$(BUILD)/tests/make_seeds: tests/fuzz/make_seeds.c $(SUPPORT_OBJS) $(BUILD)/libkesu.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -o $@ $(filter %.c %.o %.a,$^) $(ALL_LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS)

fuzz: deps fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$${FUZZ_SEED:-0} KESU_FUZZ_BUILD=$(abspath $(FUZZ_BUILD)) \
	  KESU=$(abspath $(BUILD))/kesu bash tests/integration/fuzz.sh

# The database register's test with the issue's full load, 16 stations x 200
# appends (make check runs the same script with 16 x 6); about 15 minutes here.
pgcheck-full: deps all $(BUILD)/tests/pgquery
	@KESU=$(abspath $(BUILD))/kesu KESU_BUILD=$(abspath $(BUILD)) KESU_PG_APPENDS=200 \
	  bash tests/integration/pg_register.sh

demo: deps all
	@bash tests/demo.sh $(BUILD)

# pg_register.sh asks the register's queries through it (tests/pg/pgquery.c).
$(BUILD)/tests/pgquery: $(BUILD)/tests/pg/pgquery.o $(BUILD)/libkesu.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS)

# make bench's register part makes its certificates in-process.
$(BUILD)/tests/regfill: $(BUILD)/tests/bench/regfill.o $(BUILD)/libkesu.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS)

# Not part of check: paired runs on tmpfs-backed loop devices, about 15 minutes,
# then the registers, file and PostgreSQL, about 10 more
# (docs/BENCHMARKS.md says what it measures).
bench: deps all $(BUILD)/tests/regfill
	@bash tests/bench.sh $(BUILD)

install: all
	install -D -m 0755 $(BUILD)/kesu $(DESTDIR)$(SBINDIR)/kesu
	@for p in $(PLUGIN_SOS); do install -D -m 0644 $$p $(DESTDIR)$(PLUGINDIR)/$${p##*/}; done
	@for m in $(MANPAGES); do \
	  s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; \
	done
	@for m in $(MANPAGES_L10N); do \
	  l=$${m#man/}; l=$${l%%/*}; s=$${m##*.}; \
	  install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/$$l/man$$s/$${m##*/}; \
	done
	@for l in $(PO_LANGS); do \
	  install -D -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/kesu.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/kesu.mo; \
	done
	install -D -m 0644 udev/60-kesu.rules $(DESTDIR)$(UDEVRULESDIR)/60-kesu.rules
	@# The units name kesu where this install puts it.
	@for u in kesu-station.service kesu-station@.service; do \
	  mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR) && \
	  sed 's|/usr/sbin/kesu|$(SBINDIR)/kesu|' udev/$$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
	  chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/kesu $(PLUGINS:%=$(DESTDIR)$(PLUGINDIR)/kesu-%.so) \
	  $(DESTDIR)$(UDEVRULESDIR)/60-kesu.rules \
	  $(DESTDIR)$(SYSTEMDUNITDIR)/kesu-station.service $(DESTDIR)$(SYSTEMDUNITDIR)/kesu-station@.service
	@for m in $(MANPAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	@for m in $(MANPAGES_L10N); do \
	  l=$${m#man/}; l=$${l%%/*}; s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/$$l/man$$s/$${m##*/}; \
	done
	@for l in $(PO_LANGS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/kesu.mo; done

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find build build-asan build-fuzz -name '*.d' 2>/dev/null)
