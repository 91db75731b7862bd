#!/usr/bin/env bash
# test-install.sh [ARCH]: memscope as its users get it.  Called by `make check`.
#
#  1. `make install` into a scratch DESTDIR (PREFIX=/opt/memscope): the five files are there;
#  2. the installed DLL and exe carry a version resource whose FileVersion (string and
#     binary) is the Makefile's VERSION;
#  3. pkg-config, pointed at the staged tree only (PKG_CONFIG_LIBDIR, with
#     PKG_CONFIG_SYSROOT_DIR = DESTDIR), gives the flags; with them the minimal client is
#     built from C and from C++ (memscope.h: extern "C", dllimport) with -Werror;
#  4. the clients import only system DLLs and memscope.dll, and run under Wine from the
#     installed bin/ (where the loader finds memscope.dll): each exits 0 and prints
#     "<name>: ok 0 <text>", the text it set read back through the installed DLL.
# Step 4's run needs Wine for ARCH (wine32 for i686): without it the run is left to
# run-tests.sh's SKIP line, and everything static is still checked.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:-x86_64}
triplet=$arch-w64-mingw32
cd "$top"
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
IFS=. read -r vmaj vmin vpat <<<"$version"
prefix=/opt/memscope
stage="$top/build/$arch/install-test"
root="$stage/root"
fail=0
bad() { echo "test-install: FAIL: $*" >&2; fail=1; }

rm -rf "$stage" && mkdir -p "$root" "$stage/clients"
make -s install ARCH="$arch" PREFIX="$prefix" DESTDIR="$root" >/dev/null

for f in bin/memscope.dll bin/memscope.exe lib/libmemscope.dll.a include/memscope.h \
         lib/pkgconfig/memscope.pc; do
    [ -f "$root$prefix/$f" ] || bad "make install did not install $f"
done

# The version resource, read back from the PE files by windres.
for f in memscope.dll memscope.exe; do
    rc=$("$triplet-windres" -J coff -i "$root$prefix/bin/$f" -O rc 2>/dev/null || true)
    grep -q "VALUE \"FileVersion\", \"$version\"" <<<"$rc" \
        || bad "$f: FileVersion string is not $version"
    grep -q "FILEVERSION $vmaj, $vmin, $vpat, 0" <<<"$rc" \
        || bad "$f: binary FILEVERSION is not $vmaj,$vmin,$vpat,0"
done

export PKG_CONFIG_LIBDIR="$root$prefix/lib/pkgconfig" PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR="$root"
[ "$(pkg-config --modversion memscope)" = "$version" ] || bad "pkg-config --modversion is not $version"
read -r -a flags <<<"$(pkg-config --cflags --libs memscope)"
"$triplet-gcc" -std=c17 -Wall -Wextra -Werror host/minimal_client.c "${flags[@]}" \
    -o "$stage/clients/minimal_client.exe" || bad "the C client does not build against the install"
"$triplet-g++" -std=c++17 -Wall -Wextra -Werror host/minimal_client.cpp "${flags[@]}" \
    -static-libgcc -static-libstdc++ -o "$stage/clients/minimal_client_cpp.exe" \
    || bad "the C++ client does not build against the install"

for exe in "$stage"/clients/*.exe; do
    [ -f "$exe" ] || continue
    for d in $("$triplet-objdump" -p "$exe" | sed -n 's/^\s*DLL Name: //p'); do
        grep -qiE '^(kernel32|msvcrt|memscope)\.dll$' <<<"$d" || bad "$(basename "$exe") needs $d"
    done
done

ran="not run (no Wine for $arch: see run-tests.sh's SKIP line)"
if [ "$arch" = x86_64 ] || dpkg-query -W -f='${Status}' wine32 2>/dev/null | grep -q 'ok installed'; then
    ran="run under Wine from the installed bin/"
    cd "$root$prefix/bin"
    export MEMSCOPE_NAME="Local\\memscope-install-$$"
    for exe in "$stage"/clients/*.exe; do
        [ -f "$exe" ] || continue
        name=$(basename "$exe" .exe)
        # Each client sets a text and reads it back through the installed DLL (the C one
        # "installed", the C++ one "from C++"): the line must carry exactly that text, and
        # the client must exit 0.
        case $name in minimal_client_cpp) text="from C++" ;; *) text=installed ;; esac
        rc=0
        out=$("$top/scripts/wine-run.sh" --timeout 120 "$exe" 2>&1) || rc=$?
        out=$(tr -d '\r' <<<"$out")
        [ $rc -eq 0 ] || bad "$name exited with $rc from the install: $out"
        grep -qxF "$name: ok 0 $text" <<<"$out" \
            || bad "$name did not read back the text it set (want '$name: ok 0 $text'): $out"
    done
    cd "$top"
fi

[ $fail -eq 0 ] || exit 1
echo "test-install: $arch: make install (5 files), FileVersion $version in memscope.dll and .exe," \
     "C and C++ clients built with pkg-config, $ran (text read back)"
