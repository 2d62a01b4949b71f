#!/bin/bash
# t50-bad-http: malformed and abusive requests get sockwarden's JSON errors
# and a closed connection, while another client keeps being served:
#   garbage request lines               -> 400
#   headers above max_header_bytes      -> 413 (just below the limit -> 200)
#   a stalled header (header_timeout)   -> 408 after ~header_timeout, close
#   a header trickled byte by byte      -> 408 after ~header_timeout, close
# A pinger thread does GET /_ping every 50 ms on fresh connections throughout;
# every ping must succeed, including during the stalls.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

cat > "$TEST_DIR/sw.conf" <<EOF
# t50: small limits
max_header_bytes 1024
header_timeout 2s
EOF
sw_proxy_start --config "$TEST_DIR/sw.conf"

"$PYTHON" - "$SW_SOCK" <<'EOF' || fail "see above"
import socket, sys, time
import swhttp
from swhttp import Fail

sock = sys.argv[1]
HEADER_TIMEOUT = 2.0
P400 = {"Bad Request"}
P413 = {"Payload Too Large", "Request Entity Too Large", "Content Too Large"}
P408 = {"Request Timeout", "Request Time-out"}

def note(msg):
    print("NOTE: t50-bad-http: " + msg, file=sys.stderr)

def closes(s, what, within=3.0):
    """The proxy must close the connection after an error response."""
    t = swhttp.wait_closed(s, within)
    if t is None:
        raise Fail("%s: connection still open %.0fs after the error response" % (what, within))

def bad(raw, status, phrases, what):
    s = swhttp.connect(sock)
    try:
        s.sendall(raw)
        r = swhttp.read_response(s, 10)
        msg = swhttp.check_error(r, status, phrases, what)
        if not r.closed:
            closes(s, what)
        note("%s -> %s %s" % (what, r.status_line, msg))
        return msg
    finally:
        s.close()

def stalled(first, trickle, what):
    """Send a partial head, then (optionally) one byte every 0.4 s; expect
    a 408 after about header_timeout, then a close."""
    s = swhttp.connect(sock)
    try:
        s.sendall(first)
        t0 = time.monotonic()
        if trickle:
            s.setblocking(False)
            while time.monotonic() - t0 < HEADER_TIMEOUT + 4:
                try:
                    if s.recv(1, socket.MSG_PEEK):
                        break
                except BlockingIOError:
                    pass
                except OSError:
                    break
                try:
                    s.send(b"a")
                except OSError:
                    break
                time.sleep(0.4)
            s.setblocking(True)
        r = swhttp.read_response(s, HEADER_TIMEOUT + 8)
        el = time.monotonic() - t0
        msg = swhttp.check_error(r, 408, P408, what)
        if not (HEADER_TIMEOUT - 0.5 <= el <= HEADER_TIMEOUT + 3):
            raise Fail("%s: 408 after %.2fs, header_timeout is %.1fs" % (what, el, HEADER_TIMEOUT))
        if not r.closed:
            closes(s, what)
        note("%s -> %s after %.2fs: %s" % (what, r.status_line, el, msg))
        return t0, t0 + el
    finally:
        s.close()

p = swhttp.Pinger(sock, 0.05)
p.start()
try:
    time.sleep(0.3)
    # -- 400: garbage in place of a request line
    bad(b"this is not http at all\r\n\r\n", 400, P400, "garbage request line")
    bad(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32, 96)), 400, P400,
        "TLS ClientHello on the plain socket")
    bad(b"GET /_ping HTTP/1.1\r\nHost docker\r\n\r\n", 400, P400, "header line without a colon")

    # -- 413: one header too big; many headers too big in total
    bad(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nX-Big: " + b"a" * 4096 + b"\r\n\r\n",
        413, P413, "one 4 KiB header (max_header_bytes 1024)")
    many = b"".join(b"X-H%02d: %s\r\n" % (i, b"b" * 30) for i in range(60))
    bad(b"GET /_ping HTTP/1.1\r\nHost: docker\r\n" + many + b"\r\n",
        413, P413, "60 headers, 2.4 KiB (max_header_bytes 1024)")
    # ... while a head under the limit is served
    r = swhttp.get(sock, "/_ping", extra=b"X-Pad: " + b"c" * 600 + b"\r\n")
    if r.status != 200 or r.body != b"OK":
        raise Fail("a 700-byte head (under max_header_bytes 1024) was not served: %r" % r)

    # -- 408: stalled head, and a head trickled slower than header_timeout
    t0, t1 = stalled(b"GET /_ping HTTP/1.1\r\nHost: docker\r\n", False, "stalled header")
    during = p.ok_between(t0, t1)
    if during < 10:
        raise Fail("only %d pings answered during the %.1fs stall: the stalled "
                   "client blocks others" % (during, t1 - t0))
    note("%d pings answered during the stall" % during)
    stalled(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nX-Slow: ", True,
            "header trickled one byte per 0.4s")
    # a connection that never sends a byte must not be kept forever: a 408
    # or a plain close, within header_timeout (+3 s slack)
    s = swhttp.connect(sock)
    t0 = time.monotonic()
    try:
        s.settimeout(HEADER_TIMEOUT + 3)
        try:
            d = s.recv(65536)
        except socket.timeout:
            raise Fail("a connection that sent nothing is still open after %.1fs" % (HEADER_TIMEOUT + 3))
        except ConnectionResetError:
            d = b""
        el = time.monotonic() - t0
        if el < HEADER_TIMEOUT - 0.5:
            raise Fail("a silent connection was dropped after %.2fs, before header_timeout" % el)
        got = bool(d)
        if got:
            buf = d
            while True:
                d = s.recv(65536)
                if not d:
                    break
                buf += d
            if not buf.startswith(b"HTTP/1.1 408 "):
                raise Fail("a silent connection got %r" % buf[:200])
        note("silent connection -> %s after %.2fs" % ("408" if got else "closed", el))
    finally:
        s.close()
    time.sleep(0.3)
finally:
    p.stop()
if p.bad:
    raise Fail("%d of %d concurrent pings failed, first: %r" % (len(p.bad), len(p.ok) + len(p.bad), p.bad[0]))
if len(p.ok) < 50:
    raise Fail("only %d pings in total" % len(p.ok))
note("%d concurrent pings, all answered" % len(p.ok))
if not swhttp.ping(sock):
    raise Fail("/_ping failed after the bad requests")
EOF
sw_proxy_stop
