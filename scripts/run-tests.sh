#!/usr/bin/env bash
# run-tests.sh [ARCH]: run the Check suites of build/ARCH under Wine.
#
# memscope_tests.exe is a driver (tests/main.c): it runs each suite in a process of its
# own, with a watchdog on every test (its test case's time limit, CK_DEFAULT_TIMEOUT when
# the case sets none), so a hung or crashed test is reported as an error under its own name
# and every other test still reports.  Failures are printed the way Check prints them; the
# run ends with Check's summary line ("100%: Checks: N, Failures: 0, Errors: 0") and then
# "N passed, N failed, N skipped" (skipped: tests the platform cannot run, never counted as
# passed), and exits non-zero on any failure.  The runner gets a block name of its own
# (MEMSCOPE_NAME), so a memscope the user is running is never touched; each suite process
# and each test's children get names of their own too.  Check's XML reports are kept in
# build/ARCH/test-results/.  CK_RUN_SUITE=NAME runs one suite.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:-x86_64}
[ $# -gt 0 ] && shift
exe="$top/build/$arch/memscope_tests.exe"
[ -f "$exe" ] || { echo "run-tests: $exe is not built (make ARCH=$arch tests)" >&2; exit 1; }

if [ "$arch" = i686 ] && ! why=$("$top/scripts/can-run-i686.sh"); then
    echo "run-tests: SKIP: the i686 suites: a 32-bit program cannot run here: $why" \
         "(the i686 build was checked statically by scripts/check-pe.sh; the installed" \
         "clients are built but not run by scripts/test-install.sh)"
    exit 0
fi

export MEMSCOPE_NAME="Local\\memscope-tests-$$"
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-300}
# The suites read memscope.exe's English sentences; Wine takes its UI language from LANG
# (when the locale exists), so a French terminal would turn them French.  The French tour
# is tested on purpose, with --lang fr (tests/test_tour.c).
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# The test binary loads memscope.dll from its own folder.
cd "$top/build/$arch"
"$top/scripts/wine-run.sh" --timeout "${MEMSCOPE_TEST_TIMEOUT:-1200}" "$exe" "$@"
