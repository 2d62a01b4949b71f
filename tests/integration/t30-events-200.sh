#!/bin/bash
# t30-events-200: 200 concurrent GET /events streams held open through
# sockwarden.  A container is started; every stream must see its start event.
# The proxy's VmRSS is recorded before and with the 200 streams open (printed,
# with the per-stream figure) and must grow by less than 64 MiB; /_ping keeps
# answering meanwhile, and after the streams close.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
sw_proxy_start

name=$(sw_name ev200)
"$PYTHON" - "$SW_SOCK" "${SW_PID:-0}" "$name" 200 \
    "$DOCKER_CLI" "$SW_IMAGE" <<'EOF' || fail "200 event streams: see above"
import asyncio, json, subprocess, sys, time, urllib.parse
import swhttp

sock, pid, name, n, cli, image = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
LIMIT_KIB = 64 * 1024

def die(msg):
    print("t30-events-200: " + msg, file=sys.stderr)
    sys.exit(1)

flt = urllib.parse.quote(json.dumps({"type": ["container"], "event": ["start"]}))
req = ("GET /v1.41/events?filters=%s HTTP/1.1\r\nHost: docker\r\n\r\n" % flt).encode()

class Stream:
    def __init__(self, i):
        self.i, self.buf, self.events, self.head = i, b"", [], None

    async def open(self):
        self.r, self.w = await asyncio.open_unix_connection(sock, limit=1 << 20)
        self.w.write(req)
        await self.w.drain()
        head = await asyncio.wait_for(self.r.readuntil(b"\r\n\r\n"), 30)
        self.head = head.decode("latin-1")
        if not self.head.startswith("HTTP/1.1 200 "):
            raise RuntimeError("stream %d: %r" % (self.i, self.head[:200]))
        if "chunked" not in self.head.lower():
            raise RuntimeError("stream %d: not chunked: %r" % (self.i, self.head))

    async def read_events(self, want):
        # de-chunk, split JSON lines, stop at the wanted event
        while True:
            line = await self.r.readuntil(b"\r\n")
            size = int(line.split(b";")[0], 16)
            if size == 0:
                raise RuntimeError("stream %d ended" % self.i)
            data = await self.r.readexactly(size + 2)
            self.buf += data[:-2]
            while b"\n" in self.buf:
                ln, self.buf = self.buf.split(b"\n", 1)
                ev = json.loads(ln)
                self.events.append(ev)
                if ev.get("Action") == "start" and \
                        ev.get("Actor", {}).get("Attributes", {}).get("name") == want:
                    return ev

def rss():
    return swhttp.rss_kib(pid) if pid else None

async def main():
    before = rss()
    streams = [Stream(i) for i in range(n)]
    t0 = time.monotonic()
    res = await asyncio.gather(*(s.open() for s in streams), return_exceptions=True)
    errs = [r for r in res if isinstance(r, Exception)]
    if errs:
        die("%d of %d streams failed to open, first: %r" % (len(errs), n, errs[0]))
    print("NOTE: t30-events-200: %d streams open in %.2fs" % (n, time.monotonic() - t0))
    await asyncio.sleep(0.5)
    opened = rss()
    loop = asyncio.get_running_loop()
    ok = await loop.run_in_executor(None, swhttp.ping, sock)
    if not ok:
        die("/_ping through the proxy failed with %d streams open" % n)
    p = await asyncio.create_subprocess_exec(cli, "-H", "unix://" + sock, "run", "--rm",
                                             "--name", name, image, "true")
    if await p.wait() != 0:
        die("docker run with %d streams open failed" % n)
    t1 = time.monotonic()
    res = await asyncio.gather(*(asyncio.wait_for(s.read_events(name), 30) for s in streams),
                               return_exceptions=True)
    errs = [(s.i, r) for s, r in zip(streams, res) if isinstance(r, BaseException)]
    if errs:
        die("%d of %d streams did not see the start of %s, first: stream %d %r (events seen: %r)"
            % (len(errs), n, name, errs[0][0], errs[0][1], streams[errs[0][0]].events[:3]))
    print("NOTE: t30-events-200: all %d streams saw 'start %s' (%.2fs after docker run returned)" % (n, name, time.monotonic() - t1))
    after = rss()
    if pid:
        growth = max(opened, after) - before
        print("NOTE: t30-events-200: sockwarden VmRSS %d KiB before, %d KiB with %d streams open, "
              "%d KiB after the event: growth %d KiB = %.1f KiB per stream"
              % (before, opened, n, after, growth, growth / n))
        if growth >= LIMIT_KIB:
            die("VmRSS grew by %d KiB (limit %d KiB)" % (growth, LIMIT_KIB))
    for s in streams:
        s.w.close()
    await asyncio.gather(*(s.w.wait_closed() for s in streams), return_exceptions=True)

asyncio.run(main())
EOF
sleep 1
_sw_ping_ok "$SW_SOCK" || fail "/_ping failed after the 200 streams closed"
if [ -n "${SW_PID:-}" ]; then
	note "VmRSS after the streams closed: $(awk '/^VmRSS/ {print $2, $3}' /proc/$SW_PID/status)"
fi
sw_proxy_stop
