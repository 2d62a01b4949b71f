#!/bin/bash
# Settings files are strict: every error reported as file:line, exit 1.
. "$(dirname "$0")/lib.sh"
cat > "$T/bad.conf" <<'C'
listen /tmp/x.sock
bogus_key 1
header_timeout soon
listen /tmp/y.sock
max_connections 0
C
rc=0; out=$("$SOCKWARDEN" --config "$T/bad.conf" --foreground 2>&1) || rc=$?
check "exit status $rc, want 1" [ "$rc" = 1 ]
want="$T/bad.conf:2: unknown setting 'bogus_key'
$T/bad.conf:3: header_timeout: must be a duration like 30s, 5m or 250ms, got 'soon'
$T/bad.conf:4: listen: set twice
$T/bad.conf:5: max_connections: must be a number between 1 and 1000000, got '0'"
check "errors, got:
$out" [ "$out" = "$want" ]
out=$("$SOCKWARDEN" --version) || fail "--version status $?"
check "--version: $out" grep -Eq '^sockwarden [0-9]+\.[0-9]+\.[0-9]+$' <<<"$out"
out=$("$SOCKWARDEN" --help) || fail "--help status $?"
check "--help names --upstream" grep -q -- '--upstream' <<<"$out"
rc=0; "$SOCKWARDEN" --no-such-flag 2>/dev/null || rc=$?
check "unknown flag exit $rc, want 2" [ "$rc" = 2 ]
