# dutydesk - duty-room console for county and town emergency offices.
#   make run     set up, build, open the console on a seeded offline station
#   make test    set up, build, run every test (SANITIZE=1: ASan + UBSan)
#   make bench   benchmarks (figures, not pass/fail)
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/dutydesk
MANDIR ?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale
PKG_CONFIG ?= pkg-config

# Debian packages the build and the tests need.
DEPS_BUILD = build-essential pkg-config gettext libncurses-dev \
	libsqlite3-dev libuv1-dev libcjson-dev libsodium-dev libssl-dev
DEPS_TEST = libcmocka-dev tmux sqlite3 tzdata locales openssl python3 \
	python3-openssl luit
LIBS_PC = ncursesw sqlite3 libuv libcjson libsodium openssl
# What the county server links with: no curses.
SERVER_PC = sqlite3 libuv libcjson libsodium openssl

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -I.
CFLAGS += -DDATADIR='"$(DATADIR)"' -DLOCALEDIR='"$(LOCALEDIR)"'
ifeq ($(SANITIZE),1)
BUILD ?= build/san
CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=address,undefined
else
BUILD ?= build/rel
endif

# The server's checkpoint threshold in log frames (sync/server_realm.c),
# for tests: make CKPT_FRAMES=64.
ifdef CKPT_FRAMES
CFLAGS += -DCKPT_FRAMES=$(CKPT_FRAMES)
endif

ifeq ($(V),1)
Q =
else
Q = @
endif

CORE_SRC = $(wildcard core/*.c)
SYNC_SRC = $(filter-out sync/dutydeskd.c,$(wildcard sync/*.c))
TUI_SRC = $(filter-out tui/main.c,$(wildcard tui/*.c))
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o)
SYNC_OBJ = $(SYNC_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ = $(TUI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC = $(wildcard tests/bench/*.c)
BENCH_BIN = $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

# Translations: the build tree keeps them in locale/ beside the binary.
LANGS = zh_CN
MO = $(LANGS:%=locale/%/LC_MESSAGES/dutydesk.mo)

.PHONY: all dutydesk dutydeskd run test bench fuzz setup install pot \
	uninstall clean pinyin-table

all: dutydesk dutydeskd $(MO)

locale/%/LC_MESSAGES/dutydesk.mo: assets/po/%.po
	@mkdir -p $(dir $@)
	@echo "  MSGFMT  $<"
	$(Q)msgfmt -c -o $@ $<

# The template of every message the console and core show.
pot:
	xgettext --from-code=UTF-8 -k_ -kN_ -kDD_N_ -kdb_fail:3 -kconsole_msg:2 -kDD_C_:1c,2 \
		--add-comments=TRANSLATORS --package-name=dutydesk \
		--package-version=0.2.0 -o assets/po/dutydesk.pot \
		core/*.c core/*.h tui/*.c tui/*.h
	for l in $(LANGS); do msgmerge -q --backup=off -U assets/po/$$l.po assets/po/dutydesk.pot; done

# The binary lives at the top of the tree so it finds assets/ beside it;
# copied every time, so a plain build replaces a sanitized one.
dutydesk: $(BUILD)/dutydesk
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/dutydesk: $(BUILD)/tui/main.o $(TUI_OBJ) $(SYNC_OBJ) $(CORE_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $$($(PKG_CONFIG) --libs $(LIBS_PC))

# The county server: sync's server and core, no curses.
dutydeskd: $(BUILD)/dutydeskd
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/dutydeskd: $(BUILD)/sync/dutydeskd.o $(SYNC_OBJ) $(CORE_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) \
		$$($(PKG_CONFIG) --libs $(SERVER_PC))

$(BUILD)/%.o: %.c $(wildcard core/*.h sync/*.h tui/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $$($(PKG_CONFIG) --cflags $(LIBS_PC)) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testlib.h tests/unit/wirelib.h $(CORE_OBJ) $(SYNC_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $$($(PKG_CONFIG) --cflags $(LIBS_PC) cmocka) \
		$(LDFLAGS) -o $@ $< $(CORE_OBJ) $(SYNC_OBJ) $(LDLIBS) \
		$$($(PKG_CONFIG) --libs $(LIBS_PC) cmocka)

# test_text includes the console's text module.
$(BUILD)/tests/test_text: tui/text.c core/pinyin.c core/pinyin.h \
	core/pinyin_table.h tui/console.h

$(BUILD)/bench/%: tests/bench/%.c tests/bench/benchlib.h $(CORE_OBJ) $(SYNC_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $$($(PKG_CONFIG) --cflags $(LIBS_PC)) $(LDFLAGS) \
		-o $@ $< $(CORE_OBJ) $(SYNC_OBJ) $(LDLIBS) \
		$$($(PKG_CONFIG) --libs $(LIBS_PC))

# Install what is missing with apt-get when we can; otherwise say exactly
# which packages to install.
setup:
	$(Q)./tests/setup.sh $(DEPS_BUILD) -- $(DEPS_TEST)

run: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./tests/run-station.sh

test: setup
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BIN) powerloss-bins
	$(Q)BUILD=$(BUILD) ./tests/run-tests.sh $(UNIT_BIN)

# The pinyin table of the console in an ASCII locale, generated from
# Unicode's Unihan database and committed: the build does not need it.
DEPS_PINYIN = unicode-data python3

pinyin-table:
	$(Q)./tests/setup.sh $(DEPS_PINYIN)
	$(Q)python3 tools/pinyin_table.py \
		/usr/share/unicode/Unihan_Readings.txt.bz2 core/pinyin_table.h

# The sync benchmark compares with Redis (appendfsync always) and
# PostgreSQL (synchronous_commit on) in the same run.
DEPS_BENCH = redis-server redis-tools postgresql

bench: setup
	$(Q)./tests/setup.sh $(DEPS_BENCH)
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BIN)
	$(Q)for b in $(BENCH_BIN); do $$b || exit 1; done

# Fuzz targets (libFuzzer, clang), each bounded: FUZZ_SECONDS (default
# 60). fuzz_wire: the frame and message parser; seeds, the protocol's
# own frames. fuzz_tls: the frames as they come out of a server's TLS
# session (sync/tls.c); seeds, the same frames behind a first byte 0
# (through a finished handshake, one write each).
FUZZ_SECONDS ?= 60
FUZZ_DEPS = clang libclang-rt-14-dev
FUZZ_CC = clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE
fuzz:
	$(Q)./tests/setup.sh $(FUZZ_DEPS)
	@mkdir -p build/fuzz/corpus build/fuzz/corpus-tls
	$(Q)$(FUZZ_CC) $$($(PKG_CONFIG) --cflags libcjson libsodium sqlite3 libuv) \
		-o build/fuzz/fuzz_wire tests/fuzz/fuzz_wire.c sync/frame.c sync/msg.c \
		sync/auth.c $(CORE_SRC) \
		$$($(PKG_CONFIG) --libs libcjson libsodium sqlite3)
	$(Q)$(FUZZ_CC) $$($(PKG_CONFIG) --cflags libcjson libsodium sqlite3 libuv \
		openssl) -o build/fuzz/fuzz_tls tests/fuzz/fuzz_tls.c sync/tls.c \
		sync/frame.c sync/msg.c sync/auth.c $(CORE_SRC) \
		$$($(PKG_CONFIG) --libs libcjson libsodium sqlite3 openssl)
	$(Q)cp tests/fuzz/seeds/* build/fuzz/corpus/ 2>/dev/null; \
		./build/fuzz/fuzz_wire -max_total_time=$(FUZZ_SECONDS) \
		-max_len=8192 build/fuzz/corpus
	$(Q)for f in tests/fuzz/seeds/*; do \
		{ printf '\000'; cat "$$f"; } >build/fuzz/corpus-tls/$$(basename "$$f"); \
	done; ./build/fuzz/fuzz_tls -max_total_time=$(FUZZ_SECONDS) \
		-max_len=8192 build/fuzz/corpus-tls

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/seed \
		$(DESTDIR)$(DATADIR)/checklists
	install -m 755 dutydesk $(DESTDIR)$(BINDIR)/dutydesk
	install -m 755 dutydeskd $(DESTDIR)$(BINDIR)/dutydeskd
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 644 assets/man/dutydesk.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 assets/man/dutydeskd.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(DATADIR)/drills $(DESTDIR)$(DATADIR)/examples
	install -m 644 assets/drills/*.json $(DESTDIR)$(DATADIR)/drills/
	install -m 644 assets/dutydeskd.service assets/dutydeskd.conf.example \
		$(DESTDIR)$(DATADIR)/examples/
	install -m 644 assets/seed/county.json $(DESTDIR)$(DATADIR)/seed/
	install -m 644 assets/checklists/*.json $(DESTDIR)$(DATADIR)/checklists/
	for l in $(LANGS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 644 locale/$$l/LC_MESSAGES/dutydesk.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/dutydesk $(DESTDIR)$(BINDIR)/dutydeskd \
		$(DESTDIR)$(MANDIR)/man1/dutydesk.1 $(DESTDIR)$(MANDIR)/man8/dutydeskd.8
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build dutydesk dutydeskd locale

# A power-loss model of the disk (tests/powerloss/README.md): an
# LD_PRELOAD library that holds the writes to the files named by
# POWERLOSS_MATCH until they are synced, the cut tool that applies a
# power cut after a SIGKILL, a check of both run without and with the
# library, a crash test of SQLite under it, and the county server under
# it. make test runs the server under it a few times
# (tests/shell/powerloss.sh); make crash 1,000 times in each mode.
# A library loaded with LD_PRELOAD cannot go into a sanitized binary, so
# all of it, and the server it runs, are built plain whatever SANITIZE
# says, in build/rel/powerloss; that server checkpoints every
# PL_CKPT_FRAMES frames, so that its log starts over often.
PL_DIR = build/rel/powerloss
PL_HDR = tests/powerloss/powerloss.h
PL_CFLAGS = -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -I.
PL_CKPT_FRAMES ?= 64
POWERLOSS_KILLS ?= 50
CRASH_KILLS ?= 1000

.PHONY: powerloss powerloss-bins powerloss-check powerloss-sqlite \
	powerloss-dutydeskd crash

powerloss: powerloss-bins $(PL_DIR)/check_powerloss $(PL_DIR)/sqlite_crash

powerloss-bins: $(PL_DIR)/powerloss.so $(PL_DIR)/cut $(PL_DIR)/dutydeskd

$(PL_DIR)/powerloss.so: tests/powerloss/powerloss.c $(PL_HDR)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PL_CFLAGS) -fPIC -shared -o $@ $< -ldl -lpthread

$(PL_DIR)/cut: tests/powerloss/cut.c $(PL_HDR)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PL_CFLAGS) -o $@ $<

$(PL_DIR)/check_powerloss: tests/powerloss/check_powerloss.c $(PL_HDR)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PL_CFLAGS) -o $@ $< -lpthread

$(PL_DIR)/sqlite_crash: tests/powerloss/sqlite_crash.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PL_CFLAGS) $$($(PKG_CONFIG) --cflags sqlite3) \
		-o $@ $< $$($(PKG_CONFIG) --libs sqlite3)

$(PL_DIR)/dutydeskd: sync/dutydeskd.c $(SYNC_SRC) $(CORE_SRC) \
		$(wildcard core/*.h sync/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (CKPT_FRAMES=$(PL_CKPT_FRAMES))"
	$(Q)$(CC) $(PL_CFLAGS) -DCKPT_FRAMES=$(PL_CKPT_FRAMES) \
		-DDATADIR='"$(DATADIR)"' -DLOCALEDIR='"$(LOCALEDIR)"' \
		$$($(PKG_CONFIG) --cflags $(SERVER_PC)) \
		-o $@ sync/dutydeskd.c $(SYNC_SRC) $(CORE_SRC) \
		$$($(PKG_CONFIG) --libs $(SERVER_PC))

# The check must fail without the library (the disk keeps what is not
# synced) and pass with it.
powerloss-check: $(PL_DIR)/powerloss.so $(PL_DIR)/cut $(PL_DIR)/check_powerloss
	@echo "# without the library (these checks must fail):"
	$(Q)if $(PL_DIR)/check_powerloss $(PL_DIR)/cut; then \
		echo "not ok - the check passed without the library"; exit 1; \
	else echo "# ... failed, as it must"; fi
	@echo "# with the library:"
	$(Q)LD_PRELOAD=$(abspath $(PL_DIR)/powerloss.so) \
		$(PL_DIR)/check_powerloss $(PL_DIR)/cut

# SQLite under the library, killed POWERLOSS_KILLS times in each mode.
powerloss-sqlite: $(PL_DIR)/powerloss.so $(PL_DIR)/cut $(PL_DIR)/sqlite_crash
	$(Q)$(PL_DIR)/sqlite_crash $(abspath $(PL_DIR)/powerloss.so) \
		$(PL_DIR)/cut drop $(POWERLOSS_KILLS)
	$(Q)$(PL_DIR)/sqlite_crash $(abspath $(PL_DIR)/powerloss.so) \
		$(PL_DIR)/cut reorder $(POWERLOSS_KILLS)

# The county server under the library, with the figures of each round
# (POWERLOSS_MODE, POWERLOSS_ROUNDS).
POWERLOSS_MODE ?= reorder
POWERLOSS_ROUNDS ?= 8
powerloss-dutydeskd: all powerloss-bins
	$(Q)POWERLOSS_BUILD=$(abspath $(PL_DIR)) sh tests/powerloss/dutydeskd.sh \
		$(POWERLOSS_MODE) $(POWERLOSS_ROUNDS)

# The county server cut CRASH_KILLS times in each mode, the two modes at
# once, the figures printed: every acknowledged operation must survive
# every cut.
crash: all powerloss-bins
	$(Q)for m in drop reorder; do \
		( POWERLOSS_BUILD=$(abspath $(PL_DIR)) EVERYK=1 VERBOSE=0 EPOCH=100 \
		BATCH=5 sh tests/powerloss/dutydeskd.sh $$m $(CRASH_KILLS) 2 \
		>$(PL_DIR)/crash.$$m.out 2>&1; echo $$? >$(PL_DIR)/crash.$$m.rc ) & \
	done; wait; rc=0; for m in drop reorder; do \
		cat $(PL_DIR)/crash.$$m.out; \
		[ "$$(cat $(PL_DIR)/crash.$$m.rc)" = 0 ] || rc=1; \
	done; exit $$rc
