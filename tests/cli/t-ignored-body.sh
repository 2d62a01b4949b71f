#!/bin/bash
# Bodies on endpoints that take none (issue 8): dockerode and
# testcontainers send {} on attach/stop and an empty chunked body on
# /session.  An empty body in any framing is no body; a small one is read
# and dropped (the engine gets the request bare); a body above body_limit
# is a 400.  Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
fakeup_start echo
sw_start
out=$(raw 2 'POST /v1.41/containers/c1/stop HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
check "stop with {}: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
check "upstream saw: $(cat "$T/up.log")" grep -q '^POST /v1.41/containers/c1/stop HTTP/1.1$' "$T/up.log"
out=$(raw 2 'POST /v1.41/containers/c2/stop HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
check "stop with an empty chunked body: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
check "upstream saw: $(cat "$T/up.log")" grep -q '^POST /v1.41/containers/c2/stop HTTP/1.1$' "$T/up.log"
out=$(python3 - "$T/sw.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
body = b" " * 1100000
s.sendall(b"POST /v1.41/containers/c3/stop HTTP/1.1\r\nHost: d\r\nContent-Length: %d\r\n\r\n" % len(body))
try:
    s.sendall(body)
except OSError:
    pass
s.settimeout(5)
print(s.recv(65536).decode("latin-1"))
PY
)
check "1.1 MB body on stop: [$out]" grep -q '^HTTP/1.1 400' <<<"$out"
check "message: [$out]" grep -q 'container stop takes no request body' <<<"$out"
refute "the oversized request reached the upstream" grep -q 'c3/stop' "$T/up.log"
