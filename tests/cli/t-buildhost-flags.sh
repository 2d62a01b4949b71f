#!/bin/bash
# The build-host settings as flags and file keys: bad values are errors
# naming the key; audit records reach a file and stderr; the metrics
# listener answers GET /metrics; SIGHUP with a broken settings file keeps
# the old settings.  Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
out=$("$SOCKWARDEN" --sandbox maybe 2>&1) && fail "--sandbox maybe accepted"
grep -q "sandbox: must be on, off or debug, got 'maybe'" <<<"$out" || fail "sandbox msg: $out"
out=$("$SOCKWARDEN" --audit-log rel.log 2>&1) && fail "relative audit log accepted"
grep -q "audit_log: must be stderr, off or an absolute path" <<<"$out" || fail "audit msg: $out"
printf 'metrics_listen 9323\nuser a b\nlistener_name "x"\n' > "$T/bad.conf"
out=$("$SOCKWARDEN" --config "$T/bad.conf" 2>&1) && fail "bad config accepted"
for m in "bad.conf:1: metrics_listen:" "bad.conf:2: user:" "bad.conf:3: listener_name:"; do
	grep -qF "$m" <<<"$out" || fail "missing [$m] in: $out"
done

fakeup_start echo
chmod 0666 "$T/up.sock"	# reachable by whatever user the daemon becomes
chmod 0755 "$T"
printf 'audit_log %s\nmetrics_listen unix:%s\nlistener_name cli\n' \
    "$T/audit.log" "$T/metrics.sock" > "$T/sw.conf"
sw_start --config "$T/sw.conf"
out=$(raw 2 'GET /v1.41/version HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n')
grep -q '^HTTP/1.1 200' <<<"$out" || fail "version: $out"
for _ in $(seq 50); do [ -s "$T/audit.log" ] && break; sleep 0.1; done
grep -q '"listener":"cli".*"path":"/v1.41/version".*"operation":"system.version","image":null,"policy_generation":1,"decision":"allow"' "$T/audit.log" ||
	fail "audit: $(cat "$T/audit.log")"
m=$(curl -sS --unix-socket "$T/metrics.sock" http://d/metrics) || fail "metrics"
grep -q '^sockwarden_requests_total{operation="system.version",decision="allow"} 1$' <<<"$m" ||
	fail "metrics: $m"
grep -q '^# TYPE sockwarden_request_duration_seconds histogram$' <<<"$m" || fail "histogram: $m"
printf 'bogus 1\n' >> "$T/sw.conf"
kill -HUP "$SWPID"
for _ in $(seq 50); do grep -q 'is invalid; keeping' "$T/sw.log" && break; sleep 0.1; done
grep -q 'sw.conf is invalid; keeping the current settings' "$T/sw.log" || fail "reload: $(cat "$T/sw.log")"
m=$(curl -sS --unix-socket "$T/metrics.sock" http://d/metrics)
grep -q '^sockwarden_reloads_total{result="failed"} 1$' <<<"$m" || fail "reload metric: $m"
kill -TERM "$SWPID"
wait "$SWPID" || fail "exit status $?"
[ -e "$T/metrics.sock" ] && fail "metrics socket left behind"
[ -e "$T/sw.sock" ] && fail "socket left behind"
echo "1 passed, 0 failed"
