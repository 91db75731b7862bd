# memscope: Windows memory scope you can run and watch.  See README.md.
#
#   make                 build x86_64 into build/x86_64/
#   make ARCH=i686       build 32-bit into build/i686/
#   make check           build and run the Check suites under Wine (installs what is missing)
#   make bench           measure against the baselines (x86_64; bench/setup.sh installs Boost)
#   make deps            install the toolchain, Wine and Check (scripts/install-deps.sh)
#   make clean           remove build/<ARCH> (build/deps and the Wine prefixes stay)

VERSION  := 0.1.0
ARCH     ?= x86_64
ifeq ($(filter $(ARCH),x86_64 i686),)
$(error ARCH must be x86_64 or i686, not '$(ARCH)')
endif
TRIPLET  := $(ARCH)-w64-mingw32
CC       := $(TRIPLET)-gcc
DLLTOOL  := $(TRIPLET)-dlltool
OBJDUMP  := $(TRIPLET)-objdump
B        := build/$(ARCH)
CHECK_VERSION := 0.15.2
CHECK_DIR := build/deps/check-$(CHECK_VERSION)-$(TRIPLET)

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
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(patsubst tests/%.c,$(B)/obj/tests/%.o,$(TEST_SRC))

ifeq ($(ARCH),i686)
KILL_AT  := -Wl,--kill-at
endif

.PHONY: all check deps clean dll exe tests check-exports bench bench-build
all: dll exe tests

dll: $(B)/memscope.dll $(B)/libmemscope.dll.a
exe: $(B)/memscope.exe $(B)/sample_client.exe
tests: $(B)/memscope_tests.exe $(B)/noseq/memscope.dll $(B)/noseq/memscope_tests.exe

$(B)/obj/dll/%.o: dll/%.c dll/memscope.h dll/internal.h dll/validate.h | $(B)/obj/dll
	$(CC) $(ALL_CFLAGS) -DMEMSCOPE_BUILDING_DLL -c $< -o $@

# x86_64 has no stdcall decoration: strip the @N suffixes the i686 names carry.
$(B)/memscope.def: def/memscope.def | $(B)
ifeq ($(ARCH),i686)
	cp $< $@
else
	sed -E 's/@[0-9]+$$//' $< > $@
endif

# Test-only variant: the text's readers skip the sequence check, so the seqlock test can
# show that it does see tears without it.  The test binary is copied beside it: a child
# started from build/<arch>/noseq/ loads that folder's memscope.dll.  Never shipped.
NOSEQ_OBJ := $(patsubst dll/%.c,$(B)/noseq/obj/%.o,$(DLL_SRC))
$(B)/noseq/obj/%.o: dll/%.c dll/memscope.h dll/internal.h dll/validate.h | $(B)/noseq/obj
	$(CC) $(ALL_CFLAGS) -DMEMSCOPE_BUILDING_DLL -DMEMSCOPE_TEST_NO_SEQCHECK -c $< -o $@

$(B)/noseq/memscope.dll: $(NOSEQ_OBJ) $(B)/memscope.def
	$(CC) -shared -o $@ $(NOSEQ_OBJ) $(B)/memscope.def $(KILL_AT) $(STATIC)

$(B)/noseq/memscope_tests.exe: $(B)/memscope_tests.exe | $(B)/noseq/obj
	cp $< $@

$(B)/memscope.dll: $(DLL_OBJ) $(B)/memscope.def
	$(CC) -shared -o $@ $(DLL_OBJ) $(B)/memscope.def $(KILL_AT) $(STATIC) \
	    -Wl,--major-image-version,0,--minor-image-version,1

# dlltool -k: the import library's _Name@N symbols import the undecorated Name.
$(B)/libmemscope.dll.a: $(B)/memscope.def
	$(DLLTOOL) -k --input-def $< --dllname memscope.dll --output-lib $@

$(B)/memscope.exe: host/memscope.c dll/memscope.h $(B)/libmemscope.dll.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libmemscope.dll.a $(STATIC) -lshell32

# Microsoft's sample client, unchanged but for its include: it declares nothing itself and
# links by name through the import library.
$(B)/sample_client.exe: host/sample_client.c dll/memscope.h $(B)/libmemscope.dll.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libmemscope.dll.a $(STATIC) -lshell32

$(B)/obj/tests/%.o: tests/%.c tests/mstest.h dll/memscope.h | $(B)/obj/tests $(CHECK_DIR)/lib/libcheck.a
	$(CC) $(ALL_CFLAGS) -I$(CHECK_DIR)/include -c $< -o $@

$(B)/memscope_tests.exe: $(TEST_OBJ) $(B)/libmemscope.dll.a
	$(CC) -o $@ $(TEST_OBJ) $(B)/libmemscope.dll.a -L$(CHECK_DIR)/lib -lcheck $(STATIC) -lpthread

$(CHECK_DIR)/lib/libcheck.a:
	@echo "make: Check for $(TRIPLET) is missing: running scripts/install-deps.sh $(ARCH)"
	scripts/install-deps.sh $(ARCH)

$(B) $(B)/obj/dll $(B)/obj/tests $(B)/noseq/obj:
	mkdir -p $@

# Static checks of the built DLL that need no Wine: exports undecorated, no runtime DLL
# beyond the system's, a PE section marked shared.
check-exports: dll exe
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

bench:
ifneq ($(ARCH),x86_64)
	@echo "make bench: x86_64 only (the Boost peer is built with x86_64-w64-mingw32-g++)"; exit 1
endif
	bench/setup.sh
	@command -v $(CC) >/dev/null && command -v wine >/dev/null \
	    || scripts/install-deps.sh $(ARCH)
	$(MAKE) bench-build
	cd $(BB) && MEMSCOPE_NAME='Local\memscope-bench' \
	    $(CURDIR)/scripts/wine-run.sh --timeout 900 ./bench.exe

check:
	@command -v $(CC) >/dev/null && command -v wine >/dev/null && [ -f $(CHECK_DIR)/lib/libcheck.a ] \
	    || { echo "make check: toolchain, Wine or Check missing: running scripts/install-deps.sh $(ARCH)"; \
	         scripts/install-deps.sh $(ARCH); }
	$(MAKE) all
	$(MAKE) check-exports
	scripts/run-tests.sh $(ARCH)

clean:
	rm -rf $(B)
