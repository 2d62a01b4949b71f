#!/bin/bash
# Output queued for clients is bounded by stream_memory (issue 11): 150
# clients ask for an 8 MiB answer and never read it.  Beyond the budget each
# stalled client holds a small share (32 KiB, read 32 KiB at a time), so
# what waits in sockwarden (sockwarden_output_queued_bytes) stays near the
# budget, not 150 x the 512 KiB watermark (~90 MiB); meanwhile another
# client is served at once and a client that reads gets its whole answer.
# VmRSS growth is printed (not asserted: sanitizer builds inflate it).
# Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
fakeup_start big
printf 'stream_memory 8m\nmetrics_listen unix:%s/metrics.sock\n' "$T" > "$T/sw.conf"
sw_start --config "$T/sw.conf"
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$SWPID/status"; }
before=$(rss)
python3 - "$T/sw.sock" "$T/held" <<'PY' &
import socket, sys, time, os
socks = []
for i in range(150):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /v1.41/images/json HTTP/1.1\r\nHost: d\r\n\r\n")
    socks.append(s)
open(sys.argv[2], "w").write("ok")
time.sleep(60)
PY
PIDS="$PIDS $!"
for _ in $(seq 100); do [ -s "$T/held" ] && break; sleep 0.1; done
check "150 stalled clients connected" [ -s "$T/held" ]
# let the engine side fill what sockwarden lets it
queued() {
	curl -sS --max-time 5 --unix-socket "$T/metrics.sock" http://d/metrics |
	    sed -n 's/^sockwarden_output_queued_bytes //p'
}
prev=0
for _ in $(seq 40); do
	sleep 0.5
	now=$(queued)
	[ "$now" = "$prev" ] && [ "$(grep -c 'images/json' "$T/up.log")" -ge 150 ] && break
	prev=$now
done
q=$(queued)
echo "queued output $q bytes, VmRSS +$(( $(rss) - before )) KiB, with 150 stalled 8 MiB answers (budget 8 MiB)"
check "150 answers reached the upstream: $(grep -c 'images/json' "$T/up.log")" \
    [ "$(grep -c 'images/json' "$T/up.log")" -ge 150 ]
# 8 MiB, plus one share and one capped read each beyond it
check "output queued for 150 stalled clients: $q bytes, want <= $((8 * 1048576 + 150 * 65536))" \
    [ "${q:-999999999}" -le $((8 * 1048576 + 150 * 65536)) ]
check "the budget is in use: $q bytes" [ "${q:-0}" -gt $((4 * 1048576)) ]
out=$(raw 3 'GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n')
check "another client is served meanwhile: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
got=$(python3 - "$T/sw.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"GET /v1.41/images/json HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
s.settimeout(20); n = 0
try:
    while True:
        d = s.recv(1 << 16)
        if not d:
            break
        n += len(d)
except OSError:
    pass
print(n)
PY
)
check "a reading client gets its whole 8 MiB answer: $got bytes" [ "$got" -gt $((8 << 20)) ]
