#!/bin/bash
# t60-sandbox: started as root with defaults, sockwarden leaves root for an
# unprivileged user that keeps only the engine socket's group, sets
# no_new_privs and runs under its seccomp filter (Seccomp: 2) -- and still
# serves real clients, reloads, reopens its audit log and shuts down
# cleanly (the root helper removes the socket file it cannot remove).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
[ "$(id -u)" = 0 ] || skip "needs root to test the privilege drop"

# TEST_DIR is root's 0700 directory: the dropped user must not need it.
sw_proxy_start --audit-log "$TEST_DIR/audit.log"
st=/proc/$SW_PID/status
uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
gid=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")
groups=$(awk '/^Groups:/ { $1 = ""; print }' "$st" | xargs)
assert_eq 2 "$(awk '/^Seccomp:/ { print $2 }' "$st")" "Seccomp"
assert_eq 1 "$(awk '/^NoNewPrivs:/ { print $2 }' "$st")" "NoNewPrivs"
set -- $uid
[ "$1" != 0 ] && [ "$1" = "$2" ] && [ "$1" = "$3" ] && [ "$1" = "$4" ] ||
    fail "uid after start-up: $uid (expected one non-root uid)"
engine_gid=$(stat -c %g "$ENGINE_SOCK")
assert_eq "$engine_gid" "$groups" "supplementary groups (the engine socket's group only)"
assert_eq 0 "$(awk '/^CapEff:/ { print $2 }' "$st" | sed 's/^0*$/0/')" "CapEff"
note "running as uid $1 gid ${gid%% *} groups [$groups], Seccomp 2, NoNewPrivs 1"

# The root helper: a separate, also sandboxed process.
helper=$(pgrep -P "$SW_PID" || true)
[ -n "$helper" ] || fail "no privileged helper child"
assert_eq 2 "$(awk '/^Seccomp:/ { print $2 }' "/proc/$helper/status")" "helper Seccomp"
assert_eq 1 "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$helper/status")" "helper NoNewPrivs"

# Real work through the sandboxed daemon: run, exec, logs, events.
name=$(sw_name sb)
out=$(dk run --name "$name" "$SW_IMAGE" sh -c 'echo hello from the sandbox') ||
    fail "docker run: $out"
assert_eq "hello from the sandbox" "$out" "docker run output"
assert_eq "hello from the sandbox" "$(dk logs "$name")" "docker logs"
dk rm "$name" > /dev/null || fail "docker rm"
timeout 5 "$DOCKER_CLI" -H "unix://$SW_SOCK" events --since 0 --until "$(( $(date +%s) + 1 ))" \
    > "$TEST_DIR/events.out" || fail "docker events"
grep -q "$name" "$TEST_DIR/events.out" || fail "events missing $name"
# a denied request is answered, not a crash
out=$(dk run --rm --privileged "$SW_IMAGE" true 2>&1) && fail "privileged run allowed"
assert_contains "$out" "denied by rule"

# Every path after start-up: reload, log reopen, shutdown.
kill -HUP "$SW_PID"
wait_for 5 grep -q 'SIGHUP: reloaded' "$SW_DIR/sw.log" || fail "no reload"
mv "$TEST_DIR/audit.log" "$TEST_DIR/audit.log.1"
kill -USR1 "$SW_PID"
wait_for 5 grep -q 'audit log .* reopened' "$SW_DIR/sw.log" || fail "no reopen"
dk version > /dev/null || fail "docker version after reload and reopen"
wait_for 5 test -s "$TEST_DIR/audit.log" || fail "reopened audit log stays empty"
kill -0 "$SW_PID" || fail "sockwarden died"
sock=$SW_SOCK
sw_proxy_stop
[ -e "$sock" ] && fail "socket $sock left behind (root helper did not remove it)"
# gone, or a zombie waiting for whoever inherited it
wait_for 5 sh -c "! kill -0 $helper 2>/dev/null || grep -q '^State:.*Z' /proc/$helper/status" ||
    fail "helper $helper outlived the daemon"
grep -q 'sandbox: system call' "$SW_DIR/sw.log" && fail "seccomp violation: $(grep 'sandbox: system call' "$SW_DIR/sw.log")"

# sandbox off, explicitly: no filter, still no root
SW_EXPECT_SANDBOX=0 sw_proxy_start --sandbox off
assert_eq 0 "$(awk '/^Seccomp:/ { print $2 }' "/proc/$SW_PID/status")" "Seccomp with sandbox off"
sw_proxy_stop

# An explicit user that cannot be found is a start-up error, not root.
rc=0
"$SOCKWARDEN" --listen "$TEST_DIR/x.sock" --upstream "unix:$ENGINE_SOCK" \
    --foreground --user no-such-user-sw > "$TEST_DIR/x.out" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "--user no-such-user-sw started"
assert_contains "$(cat "$TEST_DIR/x.out")" "no such user 'no-such-user-sw'"
[ -e "$TEST_DIR/x.sock" ] && fail "failed start left its socket behind"
exit 0
