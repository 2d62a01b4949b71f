#!/bin/bash
# t62-reload: SIGHUP under load.  1,000 requests (keep-alive and fresh
# connections) and 50 open `events` streams across several reloads: no
# request fails, every stream stays open and still delivers events.  A
# valid new policy applies to the next request at once; a broken policy
# or settings file keeps the old one and says why.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

# The reloaded files are read by the unprivileged daemon.
chmod 755 "$TEST_DIR"
policy=$TEST_DIR/policy.json
conf=$TEST_DIR/sw.conf
echo '{ "extends": "ci" }' > "$policy"
printf 'policy %s\nmax_connections 500\n' "$policy" > "$conf"
sw_proxy_start --config "$conf"

nstreams=50
for i in $(seq 1 $nstreams); do
	sw_bg "$TEST_DIR/ev.$i" curl -sS -N --unix-socket "$SW_SOCK" \
	    "http://docker/v1.41/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D"
	echo "$SW_BG_PID" >> "$TEST_DIR/ev.pids"
done
wait_for 20 sh -c "[ \$(grep -c 'GET /v1.41/events' '$SW_DIR/sw.log') -ge $nstreams ]" ||
    fail "only $(grep -c 'GET /v1.41/events' "$SW_DIR/sw.log") of $nstreams streams reached sockwarden"

# 1,000 requests from 20 clients while the main thread sends 5 SIGHUPs.
"$PYTHON" - "$SW_SOCK" "$SW_PID" > "$TEST_DIR/load.out" <<'PY' || fail "load: $(tail -n 20 "$TEST_DIR/load.out")"
import http.client, os, signal, socket, sys, threading, time
sock, pid = sys.argv[1], int(sys.argv[2])
class UC(http.client.HTTPConnection):
    def __init__(self):
        super().__init__("docker", timeout=30)
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(30)
        self.sock.connect(sock)
paths = ["/_ping", "/v1.41/containers/json", "/v1.41/version", "/v1.41/images/json"]
results, lock = [], threading.Lock()
def worker(n):
    c = UC()
    for i in range(50):
        path = paths[(n + i) % len(paths)]
        try:
            if i % 10 == 9:         # every tenth on a fresh connection
                c.close(); c = UC()
            c.request("GET", path)
            r = c.getresponse(); r.read()
            st = r.status
        except Exception as e:
            st = "error: %r" % e
            c.close(); c = UC()
        with lock:
            results.append((path, st))
        time.sleep(0.004)
ts = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
for t in ts: t.start()
for k in range(5):
    time.sleep(0.25)
    os.kill(pid, signal.SIGHUP)
for t in ts: t.join()
bad = [r for r in results if r[1] != 200]
print("requests %d failed %d" % (len(results), len(bad)))
for b in bad[:20]: print("  ", b)
sys.exit(0 if len(results) == 1000 and not bad else 1)
PY
assert_eq "requests 1000 failed 0" "$(head -n1 "$TEST_DIR/load.out")" "load across SIGHUP"
wait_for 10 sh -c "[ \$(grep -c 'SIGHUP: reloaded' '$SW_DIR/sw.log') -ge 5 ]" ||
    fail "expected 5 reloads, log has $(grep -c 'SIGHUP: reloaded' "$SW_DIR/sw.log")"
note "1000 requests, 0 failed, across $(grep -c 'SIGHUP: reloaded' "$SW_DIR/sw.log") reloads with $nstreams events streams open"

# Every stream is still open and still delivers.
streams_alive() {	# WHAT
	local pid dead=0
	while read -r pid; do
		kill -0 "$pid" 2>/dev/null || dead=$((dead + 1))
	done < "$TEST_DIR/ev.pids"
	[ $dead = 0 ] || fail "$1: $dead of $nstreams events streams ended"
}
streams_deliver() {	# NAME
	local i
	for i in $(seq 1 $nstreams); do
		wait_for 15 grep -q "$1" "$TEST_DIR/ev.$i" ||
		    fail "stream $i did not see the events of $1: $(tail -c 300 "$TEST_DIR/ev.$i")"
	done
}
streams_alive "after the reloads"
c1=$(sw_name after-reload)
dk run --rm --name "$c1" "$SW_IMAGE" true || fail "docker run after reloads"
streams_deliver "$c1"

# A new policy applies to the next request at once.
echo '{ "extends": "readonly" }' > "$policy"
kill -HUP "$SW_PID"
wait_for 5 sh -c "[ \$(grep -c 'SIGHUP: reloaded' '$SW_DIR/sw.log') -ge 6 ]" || fail "readonly reload"
out=$(dk run --rm "$SW_IMAGE" true 2>&1) && fail "container run allowed under readonly"
assert_contains "$out" "denied by rule"
dk ps > /dev/null || fail "docker ps under readonly"

# A broken policy keeps the old one (still readonly) and says why.
printf '{ "extends": "ci", "checks": { "no_such_check": {} } }' > "$policy"
kill -HUP "$SW_PID"
wait_for 5 grep -q 'SIGHUP: policy .* is invalid' "$SW_DIR/sw.log" || fail "no invalid-policy message"
assert_contains "$(grep 'SIGHUP: policy' "$SW_DIR/sw.log" | tail -n1)" "keeping the current policy"
out=$(dk run --rm "$SW_IMAGE" true 2>&1) && fail "broken policy replaced readonly"
assert_contains "$out" "denied by rule"
# ... and a broken settings file too.
printf 'policy %s\nno_such_setting 1\n' "$policy" > "$conf"
kill -HUP "$SW_PID"
wait_for 5 grep -q "SIGHUP: .*sw.conf is invalid; keeping" "$SW_DIR/sw.log" || fail "no invalid-config message"
assert_contains "$(cat "$SW_DIR/sw.log")" "unknown setting 'no_such_setting'"
out=$(dk run --rm "$SW_IMAGE" true 2>&1) && fail "broken settings replaced the policy"
dk ps > /dev/null || fail "docker ps after a broken reload"

# Fixed again: back to ci, immediately.
echo '{ "extends": "ci" }' > "$policy"
printf 'policy %s\n' "$policy" > "$conf"
kill -HUP "$SW_PID"
wait_for 5 sh -c "[ \$(grep -c 'SIGHUP: reloaded' '$SW_DIR/sw.log') -ge 7 ]" || fail "ci reload"
c2=$(sw_name back-to-ci)
dk run --rm --name "$c2" "$SW_IMAGE" true || fail "docker run after going back to ci"
streams_alive "at the end"
streams_deliver "$c2"
kill -0 "$SW_PID" || fail "sockwarden died"
sw_proxy_stop
exit 0
