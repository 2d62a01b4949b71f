#!/bin/bash
# A network every job shares (the default bridge) may be inspected under
# ownership (testcontainers reads its gateway), but its Containers are other
# jobs': sockwarden asks the engine itself and answers without them; the
# engine's 404 for a missing one is passed on.  Scripted upstream.
. "$(dirname "$0")/lib.sh"
cat > "$T/script.json" <<'EOF2'
[
 {"match": "^GET /v1.41/networks/bridge ", "body": "{\"Name\":\"bridge\",\"Id\":\"f00d\",\"Driver\":\"bridge\",\"IPAM\":{\"Config\":[{\"Subnet\":\"172.17.0.0/16\",\"Gateway\":\"172.17.0.1\"}]},\"Containers\":{\"abc\":{\"Name\":\"other-jobs-db\",\"IPv4Address\":\"172.17.0.5/16\"}}}"},
 {"match": "^GET /v1.41/networks/none ", "status": 404, "body": "{\"message\":\"network none not found\"}"}
]
EOF2
export FAKEUP_SCRIPT=$T/script.json
fakeup_start script
printf '{ "extends": "ci" }\n' > "$T/ci.json"
sw_start --policy "$T/ci.json"
out=$(raw 3 'GET /v1.41/networks/bridge HTTP/1.1\r\nHost: d\r\n\r\n')
check "bridge: 200: [$out]" grep -q '^HTTP/1.1 200' <<<"$out"
check "bridge: its gateway: [$out]" grep -q '"Gateway":"172.17.0.1"' <<<"$out"
check "bridge: no containers listed: [$out]" grep -q '"Containers":{}' <<<"$out"
refute "bridge: another job's container shown: [$out]" grep -q 'other-jobs-db' <<<"$out"
out=$(raw 3 'GET /v1.41/networks/none HTTP/1.1\r\nHost: d\r\n\r\n')
check "none: the engine's 404: [$out]" grep -q '^HTTP/1.1 404' <<<"$out"
check "none: the engine's message: [$out]" grep -q 'network none not found' <<<"$out"
