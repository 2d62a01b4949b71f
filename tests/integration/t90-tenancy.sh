#!/bin/bash
# t90-tenancy: jobs are tenants (issue 9), with the default policy.
#
# Two CI-job containers A and B share one sockwarden socket (as a runner
# gives them the same substitute docker.sock); then two host clients use
# two listeners.  B cannot inspect, exec into, copy into or out of, export,
# stop, kill, rename, update or remove A's container, cannot join A's
# namespaces, connect to A's network or mount A's volume; each sees only its
# own objects in ps, volume ls, network ls and events; B's container prune
# leaves A's stopped container.  Objects created directly on the engine are
# nobody's and out of reach; a forged owner label is refused; the forwarded
# request names the full ID it was decided on.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

chmod 755 "$TEST_DIR" "$SW_DIR"
cat > "$TEST_DIR/policy.json" <<EOF
{ "extends": "ci",
  "checks": { "binds": { "roots": [ { "path": "$SW_DIR/sw.sock",
                                      "socket": true } ] } } }
EOF
sw_proxy_start --policy "$TEST_DIR/policy.json"

A=$(sw_name job-a)
B=$(sw_name job-b)
pa=$(sw_name pa)
# The runner starts the job containers on the engine itself, each with the
# substitute socket as its docker.sock.
for j in "$A" "$B"; do
	dk_direct run -d --name "$j" -v "$SW_SOCK:/var/run/docker.sock" \
	    "$SW_CIJOB_IMAGE" sleep 600 > /dev/null || fail "job container $j"
done
in_job() {	# JOB CMD...: run a docker command inside a job container
	local j=$1
	shift
	sw_timed "$DOCKER_CLI" -H "unix://$ENGINE_SOCK" exec "$j" "$@" 2>&1
}

# --- A makes its objects through sockwarden
out=$(in_job "$A" docker run -d --name "$pa-run" "$SW_IMAGE" sleep 600) || fail "A: run: $out"
out=$(in_job "$A" docker run --name "$pa-stopped" "$SW_IMAGE" true) || fail "A: stopped: $out"
out=$(in_job "$A" docker volume create "$pa-vol") || fail "A: volume: $out"
out=$(in_job "$A" docker network create "$pa-net") || fail "A: network: $out"
owner=$(dk_direct inspect -f '{{index .Config.Labels "io.sockwarden.owner"}}' "$pa-run")
aid=$(dk_direct inspect -f '{{.Id}}' "$A")
assert_eq "c:$aid" "$owner" "owner label of A's container (A's tenant)"

# --- B cannot reach any of it: the engine's own "No such ..." answers
nosuch() {	# WHAT CMD...: fails like a missing object
	local what=$1 out
	shift
	if out=$(in_job "$B" "$@"); then
		fail "B could $what A's object: $out"
	fi
	case $out in
	*"No such container"*|*"No such object"*|*"no such volume"*|*"not found"*|*"No such network"*|*"No such volume"*) ;;
	*) fail "B: $what: expected a missing-object error, got: $out" ;;
	esac
}
nosuch inspect docker inspect "$pa-run"
nosuch "exec into" docker exec "$pa-run" true
nosuch "copy out of" docker cp "$pa-run:/etc/hostname" /tmp/x
nosuch "copy into" docker cp /etc/hostname "$pa-run:/tmp/x"
nosuch export docker export -o /tmp/x.tar "$pa-run"
nosuch stop docker stop -t 1 "$pa-run"
nosuch kill docker kill "$pa-run"
nosuch rename docker rename "$pa-run" "$pa-stolen"
nosuch update docker update --memory 64m "$pa-run"
nosuch remove docker rm "$pa-stopped"
nosuch "read the logs of" docker logs "$pa-run"
nosuch "start" docker start "$pa-stopped"
nosuch "join the pid namespace of" docker run --rm --pid "container:$pa-run" "$SW_IMAGE" true
nosuch "inherit the volumes of" docker run --rm --volumes-from "$pa-run" "$SW_IMAGE" true
nosuch "mount the volume of" docker run --rm -v "$pa-vol:/x" "$SW_IMAGE" true
nosuch "use the network of" docker run --rm --network "$pa-net" "$SW_IMAGE" true
out=$(in_job "$B" docker run -d --name "$pa-b1" "$SW_IMAGE" sleep 600) || fail "B: run: $out"
nosuch "connect to the network of" docker network connect "$pa-net" "$pa-b1"
nosuch "remove the network of" docker network rm "$pa-net"
nosuch "remove the volume of" docker volume rm "$pa-vol"
assert_eq running "$(dk_direct inspect -f '{{.State.Status}}' "$pa-run")" "A's container after B's tries"

# --- each sees its own
assert_eq "$(printf '%s\n%s' "$pa-run" "$pa-stopped" | sort)" \
    "$(in_job "$A" docker ps -a --format '{{.Names}}' | sort)" "A's docker ps -a"
assert_eq "$pa-b1" "$(in_job "$B" docker ps -a --format '{{.Names}}')" "B's docker ps -a"
assert_eq "$pa-vol" "$(in_job "$A" docker volume ls -q)" "A's volume ls"
assert_eq "" "$(in_job "$B" docker volume ls -q)" "B's volume ls"
assert_contains "$(in_job "$A" docker network ls --format '{{.Name}}')" "$pa-net"
assert_not_contains "$(in_job "$B" docker network ls --format '{{.Name}}')" "$pa-net"

# --- events: B does not see A's container die
since=$(date +%s)
in_job "$A" docker stop -t 1 "$pa-run" > /dev/null || fail "A: stop"
until=$(( $(date +%s) + 1 ))
ev_b=$(in_job "$B" docker events --since "$since" --until "$until" --format '{{.Actor.Attributes.name}} {{.Action}}')
assert_not_contains "$ev_b" "$pa-run" "B's events"
ev_a=$(in_job "$A" docker events --since "$since" --until "$until" --format '{{.Actor.Attributes.name}} {{.Action}}')
assert_contains "$ev_a" "$pa-run die" "A's events"

# --- B's prune leaves A's stopped containers
in_job "$B" docker container prune -f > /dev/null || fail "B: prune"
dk_direct inspect "$pa-stopped" > /dev/null 2>&1 || fail "B's prune removed A's stopped container"
in_job "$A" docker container prune -f > /dev/null || fail "A: prune"
dk_direct inspect "$pa-stopped" > /dev/null 2>&1 && fail "A's prune left its own stopped container"

# --- objects made on the engine directly are nobody's
direct=$(sw_name direct)
dk_direct create --name "$direct" "$SW_IMAGE" sleep 60 > /dev/null
dk_direct volume create --driver local --opt type=none --opt o=bind --opt device=/etc "$direct-vol" > /dev/null
nosuch "inspect a container made outside" docker inspect "$direct"
nosuch "start a container made outside" docker start "$direct"
nosuch "copy into a container made outside" docker cp /etc/hostname "$direct:/tmp/x"
nosuch "read the logs of a container made outside" docker logs "$direct"
nosuch "exec into a container made outside" docker exec "$direct" true
nosuch "mount a volume made outside" docker run --rm -v "$direct-vol:/x" "$SW_IMAGE" true

# --- a forged owner is refused
out=$(in_job "$B" docker run --rm --label "io.sockwarden.owner=c:$aid" "$SW_IMAGE" true) &&
    fail "forged owner label accepted: $out"
assert_contains "$out" "denied by rule ownership"

# --- the forwarded request names the full ID it was decided on
bid=$(dk_direct inspect -f '{{.Id}}' "$pa-b1")
in_job "$B" docker stop -t 1 "$pa-b1" > /dev/null || fail "B: stop its own"
grep -q "\"path\":\"/v1.[0-9]*/containers/$bid/stop" "$SW_DIR/sw.log" ||
    fail "the stop was not forwarded with the full ID"

# --- two listeners: two host callers, one tenant each
sw_proxy_stop
printf 'listener la %s/la.sock mode=0666 identity=listener\nlistener lb %s/lb.sock mode=0666 identity=listener\n' \
    "$SW_DIR" "$SW_DIR" > "$TEST_DIR/sw.conf"
sw_proxy_start --policy "$TEST_DIR/policy.json" --config "$TEST_DIR/sw.conf"
da() { sw_timed "$DOCKER_CLI" -H "unix://$SW_DIR/la.sock" "$@" 2>&1; }
db() { sw_timed "$DOCKER_CLI" -H "unix://$SW_DIR/lb.sock" "$@" 2>&1; }
out=$(da run -d --name "$pa-la" "$SW_IMAGE" sleep 600) || fail "la: run: $out"
assert_eq "l:la" "$(dk_direct inspect -f '{{index .Config.Labels "io.sockwarden.owner"}}' "$pa-la")" "owner via listener la"
out=$(db inspect "$pa-la") && fail "listener lb inspected la's container: $out"
assert_contains "$out" "No such"
assert_eq "" "$(db ps -aq)" "lb's ps -a"
assert_eq "$pa-la" "$(da ps -a --format '{{.Names}}')" "la's ps -a"
note "tenancy: B refused on 20 operations on A's objects and 6 on objects made outside sockwarden"
