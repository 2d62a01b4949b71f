#!/bin/bash
# t61-audit: one JSON line per decision with every field -- time, listener,
# peer uid/gid/pid (SO_PEERCRED), the caller's container id when it runs in
# a container, method, path, operation, the image the request names, the
# policy generation, decision, rule, reason, status, bytes each way,
# duration -- for an allowed and a denied request, from the host and from
# inside a container; hostile bytes stay escaped; SIGUSR1 reopens the file
# for logrotate; a reload that took counts one generation, a failed one
# none.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

audit=$TEST_DIR/audit.log
chmod 755 "$TEST_DIR"	# SIGHUP re-reads sw.conf as the dropped user
cat > "$TEST_DIR/sw.conf" <<EOF2
listener_name ci-runners
audit_log $audit
EOF2
sw_proxy_start --config "$TEST_DIR/sw.conf"

# check_record N 'python expression over r' ...: the Nth-last record whose
# fields satisfy every expression.
check_last() {	# SELECTOR-EXPR CHECK-EXPR...
	"$PYTHON" - "$audit" "$@" <<'PY'
import json, sys, re, datetime
path, sel, checks = sys.argv[1], sys.argv[2], sys.argv[3:]
recs = []
for n, line in enumerate(open(path, encoding="ascii"), 1):
    try:
        recs.append(json.loads(line))
    except Exception as e:
        sys.exit("line %d is not JSON (%s): %r" % (n, e, line))
want = ["type", "time", "listener", "conn", "peer_uid", "peer_gid", "peer_pid",
        "container", "method", "path", "operation", "image", "policy_generation",
        "decision", "audit_only", "rule", "reason", "status", "bytes_in",
        "bytes_out", "duration_ms"]
for r in recs:
    missing = [k for k in want if k not in r]
    if missing:
        sys.exit("record lacks %s: %r" % (missing, r))
    datetime.datetime.strptime(r["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
hits = [r for r in recs if eval(sel, {"re": re}, {"r": r})]
if not hits:
    sys.exit("no record matches %s in:\n%s" % (sel, "\n".join(map(json.dumps, recs[-5:]))))
r = hits[-1]
for c in checks:
    if not eval(c, {"re": re}, {"r": r}):
        sys.exit("check failed: %s\nrecord: %s" % (c, json.dumps(r)))
print(json.dumps(r))
PY
}

# --- allowed, from the host: curl's own pid is the peer
curl -sS -o /dev/null --unix-socket "$SW_SOCK" http://docker/v1.41/containers/json &
cpid=$!
wait $cpid || fail "curl containers/json"
wait_for 5 grep -q '"path":"/v1.41/containers/json' "$audit" || fail "no audit record for containers/json"
# (forwarded with the owner filter the tenancy rules add)
rec=$(check_last 'r["path"].startswith("/v1.41/containers/json")' \
    'r["type"] == "audit"' 'r["listener"] == "ci-runners"' \
    "r['peer_pid'] == $cpid" "r['peer_uid'] == $(id -u)" "r['peer_gid'] == $(id -g)" \
    'r["container"] is None' 'r["method"] == "GET"' \
    'r["operation"] == "container.list"' 'r["decision"] == "allow"' \
    'r["image"] is None' 'r["policy_generation"] == 1' \
    'r["audit_only"] is False' 'r["rule"] == "" and r["reason"] == ""' \
    'r["status"] == 200' 'r["bytes_in"] == 0' 'r["bytes_out"] > 100' \
    'isinstance(r["duration_ms"], float) and 0 <= r["duration_ms"] < 10000' \
    'isinstance(r["conn"], int)') || fail "allowed record: $rec"
note "allowed: $rec"

# --- denied, from the host: a privileged container create with a body
body='{"Image":"'$SW_IMAGE'","HostConfig":{"Privileged":true}}'
code=$(curl -sS -o /dev/null -w '%{http_code}' --unix-socket "$SW_SOCK" \
    -H 'Content-Type: application/json' -d "$body" \
    http://docker/v1.41/containers/create)
assert_eq 403 "$code" "privileged create"
wait_for 5 grep -q '"decision":"deny"' "$audit" || fail "no deny record"
rec=$(check_last 'r["decision"] == "deny"' \
    'r["method"] == "POST"' 'r["path"] == "/v1.41/containers/create"' \
    'r["operation"] == "container.create"' 'r["rule"] == "privileged"' \
    "r['image'] == '$SW_IMAGE'" 'r["policy_generation"] == 1' \
    'len(r["reason"]) > 10' 'r["status"] == 403' 'r["bytes_in"] == 0' \
    'r["container"] is None' "r['peer_uid'] == $(id -u)" \
    'r["listener"] == "ci-runners"' 'r["peer_pid"] > 0') || fail "denied record: $rec"
note "denied: $rec"

# --- from inside a container: the container id comes from the peer's cgroup
cid=$(dk_direct run -d -v "$SW_SOCK:/var/run/docker.sock" "$SW_CIJOB_IMAGE" \
    sh -c 'docker ps -q > /dev/null; docker run --rm --privileged swtest/busybox true; exit 0') ||
    fail "cannot start the CI job container"
assert_eq 0 "$(dk_direct wait "$cid")" "job container exit"
dk_direct rm "$cid" > /dev/null
wait_for 5 grep -q "\"container\":\"$cid\"" "$audit" || fail "no record names container $cid"
rec=$(check_last "r['container'] == '$cid' and r['operation'] == 'container.list'" \
    'r["decision"] == "allow"' 'r["status"] == 200' 'r["peer_uid"] == 0' \
    'r["peer_pid"] > 0' 'r["method"] == "GET"' 'r["bytes_out"] > 0' \
    're.fullmatch(r"/v1\.[0-9]+/containers/json(\?filters=.*)?", r["path"])') ||
    fail "container record: $rec"
note "from container: $rec"
rec=$(check_last "r['container'] == '$cid' and r['decision'] == 'deny'" \
    'r["rule"] == "privileged"' 'r["status"] == 403' \
    'r["operation"] == "container.create"') || fail "container deny record: $rec"

# --- hostile bytes in the target stay inside their JSON string
"$PYTHON" - "$SW_SOCK" <<'PY' > /dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'GET /v1.41/containers/x%22%0a%7B/json?a="},{"decision":"allow HTTP/1.1\r\nHost: d\r\n\r\n')
s.settimeout(5); s.recv(4096)
PY
rec=$(check_last '"containers/x" in r["path"]' \
    'r["decision"] in ("allow", "deny", "reject")' \
    '"\n" not in r["path"]') || fail "hostile path: $rec"
[ "$(grep -c . "$audit")" = "$(wc -l < "$audit")" ] || fail "a record spans lines"

# --- SIGUSR1: logrotate moved the file away; the next record lands in a new one
mv "$audit" "$audit.1"
kill -USR1 "$SW_PID"
wait_for 5 grep -q 'audit log .* reopened' "$SW_DIR/sw.log" || fail "SIGUSR1 not handled"
dk version > /dev/null
wait_for 5 grep -q '"operation":"system.version"' "$audit" || fail "no record in the reopened file"
grep -q '"operation":"system.version"' "$audit.1" && fail "record written to the rotated file"

# --- the image a request names; the policy generation after reloads
dk image inspect "$SW_IMAGE" > /dev/null || fail "image inspect"
rec=$(check_last 'r["operation"] == "image.inspect"' \
    "r['image'] == '$SW_IMAGE'" 'r["policy_generation"] == 1') || fail "image inspect record: $rec"
kill -HUP "$SW_PID"
wait_for 5 grep -q 'SIGHUP: reloaded' "$SW_DIR/sw.log" || fail "first reload not logged"
echo 'bogus_setting 1' >> "$TEST_DIR/sw.conf"
kill -HUP "$SW_PID"
wait_for 5 grep -q 'SIGHUP: .* is invalid' "$SW_DIR/sw.log" || fail "failed reload not logged"
dk version > /dev/null
wait_for 5 grep -q '"operation":"system.version".*"policy_generation":2' "$audit" ||
    fail "no record of generation 2 after one good and one failed reload: $(tail -n 2 "$audit")"
rec=$(check_last 'r["operation"] == "system.version"' 'r["policy_generation"] == 2' \
    'r["image"] is None') || fail "generation record: $rec"
sw_proxy_stop

# --- default: stderr (journald), one JSON line among the log lines
sw_proxy_start
dk ps > /dev/null
sw_proxy_stop
grep -q '^{"type":"audit",.*"operation":"container.list"' "$SW_DIR/sw.log" ||
    fail "no audit line on stderr"
exit 0
