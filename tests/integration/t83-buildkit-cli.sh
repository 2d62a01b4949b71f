#!/bin/bash
# t83-buildkit-cli: `DOCKER_BUILDKIT=1 docker build` with the Debian CLI 20.10
# builds FROM the local image through sockwarden under the default policy:
# the CLI opens POST /session, sends /build?version=2&remote=client-session
# and serves the context over the session; the image holds the context's file
# and its RUN step's output.  The same build with `--network host` is refused
# with sockwarden's message (rule build) and builds nothing.
# CLI 28 (/usr/local/bin/docker): its BuildKit builder is the buildx plugin,
# which is not installed here (no Debian package; buildx drives the engine's
# BuildKit over /grpc, issue 12); then `DOCKER_BUILDKIT=1` must fail with
# the CLI's own "buildx component is missing", the test says so in a NOTE and
# checks what CLI 28 does build: its default `docker build` falls back to
# the classic builder, through sockwarden, and `--network host` is refused.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
sw_proxy_start

ctx=$TEST_DIR/ctx
mkdir -p "$ctx"
word=ctx-$$-$RANDOM	# new to the build cache: the RUN step really runs
echo "$word" > "$ctx/word.txt"
cat > "$ctx/Dockerfile" <<EOF2
FROM $SW_IMAGE
COPY word.txt /word.txt
RUN echo "ran-\$(cat /word.txt)" > /ran.txt
EOF2

# built_ok CLI TAG WHAT: the image TAG holds the context's file and the RUN output
built_ok() {
	local out
	out=$(sw_timed "$1" -H "unix://$SW_SOCK" run --rm "$2" cat /word.txt /ran.txt 2>&1) ||
	    fail "$3: cannot run the built image $2: $out"
	assert_eq "$(printf '%s\nran-%s' "$word" "$word")" "$out" "$3: the built image's files"
}

# refused_host CLI WHAT ENV...: --network host is refused by rule build,
# and the CLI prints sockwarden's message.  CLI 20.10's BuildKit path has a
# race of its own: when /build fails before its session goroutine has
# dialled, the session is opened afterwards and served forever, and the
# CLI hangs without printing (seen about once in 20 tries, also straight
# against the engine with a build it refuses at once, e.g. --isolation
# bogus).  Such a hang is retried (twice) and noted; a wrong answer is not.
refused_host() {
	local cli=$1 what=$2 out tag try rc
	shift 2
	tag=$(sw_name hostnet):latest
	for try in 1 2 3; do
		rc=0
		out=$(cd "$ctx" && { [ $# = 0 ] || export "$@"; } &&
		    SW_CMD_TIMEOUT=30 sw_timed "$cli" -H "unix://$SW_SOCK" \
			build --network host -t "$tag" . 2>&1) || rc=$?
		[ $rc = 124 ] || [ $rc = 137 ] || break
		note "$what: build --network host: the CLI hung after the refusal (its session race), try $try"
	done
	[ $rc != 0 ] || fail "$what: build --network host succeeded: $out"
	assert_match "$out" "sockwarden: image build denied by rule build: build networkmode 'host' is not allowed" \
	    "$what: build --network host (status $rc)"
	dk_direct image inspect "$tag" > /dev/null 2>&1 &&
	    fail "$what: build --network host made the image $tag"
	return 0
}

# --- CLI 20.10, BuildKit
tag=$(sw_name bk20):latest
out=$(cd "$ctx" && DOCKER_BUILDKIT=1 sw_timed "$DOCKER_CLI" -H "unix://$SW_SOCK" \
    build --progress plain -t "$tag" . 2>&1) ||
    fail "DOCKER_BUILDKIT=1 docker build (CLI 20.10) failed: $out"
# BuildKit's plain progress, not the classic builder's "Step 1/3"
assert_match "$out" "\[3/3\] RUN echo" "CLI 20.10 BuildKit progress"
assert_not_contains "$out" "Step 1/3" "CLI 20.10 BuildKit progress"
built_ok "$DOCKER_CLI" "$tag" "CLI 20.10 BuildKit build"
# the session's audit record is written when its tunnel closes
allowed() {
	grep '^{"type":"audit"' "$SW_DIR/sw.log" | jq -r 'select(.decision == "allow") |
	    "\(.status) \(.method) \(.path)"' > "$TEST_DIR/allowed"
	grep -Eq '^101 POST (/v1\.[0-9]+)?/session$' "$TEST_DIR/allowed"
}
wait_for 20 allowed ||
    fail "CLI 20.10 BuildKit: no session (POST /session, 101) was opened: $(cat "$TEST_DIR/allowed")"
grep -Eq '^200 POST /v1\.[0-9]+/build\?.*remote=client-session.*&session=[a-z0-9]+.*version=2' \
    "$TEST_DIR/allowed" ||
    fail "CLI 20.10 BuildKit: no /build?version=2&remote=client-session: $(grep ' /v1.*/build' "$TEST_DIR/allowed")"
refused_host "$DOCKER_CLI" "CLI 20.10 BuildKit" DOCKER_BUILDKIT=1

# --- CLI 28
if [ -x "$DOCKER_CLI_NEW" ]; then
	new=$DOCKER_CLI_NEW
	classic=	# how CLI 28 is made to use the classic builder
	if "$new" buildx version > /dev/null 2>&1; then
		note "CLI 28 has buildx: its BuildKit build goes over /grpc (denied by ci until issue 12), not tested here"
		classic=DOCKER_BUILDKIT=0
	else
		out=$(cd "$ctx" && export DOCKER_BUILDKIT=1 &&
		    sw_timed "$new" -H "unix://$SW_SOCK" build -t "$(sw_name bk28):latest" . 2>&1) &&
		    fail "CLI 28 with DOCKER_BUILDKIT=1 built without buildx: $out"
		assert_contains "$out" "buildx component is missing" "CLI 28 DOCKER_BUILDKIT=1 without buildx"
		note "CLI 28's BuildKit builder needs the buildx plugin (not installed, no Debian package): only its classic fallback is tested"
	fi
	tag=$(sw_name classic28):latest
	out=$(cd "$ctx" && { [ -z "$classic" ] || export "$classic"; } &&
	    sw_timed "$new" -H "unix://$SW_SOCK" build -t "$tag" . 2>&1) ||
	    fail "docker build (CLI 28, classic builder) failed: $out"
	assert_contains "$out" "Step 3/3 : RUN echo" "CLI 28 classic build progress"
	built_ok "$new" "$tag" "CLI 28 build"
	refused_host "$new" "CLI 28" $classic
else
	[ "$CI" != true ] || fail "no CLI 28 at $DOCKER_CLI_NEW"
	note "no CLI 28 at $DOCKER_CLI_NEW: only CLI 20.10 tested"
fi
sw_proxy_stop
