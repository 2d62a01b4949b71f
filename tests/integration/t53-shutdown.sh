#!/bin/bash
# t53-shutdown: SIGTERM stops accepting at once, lets in-flight requests
# finish within shutdown_grace, removes the socket and exits 0; requests
# still running when the grace period ends are cut and sockwarden exits.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

# --- in-flight `docker run` (create, attach, wait, start) finishes
printf 'shutdown_grace 15s\n' > "$TEST_DIR/a.conf"
sw_proxy_start --config "$TEST_DIR/a.conf"
name=$(sw_name drain)
sw_bg "$TEST_DIR/run.out" "$DOCKER_CLI" -H "unix://$SW_SOCK" run --rm --name "$name" \
    "$SW_IMAGE" sh -c 'echo started; sleep 3; echo finished'
runpid=$SW_BG_PID
wait_for 15 grep -qx started "$TEST_DIR/run.out" ||
    fail "docker run did not start: $(cat "$TEST_DIR/run.out")"
kill -TERM "$SW_PID"
t0=$(date +%s%N)
sleep 0.5
kill -0 "$SW_PID" 2>/dev/null || fail "sockwarden exited at once on SIGTERM with a request in flight"
code=$(sw_http_code "$SW_SOCK" /_ping)
assert_eq 000 "$code" "a new request 0.5 s after SIGTERM (must not be accepted)"
rc=0
wait "$runpid" || rc=$?
assert_eq "0 $(printf 'started\nfinished')" "$rc $(engine_noise < "$TEST_DIR/run.out")" \
    "docker run in flight across SIGTERM"
sw_proxy_wait_exit 15
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
note "drained in ${ms} ms"
[ -e "$SW_SOCK" ] && fail "socket $SW_SOCK left behind after shutdown"

# --- a stream that never ends is cut when shutdown_grace expires
printf 'shutdown_grace 2s\n' > "$TEST_DIR/b.conf"
sw_proxy_start --config "$TEST_DIR/b.conf"
sw_bg "$TEST_DIR/ev.out" "$DOCKER_CLI" -H "unix://$SW_SOCK" events
evpid=$SW_BG_PID
sleep 1
kill -0 "$evpid" 2>/dev/null || fail "docker events ended early: $(cat "$TEST_DIR/ev.out")"
kill -TERM "$SW_PID"
t0=$(date +%s%N)
sw_proxy_wait_exit 6
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $ms -ge 1500 ] || fail "sockwarden exited ${ms} ms after SIGTERM, before shutdown_grace 2s, with a stream open"
note "exited ${ms} ms after SIGTERM with an events stream open (shutdown_grace 2s)"
wait_for 5 sh -c "! kill -0 $evpid" ||
    fail "docker events still running after sockwarden exited"
[ -e "$SW_SOCK" ] && fail "socket $SW_SOCK left behind after shutdown"
exit 0
