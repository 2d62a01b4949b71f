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
. "$(dirname "$0")/lib.sh"
src=$(cd "$CLI_DIR/../.." && pwd)
svc=$src/systemd/sockwarden.service
sock=$src/systemd/sockwarden.socket

# The docs agree with what the unit allows.  No network: the unit's
# comment, the README and sockwarden(8) show the drop-in a tcp: upstream
# needs.  A read-only system: every metrics socket path the docs and the
# settings example give lies in the unit's RuntimeDirectory, every audit
# log path (and the logrotate snippet's) in its LogsDirectory.
docs="$src/README.md $src/docs/man/sockwarden.8 $src/docs/man/sockwarden.conf.5 $src/conf/sockwarden.conf"
check "the unit has a network: revisit the docs" grep -qx 'PrivateNetwork=yes' "$svc"
for f in "$svc" "$src/README.md" "$src/docs/man/sockwarden.8"; do
	for kv in 'PrivateNetwork=no' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'IPAddressAllow='; do
		check "$f does not show the drop-in line $kv" grep -qF -- "$kv" "$f"
	done
done
check "sockwarden.conf(5) names no tcp: upstream" grep -qF 'tcp:' "$src/docs/man/sockwarden.conf.5"
check "the unit is not ProtectSystem=strict: revisit the docs" grep -qx 'ProtectSystem=strict' "$svc"
rundir=/run/$(sed -n 's/^RuntimeDirectory=//p' "$svc")
logdir=/var/log/$(sed -n 's/^LogsDirectory=//p' "$svc")
check "RuntimeDirectory is $rundir" [ "$rundir" = /run/sockwarden/metrics ]
socks=$(grep -ho 'unix:/run/[^ `)]*\.sock' $docs "$svc" | grep -v '/docker\.sock$' | sort -u)
check "the docs give no metrics socket path" [ -n "$socks" ]
for p in $socks; do
	check "metrics socket $p is outside $rundir (read-only under the unit)" [ "$(dirname "${p#unix:}")" = "$rundir" ]
done
logs=$(grep -ho '/var/log/[^ `)]*audit\.log' $docs "$svc" "$src/cmake/deb/sockwarden.logrotate" | sort -u)
check "the docs give no audit log path" [ -n "$logs" ]
for p in $logs; do
	check "audit log $p is outside $logdir (read-only under the unit)" [ "$(dirname "$p")" = "$logdir" ]
done

command -v systemd-analyze > /dev/null ||
	skip "systemd-analyze not installed (apt-get install systemd)"
out=$(systemd-analyze security --offline=true "$svc" 2>&1) || true
score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' <<<"$out")
check "no exposure score in: $out" [ -n "$score" ]
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
for u in "$sock" "$svc"; do
	out=$(systemd-analyze verify --man=no "$u" 2>&1) || true
	refute "unknown or invalid directive in $u: $out" \
	    grep -qi 'unknown\|invalid\|failed to parse' <<<"$out"
done
