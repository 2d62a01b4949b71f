#!/bin/bash
# An engine that accepts but never answers: 504 JSON naming the upstream
# once upstream_response_timeout passes; other clients keep being served.
# Client A asks for /_ping, which the fake upstream (stall mode) holds for
# good; once A's request has reached the upstream, client B's request must
# be answered while A still has no answer, then A gets its 504.
. "$(dirname "$0")/lib.sh"
fakeup_start stall
# Long enough that B is served well inside A's wait even on a loaded
# machine: the check is on the order of events, not on their speed.
printf 'upstream_response_timeout 5s\n' > "$T/sw.conf"
sw_start --config "$T/sw.conf"
python3 - "$T/sw.sock" "$T/up.log" > "$T/out" <<'PY' || fail "client script: $(cat "$T/out")"
import select, socket, sys, time
sock, uplog = sys.argv[1], sys.argv[2]

def send(req):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(req)
    return s

def read_all(s, secs):
    s.settimeout(secs)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except socket.timeout:
        pass
    return out.decode("latin-1")

a = send(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
for _ in range(300):
    try:
        with open(uplog, "rb") as f:
            if b"GET /_ping " in f.read():
                break
    except FileNotFoundError:
        pass
    time.sleep(0.1)
else:
    sys.exit("A's request never reached the upstream")
b = send(b"GET /v1.41/version HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
b_out = read_all(b, 30)
a_waiting = not select.select([a], [], [], 0)[0]
print("B:", b_out.split("\r\n", 1)[0])
print("B-seen:", "GET /v1.41/version" in b_out)
print("A-waiting-after-B:", a_waiting)
print("A:", read_all(a, 30).replace("\r\n", " | "))
PY
out=$(cat "$T/out")
check "B was not answered while A waited: $out" grep -qx 'B: HTTP/1.1 200 OK' <<<"$out"
check "B's answer did not come from the upstream: $out" grep -qx 'B-seen: True' <<<"$out"
check "A was answered before B (no concurrent service): $out" grep -qx 'A-waiting-after-B: True' <<<"$out"
check "no 504 for A: $out" grep -q '^A: HTTP/1.1 504 Gateway Timeout' <<<"$out"
check "bad 504 body: $out" grep -qF \
    "{\"message\":\"sockwarden: engine at unix:$T/up.sock did not answer in time\"}" <<<"$out"
check "sockwarden died" kill -0 "$SWPID"
out=$(raw 3 'GET /v1.41/info HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n')
check "no answer after the time-out: $out" grep -q '^HTTP/1.1 200' <<<"$out"
