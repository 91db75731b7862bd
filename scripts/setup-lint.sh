#!/usr/bin/env bash
# setup-lint.sh: what `make lint` needs on a fresh Debian 12 machine: cppcheck and clang-tidy
# (and the MinGW-w64 compiler, for GCC's -fanalyzer, which install-deps.sh provides).
# Idempotent: installs only what is missing.
set -euo pipefail
missing=()
command -v cppcheck >/dev/null || missing+=(cppcheck)
command -v clang-tidy >/dev/null || missing+=(clang-tidy)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup-lint: installing ${missing[*]}" >&2
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
