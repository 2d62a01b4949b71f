#!/bin/bash
# Every answer sockwarden gives is audited and counted, also HTTP-level
# rejections that never reach the policy: Content-Length with
# Transfer-Encoding, a bare LF, a duplicate Content-Length on a kept-alive
# connection.  Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
fakeup_start echo
sw_start --audit-log "$T/audit.log" --metrics-listen "unix:$T/metrics.sock"

out=$(raw 2 'POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
check "CL+TE: [$out]" grep -q '^HTTP/1.1 400' <<<"$out"
out=$(raw 2 'GET /_ping HTTP/1.1\nHost: d\r\n\r\n')
check "bare LF: [$out]" grep -q '^HTTP/1.1 400' <<<"$out"
out=$(raw 2 'GET /_ping HTTP/1.1\r\nHost: d\r\n\r\nGET /_ping HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n')
check "first request of the pair: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
check "duplicate Content-Length: [$out]" grep -q '^HTTP/1.1 400' <<<"$out"

for _ in $(seq 50); do
	[ "$(grep -c '"status":400' "$T/audit.log" 2>/dev/null)" -ge 3 ] && break
	sleep 0.1
done
check "three 400s audited as rejections: $(cat "$T/audit.log")" \
    [ "$(grep -c '"decision":"reject".*"status":400' "$T/audit.log")" = 3 ]
check "CL+TE reason: $(cat "$T/audit.log")" \
    grep -q '"reason":"sockwarden: .*Transfer-Encoding' "$T/audit.log"
m=$(curl -sS --unix-socket "$T/metrics.sock" http://d/metrics) || fail "metrics"
check "rejections not counted: $m" \
    grep -q '^sockwarden_requests_total{operation="",decision="reject"} 3$' <<<"$m"
