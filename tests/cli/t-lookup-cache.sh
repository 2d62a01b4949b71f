#!/bin/bash
# Ownership look-ups come from the cache while the engine's event stream is
# live: a second request on the same container asks the engine nothing; the
# answer to a forwarded delete empties the cache (the engine's event may
# come later), so the next request asks again.  Scripted upstream (no
# engine; it holds the event stream open).
. "$(dirname "$0")/lib.sh"
id=$(printf 'e%.0s' $(seq 64))
python3 - "$CLI_DIR/../unit/data/inspect-plain.json" "$T" "$id" "$T/sw.sock" <<'PY'
import json, sys
src, t, cid, listener = sys.argv[1:]
d = json.load(open(src))
d["Id"] = cid
d["Name"] = "/x"
d["Config"]["Labels"] = {"io.sockwarden.owner": "l:" + listener}
json.dump(d, open(t + "/x.json", "w"))
json.dump([
    {"match": "^GET (/v1.41)?/events\\?", "raw": "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"},
    {"match": "^GET (/v1.41)?/containers/x/json ", "body": "@%s/x.json" % t},
    {"match": "^DELETE ", "status": 204},
], open(t + "/script.json", "w"))
PY
export FAKEUP_SCRIPT=$T/script.json
fakeup_start script
printf '{ "extends": "ci" }\n' > "$T/ci.json"
sw_start --policy "$T/ci.json"
for _ in $(seq 50); do grep -q 'engine events: subscribed' "$T/sw.log" && break; sleep 0.1; done
check "the event stream is subscribed: $(grep 'engine events' "$T/sw.log")" grep -q 'engine events: subscribed' "$T/sw.log"
looks() { grep -c '^GET \(/v1.41\)\{0,1\}/containers/x/json ' "$T/up.log" || true; }
get() {	# PATH
	raw 3 "GET $1 HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"
}
out=$(get /v1.41/containers/x/top)
check "first request: forwarded by ID: [$out]" grep -q "/containers/$id/top" <<<"$out"
check "first request: one look-up: $(cat "$T/up.log")" [ "$(looks)" = 1 ]
out=$(get /v1.41/containers/x/top)
check "second request: forwarded by ID: [$out]" grep -q "/containers/$id/top" <<<"$out"
check "second request: answered from the cache: $(cat "$T/up.log")" [ "$(looks)" = 1 ]
out=$(raw 3 "DELETE /v1.41/containers/x HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
check "delete: 204: [$out]" grep -q '^HTTP/1.1 204' <<<"$out"
n=$(looks)
out=$(get /v1.41/containers/x/top)
check "after the delete: the engine is asked again: $(cat "$T/up.log")" [ "$(looks)" = $((n + 1)) ]
