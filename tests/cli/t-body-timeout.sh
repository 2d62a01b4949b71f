#!/bin/bash
# A request body that stops arriving: a streamed body (docker cp) and a
# body held for the policy (container create) each get a 408 naming the
# stalled body once body_timeout passes, not a hang and not the head
# time-out's message; a body that keeps trickling within the limit goes
# through.  Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
fakeup_start echo
printf 'body_timeout 1s\nheader_timeout 30s\n' > "$T/sw.conf"
sw_start --config "$T/sw.conf"

out=$(raw 4 'PUT /v1.41/containers/abc/archive?path=/tmp HTTP/1.1\r\nHost: d\r\nContent-Length: 100\r\n\r\n0123456789')
check "streamed body stall: [$out]" grep -q '^HTTP/1.1 408' <<<"$out"
check "streamed stall message: [$out]" grep -q 'the request body stalled' <<<"$out"

out=$(raw 4 'POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"Image":')
check "held body stall: [$out]" grep -q '^HTTP/1.1 408' <<<"$out"
check "held stall message: [$out]" grep -q 'the request body stalled' <<<"$out"
refute "held stall reported as a head time-out: [$out]" grep -q 'reading the request head' <<<"$out"

# A slow but steady body (a byte every 0.4 s) is progress, not a stall.
out=$(python3 - "$T/sw.sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
body = b'{"Image":"x"}'
s.sendall(b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: "
          b"application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
for i in range(0, len(body), 4):
    time.sleep(0.4)
    s.sendall(body[i:i + 4])
s.settimeout(5)
print(s.recv(65536).decode("latin-1").split("\r\n")[0])
PY
)
check "steady slow body: [$out]" [ "$out" = "HTTP/1.1 200 OK" ]

check "408 not audited" grep -q '"status":408' "$T/sw.log"
