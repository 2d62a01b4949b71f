#!/bin/bash
# explain reads a hand-written request (LF line ends are accepted in the
# head) and prints the decision with its rule; a malformed head is a reject.
# A captured stream of several requests (Content-Length and chunked bodies,
# a body the engine ignores, a hijacked session at the end) gets one
# numbered block per request, the warning for the dropped body, and the
# exit status of the worst verdict; several files are several connections.
. "$(dirname "$0")/lib.sh"
printf 'POST /v1.41/containers/create HTTP/1.1\nHost: d\nContent-Type: application/json\nContent-Length: 51\n\n{"Image":"alpine","HostConfig":{"Privileged":true}}' > "$T/req"
rc=0; out=$("$SOCKWARDEN" explain "$T/req") || rc=$?
check "deny exit status $rc" [ $rc = 3 ]
check "no rule line: $out" grep -qx 'rule: privileged' <<<"$out"
check "message: $out" grep -qx 'message: sockwarden: container create denied by rule privileged: privileged containers are not allowed' <<<"$out"
refute "a single request is numbered: $out" grep -q '^request ' <<<"$out"
printf 'GET /_ping HTTP/1.1\r\nHost: d\n\r\n' > "$T/mixed"
rc=0; out=$("$SOCKWARDEN" explain "$T/mixed") || rc=$?
check "mixed line ends exit status $rc" [ $rc = 3 ]
check "mixed: $out" grep -qx 'message: sockwarden: bare LF in request head' <<<"$out"
printf 'GET /v1.41/containers/json HTTP/1.1\nHost: d\n\n' | "$SOCKWARDEN" explain > "$T/ok" || fail "allow exit status"
check "allow: $(cat "$T/ok")" grep -qx 'forward: GET /v1.41/containers/json' "$T/ok"

# A capture as `socat -r` writes it (docs/policy.md): requests back to back.
python3 - "$T" <<'PY'
import sys
def req(method, target, body=None, chunks=None, extra=""):
    h = "%s %s HTTP/1.1\r\nHost: docker\r\n%s" % (method, target, extra)
    if chunks is not None:
        b = "".join("%x\r\n%s\r\n" % (len(c), c) for c in chunks) + "0\r\n\r\n"
        return h + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + b
    if body is not None:
        return h + "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    return h + "\r\n"
s = req("GET", "/_ping")
s += req("POST", "/v1.41/containers/create?name=a", chunks=['{"Image":"alp', 'ine","HostConfig":{"Binds":["/srv/data:/d"]}}'])
s += req("POST", "/v1.41/containers/create?name=b", chunks=['{"Image":"alp', 'ine","Cmd":["true"]}'])
s += req("POST", "/v1.41/containers/b/stop", body="{}")
s += req("POST", "/v1.41/containers/b/attach?stream=1&stdin=1&stdout=1", extra="Connection: Upgrade\r\nUpgrade: tcp\r\n")
s += "echo hi\nGET /looks/like/data\n"
open(sys.argv[1] + "/cap", "w").write(s)
open(sys.argv[1] + "/ok1", "w").write(req("GET", "/_ping") + req("GET", "/v1.41/version") + "\r\n")
open(sys.argv[1] + "/ok2", "w").write(req("POST", "/v1.41/containers/create", '{"Image":"alpine"}'))
PY
rc=0; out=$("$SOCKWARDEN" explain "$T/cap") || rc=$?
check "capture with a denial: exit status $rc: $out" [ $rc = 3 ]
for want in 'request 1: GET /_ping' \
    'request 2: POST /v1.41/containers/create?name=a' \
    "message: sockwarden: container create denied by rule binds: binding the host path '/srv/data' (HostConfig.Binds[0]) is not allowed (policy key: checks.binds.roots)" \
    'request 3: POST /v1.41/containers/create?name=b' \
    'forward: POST /v1.41/containers/create?name=b' \
    'request 4: POST /v1.41/containers/b/stop' \
    'forward: POST /v1.41/containers/b/stop' \
    'warning: the body of request 4 (2 bytes) is ignored by the engine on container stop: sockwarden drops it and forwards the request without it' \
    'request 5: POST /v1.41/containers/b/attach?stream=1&stdin=1&stdout=1' \
    "note: container attach hijacks the connection; the 29 bytes after it are the session's stream, not requests" \
    '5 requests: 4 allowed, 1 denied, 0 rejected'; do
	check "capture: no line [$want] in: $out" grep -qxF -- "$want" <<<"$out"
done
check "capture: not one decision per request: $out" [ "$(grep -c '^decision: ' <<<"$out")" = 5 ]
refute "the session's stream was read as requests: $out" grep -q 'request 6' <<<"$out"
check "a warning beyond the ignored body: $out" [ "$(grep -c '^warning: ' <<<"$out")" = 1 ]
# all allowed: 0; a trailing blank line is no request; several files are
# several connections, each numbered with its file
rc=0; out=$("$SOCKWARDEN" explain --policy "$(dirname "$0")/../../conf/ci.json" "$T/ok1" "$T/ok2") || rc=$?
check "allowed captures: exit status $rc: $out" [ $rc = 0 ]
check "files: $out" grep -qxF "request 2 ($T/ok1): GET /v1.41/version" <<<"$out"
check "files: $out" grep -qxF "request 3 ($T/ok2): POST /v1.41/containers/create" <<<"$out"
check "files: $out" grep -qxF '3 requests: 3 allowed, 0 denied, 0 rejected' <<<"$out"
# a truncated stream: the requests before it are decided, the cut one is
# a reject, nothing is skipped silently
head -c 170 "$T/cap" > "$T/cut"
rc=0; out=$("$SOCKWARDEN" explain "$T/cut") || rc=$?
check "truncated capture: exit status $rc: $out" [ $rc = 3 ]
check "truncated: $out" grep -qx 'message: sockwarden: malformed or incomplete chunked body' <<<"$out"
check "truncated: $out" grep -qx '2 requests: 1 allowed, 0 denied, 1 rejected' <<<"$out"
rc=0; "$SOCKWARDEN" explain "$T/missing" > /dev/null 2>&1 || rc=$?
check "missing file: exit status $rc" [ $rc = 1 ]
