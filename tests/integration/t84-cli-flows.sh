#!/bin/bash
# t84-cli-flows: everyday docker CLI flows through sockwarden, with the Debian
# CLI 20.10 and CLI 28 (/usr/local/bin/docker), under the default policy:
#   - `rm` and `inspect` of a missing name print the engine's "No such ..."
#     (CLI 28 falls through to GET /plugins/{name}/json: the engine's 404
#     there, not a 403 that makes it print "unexpected inspect error");
#   - `export | import`: a container's files become an image;
#   - `network connect --alias` makes the container reachable by the alias
#     on that network, `network disconnect` takes it off.
# Then a registry from Debian's docker-registry package, with htpasswd
# auth, started on a private loopback port in the engine's network
# namespace (the engine, not the client, talks to it; dockerd trusts plain
# HTTP on 127.0.0.0/8): under ci, `login` to it is refused (rule registry:
# a loopback registry is an SSRF target); under a policy extending ci that
# names that one registry (and its images), with both CLIs: a wrong
# password is the registry's "unauthorized", `login`, `push`, `rmi`,
# `pull` back and run; after `logout` a pull is unauthorized.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REGISTRY=${REGISTRY:-/usr/bin/docker-registry}
[ -x "$REGISTRY" ] || skip "docker-registry not installed (scripts/deps.sh)"
command -v htpasswd > /dev/null || skip "htpasswd not installed (apache2-utils, scripts/deps.sh)"
sw_need_engine
sw_proxy_start

# on CLI: docker through sockwarden with the client CLI
on() {
	local cli=$1
	shift
	sw_timed "$cli" -H "unix://$SW_SOCK" "$@"
}

# cli_version CLI: "20.10.24+dfsg1", "28.2.2"
cli_version() {
	"$1" --version | sed -n 's/^Docker version \([^,]*\),.*/\1/p'
}

for cli in $(sw_clis); do
	v=$(cli_version "$cli")
	tag=cli${v%%.*}		# cli20, cli28
	what="CLI $v"
	missing=$(sw_name "$tag-missing")

	# --- missing names: the engine's words
	out=$(on "$cli" rm "$missing" 2>&1) && fail "$what: rm of a missing name succeeded: $out"
	assert_contains "$out" "No such container: $missing" "$what: rm $missing"
	out=$(on "$cli" inspect "$missing" 2>&1) && fail "$what: inspect of a missing name succeeded: $out"
	assert_contains "$out" "No such object: $missing" "$what: inspect $missing"
	assert_not_contains "$out" "unexpected" "$what: inspect $missing"
	assert_not_contains "$out" "sockwarden" "$what: inspect $missing"

	# --- export | import
	c=$(sw_name "$tag-exp")
	img=$(sw_name "$tag-imported"):latest
	on "$cli" run --name "$c" "$SW_IMAGE" sh -c "echo exported-by-$tag > /marker" > /dev/null ||
	    fail "$what: run $c failed"
	out=$( { on "$cli" export "$c" | on "$cli" import - "$img"; } 2>&1) ||
	    fail "$what: export | import failed: $out"
	assert_eq "exported-by-$tag" "$(on "$cli" run --rm "$img" cat /marker 2>&1)" \
	    "$what: the imported image's /marker"
	on "$cli" rm "$c" > /dev/null || fail "$what: rm $c failed"
	on "$cli" rmi "$img" > /dev/null || fail "$what: rmi $img failed"

	# --- network connect/disconnect --alias
	net=$(sw_name "$tag-net")
	c=$(sw_name "$tag-srv")
	on "$cli" network create "$net" > /dev/null || fail "$what: network create failed"
	on "$cli" run -d --name "$c" "$SW_IMAGE" sleep 300 > /dev/null || fail "$what: run -d $c failed"
	out=$(on "$cli" network connect --alias "srv-$tag" "$net" "$c" 2>&1) ||
	    fail "$what: network connect --alias failed: $out"
	out=$(on "$cli" inspect -f "{{json (index .NetworkSettings.Networks \"$net\").Aliases}}" "$c" 2>&1)
	assert_contains "$out" "\"srv-$tag\"" "$what: the container's aliases on $net"
	out=$(on "$cli" run --rm --network "$net" "$SW_IMAGE" \
	    sh -c "ping -c1 -W5 srv-$tag > /dev/null && echo reached" 2>&1)
	assert_eq reached "$out" "$what: ping srv-$tag from $net"
	out=$(on "$cli" network disconnect "$net" "$c" 2>&1) ||
	    fail "$what: network disconnect failed: $out"
	out=$(on "$cli" inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$c" 2>&1)
	assert_not_contains "$out" "$net" "$what: networks of $c after disconnect"
	on "$cli" rm -f "$c" > /dev/null || fail "$what: rm -f $c failed"
	on "$cli" network rm "$net" > /dev/null || fail "$what: network rm failed"
done

# --- a local registry, in the engine's network namespace
rdir=$TEST_DIR/registry
mkdir -p "$rdir/data"
htpasswd -Bbc "$rdir/htpasswd" swuser "pw-$$" 2> /dev/null || fail "htpasswd failed"
# a port nothing listens on in the engine's namespace
for i in $(seq 1 20); do
	port=$((20000 + RANDOM % 20000))
	sw_engine_netns_exec ss -Hltn "sport = :$port" | grep -q . || break
done
reg=127.0.0.1:$port
cat > "$rdir/config.yml" <<EOF2
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $rdir/data
http:
  addr: $reg
  secret: sockwarden-test-$$
auth:
  htpasswd:
    realm: sockwarden-test
    path: $rdir/htpasswd
EOF2
sw_engine_netns_exec "$REGISTRY" serve "$rdir/config.yml" > "$rdir/log" 2>&1 &
reg_pid=$!
sw_track_pid "$reg_pid"
reg_up() {
	[ "$(sw_engine_netns_exec curl -s -o /dev/null -w '%{http_code}' "http://$reg/v2/")" = 401 ]
}
wait_for 30 reg_up || fail "the registry did not answer 401 on http://$reg/v2/: $(cat "$rdir/log")"

# under ci: the loopback registry is refused
out=$(echo "pw-$$" | on "$DOCKER_CLI" login -u swuser --password-stdin "$reg" 2>&1) &&
    fail "ci allowed a login to the loopback registry $reg: $out"
assert_contains "$out" "sockwarden: registry login denied by rule registry" "login to $reg under ci"
assert_contains "$out" "checks.registry.allow" "login to $reg under ci"

# a policy extending ci that names this one registry and its images
sw_proxy_stop
cat > "$TEST_DIR/registry-policy.json" <<EOF2
// ci, plus the test's registry (lists replace: repeat ci's images)
{ "extends": "ci",
  "checks": { "registry": { "allow": ["$reg"] },
              "images": { "allow": ["docker.io/*", "sha256:*", "$reg/*"] } } }
EOF2
sw_log_from=$(($(wc -l < "$SW_DIR/sw.log") + 1))
sw_proxy_start --policy "$TEST_DIR/registry-policy.json"

for cli in $(sw_clis); do
	v=$(cli_version "$cli")
	tag=cli${v%%.*}
	what="CLI $v"
	ref=$reg/swit/busybox:$tag-$$
	out=$(echo wrong | on "$cli" login -u swuser --password-stdin "$reg" 2>&1) &&
	    fail "$what: login with a wrong password succeeded: $out"
	assert_match "$out" "[Uu]nauthorized" "$what: login with a wrong password"
	out=$(echo "pw-$$" | on "$cli" login -u swuser --password-stdin "$reg" 2>&1) ||
	    fail "$what: login to $reg failed: $out"
	assert_contains "$out" "Login Succeeded" "$what: login"
	on "$cli" tag "$SW_IMAGE" "$ref" || fail "$what: tag $ref failed"
	out=$(on "$cli" push "$ref" 2>&1) || fail "$what: push $ref failed: $out"
	assert_match "$out" "$tag-$$: digest: sha256:[0-9a-f]{64}" "$what: push $ref"
	on "$cli" rmi "$ref" > /dev/null || fail "$what: rmi $ref failed"
	out=$(on "$cli" pull "$ref" 2>&1) || fail "$what: pull $ref failed: $out"
	assert_contains "$out" "Downloaded newer image for $ref" "$what: pull $ref"
	assert_eq pulled "$(on "$cli" run --rm "$ref" echo pulled 2>&1)" "$what: run $ref"
	on "$cli" rmi "$ref" > /dev/null || fail "$what: rmi $ref failed"
	out=$(on "$cli" logout "$reg" 2>&1) || fail "$what: logout failed: $out"
	out=$(on "$cli" pull "$ref" 2>&1) && fail "$what: pull without login succeeded: $out"
	assert_match "$out" "[Uu]nauthorized|no basic auth credentials" "$what: pull after logout"
done
# nothing refused under the registry policy (the first run's refusal was
# the point of it)
tail -n "+$sw_log_from" "$SW_DIR/sw.log" > "$TEST_DIR/sw-registry.log"
sw_denials "$TEST_DIR/sw-registry.log" | grep -E '^(400|403) ' > "$TEST_DIR/denials" || true
[ ! -s "$TEST_DIR/denials" ] || fail "sockwarden refused requests: $(cat "$TEST_DIR/denials")"
sw_proxy_stop

kill -TERM "$reg_pid" 2> /dev/null || true
reg_gone() {
	case $(ps -o stat= -p "$reg_pid" 2> /dev/null) in "" | Z*) return 0 ;; esac
	return 1
}
wait_for 10 reg_gone || fail "the registry (pid $reg_pid) did not stop"
wait "$reg_pid" 2> /dev/null || true
