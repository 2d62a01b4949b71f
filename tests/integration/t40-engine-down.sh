#!/bin/bash
# t40-engine-down: sockwarden's upstream is a socat relay to the real engine
# that this test starts and kills, so the shared engine is never disturbed.
#   1. nothing at the upstream path: 502, JSON message naming the upstream;
#      the docker client shows that message
#   2. relay started: the next requests succeed -- same sockwarden process
#   3. relay killed, its socket file left behind: 502 "Connection refused"
#   4. relay restarted on that path: requests succeed again, no restart
# Every step also checks that the proxy keeps serving afterwards.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
command -v socat > /dev/null || skip "socat not installed"

# in a searchable directory, like an engine socket (TEST_DIR is 0700 and
# sockwarden may drop root)
mkdir -m 0755 "$TEST_DIR/relay"
relay=$TEST_DIR/relay/relay.sock
RELAY_PID=

relay_start() {
	# setsid: socat and its per-connection children form one process
	# group, killed together by relay_kill.  -t 3600: socat's default
	# closes both directions 0.5 s after a half-close, which would cut
	# the output of attach/exec after the client's CloseWrite
	setsid socat -t 3600 "UNIX-LISTEN:$relay,fork,unlink-early$(relay_perm)" \
	    "UNIX-CONNECT:$ENGINE_SOCK" 2>> "$TEST_DIR/socat.log" &
	RELAY_PID=$!
	sw_track_pid "-$RELAY_PID"
	wait_for 10 _sw_ping_ok "$relay" || fail "socat relay to the engine does not work"
}

relay_kill() {
	kill -KILL -- "-$RELAY_PID"
	wait "$RELAY_PID" 2>/dev/null || true
}

# expect_502 WHAT [REASON]: GET /_ping through sockwarden gives the 502.
expect_502() {
	"$PYTHON" - "$SW_SOCK" "unix:$relay" "$1" "${2:-}" <<'EOF' || fail "$1: see above"
import sys, swhttp
sock, upstream, what, reason = sys.argv[1:5]
try:
    r = swhttp.get(sock, "/v1.41/_ping", timeout=15)
    msg = swhttp.check_error(r, 502, what=what)
    want = "sockwarden: cannot reach engine at " + upstream
    if not msg.startswith(want):
        raise swhttp.Fail("%s: message %r does not start with %r" % (what, msg, want))
    if reason and reason not in msg:
        raise swhttp.Fail("%s: message %r does not give the reason %r" % (what, msg, reason))
    print("NOTE: t40-engine-down: %s: %s %s" % (what, r.status_line, msg), file=sys.stderr)
except (swhttp.Fail, OSError) as e:
    sys.exit("t40: %s" % e)
EOF
}

expect_ok() {
	assert_eq OK "$(sw_curl --max-time 15 http://docker/_ping)" "$1: /_ping"
	assert_eq "$1" "$(dk run --rm "$SW_IMAGE" echo "$1")" "$1: docker run"
}

SW_UPSTREAM=unix:$relay sw_proxy_start
pid=$SW_PID

# 1. nothing listening, no socket file
expect_502 "no socket at the upstream path"
rc=0
out=$(dk ps 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "docker ps succeeded with the engine unreachable: $out"
assert_contains "$out" "sockwarden: cannot reach engine at unix:$relay" \
    "docker ps error shown to the user"
kill -0 "$pid" 2>/dev/null || fail "sockwarden died after the 502"

# 2. engine reachable: works without restarting sockwarden
relay_start
expect_ok "engine-up"

# 3. engine gone, stale socket file: connect() is refused
relay_kill
[ -S "$relay" ] || fail "test bug: socat removed $relay on SIGKILL"
expect_502 "stale socket at the upstream path" "Connection refused"
out=$(dk ps 2>&1) && fail "docker ps succeeded with the engine unreachable: $out"
assert_contains "$out" "sockwarden: cannot reach engine at unix:$relay" \
    "docker ps error shown to the user"

# 4. engine back on the same path
relay_start
expect_ok "engine-back"
assert_eq "$pid" "$SW_PID" "sockwarden pid (no restart)"
kill -0 "$pid" 2>/dev/null || fail "sockwarden is not running"

sw_proxy_stop
