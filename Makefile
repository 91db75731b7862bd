# memscope: Windows memory scope you can run and watch.  See README.md.
#
#   make                 build x86_64 into build/x86_64/
#   make ARCH=i686       build 32-bit into build/i686/
#   make check           build and run the Check suites under Wine (installs what is missing);
#                        the tour's JSON is validated against docs/tour.schema.json
#   make demo            build and run the guided tour under Wine (README: "The tour")
#   make bench           measure against the baselines (x86_64; bench/setup.sh installs Boost)
#   make deps            install the toolchain, Wine and Check (scripts/install-deps.sh)
#   make fuzz            libFuzzer + ASan + UBSan on dll/validate.c, natively (FUZZ_RUNS runs)
#   make fuzz-smoke      the same, a short run (CI)
#   make lint            static analysis: cppcheck, clang-tidy and GCC -fanalyzer
#   make mutate          plant each bug of mutations/list, run the suite: which test kills it
#                        (scripts/mutate.sh; MUTATE_ARGS="-j 2 NAME..."; docs/testing.md)
#   make install         PREFIX=/usr/local DESTDIR=: bin/, lib/, include/, lib/pkgconfig/
#   make dist            memscope-$(VERSION).tar.gz, a source tarball that builds
#   make clean           remove build/<ARCH> (build/deps and the Wine prefixes stay)

VERSION  := 0.1.0
ARCH     ?= x86_64
ifeq ($(filter $(ARCH),x86_64 i686),)
$(error ARCH must be x86_64 or i686, not '$(ARCH)')
endif
TRIPLET  := $(ARCH)-w64-mingw32
CC       := $(TRIPLET)-gcc
CXX      := $(TRIPLET)-g++
WINDRES  := $(TRIPLET)-windres
DLLTOOL  := $(TRIPLET)-dlltool
OBJDUMP  := $(TRIPLET)-objdump
B        := build/$(ARCH)
CHECK_VERSION := 0.15.2
# Overridable: `make distcheck` builds the unpacked tarball against this tree's Check.
CHECK_DIR ?= build/deps/check-$(CHECK_VERSION)-$(TRIPLET)
VERSION_WORDS := $(subst ., ,$(VERSION))
VERSION_MAJOR := $(word 1,$(VERSION_WORDS))
VERSION_MINOR := $(word 2,$(VERSION_WORDS))
VERSION_PATCH := $(word 3,$(VERSION_WORDS))
PREFIX   ?= /usr/local
DESTDIR  ?=

WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c17 $(WARN) $(CFLAGS) -D_WIN32_WINNT=0x0601 -DWINVER=0x0601 \
              -DMEMSCOPE_VERSION=\"$(VERSION)\" -Idll
# No runtime DLL beside the system's: libgcc and winpthreads are linked in.  (-static makes
# ld skip import libraries in -l searches, so ours is named by its path.)
STATIC   := -static-libgcc -static

DLL_SRC  := $(wildcard dll/*.c)
DLL_OBJ  := $(patsubst dll/%.c,$(B)/obj/dll/%.o,$(DLL_SRC))
HOST_SRC := $(wildcard host/*.c)
# The tour: one file per claim (stepN_*.c), the children's side (child*.c), the supervisor,
# the observations and their two renderers, the driver (host/tour/*.h says which is which).
TOUR_SRC := $(wildcard host/tour/*.c)
TOUR_HDR := $(wildcard host/tour/*.h)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(patsubst tests/%.c,$(B)/obj/tests/%.o,$(TEST_SRC))

ifeq ($(ARCH),i686)
KILL_AT  := -Wl,--kill-at
endif

.PHONY: all check deps clean dll exe tests examples check-exports demo bench bench-build fuzz fuzz-smoke lint install dist distcheck toolchain mutate
all: dll exe tests examples

# A machine without this architecture's MinGW compiler gets it installed (and says so), not
# "command not found".
toolchain:
	@command -v $(CC) >/dev/null || { echo "make: $(CC) is missing: running scripts/install-deps.sh $(ARCH)"; \
	    scripts/install-deps.sh $(ARCH); }

dll: $(B)/memscope.dll $(B)/libmemscope.dll.a
exe: $(B)/memscope.exe $(B)/sample_client.exe
tests: $(B)/memscope_tests.exe $(B)/hooks/memscope.dll $(B)/hooks/memscope_tests.exe \
       $(B)/memscope_dyn.dll $(B)/hooks/memscope_dyn.dll

$(B)/obj/dll/%.o: dll/%.c dll/memscope.h dll/internal.h dll/validate.h | $(B)/obj/dll
	$(CC) $(ALL_CFLAGS) -DMEMSCOPE_BUILDING_DLL -c $< -o $@

# x86_64 has no stdcall decoration: strip the @N suffixes the i686 names carry.
$(B)/memscope.def: def/memscope.def | $(B)
ifeq ($(ARCH),i686)
	cp $< $@
else
	sed -E 's/@[0-9]+$$//' $< > $@
endif

# Test-only variant: the DLL built with -DMEMSCOPE_TEST_HOOKS, whose faults a test forces
# through the environment variable MEMSCOPE_TEST_HOOKS (dll/testhooks.c: a writer killed
# inside its write, readers without the consistency check, ...).  The test binary is copied
# beside it: a child started from build/<arch>/hooks/ loads that folder's memscope.dll.
# Never shipped.
HOOKS_OBJ := $(patsubst dll/%.c,$(B)/hooks/obj/%.o,$(DLL_SRC))
$(B)/hooks/obj/%.o: dll/%.c dll/memscope.h dll/internal.h dll/validate.h | $(B)/hooks/obj
	$(CC) $(ALL_CFLAGS) -DMEMSCOPE_BUILDING_DLL -DMEMSCOPE_TEST_HOOKS -c $< -o $@

$(B)/hooks/memscope.dll: $(HOOKS_OBJ) $(B)/memscope.def
	$(CC) -shared -o $@ $(HOOKS_OBJ) $(B)/memscope.def $(KILL_AT) $(STATIC)

$(B)/hooks/memscope_tests.exe: $(B)/memscope_tests.exe | $(B)/hooks/obj
	cp $< $@

# A second copy of the DLL under another file name: a test loads it with LoadLibrary and
# unloads it with FreeLibrary (the statically imported memscope.dll never unloads), so
# DLL_PROCESS_DETACH with lpReserved NULL runs while the process lives on.
$(B)/memscope_dyn.dll: $(B)/memscope.dll
	cp $< $@
$(B)/hooks/memscope_dyn.dll: $(B)/hooks/memscope.dll
	cp $< $@

# The version resource's numbers, from VERSION (so FileVersion cannot drift from it).
$(B)/version.h: Makefile | $(B)
	printf '#define MS_VERSION_STR "%s"\n#define MS_VERSION_BIN %s,%s,%s,0\n' \
	    $(VERSION) $(VERSION_MAJOR) $(VERSION_MINOR) $(VERSION_PATCH) > $@

$(B)/obj/dll/memscope.res.o: dll/memscope.rc $(B)/version.h | $(B)/obj/dll
	$(WINDRES) -I$(B) $< -o $@

$(B)/obj/memscope-exe.res.o: host/memscope.rc host/strings.rc host/strings.h $(B)/version.h | $(B)/obj
	$(WINDRES) -I$(B) $< -o $@

$(B)/memscope.dll: $(DLL_OBJ) $(B)/obj/dll/memscope.res.o $(B)/memscope.def
	$(CC) -shared -o $@ $(DLL_OBJ) $(B)/obj/dll/memscope.res.o $(B)/memscope.def $(KILL_AT) \
	    $(STATIC) -Wl,--major-image-version,$(VERSION_MAJOR),--minor-image-version,$(VERSION_MINOR)

# dlltool -k: the import library's _Name@N symbols import the undecorated Name.
$(B)/libmemscope.dll.a: $(B)/memscope.def
	$(DLLTOOL) -k --input-def $< --dllname memscope.dll --output-lib $@

# The CLI with its tour (host/tour/) and its live view (watch.c).
EXE_SRC  := host/memscope.c host/watch.c host/msg.c $(TOUR_SRC)
$(B)/memscope.exe: $(EXE_SRC) host/tour.h host/msg.h host/strings.h $(TOUR_HDR) dll/memscope.h $(B)/libmemscope.dll.a $(B)/obj/memscope-exe.res.o
	$(CC) $(ALL_CFLAGS) -o $@ $(EXE_SRC) $(B)/obj/memscope-exe.res.o $(B)/libmemscope.dll.a $(STATIC) \
	    -lshell32 -ladvapi32

# Microsoft's sample client, unchanged but for its include: it declares nothing itself and
# links by name through the import library.
$(B)/sample_client.exe: host/sample_client.c dll/memscope.h $(B)/libmemscope.dll.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libmemscope.dll.a $(STATIC) -lshell32

# ---- examples/ (docs/levels.md, docs/exercises.md) --------------------------------------
# Level 0: minimal.dll, Microsoft's sample in its own shape (DllMain maps a named mapping,
# NULL security, no lock), its pair exported __cdecl through __declspec(dllexport), as the
# sample does: undecorated on both architectures, and its import library has the sample
# client's symbols (_SetSharedMem on i686).  writer.exe (C++, the sample client's extern "C"
# declaration) and reader.exe (C) link with that import library.  Level 1: level0.dll (a
# copy) and level1.dll (level 0 and a lock) beside hammer.exe, which loads either by name.
# memscope_level0.dll and memscope_level1.dll: the same two beside memscope.exe, for a
# program of that folder to LoadLibrary by name.  The exercises' solutions: foreign_reader
# reads the block with nothing but memscope.h.
EXAMPLES := $(B)/minimal/minimal.dll $(B)/minimal/writer.exe $(B)/minimal/reader.exe \
            $(B)/levels/level0.dll $(B)/levels/level1.dll $(B)/levels/hammer.exe \
            $(B)/memscope_level0.dll $(B)/memscope_level1.dll $(B)/exercises/foreign_reader.exe
examples: $(EXAMPLES)

$(B)/minimal $(B)/levels $(B)/exercises: | toolchain
	mkdir -p $@

$(B)/minimal/minimal.dll: examples/minimal/minimal.c | $(B)/minimal
	$(CC) $(ALL_CFLAGS) -shared -o $@ $< -Wl,--out-implib,$(B)/minimal/libminimal.dll.a $(STATIC)
$(B)/minimal/libminimal.dll.a: $(B)/minimal/minimal.dll ;

$(B)/minimal/writer.exe: examples/minimal/writer.cpp $(B)/minimal/libminimal.dll.a
	$(CXX) -std=c++17 $(WARN) $(CFLAGS) -municode -o $@ $< $(B)/minimal/libminimal.dll.a $(STATIC)

$(B)/minimal/reader.exe: examples/minimal/reader.c $(B)/minimal/libminimal.dll.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/minimal/libminimal.dll.a $(STATIC)

$(B)/levels/level0.dll: $(B)/minimal/minimal.dll | $(B)/levels
	cp $< $@

$(B)/levels/level1.dll: examples/levels/level1/level1.c | $(B)/levels
	$(CC) $(ALL_CFLAGS) -shared -o $@ $< $(STATIC)

$(B)/levels/hammer.exe: examples/levels/hammer.c | $(B)/levels
	$(CC) $(ALL_CFLAGS) -o $@ $< $(STATIC)

$(B)/memscope_level%.dll: $(B)/levels/level%.dll
	cp $< $@

$(B)/exercises/foreign_reader.exe: examples/exercises/foreign_reader.c dll/memscope.h | $(B)/exercises
	$(CC) $(ALL_CFLAGS) -o $@ $< $(STATIC)

$(B)/obj/tests/%.o: tests/%.c tests/mstest.h dll/memscope.h | $(B)/obj/tests $(CHECK_DIR)/lib/libcheck.a
	$(CC) $(ALL_CFLAGS) -I$(CHECK_DIR)/include -c $< -o $@

$(B)/memscope_tests.exe: $(TEST_OBJ) $(B)/libmemscope.dll.a
	$(CC) -o $@ $(TEST_OBJ) $(B)/libmemscope.dll.a -L$(CHECK_DIR)/lib -lcheck $(STATIC) -lpthread

$(CHECK_DIR)/lib/libcheck.a:
	@echo "make: Check for $(TRIPLET) is missing: running scripts/install-deps.sh $(ARCH)"
	scripts/install-deps.sh $(ARCH)

$(B) $(B)/obj $(B)/obj/dll $(B)/obj/tests $(B)/hooks/obj: | toolchain
	mkdir -p $@

# Static checks of the built DLL that need no Wine: exports undecorated, no runtime DLL
# beyond the system's, a PE section marked shared; level 0's and level 1's ABI (examples).
check-exports: dll exe examples
	scripts/check-pe.sh $(ARCH) $(B)

deps:
	scripts/install-deps.sh $(ARCH)

# ---- make bench: not part of `make check`; nothing in it can fail a build on a slow machine.
# The Boost peer is C++ (x86_64-w64-mingw32-g++), from Debian's libboost-dev headers, which
# are reached through a folder holding only boost/: -I/usr/include would let the host's
# glibc headers into a Windows build.
BB       := $(B)/bench
CXX      := $(TRIPLET)-g++
bench-build: dll $(BB)/bench.exe $(BB)/attach.exe $(BB)/empty.dll $(BB)/memscope.dll

$(BB)/include/boost: | $(BB)
	mkdir -p $(BB)/include && ln -sfn /usr/include/boost $@

$(BB)/boost_peer.o: bench/boost_peer.cpp | $(BB)/include/boost
	$(CXX) -std=c++17 $(WARN) -O2 -isystem $(BB)/include -c $< -o $@

$(BB)/bench.exe: bench/bench.c bench/bench.h dll/memscope.h $(BB)/boost_peer.o $(B)/libmemscope.dll.a
	$(CC) $(ALL_CFLAGS) -c bench/bench.c -o $(BB)/bench.o
	$(CXX) -o $@ $(BB)/bench.o $(BB)/boost_peer.o $(B)/libmemscope.dll.a $(STATIC)

$(BB)/attach.exe: bench/attach.c bench/bench.h | $(BB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(STATIC)

$(BB)/empty.dll: bench/empty.c | $(BB)
	$(CC) $(ALL_CFLAGS) -shared -o $@ $< $(STATIC)

$(BB)/memscope.dll: $(B)/memscope.dll | $(BB)
	cp $< $@

$(BB):
	mkdir -p $@

# BENCH_ARGS: bench.exe's options, e.g. BENCH_ARGS='--verbose --only waiters' (every
# repetition's figures on stderr, one group of lines).
BENCH_ARGS ?=
bench:
ifneq ($(ARCH),x86_64)
	@echo "make bench: x86_64 only (the Boost peer is built with x86_64-w64-mingw32-g++)"; exit 1
endif
	bench/setup.sh
	@command -v $(CC) >/dev/null && command -v wine >/dev/null \
	    || scripts/install-deps.sh $(ARCH)
	$(MAKE) bench-build
	cd $(BB) && MEMSCOPE_NAME='Local\memscope-bench' \
	    $(CURDIR)/scripts/wine-run.sh --timeout 900 ./bench.exe $(BENCH_ARGS)

# The tour's JSON is checked against docs/tour.schema.json twice: a tour run here, and
# every tour the tests ran (they save each document in $(B)/tour-json/); that last check
# says nothing unless a document does not match, so Check's summary stays the last line.
check:
	@command -v $(CC) >/dev/null && command -v wine >/dev/null && [ -f $(CHECK_DIR)/lib/libcheck.a ] \
	    && dpkg-query -W -f='$${Status}' python3-jsonschema 2>/dev/null | grep -q 'ok installed' \
	    || { echo "make check: toolchain, Wine, Check or jsonschema missing: running scripts/install-deps.sh $(ARCH)"; \
	         scripts/install-deps.sh $(ARCH); }
	scripts/check-strings.py   # every string in English and French, same placeholders
	$(MAKE) all
	$(MAKE) check-exports
	scripts/doc-links.pl --check README.md README.fr.md
	scripts/doc-links.pl --check docs/levels.md docs/exercises.md
	scripts/doc-snippets.pl docs/levels.md docs/exercises.md
	scripts/check-tour-json.sh $(ARCH)
	scripts/test-install.sh $(ARCH)
	scripts/test-launcher.sh $(ARCH)
	rm -rf $(B)/tour-json
	scripts/run-tests.sh $(ARCH)   # it closes with Check's summary and "N passed, N failed, N skipped"
	@scripts/check-tour-json.sh --quiet $(B)/tour-json/*.json

# The guided tour (README.md, "The tour"): DEMO_PROCS children of memscope.exe, and step 6 with a
# mapping backed by the file build/<arch>/tour-file.bin.  Needs no Check, only MinGW and Wine.
DEMO_PROCS ?= 3
demo:
	@command -v $(CC) >/dev/null && command -v wine >/dev/null \
	    || { echo "make demo: toolchain or Wine missing: running scripts/install-deps.sh $(ARCH)"; \
	         scripts/install-deps.sh $(ARCH); }
	$(MAKE) dll exe
	cd $(B) && ../../scripts/wine-run.sh --timeout 120 \
	    ./memscope.exe tour --procs $(DEMO_PROCS) --file tour-file.bin

clean:
	rm -rf $(B)

# --- fuzzing: the check of an untrusted block, natively, under libFuzzer, ASan and UBSan --
# validate.c has no Win32 type, so the host's clang builds it.  The corpus stays in
# build/fuzz/corpus, so a later run starts where the last one stopped.
FUZZ_RUNS  ?= 2000000
FUZZ_SMOKE_RUNS ?= 100000
FUZZ_DIR   := build/fuzz
FUZZ_FLAGS := -std=c17 -Wall -Wextra -Werror -g -O1 -Idll \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(FUZZ_DIR)/fuzz_validate: fuzz/fuzz_validate.c dll/validate.c dll/validate.h
	@scripts/setup-fuzz.sh
	mkdir -p $(FUZZ_DIR)/corpus
	clang $(FUZZ_FLAGS) fuzz/fuzz_validate.c dll/validate.c -o $@

fuzz: $(FUZZ_DIR)/fuzz_validate
	@echo "fuzz: $(FUZZ_RUNS) runs of dll/validate.c (log: $(FUZZ_DIR)/fuzz.log)"
	@$(FUZZ_DIR)/fuzz_validate -runs=$(FUZZ_RUNS) -max_len=33024 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ \
	    $(FUZZ_DIR)/corpus >$(FUZZ_DIR)/fuzz.log 2>&1 \
	    || { tail -40 $(FUZZ_DIR)/fuzz.log; echo "fuzz: FAILED (the input is saved as $(FUZZ_DIR)/crash-*)"; exit 1; }
	@grep -E '^#[0-9]+.*(DONE|pulse)' $(FUZZ_DIR)/fuzz.log | tail -1
	@echo "fuzz: nothing found"

fuzz-smoke:
	$(MAKE) fuzz FUZZ_RUNS=$(FUZZ_SMOKE_RUNS)

# --- mutation testing: not part of `make check` (about 30 min; docs/testing.md) -------------
MUTATE_ARGS ?=
mutate:
	@command -v $(CC) >/dev/null && command -v wine >/dev/null && [ -f $(CHECK_DIR)/lib/libcheck.a ] \
	    || { echo "make mutate: toolchain, Wine or Check missing: running scripts/install-deps.sh $(ARCH)"; \
	         scripts/install-deps.sh $(ARCH); }
	scripts/mutate.sh $(MUTATE_ARGS)

# --- static analysis ---------------------------------------------------------------------
lint: | $(CHECK_DIR)/lib/libcheck.a
	@scripts/setup-lint.sh
	scripts/lint.sh $(CHECK_DIR)/include

# --- packaging ---------------------------------------------------------------------------
# The layout of a Windows library's install tree: the DLL beside the programs in bin/ (the
# loader looks in the exe's folder and on PATH), the import library and pkg-config file in
# lib/, the one public header in include/.
install: dll exe
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(B)/memscope.dll $(B)/memscope.exe $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(B)/libmemscope.dll.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 dll/memscope.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' memscope.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/memscope.pc
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/memscope.pc

# A source tarball of the committed tree (git archive: exactly what is in HEAD, nothing
# from build/), named and rooted memscope-VERSION.
DIST := memscope-$(VERSION)
dist:
	mkdir -p build
	git archive --format=tar.gz --prefix=$(DIST)/ -o build/$(DIST).tar.gz HEAD
	@echo "dist: build/$(DIST).tar.gz ($$(tar tzf build/$(DIST).tar.gz | wc -l) entries)"

# The tarball builds: unpack it in a scratch folder and build everything there (the
# DLL, the exes and the test binary, against this tree's Check build).
distcheck: dist | $(CHECK_DIR)/lib/libcheck.a
	rm -rf build/distcheck && mkdir -p build/distcheck
	tar xzf build/$(DIST).tar.gz -C build/distcheck
	$(MAKE) -C build/distcheck/$(DIST) all ARCH=$(ARCH) CHECK_DIR=$(abspath $(CHECK_DIR))
	@echo "distcheck: build/$(DIST).tar.gz unpacks and builds for $(ARCH)"
