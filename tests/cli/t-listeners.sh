#!/bin/bash
# Several listeners (issue 9): each socket has its name in audit records
# and may have a policy of its own, reloaded on SIGHUP; a bad "listener"
# line is an error naming file:line.  Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
printf 'listener b %s/b.sock mode=0600 bogus=1\n' "$T" > "$T/bad.conf"
rc=0; out=$("$SOCKWARDEN" --config "$T/bad.conf" 2>&1) || rc=$?
refute "bad listener line accepted" [ "$rc" = 0 ]
check "message: $out" grep -q "bad.conf:1: listener: has an unknown or bad option" <<<"$out"

fakeup_start echo
echo '{ "extends": "readonly" }' > "$T/ro.json"
printf 'listener jobs-ro %s/ro.sock policy=%s/ro.json mode=0666 identity=listener\n' \
    "$T" "$T" > "$T/sw.conf"
sw_start --config "$T/sw.conf" --audit-log "$T/audit.log"
check "mode of the second socket" [ "$(stat -c %a "$T/ro.sock")" = 666 ]
body='{"Image":"alpine"}'
req="POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\n\r\n$body"
out=$(raw 2 "$req")
check "create on the main listener: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
out=$(python3 - "$T/ro.sock" "$req" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.settimeout(3); print(s.recv(65536).decode("latin-1"))
PY
)
check "create on the readonly listener: [$out]" grep -q '^HTTP/1.1 403' <<<"$out"
for _ in $(seq 30); do [ "$(grep -c '"operation":"container.create"' "$T/audit.log")" -ge 2 ] && break; sleep 0.1; done
check "audit of the second listener: $(cat "$T/audit.log")" \
    grep -q '"listener":"jobs-ro".*"decision":"deny"' "$T/audit.log"
check "audit of the main listener" \
    grep -q "\"listener\":\"$T/sw.sock\".*\"decision\":\"allow\"" "$T/audit.log"
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
check "the listener's policy was not reloaded: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
kill -TERM "$SWPID"; wait "$SWPID" || true
refute "the second socket was left behind" [ -e "$T/ro.sock" ]
