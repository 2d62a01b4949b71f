#!/bin/bash
# An engine that accepts but never answers: 504 JSON naming the upstream
# once upstream_response_timeout passes; other clients keep being served.
. "$(dirname "$0")/lib.sh"
fakeup_start silent
printf 'upstream_response_timeout 1s\n' > "$T/sw.conf"
sw_start --config "$T/sw.conf"
out=$(raw 4 'GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n')
grep -q '^HTTP/1.1 504 Gateway Timeout' <<<"$out" || fail "no 504: $out"
grep -q "{\"message\":\"sockwarden: engine at unix:$T/up.sock did not answer in time\"}" <<<"$out" ||
	fail "bad 504 body: $out"
kill -0 "$SWPID" || fail "sockwarden died"
echo "1 passed, 0 failed"
