#!/bin/bash
# t97-grpc-stream: a long build's progress through a policed /grpc tunnel
# (--grpc-relay police) is relayed without buffering whole messages.  A
# python3-grpcio client (grpcclient.py) sends a Control/Solve of a
# Dockerfile of T97_STEPS (50) RUN steps, two a stage, the stages in
# parallel (25 at once, about 25 s), each step printing
# 1,000,000 bytes on stdout and as many on stderr (100,000 a second:
# BuildKit 0.8 clips a step's stream at 1 MiB and at 100 KiB/s), and
# follows it with Control/Status on the same connection.  It reads the
# Status stream slowly (one message a second) for the first T97_SLOW (25)
# seconds, so that the engine, sockwarden and the client's relay fill up
# and flow control holds the engine back, then reads it to the end.
# BuildKit 0.8 then sends empty Status messages without end when its reader
# was behind at the build's end (straight against the engine too): like
# BuildKit's own client, the test cancels Status after the Solve returned
# (once all the logs came, or 45 s later).
# Asserted: the build succeeded and every step's two streams arrived whole
# (no byte missing, none clipped); sockwarden's resident memory grew by
# less than 32 MiB over its level before the build while 100+ MB of
# progress went through (peak: VmHWM); no sanitizer report at its exit.
# Under an ASan build the figures are printed but the bound is not
# asserted (its allocator's quarantine holds freed memory).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
"$PYTHON" -c 'import grpc' 2>/dev/null ||
    skip "no python3-grpcio for $PYTHON (scripts/deps.sh installs it)"

steps=${T97_STEPS:-50}
slow=${T97_SLOW:-25}
limit_kib=$((32 * 1024))
# an ASan build links the sanitizer runtime
asan=0
if nm -D "$SOCKWARDEN" 2>/dev/null | grep -q ' __asan_init' ||
    ldd "$SOCKWARDEN" 2>/dev/null | grep -q libasan; then
	asan=1
fi

sw_proxy_start --grpc-relay police
out=$(SW_CMD_TIMEOUT=240 sw_timed "$PYTHON" - "$SW_SOCK" \
    "$TEST_DIR/dial.sock" "$(sw_name t97)-$RANDOM" "$SW_PID" "$steps" \
    "$slow" <<'EOF'
import collections
import sys
import threading
import time

import grpcclient as g

target, path, ref, pid, steps, slow = sys.argv[1:]
steps, slow = int(steps), float(slow)
CHUNK, ROUNDS = 100000, 10


def rss(key="VmRSS"):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


d = g.Dialer(target, path)
# a Status message holds what piled up while the client did not read:
# it may be far over grpcio's default limit of 4 MiB
ch = d.channel(options=[("grpc.max_receive_message_length", -1)])
code, det, _ = g.call(ch, "ListWorkers")
print("ListWorkers", code, det)
base = rss()
peak = [base]
stop = threading.Event()


def sample():
    while not stop.wait(0.1):
        peak[0] = max(peak[0], rss())


threading.Thread(target=sample, daemon=True).start()

# each stage's RUN: ROUNDS chunks on stdout and stderr, one a second
# (1.1 s: under BuildKit's speed limit), each in one write (a log entry
# per pipe read, not per line: fewer messages for Python to decode), then
# a file the last stage takes
# two steps a stage: 50 stages at once on one base image now and then
# fail in BuildKit 0.8 with "flightcontrol: exceeded retry timeout"
df = ""
stages = (steps + 1) // 2
for k in range(steps):
    if k < stages:
        df += "FROM swtest/busybox:latest AS s%d\n" % k
    else:
        df += "FROM s%d AS s%d\n" % (k - stages, k)
    df += ("RUN yes '%s step %d' | head -c %d > /c; i=0; "
           "while [ $i -lt %d ]; do "
           "dd if=/c bs=%d count=1 2>/dev/null; "
           "{ dd if=/c bs=%d count=1 2>/dev/null; } >&2; "
           "i=$((i+1)); sleep 1.1; done; echo %d > /o\n"
           % (ref, k, CHUNK, ROUNDS, CHUNK, CHUNK, k))
df += "FROM scratch\n"
for k in range(stages, steps):
    df += "COPY --from=s%d /o /o%d\n" % (k, k)

t0 = time.time()
solve = ch.unary_unary(g.CONTROL + "Solve").future(
    g.solve_build(ref, df, {"f": b"t97\n"}, None), timeout=200)
status = ch.unary_stream(g.CONTROL + "Status")(g.status_request(ref),
                                               timeout=220)
per = collections.Counter()
msgs = relayed = clipped = biggest = 0
slow_bytes = None
empty = 0
done_at = None
try:
    for resp in status:
        msgs += 1
        relayed += len(resp) + 5
        biggest = max(biggest, len(resp))
        if not resp and solve.done():
            # BuildKit 0.8 (engine 20.10), when its Status reader was
            # behind at the build's end, sends empty messages without end,
            # between the last progress and after it (seen straight
            # against the engine too); BuildKit's own client cancels
            # Status shortly after the Solve returned.  Here: once all
            # the logs came, or 45 s after the Solve returned.
            if done_at is None:
                done_at = time.time()
            if (sum(per.values()) >= steps * 2 * CHUNK * ROUNDS or
                    time.time() - done_at > 45):
                empty = 1
                status.cancel()
                break
        for vx, stream, m in g.status_logs(resp):
            per[(vx, stream)] += len(m)
            if b"output clipped" in m:
                clipped += 1
        if time.time() - t0 < slow:
            time.sleep(1.0)
        elif slow_bytes is None:
            slow_bytes = relayed
            print("SLOW %d bytes in %d messages read in the first %.0f s,"
                  " the build %s by then" % (relayed, msgs, time.time() - t0,
                  "finished" if solve.done() else "still running"))
    print("STATUS OK", "cancelled after the build" if empty else "ended")
except Exception as e:
    print("STATUS", getattr(e, "code", lambda: "")(), e)
try:
    solve.result()
    print("SOLVE OK")
except Exception as e:
    print("SOLVE", getattr(e, "code", lambda: "")(), e)
stop.set()
full = sum(1 for (vx, s), n in per.items() if n == CHUNK * ROUNDS)
vertices = len(set(vx for vx, _ in per))
print("LOGS %d vertices, %d streams, %d whole, %d clipped, %d bytes" %
      (vertices, len(per), full, clipped, sum(per.values())))
short = [(vx, s, n) for (vx, s), n in sorted(per.items())
         if n != CHUNK * ROUNDS]
for vx, s, n in short[:8]:
    print("  stream %s/%d: %d bytes" % (vx, s, n))
print("RELAYED %d %d %d %.0f" % (relayed, msgs, biggest, time.time() - t0))
print("RSS %d %d %d" % (base, max(peak[0], rss()), rss("VmHWM")))
EOF
) || fail "grpc client failed: $out"
log "$out"
sw_proxy_stop

assert_contains "$out" "ListWorkers OK" "ListWorkers through the policed tunnel"
assert_contains "$out" "SOLVE OK" "the build's Solve"
assert_contains "$out" "STATUS OK" "the Status stream to its end"
note "$(printf '%s\n' "$out" | grep '^STATUS OK')"
line=$(printf '%s\n' "$out" | grep '^LOGS ')
assert_eq "LOGS $steps vertices, $((steps * 2)) streams, $((steps * 2)) whole, 0 clipped, $((steps * 2000000)) bytes" \
    "$line" "every step's progress, whole"
read -r _ relayed msgs biggest secs <<< "$(printf '%s\n' "$out" | grep '^RELAYED ')"
read -r _ base peak hwm <<< "$(printf '%s\n' "$out" | grep '^RSS ')"
[ "$hwm" -gt "$peak" ] && peak=$hwm
grow=$((peak - base))
note "$relayed bytes of progress in $msgs Status messages (largest $biggest) in ${secs}s; $(printf '%s\n' "$out" | grep '^SLOW ' | sed 's/^SLOW //')"
note "sockwarden VmRSS $base KiB before the build, peak $peak KiB (+$grow KiB)$([ $asan = 1 ] && echo ', ASan build: bound not asserted')"
[ "$relayed" -ge $((steps * 2000000)) ] ||
    fail "only $relayed bytes relayed"
if [ $asan = 0 ] && [ $grow -ge $limit_kib ]; then
	fail "sockwarden grew by $grow KiB (limit $limit_kib) while relaying $relayed bytes of progress: whole messages buffered?"
fi
exit 0
