#!/bin/bash
# The shipped units: systemd-analyze security --offline=true rates
# sockwarden.service at an exposure of at most 1.5, and the units keep the
# protocol settings the daemon relies on (Type=notify, NotifyAccess=main,
# reload by SIGHUP, a watchdog, the activated socket's name).  Skipped
# only where systemd-analyze is absent, and never under CI=true.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
svc=$src/systemd/sockwarden.service
sock=$src/systemd/sockwarden.socket
fail() { echo "FAIL: $*" >&2; exit 1; }
if ! command -v systemd-analyze > /dev/null; then
	[ "${CI:-false}" = true ] && fail "systemd-analyze missing under CI=true (apt-get install systemd)"
	echo "SKIP: systemd-analyze not installed"
	exit 0
fi
out=$(systemd-analyze security --offline=true "$svc" 2>&1) || true
score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' <<<"$out")
[ -n "$score" ] || fail "no exposure score in: $out"
awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }' ||
	fail "exposure $score > 1.5: $(grep '✗' <<<"$out")"
echo "exposure $score"
for kv in Type=notify NotifyAccess=main 'ExecReload=/bin/kill -HUP $MAINPID' \
    WatchdogSec= User=sockwarden NoNewPrivileges=yes CapabilityBoundingSet= \
    RestrictAddressFamilies=AF_UNIX PrivateNetwork=yes ProtectSystem=strict \
    'SystemCallFilter=@system-service'; do
	grep -qF -- "$kv" "$svc" || fail "$svc lacks $kv"
done
for kv in FileDescriptorName=docker-api ListenStream=/run/sockwarden/docker.sock \
    SocketMode=0660 Accept=no; do
	grep -qxF -- "$kv" "$sock" || fail "$sock lacks $kv"
done
# every directive is one this systemd knows (no typos that silently weaken)
if systemd-analyze verify --man=no "$sock" 2>&1 | grep -i 'unknown' ; then
	fail "unknown directive in $sock"
fi
echo "1 passed, 0 failed"
