#!/bin/bash
# t73-policy-workspace: no false positives with a site policy.  A --policy
# file extends ci and adds a writable workspace bind root and a read-only
# cache root (docs/policy.md); a representative CI flow runs through it:
# a job container writes into the bind-mounted workspace (the file appears
# on the host), reads the read-only cache, uses a named volume and an exec;
# 45 sets of everyday docker create flags are not denied;
# binds outside the roots, below the writable root, writable binds of the
# read-only root and non-canonical spellings are still denied by rule binds.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

WS=$TEST_DIR/ws
CACHE=$TEST_DIR/cache
mkdir -p "$WS" "$CACHE/sub" "$TEST_DIR/outside"
echo cached > "$CACHE/sub/c"
# sockwarden (as its own user) checks bind sources on the host: like a real
# workspace directory, the roots must be reachable by it
chmod 755 "$TEST_DIR"
cat > "$TEST_DIR/policy.json" <<EOF
// t73: ci plus a writable workspace and a read-only cache
{
  "extends": "ci",
  "checks": {
    "binds": { "roots": [ { "path": "$WS" },
                          { "path": "$CACHE", "readonly": true } ] }
  }
}
EOF
assert_eq "policy OK" "$("$SOCKWARDEN" check "$TEST_DIR/policy.json")" "sockwarden check"
sw_proxy_start --policy "$TEST_DIR/policy.json"

# --- the flow
job=$(sw_name t73-job)
dk run --rm --name "$job" -v "$WS:/ws" "$SW_IMAGE" sh -c 'echo ok > /ws/f' ||
    fail "docker run -v \$WS:/ws through the workspace policy failed"
[ -f "$WS/f" ] || fail "the job's file is not in the workspace on the host"
assert_eq ok "$(cat "$WS/f")" "workspace file written by the job"
# --mount spelling of the same root, and reading the file back
assert_eq ok "$(dk run --rm --mount "type=bind,src=$WS,dst=/ws" "$SW_IMAGE" cat /ws/f)" \
    "--mount type=bind of the workspace root"
# read-only cache root: read-only binds of it and below it (subpaths defaults
# to readonly) are admitted
assert_eq cached "$(dk run --rm -v "$CACHE:/cache:ro" "$SW_IMAGE" cat /cache/sub/c)" \
    "read-only bind of the cache root"
assert_eq cached "$(dk run --rm -v "$CACHE/sub:/c:ro" "$SW_IMAGE" cat /c/c)" \
    "read-only bind below the cache root"
assert_eq cached "$(dk run --rm --mount "type=bind,src=$CACHE/sub,dst=/c,readonly" \
    "$SW_IMAGE" cat /c/c)" "--mount readonly below the cache root"
# the rest of a CI job: named volume, detached container, exec, logs, rm
vol=$(sw_name t73-vol)
dk volume create "$vol" > /dev/null
dk run --rm -v "$vol:/v" -v "$WS:/ws" "$SW_IMAGE" sh -c 'cp /ws/f /v/f' ||
    fail "volume + workspace run failed"
svc=$(sw_name t73-svc)
dk run -d --name "$svc" -v "$vol:/v:ro" "$SW_IMAGE" sh -c 'cat /v/f; sleep 60' > /dev/null
assert_eq ok "$(dk exec "$svc" cat /v/f)" "exec in a container with the volume"
for i in $(seq 1 50); do
	[ "$(dk logs "$svc" 2>&1)" = ok ] && break
	sleep 0.1
done
assert_eq ok "$(dk logs "$svc" 2>&1)" "logs of $svc"
dk rm -f "$svc" > /dev/null
dk volume rm "$vol" > /dev/null

# --- everyday docker create flags are not denied (no false positives); the
# containers are only created, and removed together afterwards
cat > "$TEST_DIR/flags" <<'EOF'
--init
--read-only --tmpfs /tmp
-e FOO=bar -e PATH=/bin
--user 1000:1000
--user root
--memory 64m --memory-swap 128m --memory-reservation 32m
--cpus 0.5
--cpu-shares 512 --cpuset-cpus 0
--pids-limit 100
--restart on-failure:3
--label a=b --label com.example.x=y
--log-driver json-file --log-opt max-size=1m --log-opt max-file=2
--log-driver local
--log-driver none
--health-cmd true --health-interval 5s --health-retries 2
--cap-drop ALL
--cap-drop ALL --cap-add CHOWN --cap-add NET_BIND_SERVICE --cap-add cap_kill
--ulimit nofile=1024:2048
--shm-size 128m
--add-host x:1.2.3.4
--dns 8.8.8.8 --dns-search example.com --dns-option ndots:2
--hostname h1 --domainname example.com
--entrypoint /bin/true
-w /tmp
--stop-signal SIGINT --stop-timeout 5
--security-opt no-new-privileges
--security-opt no-new-privileges:true
-p 18081:80 --expose 80
-p 127.0.0.1::80 -p 8080
--mount type=tmpfs,dst=/t,tmpfs-size=1m
--mount type=volume,dst=/v
-v /data
--network none
--oom-score-adj 100
--ipc private
--ipc shareable
--cgroupns private
--platform linux/amd64
-t -i
--blkio-weight 500
--group-add 10
--privileged=false
--runtime runc
--mac-address 02:42:ac:11:00:99
--volume-driver local
EOF
fp=0
while read -r args; do
	fp=$((fp + 1))
	rc=0
	# shellcheck disable=SC2086
	out=$(dk create --name "$(sw_name "t73-flags-$fp")" $args "$SW_IMAGE" true 2>&1 < /dev/null) || rc=$?
	case $out in
	*sockwarden*) fail "false positive: docker create $args -> $out" ;;
	esac
	[ $rc -eq 0 ] || fail "docker create $args failed: $out"
done < "$TEST_DIR/flags"
# shellcheck disable=SC2046
dk rm $(dk ps -aq --filter "name=$(sw_name t73-flags-)") > /dev/null
note "$fp everyday flag sets created without a denial"

# --- still denied
n=0
bind_denied() {
	local out rc=0 name
	n=$((n + 1))
	name=$(sw_name "t73-deny-$n")
	out=$(dk run --rm --name "$name" "$@" "$SW_IMAGE" true 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "[docker run $*] succeeded under the workspace policy"
	assert_contains "$out" "Error response from daemon: sockwarden: container create denied by rule binds: " \
	    "[docker run $*]"
	[ -z "$(dk_direct ps -a -q --filter "name=^/$name\$")" ] ||
	    fail "engine has container $name after [docker run $*] was denied"
}
bind_denied -v "$TEST_DIR/outside:/x"			# outside every root
bind_denied -v "/etc:/x:ro"
bind_denied -v "/:/host"
bind_denied -v "$WS/sub:/x"				# below a writable root (no subpaths)
bind_denied -v "$WS/../outside:/x"			# non-canonical
bind_denied -v "$WS/:/x"				# trailing slash
bind_denied -v "$(dirname "$WS")//$(basename "$WS"):/x"	# double slash
bind_denied -v "$CACHE:/cache"				# writable bind of a read-only root
bind_denied -v "$CACHE/sub:/c"
bind_denied --mount "type=bind,src=$CACHE/sub,dst=/c"
bind_denied --mount "type=bind,src=$TEST_DIR,dst=/x"	# parent of the roots
bind_denied -v "/run/sockwarden/docker.sock:/var/run/docker.sock"  # lists replace ci's root
bind_denied -v "$WS:/ws:z"				# SELinux relabel of a host path
# other checks of ci still apply to workspace binds
out=$(dk run --rm -v "$WS:/ws:rshared" "$SW_IMAGE" true 2>&1) &&
    fail "rshared bind of the workspace was allowed"
assert_contains "$out" "denied by rule propagation: " "rshared workspace bind"
out=$(dk run --rm --privileged -v "$WS:/ws" "$SW_IMAGE" true 2>&1) &&
    fail "privileged run with the workspace was allowed"
assert_contains "$out" "denied by rule privileged: " "privileged workspace run"
assert_eq "f" "$(ls "$WS")" "nothing else was written to the workspace"
sw_proxy_stop
