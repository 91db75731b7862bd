#!/usr/bin/env bash
# install-deps.sh: make a fresh Debian 12 machine able to build and test memscope.
#
#   1. the MinGW-w64 C and C++ compilers (x86_64 and i686), Wine (wine, wine64),
#      pkg-config and python3-jsonschema, from Debian;
#   2. Check 0.15 cross-built for MinGW from Debian's *source* package (Debian ships no
#      MinGW build of it) into build/deps/check-<version>-<triplet>/.
#
# Usage: scripts/install-deps.sh [x86_64|i686]...   (default: x86_64)
# Idempotent: packages already installed and a Check build already cached are left alone,
# so a second run does nothing. Needs root, or sudo, only when a package is missing.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build/deps"
check_version=0.15.2
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x86_64)

say() { printf 'install-deps: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root (or sudo) to run: $*"; fi
}

# --- 1. Debian packages --------------------------------------------------------------
# g++: the C++ client that proves memscope.h works from C++ (scripts/test-install.sh);
# pkg-config: that client is built with the installed memscope.pc;
# tmux: scripts/test-launcher.sh drives the launcher in a pseudo-terminal;
# python3-jsonschema: validates the tour's JSON against docs/tour.schema.json
# (scripts/check-tour-json.sh).
# locales: the fr_FR.UTF-8 locale (section 1b), without which Wine ignores LANG=fr_FR.UTF-8.
pkgs=(make wine wine64 dpkg-dev pkg-config tmux python3-jsonschema locales)
for a in "${arches[@]}"; do
    case "$a" in
        x86_64) pkgs+=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64) ;;
        i686)   pkgs+=(gcc-mingw-w64-i686 g++-mingw-w64-i686) ;;
        *) die "unknown architecture '$a' (want x86_64 or i686)" ;;
    esac
done
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# --- 1b. the French locale -------------------------------------------------------------
# Wine takes its UI language from LANG only if that locale exists on the Linux side (a bare
# Debian 12 has only C, C.utf8 and POSIX): with fr_FR.UTF-8 generated, a *new* Wine prefix
# started with LANG=fr_FR.UTF-8 reports 0x040c and memscope speaks French without --lang
# (docs/building.md, "In French").  Generated once; a second run finds it and does nothing.
if ! locale -a 2>/dev/null | grep -qix 'fr_FR\.utf-\?8'; then
    say "generating the fr_FR.UTF-8 locale"
    as_root sed -i -E 's/^#[[:space:]]*(fr_FR\.UTF-8[[:space:]]+UTF-8)/\1/' /etc/locale.gen
    grep -q '^fr_FR\.UTF-8[[:space:]]' /etc/locale.gen \
        || echo 'fr_FR.UTF-8 UTF-8' | as_root tee -a /etc/locale.gen >/dev/null
    as_root locale-gen >/dev/null
fi

# --- 2. Check, cross-built from Debian's source package ------------------------------
src="$deps/src/check-$check_version"
fetch_check_source() {
    [ -f "$src/configure" ] && return 0
    say "fetching Debian's source package of check $check_version"
    # A private sources folder and lists folder: the system's apt configuration is not touched.
    local apt="$deps/apt"
    mkdir -p "$apt/sources" "$apt/lists/partial" "$deps/src"
    cat > "$apt/sources/debian-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/sources"
                -o "Dir::State::Lists=$apt/lists" -o APT::Sandbox::User=root)
    apt-get "${opts[@]}" -qq update
    (cd "$deps/src" && apt-get "${opts[@]}" -qq source --download-only "check=$check_version-*" \
        2>/dev/null || apt-get "${opts[@]}" -qq source --download-only check)
    (cd "$deps/src" && dpkg-source -x --no-check check_*.dsc "check-$check_version" >/dev/null)
    [ -f "$src/configure" ] || die "Check's source has no configure script at $src"
}

# check.h declares its message functions format(printf), which for a MinGW target means
# msvcrt's dialect (no %j), so every ck_assert_uint warns.  The library formats with its own
# C99 vsnprintf (rpl_vsnprintf), which has %j: declare the C99 dialect, gnu_printf.
fix_check_header() {
    sed -i 's/CK_ATTRIBUTE_FORMAT(printf,/CK_ATTRIBUTE_FORMAT(gnu_printf,/' "$1/include/check.h"
}

build_check() {
    local arch=$1 host="$1-w64-mingw32"
    local prefix="$deps/check-$check_version-$host"
    if [ -f "$prefix/lib/libcheck.a" ] && [ -f "$prefix/include/check_stdint.h" ]; then
        fix_check_header "$prefix"
        return 0
    fi
    fetch_check_source
    say "building Check $check_version for $host (once; cached in ${prefix#$top/})"
    local b="$deps/build-check-$host"
    rm -rf "$b" && mkdir -p "$b"
    (cd "$b" && "$src/configure" --host="$host" --prefix="$prefix" --disable-shared \
        --enable-static --disable-subunit >configure.log 2>&1) \
        || { tail -20 "$b/configure.log"; die "configure of Check failed"; }
    # The top-level make also builds the docs, which fail here: build only the library.
    (cd "$b" && make -C lib -j2 >make.log 2>&1 && make -C src -j2 >>make.log 2>&1 \
        && make -C src install >>make.log 2>&1) \
        || { tail -20 "$b/make.log"; die "build of Check failed"; }
    # install misses check_stdint.h, which check.h includes.
    local stdint
    stdint=$(find "$b" "$src" -name check_stdint.h | head -n 1)
    [ -n "$stdint" ] || die "check_stdint.h not found after the build"
    cp "$stdint" "$prefix/include/"
    fix_check_header "$prefix"
    rm -rf "$b"
}

for a in "${arches[@]}"; do build_check "$a"; done
