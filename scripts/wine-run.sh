#!/usr/bin/env bash
# wine-run.sh: run one Windows program under Wine the way every memscope target does.
#
#   scripts/wine-run.sh [--timeout SECONDS] [--keep-server] PROGRAM.exe [ARGS...]
#
# - a private prefix under build/ (WINEPREFIX=build/wineprefix-<arch>), created on first use;
# - WINEDEBUG=-all, and no Mono/Gecko install prompts (mscoree and mshtml disabled);
# - a timeout on the program (default 300 s; MEMSCOPE_WINE_TIMEOUT or --timeout change it):
#   on expiry the program is killed and the exit status is 124, like timeout(1);
# - the prefix's wineserver is stopped when the run ends (unless --keep-server, which a
#   caller running several programs in a row uses, stopping the server itself at the end
#   with `scripts/wine-run.sh --stop`).
# The program's exit status is passed through.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
timeout_s=${MEMSCOPE_WINE_TIMEOUT:-300}
keep=0
stop_only=0
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout_s=$2; shift 2 ;;
        --keep-server) keep=1; shift ;;
        --stop) stop_only=1; shift ;;
        --) shift; break ;;
        *) break ;;
    esac
done

prog=${1:-}
# 32-bit programs need a 32-bit-capable prefix and wine32; keep each kind in its own prefix.
arch=x86_64
if [ -n "$prog" ] && [ -f "$prog" ] && od -An -tx1 -j0 -N1024 "$prog" >/dev/null 2>&1; then
    # PE machine field: 0x14c is i386, 0x8664 is x86-64.
    off=$(od -An -tu4 -j60 -N4 "$prog" | tr -d ' ')
    mach=$(od -An -tx2 -j$((off + 4)) -N2 "$prog" | tr -d ' ')
    [ "$mach" = "014c" ] && arch=i686
fi
export WINEPREFIX=${MEMSCOPE_WINEPREFIX:-$top/build/wineprefix-$arch}
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
[ "$arch" = i686 ] && export WINEARCH=win32

# x86_64 programs run with the 64-bit loader itself: Debian's `wine` prefers the 32-bit
# loader once wine32 is installed, and where 32-bit programs cannot run at all (these
# machines) that breaks every run, 64-bit ones included.
if [ "$arch" = i686 ]; then
    wine=wine
else
    wine=/usr/lib/wine/wine64
    [ -x "$wine" ] || wine=wine64
fi
stop_server() { wineserver -k >/dev/null 2>&1 || true; }

if [ $stop_only -eq 1 ]; then stop_server; exit 0; fi
[ -n "$prog" ] || { echo "usage: $0 [--timeout S] [--keep-server] PROGRAM.exe [ARGS...]" >&2; exit 2; }

if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "wine-run: creating the Wine prefix ${WINEPREFIX#$top/} (first run only)" >&2
    mkdir -p "$WINEPREFIX"
    timeout 300 wineboot -i >/dev/null 2>&1 || true
    timeout 60 wineserver -w >/dev/null 2>&1 || true
fi

[ $keep -eq 1 ] || trap stop_server EXIT
timeout --kill-after=10 "$timeout_s" "$wine" "$@"
rc=$?
[ $rc -eq 124 ] && echo "wine-run: $prog timed out after ${timeout_s}s" >&2
exit $rc
