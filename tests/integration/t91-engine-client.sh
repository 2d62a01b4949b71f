#!/bin/bash
# t91-engine-client: the daemon's own engine client and object cache
# (daemon/engine/) against the real engine, driven by the engine_probe
# test tool (tests/unit/engine_probe.c) on the daemon's event loop.
# Objects are made directly on the engine; the probe resolves them by name,
# "/name", ID prefix and full ID (the engine's own rules), answers again
# from its cache, and forgets what the engine's events say changed: a
# rename frees the old name (and a new container taking it is found at
# once: no negative caching), a destroy drops the container and its exec,
# a volume or network removed is dropped too.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
probe=${SW_ENGINE_PROBE:-$(dirname "$SOCKWARDEN")/../tests/engine_probe}
[ -x "$probe" ] || skip "no engine_probe at $probe (build first)"

coproc PROBE { exec "$probe" "$ENGINE_SOCK" 2> "$TEST_DIR/probe.err"; }
probe_pid=$PROBE_PID	# bash unsets PROBE_PID when it ends
sw_track_pid "$probe_pid"
PROBE_IN=${PROBE[1]}
PROBE_OUT=${PROBE[0]}

# ask CMD...: one command to the probe, its one-line answer on stdout
ask() {
	local line
	echo "$*" >&"$PROBE_IN"
	read -r -t "${SW_CMD_TIMEOUT:-120}" line <&"$PROBE_OUT" ||
	    fail "probe: no answer to '$*' ($(cat "$TEST_DIR/probe.err"))"
	echo "$line"
}

assert_eq live "$(ask live)" "the events stream"

# --- a container: by name, /name, full ID from the cache; a prefix is the
# engine's to resolve
c=$(sw_name c)
id=$(dk_direct create --name "$c" --label io.sockwarden.owner=l:probe \
    "$SW_IMAGE" true) || fail "create $c"
assert_eq "200 $id name=$c owner=l:probe image=$SW_IMAGE container=- driver=- hit=0" \
    "$(ask look container "$c")" "first look-up"
assert_eq "200 $id name=$c owner=l:probe image=$SW_IMAGE container=- driver=- hit=1" \
    "$(ask look container "$c")" "second look-up"
assert_contains "$(ask look container "/$c")" "$id name=$c" "/name"
assert_contains "$(ask look container "$id")" "hit=1" "full ID"
assert_contains "$(ask look container "${id:0:12}")" "200 $id name=$c" "ID prefix"
assert_match "$(ask look container "$(sw_name nothing)")" "^404 err=No such container" \
    "a missing name"

# --- rename: the event drops the entry; the old name is free
dk_direct rename "$c" "$c-b" || fail "rename"
assert_eq "event rename" "$(ask event rename "$id")"
assert_eq miss "$(ask peek container "$c")" "old name after the rename"
assert_match "$(ask look container "$c")" "^404 err=No such container" "old name"
assert_eq "200 $id name=$c-b owner=l:probe image=$SW_IMAGE container=- driver=- hit=0" \
    "$(ask look container "$c-b")" "new name"
# the free name taken again: found at once ("not found" was not kept)
id2=$(dk_direct create --name "$c" "$SW_IMAGE" true) || fail "re-create $c"
assert_eq "200 $id2 name=$c owner=- image=$SW_IMAGE container=- driver=- hit=0" \
    "$(ask look container "$c")" "the name's new holder"

# --- an exec belongs to its container; the container's destroy drops both
r=$(sw_name run)
rid=$(dk_direct run -d --name "$r" "$SW_IMAGE" sleep 600) || fail "run $r"
eid=$(curl -sS --unix-socket "$ENGINE_SOCK" -H 'Content-Type: application/json' \
    -d '{"Cmd":["true"]}' "http://docker/containers/$rid/exec" |
    sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
[ ${#eid} = 64 ] || fail "exec create: [$eid]"
assert_eq "200 $eid name=- owner=- image=- container=$rid driver=- hit=0" \
    "$(ask look exec "$eid")" "exec"
assert_eq "hit $eid" "$(ask peek exec "$eid")" "exec cached"
assert_eq "hit $rid" "$(ask look container "$r" > /dev/null; ask peek container "$r")"
dk_direct rm -f "$r" > /dev/null || fail "rm $r"
assert_eq "event destroy" "$(ask event destroy "$rid")"
assert_eq miss "$(ask peek exec "$eid")" "exec after its container's destroy"
assert_eq miss "$(ask peek container "$r")" "container after its destroy"

# --- a volume (by name only) and a network (name, ID, prefix)
v=$(sw_name vol)
dk_direct volume create --label io.sockwarden.owner=l:probe "$v" > /dev/null ||
    fail "volume create"
assert_eq "200 $v name=$v owner=l:probe image=- container=- driver=local hit=0" \
    "$(ask look volume "$v")" "volume"
n=$(sw_name net)
nid=$(dk_direct network create "$n") || fail "network create"
assert_eq "200 $nid name=$n owner=- image=- container=- driver=bridge hit=0" \
    "$(ask look network "$n")" "network"
assert_contains "$(ask look network "$nid")" "hit=1" "network by ID"
assert_contains "$(ask look network "${nid:0:10}")" "200 $nid name=$n" "network prefix"
dk_direct volume rm "$v" > /dev/null || fail "volume rm"
assert_eq "event destroy" "$(ask event destroy "$v")"
assert_eq miss "$(ask peek volume "$v")" "volume after its destroy"
dk_direct network rm "$n" > /dev/null || fail "network rm"
assert_eq "event destroy" "$(ask event destroy "$nid")"
assert_eq miss "$(ask peek network "$n")" "network after its destroy"

exec {PROBE_IN}>&-
wait "$probe_pid" || fail "probe exit status $? ($(cat "$TEST_DIR/probe.err"))"
[ ! -s "$TEST_DIR/probe.err" ] || fail "probe: $(cat "$TEST_DIR/probe.err")"
log "resolved, cached and invalidated as the engine's events say"
