#!/bin/bash
# t51-listener: the listening socket.
#   listen/upstream/listen_mode/listen_group from a config file are applied
#   (stat), and listen_mode 0600 with the command-line --listen;
#   a stale socket file at the listen path is replaced;
#   a live one (another sockwarden serving it) is refused, the first keeps it;
#   SIGTERM removes the socket;
#   max_connections: the connection beyond the cap gets 503, and a slot freed
#   by a closing client is reused.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

grp=
for g in docker nogroup daemon; do
	getent group "$g" > /dev/null && { grp=$g; break; }
done
[ -n "$grp" ] || skip "no non-root group (docker, nogroup, daemon) to test listen_group"

# --- 1. everything from the config file
SW_LISTEN=$TEST_DIR/cfg.sock
cat > "$TEST_DIR/a.conf" <<EOF
# t51: listener keys
listen $SW_LISTEN
upstream unix:$ENGINE_SOCK
listen_mode 0660
listen_group $grp
EOF
SW_CONFIG_ONLY=1 sw_proxy_start --config "$TEST_DIR/a.conf"
assert_eq "660 $grp socket" "$(stat -c '%a %G %F' "$SW_SOCK")" \
    "listen_mode/listen_group from the config file"
assert_eq OK "$(sw_curl http://docker/_ping)" "/_ping on the configured listener"
sw_proxy_stop
[ -e "$SW_LISTEN" ] && fail "SIGTERM left the socket $SW_LISTEN behind"

# --- 2. listen_mode 0600 with --listen on the command line
SW_LISTEN=$TEST_DIR/sw.sock
printf 'listen_mode 0600\n' > "$TEST_DIR/b.conf"
sw_proxy_start --config "$TEST_DIR/b.conf"
assert_eq "600 root socket" "$(stat -c '%a %G %F' "$SW_SOCK")" "listen_mode 0600"
sw_proxy_stop
[ -e "$SW_SOCK" ] && fail "SIGTERM left the socket $SW_SOCK behind"

# --- 3. a stale socket file (nobody listening) is replaced
"$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$SW_LISTEN"
[ -S "$SW_LISTEN" ] || fail "test bug: no stale socket at $SW_LISTEN"
[ "$(sw_http_code "$SW_LISTEN" /_ping)" = 000 ] || fail "test bug: stale socket answers"
sw_proxy_start
assert_eq OK "$(sw_curl http://docker/_ping)" "/_ping after replacing a stale socket"

# --- 4. a live socket is refused: the second sockwarden exits non-zero,
#        the first keeps serving on the same socket inode
ino=$(stat -c %i "$SW_SOCK")
rc=0
timeout 15 "$SOCKWARDEN" --listen "$SW_SOCK" --upstream "unix:$ENGINE_SOCK" \
    --foreground --log-level debug 2> "$TEST_DIR/second.log" || rc=$?
[ $rc = 124 ] && fail "a second sockwarden on a live socket kept running (15 s)"
[ $rc != 0 ] || fail "a second sockwarden on a live socket exited 0"
log "second sockwarden: status $rc: $(tail -n 1 "$TEST_DIR/second.log")"
grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TEST_DIR/second.log" &&
    fail "sanitizer report from the refused sockwarden: $(cat "$TEST_DIR/second.log")"
assert_eq "$ino" "$(stat -c %i "$SW_SOCK" 2>/dev/null)" "socket inode after the refused start"
assert_eq OK "$(sw_curl http://docker/_ping)" "/_ping on the first sockwarden"
kill -0 "$SW_PID" || fail "the first sockwarden died"

# --- 5. SIGTERM removes the socket
sw_proxy_stop
[ -e "$SW_SOCK" ] && fail "SIGTERM left the socket $SW_SOCK behind"

# --- 6. max_connections
cat > "$TEST_DIR/c.conf" <<EOF
max_connections 4
header_timeout 30s
idle_timeout 60s
EOF
sw_proxy_start --config "$TEST_DIR/c.conf"
"$PYTHON" - "$SW_SOCK" 4 <<'EOF' || fail "max_connections: see above"
import socket, sys, time
import swhttp
from swhttp import Fail

sock, cap = sys.argv[1], int(sys.argv[2])
PING = b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n"

def keepalive_ping(s, what):
    s.sendall(PING)
    r = swhttp.read_response(s, 10)
    if r.status != 200 or r.body != b"OK" or r.closed:
        raise Fail("%s: %r" % (what, r))

held = []
for i in range(cap):
    s = swhttp.connect(sock)
    keepalive_ping(s, "held connection %d" % i)
    held.append(s)

def over_cap(what):
    s = swhttp.connect(sock)
    try:
        # the proxy may answer before reading anything; else ask
        s.settimeout(0.5)
        try:
            first = s.recv(65536, socket.MSG_PEEK)
        except socket.timeout:
            first = b""
        if not first:
            try:
                s.sendall(PING)
            except OSError:
                pass
        r = swhttp.read_response(s, 10)
        msg = swhttp.check_error(r, 503, {"Service Unavailable"}, what)
        if not r.closed and swhttp.wait_closed(s, 3) is None:
            raise Fail("%s: connection kept open after the 503" % what)
        print("NOTE: t51-listener: %s -> %s %s" % (what, r.status_line, msg), file=sys.stderr)
    finally:
        s.close()

over_cap("connection %d (max_connections %d)" % (cap + 1, cap))
over_cap("connection %d again" % (cap + 1))
# the held ones are still served
keepalive_ping(held[1], "held connection 1 after the 503s")
# free a slot: a new client is served
held.pop(0).close()
time.sleep(0.5)
s = swhttp.connect(sock)
keepalive_ping(s, "new connection after one closed")
held.append(s)
over_cap("connection %d after the slot was reused" % (cap + 1))
for s in held:
    s.close()
time.sleep(0.5)
if not swhttp.ping(sock):
    raise Fail("/_ping after all connections closed")
EOF
sw_proxy_stop
