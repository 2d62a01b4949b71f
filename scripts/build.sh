#!/bin/sh
# Build the release tree (build/) and, with --asan, the ASan+UBSan tree
# (build-asan/).  Usage: scripts/build.sh [--asan]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$(nproc)"
if [ "${1:-}" = "--asan" ]; then
	cmake -S "$top" -B "$top/build-asan" -DCMAKE_BUILD_TYPE=Debug \
	    -DSW_SANITIZE=ON >/dev/null
	cmake --build "$top/build-asan" -j"$(nproc)"
fi
