#!/bin/bash
# The metrics listener: a unix path holding anything but a stale socket is
# refused, not unlinked (the daemon may still be root then); a stale socket
# is replaced; a scraper that trickles its request or never reads the
# answer loses its slot after the scrape deadline, and others are served.
. "$(dirname "$0")/lib.sh"
fakeup_start echo
echo precious > "$T/metrics.sock"
rc=0
timeout 5 "$SOCKWARDEN" --foreground --listen "$T/sw.sock" --upstream "unix:$T/up.sock" \
    --metrics-listen "unix:$T/metrics.sock" 2>"$T/start.log" || rc=$?
check "start over a regular file at the metrics path: status $rc, want 1" [ "$rc" = 1 ]
check "the file at the metrics path was replaced" [ "$(cat "$T/metrics.sock")" = precious ]
check "message: $(cat "$T/start.log")" grep -q 'is not a socket; refusing to replace it' "$T/start.log"
refute "API socket left behind after a failed start" [ -e "$T/sw.sock" ]

rm -f "$T/metrics.sock"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$T/metrics.sock"
sw_start --metrics-listen "unix:$T/metrics.sock"
m=$(curl -sS --max-time 5 --unix-socket "$T/metrics.sock" http://d/metrics) || fail "stale metrics socket not replaced"
check "metrics from the replaced socket: $m" grep -q '^sockwarden_connections_open' <<<"$m"

# 16 scrapers (every slot) trickle a byte a second and never finish; after
# the 5 s deadline each is closed and a new scraper is served.
check "tricklers kept their slots" python3 - "$T/metrics.sock" <<'PY'
import socket, sys, time
socks = []
for _ in range(16):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); socks.append(s)
closed = set()
t0 = time.time()
while time.time() - t0 < 9 and len(closed) < len(socks):
    for i, s in enumerate(socks):
        if i in closed:
            continue
        try:
            s.send(b"G")
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    closed.add(i)
            except BlockingIOError:
                pass
            s.setblocking(True)
        except OSError:
            closed.add(i)
    time.sleep(1)
sys.exit(0 if len(closed) == len(socks) and time.time() - t0 >= 4 else 1)
PY
m=$(curl -sS --max-time 5 --unix-socket "$T/metrics.sock" http://d/metrics) || fail "no scrape served after the tricklers"
check "scrape after the tricklers: $m" grep -q '^sockwarden_connections_open' <<<"$m"
