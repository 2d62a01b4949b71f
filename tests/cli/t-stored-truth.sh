#!/bin/bash
# The engine's stored truth and its look-ups, against a scripted upstream
# (no engine): a create whose stored container differs from the body (the
# engine reports Privileged: true) is removed and answered 403 naming the
# field; a create stored as sent gets its 201 untouched, and so does the
# start after it; a look-up the engine does not answer is a 502 JSON and
# the request it was for is never forwarded; a name is forwarded as the ID
# it resolved to when the request was decided.  Ownership on (ci as shipped).
. "$(dirname "$0")/lib.sh"
bad=$(printf 'a%.0s' $(seq 64)) good=$(printf 'b%.0s' $(seq 64)) gone=$(printf 'c%.0s' $(seq 64))
python3 - "$CLI_DIR/../unit/data/inspect-plain.json" "$T" "$bad" "$good" "$T/sw.sock" <<'PY'
import json, sys
src, t, bad, good, listener = sys.argv[1:]
for name, cid, priv in (("bad", bad, True), ("good", good, False)):
    d = json.load(open(src))
    d["Id"] = cid
    d["HostConfig"]["Privileged"] = priv
    d["Config"]["Labels"] = {"io.sockwarden.owner": "l:" + listener}
    json.dump(d, open("%s/%s.json" % (t, name), "w"))
json.dump([
    {"match": "^POST /v1.41/containers/create\\?name=bad ", "status": 201,
     "body": '{"Id":"%s","Warnings":[]}' % bad},
    {"match": "^POST /v1.41/containers/create\\?name=good ", "status": 201,
     "body": '{"Id":"%s","Warnings":[]}' % good},
    {"match": "^GET (/v1.41)?/containers/%s/json " % bad, "body": "@%s/bad.json" % t},
    {"match": "^GET (/v1.41)?/containers/%s/json " % good, "body": "@%s/good.json" % t},
    {"match": "^GET (/v1.41)?/containers/gone/json ", "drop": True},
    {"match": "^GET (/v1.41)?/containers/x/json ", "body": "@%s/good.json" % t},
    {"match": "^DELETE ", "status": 204},
    {"match": "/(start|stop)[? ]", "status": 204},
], open(t + "/script.json", "w"))
PY
export FAKEUP_SCRIPT=$T/script.json
fakeup_start script
printf '{ "extends": "ci" }\n' > "$T/ci.json"
sw_start --policy "$T/ci.json"
create() {	# NAME: a plain create; prints the whole answer
	raw 3 "POST /v1.41/containers/create?name=$1 HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 19\r\nConnection: close\r\n\r\n{\"Image\":\"busybox\"}"
}
out=$(create bad)
check "differing stored container: 403: [$out]" grep -q '^HTTP/1.1 403' <<<"$out"
check "the 403 names the field: [$out]" grep -q 'sockwarden: .*denied by rule privileged' <<<"$out"
refute "the engine's 201 leaked: [$out]" grep -q "$bad" <<<"$out"
check "the stored container was inspected: $(cat "$T/up.log")" \
    grep -q "^GET /v1.41/containers/$bad/json " "$T/up.log"
check "the stored container was removed: $(cat "$T/up.log")" \
    grep -q "^DELETE /v1.41/containers/$bad?force=1&v=1 " "$T/up.log"
check "the refusal is logged with its request: $(grep 403 "$T/sw.log")" \
    grep -q 'POST /v1.41/containers/create?name=bad: 403 sockwarden: stored container denied' "$T/sw.log"
check "the forwarded create was stamped: $(cat "$T/up.log")" \
    grep -q '^POST /v1.41/containers/create?name=bad HTTP/1.1 \[body' "$T/up.log"

out=$(create good)
check "plain create: 201: [$out]" grep -q '^HTTP/1.1 201' <<<"$out"
check "plain create: the engine's answer: [$out]" grep -q "\"Id\":\"$good\"" <<<"$out"
refute "a plain create was removed: $(cat "$T/up.log")" grep -q "^DELETE /v1.41/containers/$good" "$T/up.log"
out=$(raw 3 "POST /v1.41/containers/$good/start HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
check "start of the plain container: 204: [$out]" grep -q '^HTTP/1.1 204' <<<"$out"
check "start forwarded by ID: $(cat "$T/up.log")" grep -q "^POST /v1.41/containers/$good/start " "$T/up.log"

# Name swap: the name is resolved when the request is decided and the
# request goes upstream with that ID, so a rename or re-create of "x" in
# between cannot change which container it acts on.
out=$(raw 3 'POST /v1.41/containers/x/stop?t=1 HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n')
check "stop by name: 204: [$out]" grep -q '^HTTP/1.1 204' <<<"$out"
check "stop forwarded by the ID decided on: $(cat "$T/up.log")" \
    grep -q "^POST /v1.41/containers/$good/stop?t=1 " "$T/up.log"
refute "stop forwarded by name: $(cat "$T/up.log")" grep -q "^POST /v1.41/containers/x/" "$T/up.log"

out=$(raw 3 'POST /v1.41/containers/gone/stop HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n')
check "look-up unanswered: 502: [$out]" grep -q '^HTTP/1.1 502' <<<"$out"
check "look-up unanswered: JSON message: [$out]" grep -q '^{"message":"sockwarden: cannot ask the engine' <<<"$out"
refute "the stop went upstream without its look-up: $(cat "$T/up.log")" grep -q 'gone/stop' "$T/up.log"
