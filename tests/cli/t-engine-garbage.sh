#!/bin/bash
# An engine answer sockwarden cannot frame with certainty is never relayed:
# a duplicate Content-Length, a head that is not HTTP, and a head over the
# limit each get the client a 502 in Docker's JSON shape, and sockwarden
# closes that upstream connection (the scripted upstream logs it); the next
# request is served as usual.  Scripted upstream (no engine).
. "$(dirname "$0")/lib.sh"
big=$(head -c 200000 /dev/zero | tr '\0' a)
cat > "$T/script.json" <<EOF2
[
 {"match": "^GET /v1.41/version ", "raw": "HTTP/1.1 200 OK\\\\r\\\\nContent-Type: application/json\\\\r\\\\nContent-Length: 2\\\\r\\\\nContent-Length: 9\\\\r\\\\n\\\\r\\\\n{}"},
 {"match": "^GET /v1.41/info ", "raw": "SSH-2.0-OpenSSH_9.2\\\\r\\\\n\\\\r\\\\n"},
 {"match": "^GET /v1.41/images/json ", "raw": "HTTP/1.1 200 OK\\\\r\\\\nX-Big: $big\\\\r\\\\nContent-Length: 2\\\\r\\\\n\\\\r\\\\n{}"}
]
EOF2
export FAKEUP_SCRIPT=$T/script.json
fakeup_start script
sw_start
n=0
for what in version info images/json; do
	out=$(raw 5 "GET /v1.41/$what HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
	check "$what: 502: [${out:0:300}]" grep -q '^HTTP/1.1 502' <<<"$out"
	check "$what: Docker's JSON shape: [${out:0:300}]" grep -q '^{"message":"sockwarden: ' <<<"$out"
	refute "$what: the engine's bytes relayed: [${out:0:300}]" grep -q 'OpenSSH\|X-Big\|^{}' <<<"$out"
	n=$((n + 1))
	for _ in $(seq 50); do [ "$(grep -c '^closed by the proxy' "$T/up.log")" -ge $n ] && break; sleep 0.1; done
	check "$what: upstream connection closed: $(cat "$T/up.log")" [ "$(grep -c '^closed by the proxy' "$T/up.log")" -ge $n ]
	out=$(raw 3 'GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n')
	check "after $what: the next request is served: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
done
