#!/usr/bin/env bash
# can-run-i686.sh: can this machine run a 32-bit Windows program?  Tries one for real
# (build/i686/memscope.exe --version under Wine, in the i686 prefix) instead of looking for
# a package.  Exit 0 if it ran; else exit 1 and print the reason on one line, with Wine's
# own first words.  (Installing wine32 is not the fix everywhere: where the kernel refuses
# 32-bit programs it makes Debian's `wine` pick the 32-bit loader and breaks 64-bit runs.)
top=$(cd "$(dirname "$0")/.." && pwd)
exe="$top/build/i686/memscope.exe"
[ -f "$exe" ] || { echo "build/i686/memscope.exe is not built"; exit 1; }
export WINEPREFIX="$top/build/wineprefix-i686" WINEARCH=win32 WINEDEBUG=-all \
       WINEDLLOVERRIDES="mscoree,mshtml="
out=$(timeout 60 wine "$exe" --version 2>&1 </dev/null)
rc=$?
if [ $rc -eq 0 ] && grep -q '^memscope ' <<<"$out"; then
    exit 0
fi
first=$(grep -v -e '^\s*$' -e 'created the configuration directory' <<<"$out" | head -1 |
        tr -s ' ')
if grep -qi 'wine32 is missing' <<<"$out" ||
   ! dpkg-query -W -f='${Status}' wine32 2>/dev/null | grep -q 'ok installed'; then
    why="Wine has no 32-bit loader here (package wine32 is not installed)"
elif [ $rc -eq 124 ]; then
    why="the 32-bit program did not finish within 60 s"
else
    why="the 32-bit program failed (exit $rc)"
fi
echo "$why; Wine said: ${first:-nothing}"
exit 1
