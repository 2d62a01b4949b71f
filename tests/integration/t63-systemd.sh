#!/bin/bash
# t63-systemd: the systemd protocols without systemd as PID 1.  The daemon
# is socket-activated by systemd-socket-activate (LISTEN_FDS, LISTEN_PID,
# LISTEN_FDNAMES: the API socket and a metrics socket) and speaks the
# notify protocol to a test NOTIFY_SOCKET: READY=1 with STATUS=, WATCHDOG=1
# every WATCHDOG_USEC/2, RELOADING=1 + MONOTONIC_USEC on SIGHUP then READY=1
# (or a STATUS= saying why a reload failed), STOPPING=1 on SIGTERM.  The
# activated socket is systemd's: sockwarden never removes it.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
command -v systemd-socket-activate > /dev/null ||
    skip "systemd-socket-activate not installed (apt-get install systemd)"

chmod 755 "$TEST_DIR"
api=$TEST_DIR/api.sock
met=$TEST_DIR/metrics.sock
ntf=$TEST_DIR/notify.sock
nlog=$TEST_DIR/notify.log
: > "$nlog"
sw_bg "$TEST_DIR/notify.out" "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode(errors="replace").replace("\n", "|") + "\n")
' "$ntf" "$nlog"
wait_for 5 test -S "$ntf" || fail "notify receiver did not start"
chmod 666 "$ntf"	# like /run/systemd/notify: any service may write

echo '{ "extends": "ci" }' > "$TEST_DIR/policy.json"
printf 'policy %s\nupstream unix:%s\n' "$TEST_DIR/policy.json" "$ENGINE_SOCK" > "$TEST_DIR/sw.conf"
echo "==== $(date +%T) start: systemd-socket-activate $SOCKWARDEN" >> "$SW_DIR/sw.log"
systemd-socket-activate -l "$api" -l "$met" --fdname=docker-api:metrics \
    -E NOTIFY_SOCKET="$ntf" -E WATCHDOG_USEC=200000 \
    "$SOCKWARDEN" --foreground --log-level debug --config "$TEST_DIR/sw.conf" \
    2>> "$SW_DIR/sw.log" &
pid=$!
sw_track_pid "$pid"
wait_for 5 test -S "$api" || fail "systemd-socket-activate did not listen"
# The first connection starts the daemon (exec in place: same pid).
assert_eq OK "$(curl -sS --max-time 10 --unix-socket "$api" http://docker/_ping)" "first request through the activated socket"
wait_for 5 grep -q '^READY=1' "$nlog" || fail "no READY=1: $(cat "$nlog")"
assert_contains "$(grep '^READY=1' "$nlog" | head -n1)" "STATUS=serving on docker-api"
assert_eq 2 "$(awk '/^Seccomp:/ { print $2 }' "/proc/$pid/status")" "Seccomp of the activated daemon"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" != 0 ] || fail "activated daemon runs as root"
grep -q 'listening on docker-api' "$SW_DIR/sw.log" || fail "LISTEN_FDNAMES not used"

# Real clients over the activated socket; the audit names the listener.
SW_SOCK=$api
out=$(dk run --rm "$SW_IMAGE" echo activated) || fail "docker run: $out"
assert_eq activated "$out" "docker run through the activated socket"
grep -q '"listener":"docker-api".*"operation":"container.create"' "$SW_DIR/sw.log" ||
    fail "audit records do not name the activated listener"

# The second activated socket serves metrics.
m=$(curl -sS --max-time 5 --unix-socket "$met" http://docker/metrics) || fail "metrics"
assert_contains "$m" 'sockwarden_requests_total{operation="system.ping",decision="allow"}'
assert_contains "$m" 'sockwarden_request_duration_seconds_bucket{le="+Inf"}'
assert_contains "$m" 'sockwarden_connections_open '
assert_match "$m" 'sockwarden_bytes_total\{direction="out"\} [1-9]'
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$met" http://docker/other)" "metrics other path"

# Watchdog: WATCHDOG_USEC=200000 -> a ping every 100 ms.
n0=$(grep -c '^WATCHDOG=1' "$nlog")
sleep 1
n1=$(grep -c '^WATCHDOG=1' "$nlog")
[ $((n1 - n0)) -ge 5 ] || fail "only $((n1 - n0)) WATCHDOG=1 in 1 s (want ~10)"
note "$((n1 - n0)) WATCHDOG=1 pings in 1 s with WATCHDOG_USEC=200000"

# Reload: RELOADING=1 with MONOTONIC_USEC, then READY=1.
kill -HUP "$pid"
wait_for 5 grep -q '^RELOADING=1|STATUS=reloading|MONOTONIC_USEC=[0-9]*$' "$nlog" ||
    fail "no RELOADING=1: $(grep -v WATCHDOG "$nlog")"
wait_for 5 sh -c "grep -v WATCHDOG '$nlog' | tail -n1 | grep -q '^READY=1|STATUS=serving; policy .* reloaded'" ||
    fail "no READY=1 after reload: $(grep -v WATCHDOG "$nlog")"
# Nothing changed that needs a restart: an activated listener is not a
# changed "listen" setting.
if grep -q 'takes effect only after a restart' "$SW_DIR/sw.log"; then
	fail "reload under socket activation warns: $(grep 'after a restart' "$SW_DIR/sw.log")"
fi
# A broken policy: STATUS= says why, the old policy stays.
echo '{ "extends": "nope" }' > "$TEST_DIR/policy.json"
kill -HUP "$pid"
wait_for 5 grep -q '^READY=1|STATUS=reload failed: .*policy.json' "$nlog" ||
    fail "no failed-reload STATUS: $(grep -v WATCHDOG "$nlog")"
assert_eq OK "$(curl -sS --unix-socket "$api" http://docker/_ping)" "ping after a failed reload"
m=$(curl -sS --max-time 5 --unix-socket "$met" http://docker/metrics)
assert_contains "$m" 'sockwarden_reloads_total{result="ok"} 1'
assert_contains "$m" 'sockwarden_reloads_total{result="failed"} 1'

# Stop: STOPPING=1, exit 0, systemd's socket file left alone.
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 0 "$rc" "exit status after SIGTERM"
grep -q '^STOPPING=1' "$nlog" || fail "no STOPPING=1: $(grep -v WATCHDOG "$nlog")"
[ -S "$api" ] || fail "sockwarden removed systemd's socket $api"
grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$SW_DIR/sw.log" &&
    fail "sanitizer report: $(grep -A5 'ERROR:' "$SW_DIR/sw.log" | head)"

# As the unit runs it: systemd creates the socket as root, the service
# starts as an unprivileged user with only the engine's group, an empty
# capability bounding set and no_new_privs (setpriv stands in for User=,
# SupplementaryGroups=, CapabilityBoundingSet= and NoNewPrivileges=).  The
# engine is reached through a relay socket in a directory it may enter.
if command -v setpriv > /dev/null && command -v socat > /dev/null; then
	egid=$(stat -c %g "$ENGINE_SOCK")
	relay=$TEST_DIR/engine.sock
	sw_bg "$TEST_DIR/relay.out" socat -t 3600 "UNIX-LISTEN:$relay,fork,mode=0660,group=$egid" \
	    "UNIX-CONNECT:$ENGINE_SOCK"
	wait_for 5 test -S "$relay" || fail "relay did not start"
	api2=$TEST_DIR/api2.sock
	: > "$nlog"
	systemd-socket-activate -l "$api2" --fdname=docker-api -E NOTIFY_SOCKET="$ntf" \
	    setpriv --reuid=nobody --regid=nogroup --groups="$egid" --inh-caps=-all \
	    --bounding-set=-all --no-new-privs -- \
	    "$SOCKWARDEN" --foreground --upstream "unix:$relay" 2>> "$SW_DIR/sw.log" &
	pid=$!
	sw_track_pid "$pid"
	wait_for 5 test -S "$api2" || fail "second activation did not listen"
	chmod 666 "$api2"
	assert_eq OK "$(curl -sS --max-time 10 --unix-socket "$api2" http://docker/_ping)" "unit-like start"
	wait_for 5 grep -q '^READY=1' "$nlog" || fail "no READY=1 from the unit-like start"
	st=/proc/$pid/status
	assert_eq 2 "$(awk '/^Seccomp:/ { print $2 }' "$st")" "unit-like Seccomp"
	assert_eq 0000000000000000 "$(awk '/^CapBnd:/ { print $2 }' "$st")" "unit-like CapBnd"
	assert_eq "$(id -u nobody)" "$(awk '/^Uid:/ { print $2 }' "$st")" "unit-like uid"
	SW_SOCK=$api2
	out=$(dk run --rm "$SW_IMAGE" echo unit-like) || fail "docker run, unit-like: $out"
	assert_eq unit-like "$out" "docker run under the unit's credentials"
	kill -HUP "$pid"
	wait_for 5 grep -q '^RELOADING=1' "$nlog" || fail "unit-like reload"
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 0 "$rc" "unit-like exit status"
	note "unit-like start (nobody, group $egid, no capabilities, no_new_privs, socket-activated) served docker run"
else
	[ "$CI" = true ] && fail "setpriv and socat are needed for the unit-like check"
	log "setpriv or socat missing: unit-like check not run"
fi

# LISTEN_PID for another process: the variables are ignored.
LISTEN_PID=1 LISTEN_FDS=1 LISTEN_FDNAMES=x sw_proxy_start
assert_eq OK "$(curl -sS --unix-socket "$SW_SOCK" http://docker/_ping)" "LISTEN_PID=1 ignored"
sw_proxy_stop
exit 0
