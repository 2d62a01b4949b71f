#!/bin/bash
# t95-grpc: buildx's BuildKit control API over POST /grpc, driven by a
# python3-grpcio client (tests/integration/grpcclient.py) through
# sockwarden to the real engine.  By default (grpc_relay tunnel) the ci
# preset refuses the tunnel with a 403.  With --grpc-relay police,
# sockwarden terminates HTTP/2 on both sides and decides each call:
# ListWorkers passes and the engine's answer comes back; Info reaches the
# engine, whose own error (Unimplemented on 20.10) comes back; a plain
# Dockerfile build (its Dockerfile and context inline as LLB, no session)
# runs and its image exists; Solves asking for the network.host
# entitlement (the same build too: no image), force-network-mode=host, a
# Prune and an unknown method are refused with PermissionDenied and
# sockwarden's message, a Solve over max_body_bytes with ResourceExhausted;
# eight calls run at once, and calls on the same connection go on after.
# Every call has its log line.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
"$PYTHON" -c 'import grpc' 2>/dev/null ||
    skip "no python3-grpcio for $PYTHON (scripts/deps.sh installs it)"

client() {
	sw_timed "$PYTHON" - "$SW_SOCK" "$TEST_DIR/dial-$1.sock" "$1" \
	    "$(sw_name t95)" <<'EOF'
import sys
import grpcclient as g

target, path, mode, ref = sys.argv[1:]
d = g.Dialer(target, path)
ch = d.channel()
out = []

if mode == "tunnel":
    u = d.upgrade()
    print("UPGRADE", u if isinstance(u, str) else "101")
    sys.exit(0)

code, det, resp = g.call(ch, "ListWorkers")
print("ListWorkers", code, det, b"linux" in resp, len(resp))
code, det, _ = g.call(ch, "Info")
print("Info", code, det)
code, det, _ = g.call(ch, "Solve", g.solve_request(
    ref + "-nethost", entitlements=["network.host"]))
print("SolveNetHost", code, det)
code, det, _ = g.call(ch, "Solve", g.solve_request(
    ref + "-insecure", frontend_attrs={"force-network-mode": "host"}))
print("SolveNetMode", code, det)
code, det, _ = g.call(ch, "Prune")
print("Prune", code, det)
code, det, _ = g.call(ch, "/moby.buildkit.v1.Control/Nope")
print("Unknown", code, det)
# a plain Dockerfile build (inputs inline, no session), exported as an image
df, ctx = "FROM scratch\nCOPY f /f\n", {"f": b"t95\n"}
code, det, resp = g.call(ch, "Solve", g.solve_build(
    ref + "-build", df, ctx, ref + "-img:latest"), timeout=120)
print("SolveBuild", code, det, b"containerimage.digest" in resp)
code, det, _ = g.call(ch, "Solve", g.solve_build(
    ref + "-build2", df, ctx, ref + "-img2:latest",
    entitlements=["network.host"]), timeout=120)
print("SolveBuildNetHost", code, det)
# a message over max_body_bytes (1m) is refused, never held whole
code, det, _ = g.call(ch, "Solve", g.solve_request(
    ref + "-big", frontend_attrs={"build-arg:PAD": "x" * (1536 * 1024)}))
print("SolveBig", code, det)
# calls multiplexed on the one connection
fn = ch.unary_unary(g.CONTROL + "ListWorkers")
futs = [fn.future(b"", timeout=60) for _ in range(8)]
print("Parallel", sum(1 for f in futs if b"linux" in f.result()))
# the connection is still good after the refusals
code, det, resp = g.call(ch, "ListWorkers")
print("ListWorkers2", code, det, b"linux" in resp, len(resp))
print("UPGRADES", " ".join(sorted(set(a.split("\r\n")[0] for a in
                                      d.upgrade_answers))))
EOF
}

# ---- default: the ci preset refuses the tunnel as a whole
sw_proxy_start
out=$(client tunnel) || fail "grpc client failed: $out"
assert_contains "$out" "UPGRADE HTTP/1.1 403" "POST /grpc without grpc_relay"
assert_contains "$out" "denied by rule endpoint" "POST /grpc without grpc_relay"
sw_proxy_stop

# ---- police: call by call
sw_proxy_start --grpc-relay police
out=$(client police) || fail "grpc client failed: $out"
log "$out"
assert_match "$out" "ListWorkers OK  True [0-9]+" "ListWorkers, allowed"
assert_match "$out" "ListWorkers2 OK  True [0-9]+" \
    "ListWorkers after the refusals"
assert_contains "$out" "UPGRADES 101" "the tunnel through sockwarden"
# Control/Info passes the policy; 20.10's BuildKit does not implement it
assert_match "$out" "Info (UNIMPLEMENTED|OK)" "Info relayed to the engine"
line=$(printf '%s\n' "$out" | grep '^SolveNetHost ')
assert_contains "$line" "PERMISSION_DENIED sockwarden: BuildKit Solve denied by rule buildkit:" \
    "Solve with network.host"
assert_contains "$line" "network.host" "Solve with network.host"
line=$(printf '%s\n' "$out" | grep '^SolveNetMode ')
assert_contains "$line" "PERMISSION_DENIED sockwarden: BuildKit Solve denied by rule buildkit:" \
    "Solve with force-network-mode=host"
line=$(printf '%s\n' "$out" | grep '^Prune ')
assert_contains "$line" "PERMISSION_DENIED sockwarden: BuildKit Prune denied by rule endpoint:" \
    "Prune (build.prune is not in ci)"
line=$(printf '%s\n' "$out" | grep '^Unknown ')
assert_contains "$line" "PERMISSION_DENIED sockwarden:" "an unknown method"
assert_contains "$line" "denied by rule buildkit" "an unknown method"
line=$(printf '%s\n' "$out" | grep '^SolveBig ')
assert_contains "$line" "RESOURCE_EXHAUSTED sockwarden: a gRPC message of" \
    "a Solve over max_body_bytes"
assert_contains "$out" "Parallel 8" "8 calls at once on one connection"
line=$(printf '%s\n' "$out" | grep '^SolveBuild ')
assert_eq "SolveBuild OK  True" "$line" "a plain Dockerfile build"
ref=$(sw_name t95)
dk_direct image inspect "$ref-img:latest" > /dev/null 2>&1 ||
    fail "the image of the allowed build is not in the engine"
line=$(printf '%s\n' "$out" | grep '^SolveBuildNetHost ')
assert_contains "$line" "PERMISSION_DENIED sockwarden: BuildKit Solve denied by rule buildkit:" \
    "the same build with network.host"
if dk_direct image inspect "$ref-img2:latest" > /dev/null 2>&1; then
	fail "the refused build ran: its image $ref-img2 exists"
fi
sw_proxy_stop

# the log names each call with its decision; the refused Solve never
# reached the engine (its stream would have been opened upstream first)
assert_match "$(cat "$SW_DIR/sw.log")" \
    "grpc /moby.buildkit.v1.Control/ListWorkers: allowed" "log of ListWorkers"
assert_match "$(cat "$SW_DIR/sw.log")" \
    "grpc /moby.buildkit.v1.Control/Solve: denied: sockwarden: BuildKit Solve denied by rule buildkit" \
    "log of the refused Solve"
if grep -q -- "$ref-nethost" "${ENGINE_LOG:-/dev/null}" 2>/dev/null; then
	fail "the engine saw the refused Solve $ref-nethost"
fi
exit 0
