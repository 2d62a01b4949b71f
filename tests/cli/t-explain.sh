#!/bin/bash
# explain reads a hand-written request (LF line ends are accepted in the
# head) and prints the decision with its rule; a malformed head is a reject.
. "$(dirname "$0")/lib.sh"
printf 'POST /v1.41/containers/create HTTP/1.1\nHost: d\nContent-Type: application/json\nContent-Length: 51\n\n{"Image":"alpine","HostConfig":{"Privileged":true}}' > "$T/req"
rc=0; out=$("$SOCKWARDEN" explain "$T/req") || rc=$?
check "deny exit status $rc, want 3" [ "$rc" = 3 ]
check "no rule line: $out" grep -qx 'rule: privileged' <<<"$out"
check "message: $out" grep -qx \
    'message: sockwarden: container create denied by rule privileged: privileged containers are not allowed' <<<"$out"
printf 'GET /_ping HTTP/1.1\r\nHost: d\n\r\n' > "$T/mixed"
rc=0; out=$("$SOCKWARDEN" explain "$T/mixed") || rc=$?
check "mixed line ends exit status $rc, want 3" [ "$rc" = 3 ]
check "mixed: $out" grep -qx 'message: sockwarden: bare LF in request head' <<<"$out"
rc=0
printf 'GET /v1.41/containers/json HTTP/1.1\nHost: d\n\n' | "$SOCKWARDEN" explain > "$T/ok" || rc=$?
check "allow exit status $rc, want 0" [ "$rc" = 0 ]
check "allow: $(cat "$T/ok")" grep -qx 'forward: GET /v1.41/containers/json' "$T/ok"
