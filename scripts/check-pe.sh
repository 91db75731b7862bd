#!/usr/bin/env bash
# check-pe.sh ARCH DIR: static checks of the built PE files that need no Wine.
#  - memscope.dll exports every name of def/memscope.def, undecorated;
#  - memscope.dll and the exes import only system DLLs (no libgcc/winpthread DLL to ship);
#  - memscope.dll has a section .shared marked SHARED;
#  - sample_client.exe (declares WINAPI functions itself) imports SetSharedMem undecorated.
set -euo pipefail
arch=$1 dir=$2
objdump=$arch-w64-mingw32-objdump
fail=0
bad() { echo "check-pe: FAIL: $*"; fail=1; }

exports=$($objdump -p "$dir/memscope.dll" | awk '/\[Ordinal\/Name Pointer\] Table/{t=1;next} t&&/^[[:space:]]*\[/{print $NF} t&&/^$/{t=0}')
for name in $(sed -n 's/^    \([A-Za-z]*\)@[0-9]*$/\1/p' def/memscope.def); do
    grep -qx "$name" <<<"$exports" || bad "memscope.dll does not export $name"
done
grep -q '@' <<<"$exports" && bad "memscope.dll exports decorated names: $(grep '@' <<<"$exports" | tr '\n' ' ')"

system='^(kernel32|msvcrt|user32|advapi32|shell32|ntdll|memscope)\.dll$'
for f in "$dir"/memscope.dll "$dir"/*.exe; do
    for d in $($objdump -p "$f" | sed -n 's/^\s*DLL Name: //p'); do
        grep -qiE "$system" <<<"$d" || bad "$(basename "$f") needs $d"
    done
done

# (objdump's output is captured first: grep -q closing the pipe early would fail pipefail.)
headers=$($objdump -h "$dir/memscope.dll")
grep -A1 ' \.shared ' <<<"$headers" | grep -q SHARED \
    || bad "memscope.dll has no .shared section marked SHARED"

imports=$($objdump -p "$dir/sample_client.exe")
grep -qE '^\s+[0-9a-f]+\s+[0-9]+\s+SetSharedMem$' <<<"$imports" \
    || bad "sample_client.exe does not import SetSharedMem by its undecorated name"

[ $fail -eq 0 ] && echo "check-pe: $arch: exports undecorated, system DLLs only, .shared is SHARED, WINAPI client binds"
exit $fail
