#!/bin/bash
# Resources bounded per caller (issue 11): one caller (a peer uid, plus its
# container) holding max_connections_per_caller idle connections gets a 503
# for the next one while another caller is still served; bodies held for
# inspection share body_memory, a quarter of it per caller, and over it a
# request gets a 503 instead of an unbounded buffer.  Fake upstream.
. "$(dirname "$0")/lib.sh"
fakeup_start echo
printf 'max_connections 40\nmax_connections_per_caller 8\nbody_memory 1m\nlisten_mode 0666\n' > "$T/sw.conf"
sw_start --config "$T/sw.conf"
out=$(python3 - "$T/sw.sock" <<'PY'
import os, socket, sys, time
path = sys.argv[1]
held = []
for _ in range(8):
    s = socket.socket(socket.AF_UNIX); s.connect(path); held.append(s)
time.sleep(0.3)
s = socket.socket(socket.AF_UNIX); s.connect(path)
s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"); s.settimeout(3)
print("root:", s.recv(4096).decode("latin-1").split("\r\n")[0])
# another caller (uid nobody) is still served
r, w = os.pipe()
if os.fork() == 0:
    os.close(r)
    os.setgid(65534); os.setuid(65534)
    c = socket.socket(socket.AF_UNIX); c.connect(path)
    c.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"); c.settimeout(3)
    os.write(w, c.recv(4096).split(b"\r\n")[0]); os._exit(0)
os.close(w); os.wait()
print("nobody:", os.read(r, 200).decode())
PY
)
check "9th connection of one caller: [$out]" grep -q '^root: HTTP/1.1 503' <<<"$out"
check "another caller locked out: [$out]" grep -q '^nobody: HTTP/1.1 200' <<<"$out"
check "503 message" grep -q 'too many connections from this caller' "$T/sw.log"
out=$(python3 - "$T/sw.sock" <<'PY'
import socket, sys
body = b'{"Image":"' + b"a" * 300000 + b'"}'
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
try:
    s.sendall(body)
except OSError:
    pass
s.settimeout(5); print(s.recv(65536).decode("latin-1"))
PY
)
check "a 300 KB body over the caller's share of body_memory: [$out]" grep -q '^HTTP/1.1 503' <<<"$out"
check "busy message: [$out]" grep -q 'body_memory' <<<"$out"
small='{"Image":"alpine"}'
out=$(raw 2 "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${#small}\r\n\r\n$small")
check "a small body after the refusal (budget given back): [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
