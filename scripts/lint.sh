#!/usr/bin/env bash
# lint.sh: static analysis of every C file, three tools, all must be clean:
#   1. cppcheck (--library=windows: it knows the Win32 API's contracts);
#   2. clang-tidy against the MinGW-w64 headers (--target=x86_64-w64-mingw32), with the
#      checks of .clang-tidy (the clang static analyser, bugprone, cert), warnings as errors;
#   3. GCC's -fanalyzer with the MinGW-w64 compiler that builds the project.
# Suppressions are inline (cppcheck-suppress, each with its reason) or in .clang-tidy
# (each disabled check with its reason).  Tests are analysed with -DMEMSCOPE_LINT (see
# tests/mstest.h).  Usage: scripts/lint.sh CHECK_INCLUDE_DIR
set -uo pipefail
cd "$(dirname "$0")/.."
check_inc=$1
defs=(-D_WIN32_WINNT=0x0601 -DWINVER=0x0601 -DMEMSCOPE_VERSION=\"lint\")
fail=0

flags_for() {   # the per-file flags the Makefile uses
    case "$1" in
        dll/*)   echo "-Idll -DMEMSCOPE_BUILDING_DLL" ;;
        tests/*) echo "-Idll -I$check_inc -DMEMSCOPE_LINT" ;;
        *)       echo "-Idll" ;;
    esac
}

win_files=(dll/*.c host/*.c host/tour/*.c tests/*.c examples/*/*.c examples/*/*/*.c)

echo "lint: cppcheck $(cppcheck --version | cut -d' ' -f2)"
cppcheck --quiet --library=windows --enable=warning,style,performance,portability \
    --std=c11 --platform=win64 --inline-suppr --error-exitcode=1 \
    --suppress=missingIncludeSystem -D_WIN32 -D_WIN64 -D__MINGW32__ "${defs[@]}" \
    -DMEMSCOPE_LINT -Idll -I"$check_inc" "${win_files[@]}" fuzz/*.c || fail=1

echo "lint: clang-tidy $(clang-tidy --version | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -1)"
# A finding is any line clang-tidy prints beyond its own chatter.  (Not `| grep && fail=1`:
# with pipefail, clang-tidy's own non-zero exit on a finding made that pipeline fail, so
# fail was never set and findings passed as clean.)
tidy_noise='warnings\? generated\|Suppressed [0-9]* warnings\|Use -header-filter\|^$'
for f in "${win_files[@]}"; do
    # shellcheck disable=SC2046
    out=$(clang-tidy --quiet "$f" -- --target=x86_64-w64-mingw32 -std=c17 "${defs[@]}" \
              $(flags_for "$f") 2>&1 | grep -v "$tidy_noise" || true)
    [ -n "$out" ] && { echo "$out"; fail=1; }
done
out=$(clang-tidy --quiet fuzz/fuzz_validate.c dll/validate.c -- -std=c17 -Idll 2>&1 |
          grep -v "$tidy_noise" || true)
[ -n "$out" ] && { echo "$out"; fail=1; }

echo "lint: x86_64-w64-mingw32-gcc -fanalyzer"
for f in "${win_files[@]}"; do
    # shellcheck disable=SC2046
    x86_64-w64-mingw32-gcc -std=c17 -Wall -Wextra -Werror -O2 -fanalyzer "${defs[@]}" \
        $(flags_for "$f") -c "$f" -o /dev/null || fail=1
done

if [ $fail -eq 0 ]; then
    echo "lint: clean (cppcheck, clang-tidy, gcc -fanalyzer over ${#win_files[@]} Windows sources and the fuzz target)"
else
    echo "lint: FINDINGS above"
fi
exit $fail
