#!/bin/bash
# The sample /etc/sockwarden/policy.json (conf/policy.json): as shipped it
# compiles and decides like ci; with every commented knob taken in, it
# still compiles once the comma before the closing brace is dropped (the
# error says "trailing comma" at that comma), so the examples are real keys
# with values of the right type.
. "$(dirname "$0")/lib.sh"
sample=$(cd "$(dirname "$0")/../.." && pwd)/conf/policy.json
check "sample: $("$SOCKWARDEN" check "$sample" 2>&1)" [ "$("$SOCKWARDEN" check "$sample" 2>&1)" = "policy OK" ]
printf 'POST /v1.41/containers/create HTTP/1.1\nHost: d\nContent-Type: application/json\nContent-Length: 51\n\n{"Image":"alpine","HostConfig":{"Privileged":true}}' > "$T/priv"
a=$("$SOCKWARDEN" explain --policy "$sample" "$T/priv") && fail "sample allows a privileged container"
b=$("$SOCKWARDEN" explain "$T/priv") && fail "ci allows a privileged container"
check "sample and ci differ: [$a] [$b]" [ "$a" = "$b" ]
# every commented entry after the opening brace, uncommented
python3 - "$sample" > "$T/all.json" <<'PY'
import re, sys
body = False
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r"^(\s*)// (.*)$", line)
    if body and m and m.group(2)[:1] in ('"', " ", "]"):
        line = m.group(1) + m.group(2)
    body = body or line == "{"
    print(line)
PY
check "nothing uncommented: $(cat "$T/all.json")" grep -q '^    "binds": { "roots": \[$' "$T/all.json"
out=$("$SOCKWARDEN" check "$T/all.json" 2>&1) && fail "the last comma was accepted"
check "all knobs: $out" grep -qE '^[^:]*all\.json:[0-9]+:[0-9]+: trailing comma$' <<<"$out"
line=${out#*all.json:}; line=${line%%:*}
sed -i "${line}s/,\$//" "$T/all.json"
out=$("$SOCKWARDEN" check "$T/all.json" 2>&1) || fail "all knobs, comma dropped: $out"
