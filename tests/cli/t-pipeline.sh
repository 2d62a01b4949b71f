#!/bin/bash
# Pipelined keep-alive requests are answered in order, each forwarded only
# after the previous response; a failed hijack attempt (attach answered with
# a plain 404) keeps the connection in HTTP mode, so bytes sent after it are
# parsed and policy-checked as a request, never tunnelled raw.
. "$(dirname "$0")/lib.sh"
fakeup_start echo
sw_start
out=$(raw 3 'GET /v1.41/version HTTP/1.1\r\nHost: d\r\n\r\nGET /v1.41/info HTTP/1.1\r\nHost: d\r\n\r\nGET /_ping HTTP/1.1\r\nHost: d\r\n\r\n')
seen=$(grep -o '"seen":"[^"]*"' <<<"$out" | tr '\n' '|')
check "pipelined order: $seen" [ "$seen" = '"seen":"GET /v1.41/version HTTP/1.1"|"seen":"GET /v1.41/info HTTP/1.1"|"seen":"GET /_ping HTTP/1.1"|' ]

: > "$T/up.log"
out=$(raw 3 'POST /v1.41/containers/abc/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: d\r\n\r\nGET /v1.41/debug/pprof/ HTTP/1.1\r\nHost: d\r\n\r\n')
check "attach answer missing: $out" grep -q '^HTTP/1.1 404' <<<"$out"
check "smuggled request was not answered by sockwarden: $out" grep -q '"message":"sockwarden: ' <<<"$out"
refute "smuggled request reached the upstream: $(cat "$T/up.log")" grep -q 'debug/pprof' "$T/up.log"
