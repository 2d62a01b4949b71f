#!/bin/bash
# Denials by rule in the metrics: each enforced denial counts once under
# sockwarden_policy_denials_total{rule,mode="enforce"}, a request a check in
# audit mode let through under mode="audit"; rejects (malformed requests)
# and plain allows count under no rule.  A denial is logged once (and
# recorded once).  sockwarden_policy_generation follows reloads that took.
# Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
fakeup_start echo
printf '{ "extends": "ci", "checks": { "ownership": { "mode": "off" },\n  "capabilities": { "mode": "audit" } } }\n' > "$T/p.json"
sw_start --policy "$T/p.json" --metrics-listen "unix:$T/metrics.sock"
post() {	# BODY: a container create, its status code
	raw 2 "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${#1}\r\nConnection: close\r\n\r\n$1" |
	    head -n 1 | cut -d' ' -f2
}
check "privileged" [ "$(post '{"Image":"alpine","HostConfig":{"Privileged":true}}')" = 403 ]
check "binds 1" [ "$(post '{"Image":"alpine","HostConfig":{"Binds":["/etc:/x"]}}')" = 403 ]
check "binds 2" [ "$(post '{"Image":"alpine","HostConfig":{"Binds":["/:/x"]}}')" = 403 ]
check "audited capability" [ "$(post '{"Image":"alpine","HostConfig":{"CapAdd":["SYS_ADMIN"]}}')" = 200 ]
check "plain create" [ "$(post '{"Image":"alpine"}')" = 200 ]
out=$(raw 2 'GET /v1.41/nonexistent HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n')
check "unknown path: $out" grep -q '^HTTP/1.1 403' <<<"$out"
out=$(raw 2 'GET /v1.41/containers/../json HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n')
check "dot segment: $out" grep -q '^HTTP/1.1 400' <<<"$out"
m=$(curl -sS --max-time 5 --unix-socket "$T/metrics.sock" http://d/metrics) || fail "scrape"
for want in 'sockwarden_policy_denials_total{rule="privileged",mode="enforce"} 1' \
    'sockwarden_policy_denials_total{rule="binds",mode="enforce"} 2' \
    'sockwarden_policy_denials_total{rule="capabilities",mode="audit"} 1' \
    'sockwarden_policy_denials_total{rule="endpoint",mode="enforce"} 1' \
    '# TYPE sockwarden_policy_denials_total counter' \
    'sockwarden_policy_generation 1'; do
	check "no [$want] in: $(grep policy_ <<<"$m")" grep -qxF "$want" <<<"$m"
done
check "other rules counted: $(grep '^sockwarden_policy_denials_total' <<<"$m")" [ "$(grep -c '^sockwarden_policy_denials_total{' <<<"$m")" = 4 ]
refute "a reject counted as a denial" grep -q 'rule="request"' <<<"$m"
# a denial is logged once (one log line, one audit record), not twice
check "the privileged denial is logged $(grep -c 'denied by rule privileged' "$T/sw.log") times" [ "$(grep -c 'denied by rule privileged' "$T/sw.log")" = 1 ]
check "not one audit record of the privileged denial" [ "$(grep -c '"decision":"deny","audit_only":false,"rule":"privileged"' "$T/sw.log")" = 1 ]
kill -HUP "$SWPID"
for _ in $(seq 50); do grep -q 'SIGHUP: reloaded' "$T/sw.log" && break; sleep 0.1; done
m=$(curl -sS --max-time 5 --unix-socket "$T/metrics.sock" http://d/metrics) || fail "scrape"
check "generation after a reload: $(grep generation <<<"$m")" grep -qx 'sockwarden_policy_generation 2' <<<"$m"
