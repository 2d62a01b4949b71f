#!/bin/bash
# The build-host settings as flags and file keys: bad values are errors
# naming the key; audit records reach a file and stderr; the metrics
# listener answers GET /metrics; SIGHUP with a broken settings file keeps
# the old settings.  Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
rc=0; out=$("$SOCKWARDEN" --sandbox maybe 2>&1) || rc=$?
refute "--sandbox maybe accepted" [ "$rc" = 0 ]
check "sandbox msg: $out" grep -q "sandbox: must be on, off or debug, got 'maybe'" <<<"$out"
rc=0; out=$("$SOCKWARDEN" --audit-log rel.log 2>&1) || rc=$?
refute "relative audit log accepted" [ "$rc" = 0 ]
check "audit msg: $out" grep -q "audit_log: must be stderr, off or an absolute path" <<<"$out"
printf 'metrics_listen 9323\nuser a b\nlistener_name "x"\n' > "$T/bad.conf"
rc=0; out=$("$SOCKWARDEN" --config "$T/bad.conf" 2>&1) || rc=$?
refute "bad config accepted" [ "$rc" = 0 ]
for m in "bad.conf:1: metrics_listen:" "bad.conf:2: user:" "bad.conf:3: listener_name:"; do
	check "missing [$m] in: $out" grep -qF "$m" <<<"$out"
done

fakeup_start echo
printf 'audit_log %s\nmetrics_listen unix:%s\nlistener_name cli\n' \
    "$T/audit.log" "$T/metrics.sock" > "$T/sw.conf"
sw_start --config "$T/sw.conf"
out=$(raw 2 'GET /v1.41/version HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n')
check "version: $out" grep -q '^HTTP/1.1 200' <<<"$out"
for _ in $(seq 50); do [ -s "$T/audit.log" ] && break; sleep 0.1; done
check "audit: $(cat "$T/audit.log")" grep -q \
    '"listener":"cli".*"path":"/v1.41/version".*"operation":"system.version","image":null,"policy_generation":1,"decision":"allow"' "$T/audit.log"
m=$(curl -sS --unix-socket "$T/metrics.sock" http://d/metrics) || fail "metrics"
check "request counter: $m" grep -q \
    '^sockwarden_requests_total{operation="system.version",decision="allow"} 1$' <<<"$m"
check "histogram: $m" grep -q '^# TYPE sockwarden_request_duration_seconds histogram$' <<<"$m"
printf 'bogus 1\n' >> "$T/sw.conf"
kill -HUP "$SWPID"
for _ in $(seq 50); do grep -q 'is invalid; keeping' "$T/sw.log" && break; sleep 0.1; done
check "reload of a broken file keeps the settings" \
    grep -q 'sw.conf is invalid; keeping the current settings' "$T/sw.log"
m=$(curl -sS --unix-socket "$T/metrics.sock" http://d/metrics) || fail "metrics after SIGHUP"
check "reload metric: $m" grep -q '^sockwarden_reloads_total{result="failed"} 1$' <<<"$m"
kill -TERM "$SWPID"
rc=0; wait "$SWPID" || rc=$?
check "exit status $rc after SIGTERM" [ "$rc" = 0 ]
refute "metrics socket left behind" [ -e "$T/metrics.sock" ]
refute "socket left behind" [ -e "$T/sw.sock" ]
