#!/bin/bash
# explain reads a hand-written request (LF line ends are accepted in the
# head) and prints the decision with its rule; a malformed head is a reject.
. "$(dirname "$0")/lib.sh"
printf 'POST /v1.41/containers/create HTTP/1.1\nHost: d\nContent-Type: application/json\nContent-Length: 51\n\n{"Image":"alpine","HostConfig":{"Privileged":true}}' > "$T/req"
rc=0; out=$("$SOCKWARDEN" explain "$T/req") || rc=$?
[ $rc = 3 ] || fail "deny exit status $rc"
grep -qx 'rule: privileged' <<<"$out" || fail "no rule line: $out"
grep -qx 'message: sockwarden: container create denied by rule privileged: privileged containers are not allowed' <<<"$out" ||
	fail "message: $out"
printf 'GET /_ping HTTP/1.1\r\nHost: d\n\r\n' > "$T/mixed"
rc=0; out=$("$SOCKWARDEN" explain "$T/mixed") || rc=$?
[ $rc = 3 ] || fail "mixed line ends exit status $rc"
grep -qx 'message: sockwarden: bare LF in request head' <<<"$out" || fail "mixed: $out"
printf 'GET /v1.41/containers/json HTTP/1.1\nHost: d\n\n' | "$SOCKWARDEN" explain > "$T/ok" || fail "allow exit status"
grep -qx 'forward: GET /v1.41/containers/json' "$T/ok" || fail "allow: $(cat "$T/ok")"
echo "3 passed, 0 failed"
