#!/bin/bash
# t92-jobs: one socket per job (issue 10), through the control socket and
# the `sockwarden job` CLI, against the real engine.
#   1. two jobs each make containers, a volume and a network through their
#      own socket and see only their own; closing one removes all of its
#      objects and leaves the other's untouched; the control socket answers
#      root only (the peer's uid, whatever the file mode)
#   2. a job closed while it follows `docker logs -f` and `docker events`:
#      both end promptly, its socket is gone, a new connection is refused
#   3. quotas: the (n+1)th container, a memory total over the quota, and the
#      TTL (the job is closed and reaped)
#   4. restart with two jobs open: both sockets work afterwards; kill -9
#      with jobs open: they are restored (the documented choice), objects
#      and quotas included
#   5. engine down during `job close`: the reap is retried and completes
#      once the engine is back
# The engine sits behind a socat relay this test starts and kills (t40's
# way), so the shared engine is never disturbed.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
command -v socat > /dev/null || skip "socat not installed"
command -v setpriv > /dev/null || skip "setpriv (util-linux) not installed"

chmod 755 "$TEST_DIR"
mkdir -m 0755 "$TEST_DIR/relay"
relay=$TEST_DIR/relay/relay.sock
RELAY_PID=
relay_start() {
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
relay_start

CTL=$TEST_DIR/ctl.sock
printf 'control_listen %s\njob_dir %s\njob_state_dir %s\n' "$CTL" \
    "$TEST_DIR/jobs" "$TEST_DIR/state" > "$TEST_DIR/sw.conf"
SW_UPSTREAM=unix:$relay
export SW_UPSTREAM
sw_proxy_start --config "$TEST_DIR/sw.conf"

job() {		# the CLI, as a runner calls it
	sw_timed "$SOCKWARDEN" --control "$CTL" job "$@"
}
jdk() {		# SOCKET ARGS...: the docker CLI on a job's socket
	local s=$1
	shift
	sw_timed "$DOCKER_CLI" -H "unix://$s" "$@"
}
owned() {	# TENANT: every object on the engine carrying its owner label
	{ dk_direct ps -aq --no-trunc --filter "label=io.sockwarden.owner=$1"
	  dk_direct volume ls -q --filter "label=io.sockwarden.owner=$1"
	  dk_direct network ls -q --filter "label=io.sockwarden.owner=$1"; } |
	    sort
}
none_owned() {	# TENANT: nothing on the engine is its
	[ -z "$(owned "$1")" ]
}
refused() {	# SOCKET: nothing there any more, a connection is refused
	[ ! -e "$1" ] && [ "$(sw_http_code "$1" /_ping)" = 000 ]
}
gone() {	# PID: the process ended
	! kill -0 "$1" 2> /dev/null
}
no_state() {	# ID: its state file is gone
	[ ! -e "$TEST_DIR/state/$1.json" ]
}
J=swit$$		# job IDs unique to this run

# ---------------------------------------------------------------- 1.
out=$(job open "$J-a" --label ci.job=a) || fail "job open a: $out"
sa=$(printf '%s\n' "$out" | tail -n 1)
sb=$(job open "$J-b" | tail -n 1) || fail "job open b"
assert_eq "$TEST_DIR/jobs/$J-a/docker.sock" "$sa" "job a's socket path (last line)"
[ -S "$sb" ] || fail "job b's socket $sb is not a socket"
out=$(job open "$J-a" 2>&1) && fail "a second open of job a worked: $out"
assert_contains "$out" "is already open" "second open of job a"

for x in a b; do
	s=$sa
	[ $x = b ] && s=$sb
	n=$(sw_name "$x")
	jdk "$s" run -d --name "$n-run" "$SW_IMAGE" sleep 600 > /dev/null || fail "$x: run"
	jdk "$s" create --name "$n-stopped" "$SW_IMAGE" true > /dev/null || fail "$x: create"
	jdk "$s" volume create "$n-vol" > /dev/null || fail "$x: volume create"
	jdk "$s" network create "$n-net" > /dev/null || fail "$x: network create"
done
na=$(sw_name a)
nb=$(sw_name b)
assert_eq "j:$J-a" "$(dk_direct inspect -f '{{index .Config.Labels "io.sockwarden.owner"}}' "$na-run")" \
    "owner label of a container job a made"
assert_eq "$(printf '%s\n' "$na-run" "$na-stopped" | sort)" \
    "$(jdk "$sa" ps -a --format '{{.Names}}' | sort)" "job a's docker ps -a"
assert_eq "$nb-vol" "$(jdk "$sb" volume ls -q)" "job b's volume ls"
assert_eq "$nb-net" "$(jdk "$sb" network ls --format '{{.Name}}')" "job b's network ls"
out=$(jdk "$sb" inspect "$na-run" 2>&1) && fail "job b inspected job a's container"
assert_contains "$out" "No such" "job b inspecting job a's container"

list=$(job list) || fail "job list: $list"
assert_match "$list" "$J-a +open +1/2 +1 +1 " "job list row of job a (running/containers, volumes, networks)"
[ "$(owned "j:$J-a" | wc -l)" = 4 ] || fail "job a owns $(owned "j:$J-a" | wc -l) objects, not 4"
before_b=$(owned "j:$J-b")
[ "$(printf '%s\n' "$before_b" | wc -l)" = 4 ] || fail "job b owns not 4 objects: $before_b"

out=$(job close "$J-a") || fail "job close a: $out"
assert_contains "$out" "removed 2 containers, 1 volumes, 1 networks" "job close a"
none_owned "j:$J-a" || fail "job a's objects left after close: $(owned "j:$J-a")"
refused "$sa" || fail "job a's socket still there or answering after close"
[ ! -e "$TEST_DIR/jobs/$J-a" ] || fail "job a's directory left behind"
no_state "$J-a" || fail "job a's state file left behind"
assert_eq "$before_b" "$(owned "j:$J-b")" "job b's objects after closing job a"
assert_eq "$nb-run" "$(jdk "$sb" ps --format '{{.Names}}')" "job b still works"
out=$(job close "$J-a" 2>&1) && fail "closing job a twice worked: $out"
assert_contains "$out" "no such job" "second close of job a"

# the control socket is root's: the peer's uid decides, not the mode
chmod 666 "$CTL"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$SOCKWARDEN" --control "$CTL" job list 2>&1) && fail "job list as uid 65534 worked: $out"
assert_contains "$out" "permission denied: the control socket is root's" "job list as uid 65534"
chmod 600 "$CTL"

# ---------------------------------------------------------------- 2.
sc=$(job open "$J-c" | tail -n 1) || fail "job open c"
nc=$(sw_name c)
jdk "$sc" run -d --name "$nc-log" "$SW_IMAGE" sh -c 'while :; do echo tick; sleep 1; done' \
    > /dev/null || fail "c: run"
sw_bg "$TEST_DIR/logs.out" "$DOCKER_CLI" -H "unix://$sc" logs -f "$nc-log"
logs_pid=$SW_BG_PID
sw_bg "$TEST_DIR/events.out" "$DOCKER_CLI" -H "unix://$sc" events
events_pid=$SW_BG_PID
wait_for 20 grep -q tick "$TEST_DIR/logs.out" || fail "docker logs -f shows nothing"
# the events stream is up once sockwarden relays its response
wait_for 20 sh -c "grep -q '\"operation\":\"system.events\"' '$SW_DIR/sw.log' ||
    grep -q 'GET /v1.[0-9]*/events' '$SW_DIR/sw.log'" || true
sleep 1
gone "$events_pid" && fail "docker events ended before the close: $(cat "$TEST_DIR/events.out")"
out=$(job close "$J-c") || fail "job close c: $out"
wait_for 10 gone "$logs_pid" || fail "docker logs -f still running 10 s after job close"
wait_for 10 gone "$events_pid" || fail "docker events still running 10 s after job close"
refused "$sc" || fail "job c's socket still there or answering"
none_owned "j:$J-c" || fail "job c's objects left: $(owned "j:$J-c")"

# ---------------------------------------------------------------- 3.
sd=$(job open "$J-d" --max-containers 2 | tail -n 1) || fail "job open d"
nd=$(sw_name d)
jdk "$sd" create --name "$nd-1" "$SW_IMAGE" true > /dev/null || fail "d: first container"
jdk "$sd" create --name "$nd-2" "$SW_IMAGE" true > /dev/null || fail "d: second container"
out=$(jdk "$sd" create --name "$nd-3" "$SW_IMAGE" true 2>&1) && fail "d: a third container was created"
assert_contains "$out" "sockwarden: container create denied by rule quota: the job has 2 containers, its quota is containers 2" \
    "the container quota's denial"
dk_direct inspect "$nd-3" > /dev/null 2>&1 && fail "d: the refused container exists"
jdk "$sd" rm "$nd-2" > /dev/null || fail "d: rm"
jdk "$sd" create --name "$nd-3" "$SW_IMAGE" true > /dev/null || fail "d: a container after one was removed"
grep '"rule":"quota"' "$SW_DIR/sw.log" | grep -q "\"job\":\"$J-d\"" ||
    fail "no audit record of the quota denial naming job $J-d"
job close "$J-d" > /dev/null || fail "job close d"

se=$(job open "$J-e" --max-memory 64m | tail -n 1) || fail "job open e"
ne=$(sw_name e)
jdk "$se" create --name "$ne-1" --memory 32m "$SW_IMAGE" true > /dev/null || fail "e: 32m"
out=$(jdk "$se" create --name "$ne-2" --memory 48m "$SW_IMAGE" true 2>&1) && fail "e: 32m + 48m passed a 64m quota"
assert_contains "$out" "denied by rule quota: its containers would have 83886080 bytes of memory, the job's quota is memory 67108864" \
    "the memory quota's denial"
out=$(jdk "$se" create --name "$ne-3" "$SW_IMAGE" true 2>&1) && fail "e: a container without --memory under a memory quota"
assert_contains "$out" "needs a memory limit" "no --memory under a memory quota"
jdk "$se" create --name "$ne-4" --memory 32m "$SW_IMAGE" true > /dev/null || fail "e: 32m + 32m"
job close "$J-e" > /dev/null || fail "job close e"

sf=$(job open "$J-f" --ttl 3s | tail -n 1) || fail "job open f"
jdk "$sf" run -d --name "$(sw_name f)" "$SW_IMAGE" sleep 600 > /dev/null || fail "f: run"
wait_for 20 refused "$sf" || fail "job f's socket still there 20 s after its 3 s TTL"
wait_for 20 none_owned "j:$J-f" || fail "job f's container not reaped after its TTL"
assert_not_contains "$(job list)" "$J-f" "job list after f's TTL"

# ---------------------------------------------------------------- 4.
sg=$(job open "$J-g" --max-containers 5 | tail -n 1) || fail "job open g"
sh_=$(job open "$J-h" | tail -n 1) || fail "job open h"
jdk "$sg" run -d --name "$(sw_name g)" "$SW_IMAGE" sleep 600 > /dev/null || fail "g: run"
sw_proxy_stop
[ -f "$TEST_DIR/state/$J-g.json" ] || fail "no state file for job g after a stop"
sw_proxy_start --config "$TEST_DIR/sw.conf"
assert_eq "$(sw_name g)" "$(jdk "$sg" ps --format '{{.Names}}')" "job g after a restart"
assert_eq "" "$(jdk "$sh_" ps -q)" "job h after a restart"
jdk "$sh_" volume create "$(sw_name hvol)" > /dev/null || fail "h: volume after a restart"
kill -KILL "$SW_PID"
wait "$SW_PID" 2> /dev/null || true
SW_PID=
sw_proxy_start --config "$TEST_DIR/sw.conf"
assert_eq "$(sw_name g)" "$(jdk "$sg" ps --format '{{.Names}}')" "job g restored after kill -9"
assert_eq "$(sw_name hvol)" "$(jdk "$sh_" volume ls -q)" "job h restored after kill -9"
for i in 1 2 3 4; do
	jdk "$sg" create "$SW_IMAGE" true > /dev/null || fail "g: container $((i + 1)) of 5"
done
out=$(jdk "$sg" create "$SW_IMAGE" true 2>&1) && fail "g: the quota was lost in the restart"
assert_contains "$out" "its quota is containers 5" "job g's quota after kill -9"
job close "$J-g" > /dev/null || fail "job close g"
job close "$J-h" > /dev/null || fail "job close h"
none_owned "j:$J-g" && none_owned "j:$J-h" || fail "jobs g, h not reaped"

# ---------------------------------------------------------------- 5.
si=$(job open "$J-i" | tail -n 1) || fail "job open i"
ni=$(sw_name i)
jdk "$si" run -d --name "$ni" "$SW_IMAGE" sleep 600 > /dev/null || fail "i: run"
jdk "$si" volume create "$ni-vol" > /dev/null || fail "i: volume"
relay_kill
out=$(job close "$J-i") || fail "job close i with the engine down: $out"
assert_contains "$out" "not all removed yet" "job close i with the engine down"
refused "$si" || fail "job i's socket still there with the engine down"
assert_match "$(job list)" "$J-i +reaping" "job i is listed as reaping"
[ -f "$TEST_DIR/state/$J-i.json" ] || fail "the pending reap of job i is not kept"
[ "$(owned "j:$J-i" | wc -l)" = 2 ] || fail "job i's objects went while the engine was unreachable?"
sleep 2
relay_start
wait_for 90 none_owned "j:$J-i" || fail "job i not reaped within 90 s of the engine coming back"
wait_for 10 no_state "$J-i" || fail "job i's state file left after its reap"
assert_not_contains "$(job list)" "$J-i" "job list after i's reap"

# the other job was never touched
assert_eq "$before_b" "$(owned "j:$J-b")" "job b's objects at the end"
job close "$J-b" > /dev/null || fail "job close b"
[ -z "$(ls -A "$TEST_DIR/state")" ] || fail "state left: $(ls -A "$TEST_DIR/state")"
sw_proxy_stop
log "ok"
