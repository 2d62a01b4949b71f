#!/bin/bash
# t79-policy-tools: `sockwarden check` and `sockwarden explain` end to end.
#   check: the shipped presets print "policy OK" and exit 0; a bad file
#     prints every error as file:line:col: message and exits 1 (no
#     "policy OK"); several files, one bad -> 1; the daemon refuses to start
#     with the bad file.
#   explain: on raw request files prints the decision, status, operation,
#     rule id and reason (deny, reject, allow with the forwarded target,
#     allow under audit), exits 3/3/0/0, contacts no engine (strace: no
#     socket(2) at all), and agrees with the running daemon on the same
#     bytes; docs/policy.md's socat capture of a docker CLI run, explained,
#     decides every captured request (one denial: --privileged).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy

cd "$TEST_DIR"

# ------------------------------------------------------------------ check
for p in ci readonly deny-all; do
	out=$("$SOCKWARDEN" check "$SW_REPO/conf/$p.json" 2>&1) ||
	    fail "sockwarden check conf/$p.json failed: $out"
	assert_eq "policy OK" "$out" "check conf/$p.json"
done
out=$("$SOCKWARDEN" check "$SW_REPO/conf/ci.json" "$SW_REPO/conf/readonly.json" 2>&1) ||
    fail "check of two good files failed: $out"
assert_eq "policy OK" "$out" "check of two good files"

cat > good.json <<'EOF'
// a site policy
{
  "extends": "ci",
  "checks": {
    /* workspace */
    "binds": { "roots": [ { "path": "/srv/ci/ws" },
                          { "path": "/srv/ci/cache", "readonly": true } ] },
    "user": { "mode": "audit", "non_root": true }
  }
}
EOF
assert_eq "policy OK" "$("$SOCKWARDEN" check good.json 2>&1)" "check good.json"

# the example of docs/policy.md: unknown key, reported at its position
cat > bad.json <<'EOF'
{
  "extends": "ci",
  "checks": { "binds": { "root": [] } }
}
EOF
rc=0
out=$("$SOCKWARDEN" check bad.json 2>&1) || rc=$?
assert_eq 1 "$rc" "exit status of check bad.json"
assert_eq "bad.json:3:26: unknown key 'root' at checks.binds; did you mean 'roots'?" "$out" "check bad.json"

# several errors: every one is reported, in order, each file:line:col: message
cat > bad2.json <<'EOF'
{
  "extends": "ci",
  "mode": "loud",
  "checks": { "binds": { "roots": [ { "path": "/x", "readonly": "yes" } ] },
              "nonsense": {} }
}
EOF
rc=0
out=$("$SOCKWARDEN" check bad2.json 2>&1) || rc=$?
assert_eq 1 "$rc" "exit status of check bad2.json"
assert_not_contains "$out" "policy OK" "check bad2.json"
assert_eq 3 "$(printf '%s\n' "$out" | wc -l)" "number of error lines for bad2.json ($out)"
printf '%s\n' "$out" | grep -Evq '^bad2\.json:[0-9]+:[0-9]+: .' &&
    fail "an error line is not file:line:col: message: $out"
assert_match "$out" '^bad2\.json:3:[0-9]+: .*mode' "error for mode"
assert_match "$out" 'bad2\.json:4:[0-9]+: .*checks\.binds\.roots\[0\]\.readonly' "error for readonly"
assert_match "$out" 'bad2\.json:5:[0-9]+: .*nonsense' "error for the unknown check"

# JSON syntax errors and other strictness rules
printf '{"extends": "ci",}\n' > trailing-comma.json
printf '{"extends": "ci", "extends": "readonly"}\n' > dup.json
printf '{"extends": "nope"}\n' > unknown-preset.json
printf '{"endpoints": {"allow": ["container.fly"]}}\n' > unknown-op.json
printf '{"body_limit": 12}\n' > range.json
for f in trailing-comma dup unknown-preset unknown-op range; do
	rc=0
	out=$("$SOCKWARDEN" check "$f.json" 2>&1) || rc=$?
	assert_eq 1 "$rc" "exit status of check $f.json ($out)"
	assert_match "$out" "^$f\\.json:1:[0-9]+: ." "check $f.json"
	assert_not_contains "$out" "policy OK" "check $f.json"
done
assert_eq "trailing-comma.json:1:17: trailing comma" \
    "$("$SOCKWARDEN" check trailing-comma.json 2>&1)" "a trailing comma is named"
rc=0
out=$("$SOCKWARDEN" check "$SW_REPO/conf/ci.json" bad.json 2>&1) || rc=$?
assert_eq 1 "$rc" "check of a good and a bad file"
assert_not_contains "$out" "policy OK" "check of a good and a bad file"
rc=0
out=$("$SOCKWARDEN" check "$TEST_DIR/missing.json" 2>&1) || rc=$?
assert_eq 1 "$rc" "check of a missing file"

# the daemon does not start with a bad policy
rc=0
out=$(timeout 10 "$SOCKWARDEN" --listen "$TEST_DIR/never.sock" --upstream unix:/nonexistent \
    --foreground --policy bad.json 2>&1) || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "sockwarden started (or hung: $rc) with a bad policy: $out"
assert_contains "$out" "bad.json:3:26: unknown key 'root' at checks.binds" "daemon start with bad.json"
[ ! -S "$TEST_DIR/never.sock" ] || fail "sockwarden created its socket with a bad policy"

# ---------------------------------------------------------------- explain
# raw_req FILE METHOD TARGET [BODY [HEADER...]]
raw_req() {
	local file=$1 method=$2 target=$3 body=${4-} h
	shift 3
	[ $# -eq 0 ] || shift
	{
		printf '%s %s HTTP/1.1\r\nHost: docker\r\n' "$method" "$target"
		for h in "$@"; do printf '%s\r\n' "$h"; done
		if [ -n "$body" ]; then
			printf 'Content-Type: application/json\r\nContent-Length: %d\r\n' "${#body}"
		fi
		printf '\r\n%s' "$body"
	} > "$file"
}

priv='{"Image":"swtest/busybox","HostConfig":{"Privileged":true}}'
raw_req priv.req POST "/v1.41/containers/create?name=t79" "$priv"
raw_req ok.req POST "/v1.41/containers/create?name=t79&bogus=1" '{"Image":"swtest/busybox"}'
raw_req dup.req POST "/v1.41/containers/create?name=t79" \
    '{"Image":"swtest/busybox","HostConfig":{"Privileged":false,"privileged":true}}'
raw_req pprof.req GET "/debug/pprof/"
raw_req ping.req GET "/_ping"
raw_req dots.req GET "/v1.41/containers/x/../json"
raw_req binds.req POST "/v1.41/containers/create" '{"Image":"swtest/busybox","HostConfig":{"Binds":["/:/host"]}}'

# explain_run WANT_RC ARGS...: run explain under strace when available and
# check that it made no socket at all (it must not contact any engine).
explain_run() {
	local want=$1 rc=0
	shift
	# a plain run for the output and the exit status (a sanitizer build
	# reports leaks through the exit status) ...
	"$SOCKWARDEN" explain "$@" > "$TEST_DIR/explain.out" 2>&1 || rc=$?
	EXPLAIN=$(cat "$TEST_DIR/explain.out")
	assert_eq "$want" "$rc" "exit status of explain $* ($EXPLAIN)"
	# ... and one under strace: not a single socket(2) or connect(2)
	# (LeakSanitizer cannot run under ptrace: off for this run)
	if command -v strace > /dev/null 2>&1; then
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		    strace -f -qq -o "$TEST_DIR/strace.out" -e trace=socket,connect \
		    "$SOCKWARDEN" explain "$@" > /dev/null 2>&1 < "${EXPLAIN_STDIN:-/dev/null}" || true
		if grep -q . "$TEST_DIR/strace.out"; then
			fail "explain $* made socket calls: $(head -n 5 "$TEST_DIR/strace.out")"
		fi
	fi
}
command -v strace > /dev/null 2>&1 ||
    note "strace not installed: 'explain contacts no engine' is not checked"

explain_run 3 --policy "$SW_REPO/conf/ci.json" priv.req
assert_eq "decision: deny
status: 403
operation: container.create
rule: privileged
reason: privileged containers are not allowed
message: sockwarden: container create denied by rule privileged: privileged containers are not allowed" \
    "$EXPLAIN" "explain of a privileged create"
# the built-in default is the ci preset; stdin works too
explain_run 3 priv.req
assert_contains "$EXPLAIN" "rule: privileged" "explain with the built-in policy"
EXPLAIN_STDIN=priv.req explain_run 3 --policy="$SW_REPO/conf/ci.json" - < priv.req
assert_contains "$EXPLAIN" "rule: privileged" "explain from stdin"

explain_run 0 --policy "$SW_REPO/conf/ci.json" ok.req
assert_eq "decision: allow
operation: container.create
forward: POST /v1.41/containers/create?name=t79" "$EXPLAIN" "explain of an allowed create (unknown parameter dropped)"

explain_run 3 --policy "$SW_REPO/conf/ci.json" dup.req
assert_contains "$EXPLAIN" "decision: reject" "explain of a duplicate member"
assert_contains "$EXPLAIN" "status: 400" "explain of a duplicate member"
assert_contains "$EXPLAIN" "rule: request" "explain of a duplicate member"

explain_run 3 --policy "$SW_REPO/conf/ci.json" pprof.req
assert_contains "$EXPLAIN" "rule: endpoint" "explain GET /debug/pprof/"
explain_run 3 --policy "$SW_REPO/conf/ci.json" dots.req
assert_contains "$EXPLAIN" "status: 400" "explain of a dot segment"

explain_run 0 --policy "$SW_REPO/conf/deny-all.json" ping.req
assert_contains "$EXPLAIN" "decision: allow" "deny-all allows /_ping"
explain_run 3 --policy "$SW_REPO/conf/readonly.json" ok.req
assert_contains "$EXPLAIN" "rule: endpoint" "readonly denies a create"

# audit: allowed, with the rule it would have broken
printf '{"extends": "ci", "checks": {"privileged": {"mode": "audit"}}}\n' > audit.json
explain_run 0 --policy audit.json priv.req
assert_contains "$EXPLAIN" "decision: allow (audit: would deny)" "explain under audit"
assert_contains "$EXPLAIN" "rule: privileged" "explain under audit"
assert_contains "$EXPLAIN" "forward: POST /v1.41/containers/create?name=t79" "explain under audit"
# the workspace policy admits its root
printf '{"extends": "ci", "checks": {"binds": {"roots": [{"path": "/"}]}}}\n' > rootbind.json
explain_run 0 --policy rootbind.json binds.req
explain_run 3 --policy "$SW_REPO/conf/ci.json" binds.req
assert_contains "$EXPLAIN" "rule: binds" "explain of a / bind under ci"

# a bad policy: explain fails with the policy errors, exit 1
explain_run 1 --policy bad.json priv.req
assert_contains "$EXPLAIN" "bad.json:3:26: unknown key 'root' at checks.binds" "explain with bad.json"

# ------------------------------------------ explain agrees with the daemon
sw_need_engine
sw_proxy_start --policy "$SW_REPO/conf/ci.json"
for f in priv dup pprof dots binds; do
	"$SOCKWARDEN" explain --policy "$SW_REPO/conf/ci.json" "$f.req" > "$f.explain" || true
	want_status=$(sed -n 's/^status: //p' "$f.explain")
	want_msg=$(sed -n 's/^message: //p' "$f.explain")
	got=$("$PYTHON" - "$SW_SOCK" "$f.req" <<'EOF'
import sys, swhttp
r = swhttp.request(sys.argv[1], open(sys.argv[2], "rb").read())
print(r.status)
print(r.json()["message"])
EOF
) || fail "sending $f.req to the daemon failed"
	assert_eq "$want_status
$want_msg" "$got" "daemon vs explain on $f.req"
done
[ -z "$(dk_direct ps -a -q --filter 'name=^/t79$')" ] || fail "engine has container t79"

# ------------------------ docs/policy.md's capture recipe, paths moved here
# The docker CLI through socat in front of sockwarden: one file per
# connection; explain decides every captured request like the daemon did.
command -v socat > /dev/null || fail "socat not installed (scripts/deps.sh)"
mkdir -p "$TEST_DIR/cap"
printf '#!/bin/sh\nexec socat -r "%s/cap/conn.$$" STDIO UNIX-CONNECT:%s\n' \
    "$TEST_DIR" "$SW_SOCK" > "$TEST_DIR/cap/one.sh"
chmod +x "$TEST_DIR/cap/one.sh"
sw_bg "$TEST_DIR/socat.out" socat UNIX-LISTEN:"$TEST_DIR/cap/docker.sock",fork \
    EXEC:"$TEST_DIR/cap/one.sh"
capturer=$SW_BG_PID
for _ in $(seq 50); do [ -S "$TEST_DIR/cap/docker.sock" ] && break; sleep 0.1; done
capdk() { sw_timed "$DOCKER_CLI" -H "unix://$TEST_DIR/cap/docker.sock" "$@"; }
capdk run --rm --name "$(sw_name t79-cap)" "$SW_IMAGE" true || fail "docker run through the capture"
out=$(capdk run --rm --privileged "$SW_IMAGE" true 2>&1) && fail "a privileged run passed: $out"
assert_contains "$out" "denied by rule privileged" "privileged run through the capture"
kill "$capturer"
wait "$capturer" 2> /dev/null || true
explain_run 3 --policy "$SW_REPO/conf/ci.json" "$TEST_DIR"/cap/conn.*
assert_match "$EXPLAIN" "request [0-9]+ \\(.*conn\\.[0-9]+\\): POST /v[0-9.]+/containers/create" "captured create"
assert_contains "$EXPLAIN" "message: sockwarden: container create denied by rule privileged: " "captured privileged create"
assert_match "$EXPLAIN" "^[0-9]+ requests: [0-9]+ allowed, 1 denied, 0 rejected$" "one denial in the capture"
[ "$(grep -c '^decision: allow' <<<"$EXPLAIN")" -ge 5 ] || fail "too few allowed requests captured: $EXPLAIN"
sw_proxy_stop
