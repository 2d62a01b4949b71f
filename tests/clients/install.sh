#!/bin/bash
# install.sh - install the pinned Node.js clients (package-lock.json) into
# tests/clients/node_modules with `npm ci`, once: a stamp holding the lock
# file's hash makes later calls a no-op until the lock changes.  Install
# scripts are not run (nothing here needs a native build).  Prints nothing on
# success; exits non-zero with npm's output when the install fails.
set -eu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
command -v node > /dev/null && command -v npm > /dev/null ||
    { echo "install.sh: node (>= 20.18.1) and npm are needed" >&2; exit 1; }
# testcontainers 11 depends on undici 7, which needs Node.js 20.18.1 or later
node -e 'const [a, b, c] = process.versions.node.split(".").map(Number);
    process.exit(a * 1e6 + b * 1e3 + c >= 20018001 ? 0 : 1)' ||
    { echo "install.sh: Node.js $(node --version) is too old: testcontainers 11 needs >= 20.18.1" >&2; exit 1; }
exec 9> "$here/.install.lock"
flock 9
want=$(sha256sum package-lock.json | cut -d' ' -f1)
[ "$(cat node_modules/.sw-stamp 2>/dev/null)" = "$want" ] && exit 0
log=$(mktemp)
if ! npm ci --no-audit --no-fund --ignore-scripts --loglevel=error > "$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	exit 1
fi
rm -f "$log"
echo "$want" > node_modules/.sw-stamp
