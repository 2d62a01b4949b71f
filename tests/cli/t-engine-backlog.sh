#!/bin/bash
# An engine whose listen backlog is full makes a Unix-socket connect fail
# with EAGAIN at once.  A direct client would wait in connect(); sockwarden
# waits too (tries again until upstream_connect_timeout) instead of
# answering 502: 40 simultaneous requests to an engine that accepts one
# connection every 50 ms are all served.  Fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
fakeup_start slow
sw_start
out=$(python3 - "$T/sw.sock" <<'PY'
import socket, sys, threading
res = []
def one():
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(20)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
        res.append(s.recv(64).split(b"\r\n")[0].decode())
    except OSError as e:
        res.append("error " + str(e))
ts = [threading.Thread(target=one) for _ in range(40)]
[t.start() for t in ts]; [t.join() for t in ts]
print("%d ok of %d; others: %s" % (sum(r == "HTTP/1.1 200 OK" for r in res), len(res),
      sorted(set(r for r in res if r != "HTTP/1.1 200 OK"))))
PY
)
echo "$out"
check "all 40 served by an engine slow to accept: $out" grep -q '^40 ok of 40' <<<"$out"
refute "a 502 for a full backlog: $(grep -c 'Resource temporarily' "$T/sw.log")" grep -q 'Resource temporarily unavailable' "$T/sw.log"
