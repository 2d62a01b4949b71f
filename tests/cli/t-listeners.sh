#!/bin/bash
# Several listeners (issue 9): each socket has its name in audit records
# and may have a policy of its own, reloaded on SIGHUP; a bad "listener"
# line is an error naming file:line.  Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
n=0
printf 'listener b %s/b.sock mode=0600 bogus=1\n' "$T" > "$T/bad.conf"
out=$("$SOCKWARDEN" --config "$T/bad.conf" 2>&1) && fail "bad listener line accepted"
grep -q "bad.conf:1: listener: has an unknown or bad option" <<<"$out" || fail "message: $out"
n=$((n + 1))

fakeup_start echo
echo '{ "extends": "readonly" }' > "$T/ro.json"
printf 'listener jobs-ro %s/ro.sock policy=%s/ro.json mode=0666 identity=listener\n' \
    "$T" "$T" > "$T/sw.conf"
sw_start --config "$T/sw.conf" --audit-log "$T/audit.log"
[ "$(stat -c %a "$T/ro.sock")" = 666 ] || fail "mode of the second socket"
body='{"Image":"alpine"}'
req="POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\n\r\n$body"
out=$(raw 2 "$req")
grep -q '^HTTP/1.1 200' <<<"$out" || fail "create on the main listener: [$out]"
out=$(python3 - "$T/ro.sock" "$req" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.settimeout(3); print(s.recv(65536).decode("latin-1"))
PY
)
grep -q '^HTTP/1.1 403' <<<"$out" || fail "create on the readonly listener: [$out]"
n=$((n + 1))
for _ in $(seq 30); do [ "$(grep -c '"operation":"container.create"' "$T/audit.log")" -ge 2 ] && break; sleep 0.1; done
grep -q '"listener":"jobs-ro".*"decision":"deny"' "$T/audit.log" || fail "audit of the second listener: $(cat "$T/audit.log")"
grep -q "\"listener\":\"$T/sw.sock\".*\"decision\":\"allow\"" "$T/audit.log" || fail "audit of the main listener"
n=$((n + 1))
echo '{ "extends": "ci" }' > "$T/ro.json"
kill -HUP "$SWPID"
for _ in $(seq 30); do grep -q 'SIGHUP: reloaded' "$T/sw.log" && break; sleep 0.1; done
out=$(python3 - "$T/ro.sock" "$req" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.settimeout(3); print(s.recv(65536).decode("latin-1"))
PY
)
grep -q '^HTTP/1.1 200' <<<"$out" || fail "the listener's policy was not reloaded: [$out]"
n=$((n + 1))
kill -TERM "$SWPID"; wait "$SWPID" || true
[ -e "$T/ro.sock" ] && fail "the second socket was left behind"
n=$((n + 1))
echo "$n passed, 0 failed"
