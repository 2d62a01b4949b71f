#!/bin/bash
# t52-limits: time-outs that close connections, and those that must not.
#   idle_timeout 2s: an idle keep-alive connection is closed after ~2 s, not
#     before; a request in progress is not idle: a silent attached container,
#     a silent events stream and a silent logs -f outlive it.
#   upstream_response_timeout 3s: an engine that accepts but never answers
#     (socat relay under SIGSTOP) gives 504 JSON; after SIGCONT the next
#     request succeeds.  Streams silent longer than that still work.
# (header_timeout is covered by t50.)

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

# silent_streams WHAT: long-running requests with > 4 s of silence succeed
silent_streams() {
	local what=$1 name out
	name=$(sw_name "silent-$RANDOM")
	sw_bg "$TEST_DIR/ev.out" "$DOCKER_CLI" -H "unix://$SW_SOCK" events \
	    --filter type=container --filter event=die \
	    --format '{{.Action}} {{.Actor.Attributes.name}}'
	local evpid=$SW_BG_PID
	# attached run: silent 4.5 s, then output; exit status through wait
	out=$(timeout 30 "$DOCKER_CLI" -H "unix://$SW_SOCK" run --rm --name "$name" \
	    "$SW_IMAGE" sh -c 'sleep 4.5; echo done; exit 2') && rc=0 || rc=$?
	assert_eq "2 done" "$rc $out" "$what: attached run silent for 4.5 s"
	wait_for 10 grep -qx "die $name" "$TEST_DIR/ev.out" ||
	    fail "$what: events stream silent for 4.5 s missed [die $name]: $(cat "$TEST_DIR/ev.out")"
	kill "$evpid"
	# logs -f, silent 4.5 s between two lines
	name=$(sw_name "logs-$RANDOM")
	dk run -d --name "$name" "$SW_IMAGE" sh -c 'echo one; sleep 4.5; echo two' > /dev/null
	out=$(timeout 30 "$DOCKER_CLI" -H "unix://$SW_SOCK" logs -f "$name") ||
	    fail "$what: logs -f failed: $out"
	assert_eq "$(printf 'one\ntwo')" "$out" "$what: logs -f silent for 4.5 s"
}

# --- idle_timeout
printf 'idle_timeout 2s\n' > "$TEST_DIR/idle.conf"
sw_proxy_start --config "$TEST_DIR/idle.conf"
"$PYTHON" - "$SW_SOCK" <<'EOF' || fail "idle_timeout: see above"
import sys, time
import swhttp
from swhttp import Fail
sock = sys.argv[1]
s = swhttp.connect(sock)
for i in range(3):          # keep-alive works while requests keep coming
    if i:
        time.sleep(1.0)     # below idle_timeout each time
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
    r = swhttp.read_response(s, 10)
    if r.status != 200 or r.body != b"OK" or r.closed:
        raise Fail("keep-alive request %d: %r" % (i, r))
t = swhttp.wait_closed(s, 8)
if t is None:
    raise Fail("idle keep-alive connection still open 8 s after the last response (idle_timeout 2s)")
if t < 1.5:
    raise Fail("idle connection closed after %.2fs, before idle_timeout 2s" % t)
print("NOTE: t52-limits: idle keep-alive connection closed %.2fs after the last response" % t,
      file=sys.stderr)
EOF
silent_streams "idle_timeout 2s"
sw_proxy_stop

# --- upstream_response_timeout, through a relay we can freeze.  3 s, not
# 2: a container create on the shared, busy engine can take 2 s.
command -v socat > /dev/null || skip "socat not installed"
# in a searchable directory, like an engine socket (TEST_DIR is 0700 and
# sockwarden may drop root)
mkdir -m 0755 "$TEST_DIR/relay"
relay=$TEST_DIR/relay/relay.sock
# -t 3600: socat's default closes both directions 0.5 s after a half-close,
# which would cut an attached container's output after the CloseWrite
setsid socat -t 3600 "UNIX-LISTEN:$relay,fork,unlink-early$(relay_perm)" \
    "UNIX-CONNECT:$ENGINE_SOCK" \
    2>> "$TEST_DIR/socat.log" &
relay_pid=$!
sw_track_pid "-$relay_pid"
wait_for 10 _sw_ping_ok "$relay" || fail "socat relay to the engine does not work"
printf 'upstream_response_timeout 3s\n' > "$TEST_DIR/up.conf"
SW_UPSTREAM=unix:$relay sw_proxy_start --config "$TEST_DIR/up.conf"
assert_eq OK "$(sw_curl --max-time 10 http://docker/_ping)" "/_ping through the relay"
silent_streams "upstream_response_timeout 3s"
kill -STOP -- "-$relay_pid"
"$PYTHON" - "$SW_SOCK" <<'EOF' || { kill -CONT -- "-$relay_pid"; fail "504: see above"; }
import sys, time
import swhttp
sock = sys.argv[1]
t0 = time.monotonic()
r = swhttp.get(sock, "/v1.41/_ping", timeout=15)
el = time.monotonic() - t0
msg = swhttp.check_error(r, 504, {"Gateway Timeout", "Gateway Time-out"}, "frozen engine")
if not 2.5 <= el <= 7:
    raise swhttp.Fail("504 after %.2fs with upstream_response_timeout 3s" % el)
print("NOTE: t52-limits: frozen engine -> %s after %.2fs: %s" % (r.status_line, el, msg),
      file=sys.stderr)
EOF
kill -CONT -- "-$relay_pid"
assert_eq OK "$(sw_curl --max-time 10 http://docker/_ping)" "/_ping after the engine thawed"
assert_eq thawed "$(dk run --rm "$SW_IMAGE" echo thawed)" "docker run after the engine thawed"
sw_proxy_stop
