#!/bin/bash
# The shipped units: the docs agree with what the service allows (no
# network: the drop-in for a tcp: upstream; a read-only system: metrics
# socket and audit log paths inside its RuntimeDirectory and
# LogsDirectory); systemd-analyze security --offline=true rates
# sockwarden.service at an exposure of at most 1.5, and the units keep the
# protocol settings the daemon relies on (Type=notify, NotifyAccess=main,
# reload by SIGHUP, a watchdog, the activated socket's name).  The
# systemd-analyze part is skipped only where it is absent, never under
# CI=true.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
svc=$src/systemd/sockwarden.service
sock=$src/systemd/sockwarden.socket
fail() { echo "FAIL: $*" >&2; exit 1; }

# The docs agree with what the unit allows.  No network: the unit's
# comment, the README and sockwarden(8) show the drop-in a tcp: upstream
# needs.  A read-only system: every metrics socket path the docs and the
# settings example give lies in the unit's RuntimeDirectory, every audit
# log path (and the logrotate snippet's) in its LogsDirectory.
docs="$src/README.md $src/docs/man/sockwarden.8 $src/docs/man/sockwarden.conf.5 $src/conf/sockwarden.conf"
grep -qx 'PrivateNetwork=yes' "$svc" || fail "the unit has a network: revisit the docs"
for f in "$svc" "$src/README.md" "$src/docs/man/sockwarden.8"; do
	for kv in 'PrivateNetwork=no' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'IPAddressAllow='; do
		grep -qF -- "$kv" "$f" || fail "$f does not show the drop-in line $kv"
	done
done
grep -qF 'tcp:' "$src/docs/man/sockwarden.conf.5" || fail "sockwarden.conf(5) names no tcp: upstream"
grep -qx 'ProtectSystem=strict' "$svc" || fail "the unit is not ProtectSystem=strict: revisit the docs"
rundir=/run/$(sed -n 's/^RuntimeDirectory=//p' "$svc")
logdir=/var/log/$(sed -n 's/^LogsDirectory=//p' "$svc")
[ "$rundir" = /run/sockwarden/metrics ] || fail "RuntimeDirectory is $rundir"
socks=$(grep -ho 'unix:/run/[^ `)]*\.sock' $docs "$svc" | grep -v '/docker\.sock$' | sort -u)
[ -n "$socks" ] || fail "the docs give no metrics socket path"
for p in $socks; do
	[ "$(dirname "${p#unix:}")" = "$rundir" ] || fail "metrics socket $p is outside $rundir (read-only under the unit)"
done
logs=$(grep -ho '/var/log/[^ `)]*audit\.log' $docs "$svc" "$src/cmake/deb/sockwarden.logrotate" | sort -u)
[ -n "$logs" ] || fail "the docs give no audit log path"
for p in $logs; do
	[ "$(dirname "$p")" = "$logdir" ] || fail "audit log $p is outside $logdir (read-only under the unit)"
done

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
for u in "$sock" "$svc"; do
	if systemd-analyze verify --man=no "$u" 2>&1 | grep -i 'unknown\|invalid\|failed to parse' ; then
		fail "unknown or invalid directive in $u"
	fi
done
echo "1 passed, 0 failed"
