#!/usr/bin/env bash
# setup-fuzz.sh: what `make fuzz` needs on a fresh Debian 12 machine: clang with libFuzzer,
# ASan and UBSan runtimes (Debian: clang, libclang-rt-14-dev).  Idempotent: when clang can
# already link a -fsanitize=fuzzer,address,undefined program, it installs nothing.
set -euo pipefail
say() { printf 'setup-fuzz: %s\n' "$*" >&2; }

can_link() {
    command -v clang >/dev/null || return 1
    local d
    d=$(mktemp -d)
    printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$d/t.c"
    clang -fsanitize=fuzzer,address,undefined "$d/t.c" -o "$d/t" >/dev/null 2>&1
    local rc=$?
    rm -rf "$d"
    return $rc
}

can_link && exit 0
say "installing clang and libclang-rt-14-dev (libFuzzer, ASan, UBSan)"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    clang libclang-rt-14-dev >/dev/null
can_link || { say "error: clang still cannot link a libFuzzer program"; exit 1; }
