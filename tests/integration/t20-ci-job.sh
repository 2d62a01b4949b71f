#!/bin/bash
# t20-ci-job: the "CI job in a container" flow.  A swtest/cijob container
# (busybox + the Debian docker client) gets sockwarden's socket bind-mounted
# at /var/run/docker.sock -- the only engine socket it can see -- and runs
# docker ps, a sibling container and docker images through it.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
# The ci policy admits only the default socket path as a bind; we listen
# elsewhere, so add ours as docs/policy.md says (a socket root: admitted
# only while sockwarden listens there).
cat > "$TEST_DIR/policy.json" <<EOF
{ "extends": "ci",
  "checks": { "binds": { "roots": [ { "path": "$SW_DIR/sw.sock",
                                      "socket": true } ] } } }
EOF
if [ "$SW_DIRECT" = 1 ]; then
	sw_proxy_start
else
	sw_proxy_start --policy "$TEST_DIR/policy.json"
fi

job=$(sw_name job)
sib=$(sw_name sibling)
cat > "$TEST_DIR/job.sh" <<EOF
set -e
echo "== ps"
docker ps --format '{{.Names}}'
echo "== run"
docker run --rm --name $sib $SW_IMAGE echo "sibling says hi"
echo "== images"
docker images --format '{{.Repository}}:{{.Tag}}' | sort
echo "== done"
EOF
out=$(dk run --rm --name "$job" -v "$SW_SOCK:/var/run/docker.sock" \
    "$SW_CIJOB_IMAGE" sh -c "$(cat "$TEST_DIR/job.sh")" 2>&1) ||
    fail "CI job failed: $out"
images=$(dk_direct images --format '{{.Repository}}:{{.Tag}}' | sort)
want=$(printf '== ps\n%s\n== run\nsibling says hi\n== images\n%s\n== done' "$job" "$images")
assert_eq "$want" "$(engine_noise <<<"$out")" "CI job output"
# the sibling ran on the host engine (not nested) and was removed (--rm)
dk_direct ps -a --format '{{.Names}}' | grep -qx "$sib" &&
    fail "sibling container $sib was not removed"
sw_proxy_stop
