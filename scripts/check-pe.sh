#!/usr/bin/env bash
# check-pe.sh ARCH DIR: static checks of the built PE files that need no Wine.
#  - memscope.dll exports every name of def/memscope.def, undecorated;
#  - memscope.dll and the exes import only system DLLs (no libgcc/winpthread DLL to ship);
#  - memscope.dll has a section .shared marked SHARED;
#  - sample_client.exe (declares the pair VOID __cdecl itself, as Microsoft's sample client
#    does) linked against the import library (on i686 it references _SetSharedMem) and
#    imports SetSharedMem and GetSharedMem by their undecorated names;
#  - the import library has the sample pair's __cdecl symbols and no stdcall ones for it;
#  - level 0 and level 1 (examples/, docs/levels.md) export exactly the sample's pair,
#    undecorated; level 0's import library has its __cdecl symbols; its hosts, writer.exe
#    (C++: the sample client's extern "C" declaration) and reader.exe (C), import the pair
#    by those names; every example imports only system DLLs (and minimal.dll).
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
for name in SetSharedMem GetSharedMem; do
    grep -qE "^\s+[0-9a-f]+\s+[0-9]+\s+$name\$" <<<"$imports" \
        || bad "sample_client.exe does not import $name by its undecorated name"
done

# The import library's symbols for the pair: __cdecl (_SetSharedMem on i686, SetSharedMem on
# x86_64), never a stdcall _SetSharedMem@4 that the sample's clients would not find.
syms=$($arch-w64-mingw32-nm "$dir/libmemscope.dll.a" 2>/dev/null | awk '$2 == "T" {print $3}')
prefix=; [ "$arch" = i686 ] && prefix=_
for name in SetSharedMem GetSharedMem; do
    grep -qx "$prefix$name" <<<"$syms" || bad "libmemscope.dll.a has no __cdecl symbol $prefix$name"
done
grep -qE '^_?(Set|Get)SharedMem@' <<<"$syms" && bad "libmemscope.dll.a has stdcall symbols for the sample pair"

exports_of() {
    $objdump -p "$1" | awk '/\[Ordinal\/Name Pointer\] Table/{t=1;next} t&&/^[[:space:]]*\[/{print $NF} t&&/^$/{t=0}'
}
for f in "$dir/minimal/minimal.dll" "$dir/levels/level1.dll"; do
    got=$(exports_of "$f" | sort | tr '\n' ' ')
    [ "$got" = "GetSharedMem SetSharedMem " ] \
        || bad "$(basename "$f") exports '$got', not exactly GetSharedMem and SetSharedMem"
done
msyms=$($arch-w64-mingw32-nm "$dir/minimal/libminimal.dll.a" 2>/dev/null | awk '$2 == "T" {print $3}')
for name in SetSharedMem GetSharedMem; do
    grep -qx "$prefix$name" <<<"$msyms" || bad "libminimal.dll.a has no __cdecl symbol $prefix$name"
done
grep -qE '@' <<<"$msyms" && bad "libminimal.dll.a has decorated symbols: $(grep '@' <<<"$msyms" | tr '\n' ' ')"
for pair in writer.exe:SetSharedMem reader.exe:GetSharedMem; do
    f=$dir/minimal/${pair%%:*} name=${pair#*:}
    imports=$($objdump -p "$f")
    grep -q 'DLL Name: minimal.dll' <<<"$imports" && grep -qE "^\s+[0-9a-f]+\s+[0-9]+\s+$name\$" <<<"$imports" \
        || bad "${pair%%:*} does not import $name from minimal.dll by its undecorated name"
done
for f in "$dir"/minimal/*.dll "$dir"/minimal/*.exe "$dir"/levels/*.dll "$dir"/levels/*.exe \
         "$dir"/exercises/*.exe; do
    for d in $($objdump -p "$f" | sed -n 's/^\s*DLL Name: //p'); do
        grep -qiE '^(kernel32|msvcrt|minimal)\.dll$' <<<"$d" || bad "$(basename "$f") needs $d"
    done
done

[ $fail -eq 0 ] && echo "check-pe: $arch: exports undecorated, system DLLs only, .shared is SHARED, the sample's __cdecl client links and binds (memscope.dll and level 0)"
exit $fail
