#!/bin/bash
# t41-upstream-tcp: the "true DinD" setup, where the engine listens on TCP
# (an inner dockerd on 2375).  Here a socat relay on a loopback port stands
# in for that listener, in front of the real engine: sockwarden with
# --upstream tcp:127.0.0.1:PORT serves the docker CLI (a run with attach, so
# the hijack crosses TCP), and a closed port gives a 502 naming it.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
command -v socat > /dev/null || skip "socat not installed"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid socat -t 3600 "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
    "UNIX-CONNECT:$ENGINE_SOCK" 2>> "$TEST_DIR/socat.log" &
relay=$!
sw_track_pid "-$relay"
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$port/_ping" ||
	fail "tcp relay to the engine does not work"

sw_proxy_start --upstream "tcp:127.0.0.1:$port"
assert_eq "hello over tcp" "$(dk run --rm "$SW_IMAGE" echo hello over tcp)" "run --rm through a tcp upstream"
assert_contains "$(dk version --format '{{.Server.APIVersion}}')" "1." "version through a tcp upstream"
sw_proxy_stop

# nothing listening on the port any more: 502 naming the upstream
kill -KILL -- "-$relay"
wait "$relay" 2>/dev/null || true
sw_proxy_start --upstream "tcp:127.0.0.1:$port"
out=$(sw_curl -s -w ' %{http_code}' http://docker/_ping)
assert_contains "$out" "{\"message\":\"sockwarden: cannot reach engine at tcp:127.0.0.1:$port: Connection refused\"}" "502 body"
assert_contains "$out" " 502" "502 status"
sw_proxy_stop
note "tcp upstream: run --rm, version and a 502 naming tcp:127.0.0.1:$port"
