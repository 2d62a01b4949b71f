"""swhttp.py - raw HTTP/1.1 over unix sockets for the integration tests.

Used by the tNN-*.sh scripts (python heredocs; lib.sh puts this directory on
PYTHONPATH) where curl cannot do what is needed: send malformed or partial
requests, hold connections open, time when the peer closes.  It is a test
client, not an HTTP implementation: it understands Content-Length, chunked
and read-until-close bodies and nothing else.
"""

import json
import os
import socket
import sys
import threading
import time


class Fail(Exception):
    pass


def die(msg):
    print("swhttp: " + msg, file=sys.stderr)
    sys.exit(1)


def connect(path, timeout=10.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


class Response:
    def __init__(self):
        self.status_line = None
        self.status = None
        self.headers = {}       # lower-case name -> value (last wins)
        self.body = b""
        self.closed = False     # EOF seen after (or instead of) the response
        self.complete = False   # a full response was read
        self.raw = b""

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<%r headers=%r body=%r closed=%r>" % (
            self.status_line, self.headers, self.body[:300], self.closed)


def _dechunk(buf):
    """Return (body, rest) when buf holds a complete chunked body, else None."""
    out = b""
    pos = 0
    while True:
        nl = buf.find(b"\r\n", pos)
        if nl < 0:
            return None
        size = int(buf[pos:nl].split(b";")[0].strip() or b"0", 16)
        pos = nl + 2
        if size == 0:
            end = buf.find(b"\r\n", pos)   # no trailers expected
            if end < 0:
                return None
            return out, buf[end + 2:]
        if len(buf) < pos + size + 2:
            return None
        out += buf[pos:pos + size]
        pos += size + 2


def read_response(s, timeout=10.0, head_only=False, method="GET"):
    """Read one response from s.  Raises Fail on time-out before a head."""
    r = Response()
    buf = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Fail("no response head within %.1fs (got %r)" % (timeout, buf[:200]))
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            d = b""
        if not d:
            r.closed = True
            r.raw = buf
            if buf:
                raise Fail("connection closed inside the response head: %r" % buf[:200])
            raise Fail("connection closed without a response")
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    r.status_line = lines[0]
    parts = lines[0].split(" ", 2)
    r.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            r.headers[k.strip().lower()] = v.strip()
    if head_only:
        r.body = rest
        return r
    te = r.headers.get("transfer-encoding", "").lower()
    cl = r.headers.get("content-length")
    nobody = method == "HEAD" or r.status in (101, 204, 304) or (r.status or 0) < 200
    while True:
        if nobody:
            r.body, r.complete = b"", True
            break
        if "chunked" in te:
            got = _dechunk(rest)
            if got is not None:
                r.body, r.complete = got[0], True
                break
        elif cl is not None:
            if len(rest) >= int(cl):
                r.body, r.complete = rest[:int(cl)], True
                break
        left = deadline - time.monotonic()
        if left <= 0:
            r.body = rest
            return r
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            d = b""
        if not d:
            r.closed = True
            if "chunked" not in te and cl is None:
                r.body, r.complete = rest, True
            else:
                r.body = rest
            return r
        rest += d
    return r


def wait_closed(s, timeout):
    """Seconds until EOF/reset on s, or None if still open after timeout.
    Bytes received meanwhile are an error: nothing more was asked for."""
    t0 = time.monotonic()
    while True:
        left = timeout - (time.monotonic() - t0)
        if left <= 0:
            return None
        s.settimeout(left)
        try:
            d = s.recv(4096)
        except socket.timeout:
            return None
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - t0
        if not d:
            return time.monotonic() - t0
        raise Fail("unexpected bytes while waiting for close: %r" % d[:200])


def request(path, raw, timeout=10.0, method="GET"):
    s = connect(path, timeout)
    try:
        s.sendall(raw)
        return read_response(s, timeout, method=method)
    finally:
        s.close()


def get(path, target, timeout=10.0, extra=b""):
    raw = (b"GET " + target.encode() + b" HTTP/1.1\r\nHost: docker\r\n" + extra +
           b"Connection: close\r\n\r\n")
    return request(path, raw, timeout)


def ping(path, timeout=5.0):
    """True when GET /_ping answers 200 OK with body OK."""
    try:
        r = get(path, "/_ping", timeout)
    except (OSError, Fail):
        return False
    return r.status == 200 and r.body == b"OK"


def check_error(r, status, phrases=None, what="response"):
    """Assert a sockwarden error: exact version+status (reason phrase one of
    phrases when given), JSON body {"message": "sockwarden: ..."}.
    Returns the message."""
    if r.status != status:
        raise Fail("%s: expected status %d, got %r (%r)" % (what, status, r.status_line, r.body[:300]))
    ver, _, rest = r.status_line.partition(" ")
    if ver != "HTTP/1.1":
        raise Fail("%s: status line %r is not HTTP/1.1" % (what, r.status_line))
    reason = rest.partition(" ")[2]
    if phrases is not None and reason not in phrases:
        raise Fail("%s: reason phrase %r not one of %r" % (what, reason, phrases))
    ct = r.headers.get("content-type", "")
    if not ct.startswith("application/json"):
        raise Fail("%s: Content-Type %r, want application/json (the docker client "
                   "only shows the message for JSON errors)" % (what, ct))
    try:
        msg = r.json()["message"]
    except Exception as e:
        raise Fail("%s: body is not JSON with a message: %r (%s)" % (what, r.body[:300], e))
    if not isinstance(msg, str) or not msg.startswith("sockwarden: "):
        raise Fail("%s: message %r does not start with 'sockwarden: '" % (what, msg))
    return msg


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    raise Fail("no VmRSS for pid %d" % pid)


class Pinger(threading.Thread):
    """Pings path every interval on fresh connections; records outcomes."""

    def __init__(self, path, interval=0.1):
        super().__init__(daemon=True)
        self.path, self.interval = path, interval
        self.ok, self.bad = [], []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            t = time.monotonic()
            try:
                r = get(self.path, "/_ping", timeout=3.0)
                if r.status == 200 and r.body == b"OK":
                    self.ok.append(t)
                else:
                    self.bad.append((t, repr(r)))
            except (OSError, Fail) as e:
                self.bad.append((t, repr(e)))
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join(10)

    def ok_between(self, t0, t1):
        return sum(1 for t in self.ok if t0 <= t <= t1)
