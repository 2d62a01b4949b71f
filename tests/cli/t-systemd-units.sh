#!/bin/bash
# The shipped units: systemd-analyze security --offline=true rates
# sockwarden.service at an exposure of at most 1.5, and the units keep the
# protocol settings the daemon relies on (Type=notify, NotifyAccess=main,
# reload by SIGHUP, a watchdog, the activated socket's name).  Skipped
# only where systemd-analyze is absent, and never under CI=true.
. "$(dirname "$0")/lib.sh"
src=$(cd "$CLI_DIR/../.." && pwd)
svc=$src/systemd/sockwarden.service
sock=$src/systemd/sockwarden.socket
command -v systemd-analyze > /dev/null ||
	skip "systemd-analyze not installed (apt-get install systemd)"
out=$(systemd-analyze security --offline=true "$svc" 2>&1) || true
score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' <<<"$out")
[ -n "$score" ] || fail "no exposure score in: $out"
check "exposure $score > 1.5: $(grep '✗' <<<"$out")" \
    awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }'
echo "exposure $score"
for kv in Type=notify NotifyAccess=main 'ExecReload=/bin/kill -HUP $MAINPID' \
    WatchdogSec= User=sockwarden NoNewPrivileges=yes CapabilityBoundingSet= \
    RestrictAddressFamilies=AF_UNIX PrivateNetwork=yes ProtectSystem=strict \
    'SystemCallFilter=@system-service'; do
	check "$svc lacks $kv" grep -qF -- "$kv" "$svc"
done
for kv in FileDescriptorName=docker-api ListenStream=/run/sockwarden/docker.sock \
    SocketMode=0660 Accept=no; do
	check "$sock lacks $kv" grep -qxF -- "$kv" "$sock"
done
# every directive is one this systemd knows (no typos that silently weaken)
out=$(systemd-analyze verify --man=no "$sock" 2>&1) || true
refute "unknown directive in $sock: $out" grep -qi 'unknown' <<<"$out"
