# memscope: Windows memory scope you can run and watch.  See README.md.
#
#   make                 build x86_64 into build/x86_64/
#   make ARCH=i686       build 32-bit into build/i686/
#   make check           build and run the Check suites under Wine (installs what is missing)
#   make demo            build and run the guided tour under Wine (docs/tour.md)
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

.PHONY: all check deps clean dll exe tests check-exports demo
all: dll exe tests

dll: $(B)/memscope.dll $(B)/libmemscope.dll.a
exe: $(B)/memscope.exe $(B)/sample_client.exe
tests: $(B)/memscope_tests.exe

$(B)/obj/dll/%.o: dll/%.c dll/memscope.h dll/internal.h dll/validate.h | $(B)/obj/dll
	$(CC) $(ALL_CFLAGS) -DMEMSCOPE_BUILDING_DLL -c $< -o $@

# x86_64 has no stdcall decoration: strip the @N suffixes the i686 names carry.
$(B)/memscope.def: def/memscope.def | $(B)
ifeq ($(ARCH),i686)
	cp $< $@
else
	sed -E 's/@[0-9]+$$//' $< > $@
endif

$(B)/memscope.dll: $(DLL_OBJ) $(B)/memscope.def
	$(CC) -shared -o $@ $(DLL_OBJ) $(B)/memscope.def $(KILL_AT) $(STATIC) \
	    -Wl,--major-image-version,0,--minor-image-version,1

# dlltool -k: the import library's _Name@N symbols import the undecorated Name.
$(B)/libmemscope.dll.a: $(B)/memscope.def
	$(DLLTOOL) -k --input-def $< --dllname memscope.dll --output-lib $@

# The CLI with its tour (tour.c, tour_child.c) and its live view (watch.c).
EXE_SRC  := host/memscope.c host/tour.c host/tour_child.c host/watch.c
$(B)/memscope.exe: $(EXE_SRC) host/tour.h dll/memscope.h $(B)/libmemscope.dll.a
	$(CC) $(ALL_CFLAGS) -o $@ $(EXE_SRC) $(B)/libmemscope.dll.a $(STATIC) -lshell32

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

$(B) $(B)/obj/dll $(B)/obj/tests:
	mkdir -p $@

# Static checks of the built DLL that need no Wine: exports undecorated, no runtime DLL
# beyond the system's, a PE section marked shared.
check-exports: dll exe
	scripts/check-pe.sh $(ARCH) $(B)

deps:
	scripts/install-deps.sh $(ARCH)

check:
	@command -v $(CC) >/dev/null && command -v wine >/dev/null && [ -f $(CHECK_DIR)/lib/libcheck.a ] \
	    || { echo "make check: toolchain, Wine or Check missing: running scripts/install-deps.sh $(ARCH)"; \
	         scripts/install-deps.sh $(ARCH); }
	$(MAKE) all
	$(MAKE) check-exports
	scripts/run-tests.sh $(ARCH)

# The guided tour (docs/tour.md): DEMO_PROCS children of memscope.exe, and step 6 with a
# mapping backed by the file build/<arch>/tour-file.bin.  Needs no Check, only MinGW and Wine.
DEMO_PROCS ?= 3
demo:
	@command -v $(CC) >/dev/null && command -v wine >/dev/null \
	    || { echo "make demo: toolchain or Wine missing: running scripts/install-deps.sh $(ARCH)"; \
	         scripts/install-deps.sh $(ARCH); }
	$(MAKE) dll exe
	cd $(B) && ../../scripts/wine-run.sh --timeout 120 ./memscope.exe tour --procs $(DEMO_PROCS) \
	    --file tour-file.bin

clean:
	rm -rf $(B)
