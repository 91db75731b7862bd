#!/usr/bin/env bash
# bench/setup.sh: what `make bench` needs beyond the project's own toolchain: the
# Boost.Interprocess headers (Debian's libboost-dev) and the MinGW-w64 C++ compiler that
# builds the Boost peer (g++-mingw-w64-x86-64).  Installs only what is missing; Debian's
# archive only.  Run as root (or through sudo).
set -euo pipefail

need=()
dpkg-query -W -f='${Status}' libboost-dev 2>/dev/null | grep -q 'ok installed' || need+=(libboost-dev)
command -v x86_64-w64-mingw32-g++ >/dev/null || need+=(g++-mingw-w64-x86-64)
if [ ${#need[@]} -eq 0 ]; then
    echo "bench/setup: libboost-dev and x86_64-w64-mingw32-g++ are installed"
    exit 0
fi
echo "bench/setup: installing ${need[*]}"
sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends "${need[@]}" \
    || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${need[@]}"; }
# The MinGW compilers come in a -posix (winpthreads) and a -win32 threading flavour; the Boost
# headers need std::thread-era features only from the headers, either works.
command -v x86_64-w64-mingw32-g++ >/dev/null
