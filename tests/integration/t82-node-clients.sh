#!/bin/bash
# t82-node-clients: the Node.js clients pinned in tests/clients (dockerode
# 4.0.12, testcontainers 11.14.0, installed by tests/clients/install.sh with
# npm ci) work through sockwarden under the default policy:
#   dockerode: create, attach (stdin, stdout and stderr demuxed), start,
#     wait (exit status), remove; a classic build of a local tar context with
#     modem.followProgress; a BuildKit build (version "2": dockerode opens
#     POST /session, which serves only registry credentials, and sends the
#     context as the body of /build?version=2&session=ID) with followProgress
#     decoding BuildKit's trace.  Each built image is run and must hold the
#     context's file and its RUN step's output.
#   testcontainers: a GenericContainer of the local image started, exec
#     (stdout, stderr, exit code), logs, stop; then nothing of it is left.
# TESTCONTAINERS_RYUK_DISABLED=true: testcontainers' reaper runs the
# testcontainers/ryuk image, which cannot be pulled here (no internet); the
# test removes what it made itself.  On a machine with /.dockerenv
# testcontainers believes it runs in a container and inspects the default
# network "bridge" for the host's gateway: that must be allowed too.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CLIENTS=$SW_REPO/tests/clients
command -v node > /dev/null || skip "node is not installed"
out=$("$CLIENTS/install.sh" 2>&1) || fail "tests/clients/install.sh (npm ci) failed: $out"
sw_need_engine
sw_proxy_start

prefix=$(sw_name node)
export DOCKER_HOST="unix://$SW_SOCK" TESTCONTAINERS_RYUK_DISABLED=true

# node_flow WHAT SCRIPT ARGS...: run one flow; its "ok ..." line, else fail
node_flow() {
	local what=$1 out
	shift
	out=$(cd "$CLIENTS" && sw_timed node "$@" 2>&1) ||
	    fail "$what: $out"
	assert_match "$out" "^ok " "$what"
	log "$out"
}

node_flow "dockerode run (create/attach/start/wait/remove)" \
    dockerode-flow.js run "$SW_IMAGE" "$prefix"
node_flow "dockerode classic build with followProgress" \
    dockerode-flow.js build "$SW_IMAGE" "$prefix"
node_flow "dockerode BuildKit build (version 2, session)" \
    dockerode-flow.js buildkit "$SW_IMAGE" "$prefix"
# the BuildKit build really went through a session: the engine was asked
# for one and the build named it
grep '^{"type":"audit"' "$SW_DIR/sw.log" | jq -r 'select(.decision == "allow") |
    "\(.status) \(.method) \(.path)"' > "$TEST_DIR/allowed"
grep -q '^101 POST /session$' "$TEST_DIR/allowed" ||
    fail "dockerode's BuildKit build opened no session (POST /session, 101)"
grep -Eq '^200 POST /build\?.*version=2.*&session=[0-9a-f-]+' "$TEST_DIR/allowed" ||
    fail "no BuildKit build naming a session: $(grep ' /build' "$TEST_DIR/allowed")"

# testcontainers in a job container asks for the default bridge's gateway
assert_eq bridge "$(dk network inspect -f '{{.Name}}' bridge 2>&1)" \
    "docker network inspect bridge (testcontainers' gateway look-up)"

node_flow "testcontainers GenericContainer" \
    testcontainers-flow.js "$SW_IMAGE" "$prefix-tc"
left=$(dk_direct ps -a --filter "name=^/$prefix" --format '{{.Names}}')
[ -z "$left" ] || fail "engine: containers left by the Node.js flows: $left"
left=$(dk_direct images --format '{{.Repository}}' | grep "^$prefix" || true)
[ -z "$left" ] || fail "engine: images left by the dockerode builds: $left"
# nothing refused (the 404s for removed containers are the engine's answer)
sw_denials | grep -E '^(400|403) ' > "$TEST_DIR/denials" || true
[ ! -s "$TEST_DIR/denials" ] || fail "sockwarden refused requests: $(cat "$TEST_DIR/denials")"
sw_proxy_stop
