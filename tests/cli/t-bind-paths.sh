#!/bin/bash
# Bind sources checked on the host (issues 8 and 9): below a writable root
# a job can plant a symlink (x -> /) from one container and bind it from
# the next, and a missing source makes the engine create a root-owned
# directory; both are refused before the request is forwarded.  A socket
# root admits the bind only while it is sockwarden's own live socket.
# Uses the fake upstream (no engine): what reaches it is what was allowed.
. "$(dirname "$0")/lib.sh"
fakeup_start echo
mkdir -p "$T/ws/dir" "$T/ws/sub"
ln -s / "$T/ws/x"
ln -s / "$T/ws/sub/deep"
cat > "$T/p.json" <<JSON
{ "extends": "ci", "checks": { "binds": { "roots": [
    { "path": "$T/ws", "subpaths": true },
    { "path": "$T/sw.sock", "socket": true },
    { "path": "$T/gone.sock", "socket": true } ] } } }
JSON
sw_start --policy "$T/p.json"

create() {	# BIND -> status line and message
	local body="{\"Image\":\"alpine\",\"HostConfig\":{\"Binds\":[\"$1:/w\"]}}"
	raw 3 "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\n\r\n$body"
}

out=$(create "$T/ws/dir")
check "existing dir under the root: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
out=$(create "$T/ws/x")
check "planted symlink: [$out]" grep -q '^HTTP/1.1 403' <<<"$out"
check "symlink message: [$out]" grep -q "denied by rule binds: the host path '$T/ws/x' crosses a symbolic link" <<<"$out"
out=$(create "$T/ws/sub/deep/etc")
check "symlink in the middle: [$out]" grep -q '^HTTP/1.1 403' <<<"$out"
out=$(create "$T/ws/missing")
check "missing source: [$out]" grep -q '^HTTP/1.1 403' <<<"$out"
check "missing message: [$out]" grep -q "does not exist: the engine would create it, owned by root" <<<"$out"
out=$(create "$T/sw.sock")
check "sockwarden's own socket: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
out=$(create "$T/gone.sock")
check "a socket root nobody listens at: [$out]" grep -q '^HTTP/1.1 403' <<<"$out"
check "socket message: [$out]" grep -q "is admitted only as sockwarden's own socket, and sockwarden is not listening there" <<<"$out"
check "denied creates reached the upstream: $(cat "$T/up.log")" \
    [ "$(grep -c 'containers/create' "$T/up.log")" = 2 ]
