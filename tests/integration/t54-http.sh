#!/bin/bash
# t54-http: HTTP/1.1 connection handling through sockwarden, as plain HTTP
# clients (curl, scripts) use it against the engine:
#   100 requests on one keep-alive connection;
#   three pipelined requests in one write, answered in order;
#   "Connection: close": answered, then closed; HTTP/1.0: answered or
#   refused with a JSON 400, then closed;
#   HEAD /_ping: no body, the connection stays usable;
#   curl PUT of a 2 MB tar (Expect: 100-continue) into a container.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
sw_proxy_start

"$PYTHON" - "$SW_SOCK" <<'EOF' || fail "see above"
import json, sys, time
import swhttp
from swhttp import Fail

sock = sys.argv[1]

def note(msg):
    print("NOTE: t54-http: " + msg, file=sys.stderr)

# keep-alive: 100 requests, one connection
s = swhttp.connect(sock)
t0 = time.monotonic()
for i in range(100):
    s.sendall(b"GET /v1.41/_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
    r = swhttp.read_response(s, 10)
    if r.status != 200 or r.body != b"OK" or r.closed:
        raise Fail("keep-alive request %d: %r" % (i, r))
note("100 keep-alive requests on one connection in %.2fs" % (time.monotonic() - t0))

# HEAD: no body, then the same connection serves a GET
s.sendall(b"HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
r = swhttp.read_response(s, 10, method="HEAD")
if r.status != 200 or r.closed:
    raise Fail("HEAD /_ping: %r" % r)
s.sendall(b"GET /v1.41/version HTTP/1.1\r\nHost: docker\r\n\r\n")
r = swhttp.read_response(s, 10)
if r.status != 200 or "ApiVersion" not in r.json():
    raise Fail("GET /version after HEAD on the same connection: %r" % r)

# pipelining: three requests in one write, three responses in order
s.sendall(b"GET /v1.41/_ping HTTP/1.1\r\nHost: docker\r\n\r\n"
          b"GET /v1.41/version HTTP/1.1\r\nHost: docker\r\n\r\n"
          b"GET /v1.41/info HTTP/1.1\r\nHost: docker\r\n\r\n")
r1 = swhttp.read_response(s, 10)
r2 = swhttp.read_response(s, 10)
r3 = swhttp.read_response(s, 10)
if r1.status != 200 or r1.body != b"OK":
    raise Fail("pipelined 1 (/_ping): %r" % r1)
if r2.status != 200 or "ApiVersion" not in r2.json():
    raise Fail("pipelined 2 (/version): %r" % r2)
if r3.status != 200 or "ServerVersion" not in r3.json():
    raise Fail("pipelined 3 (/info): %r" % r3)
s.close()

# Connection: close -> answered, then closed by the proxy
s = swhttp.connect(sock)
s.sendall(b"GET /v1.41/_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
r = swhttp.read_response(s, 10)
if r.status != 200 or r.body != b"OK":
    raise Fail("Connection: close request: %r" % r)
if not r.closed and swhttp.wait_closed(s, 5) is None:
    raise Fail("connection still open after a Connection: close response")
s.close()

# HTTP/1.0, no Host: served, or refused with sockwarden's JSON 400 (a
# documented choice: Docker clients all speak HTTP/1.1); closed either way
s = swhttp.connect(sock)
s.sendall(b"GET /v1.41/_ping HTTP/1.0\r\n\r\n")
r = swhttp.read_response(s, 10)
if r.status == 400:
    msg = swhttp.check_error(r, 400, {"Bad Request"}, "HTTP/1.0 request")
    note("HTTP/1.0 request refused: %s" % msg)
elif r.status != 200 or r.body != b"OK" or not r.status_line.startswith("HTTP/1."):
    raise Fail("HTTP/1.0 request: %r" % r)
if not r.closed and swhttp.wait_closed(s, 5) is None:
    raise Fail("connection still open after answering an HTTP/1.0 request")
s.close()
EOF

# curl sends "Expect: 100-continue" for a body this large: the interim
# response must pass (else curl waits 1 s and sends anyway: slow, not wrong)
name=$(sw_name put)
dk run -d --name "$name" "$SW_IMAGE" sleep 300 > /dev/null
mkdir "$TEST_DIR/put"
head -c 2000000 /dev/urandom > "$TEST_DIR/put/blob"
tar -C "$TEST_DIR/put" -cf "$TEST_DIR/put.tar" blob
t0=$(date +%s%N)
code=$(sw_curl -o "$TEST_DIR/put.out" -w '%{http_code}' -X PUT \
    -H 'Content-Type: application/x-tar' --data-binary "@$TEST_DIR/put.tar" \
    "http://docker/v1.41/containers/$name/archive?path=/tmp")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
assert_eq 200 "$code" "curl PUT archive (Expect: 100-continue): $(cat "$TEST_DIR/put.out")"
assert_eq "$(sha256sum < "$TEST_DIR/put/blob" | cut -d' ' -f1)" \
    "$(dk_direct exec "$name" sha256sum /tmp/blob | cut -d' ' -f1)" "uploaded blob"
note "curl PUT of 2 MB with Expect: 100-continue took ${ms} ms"
sw_proxy_stop
