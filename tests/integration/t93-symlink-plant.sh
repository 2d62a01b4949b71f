#!/bin/bash
# t93-symlink-plant: a writable bind root with subpaths, through the default
# policy plus that root.  A job plants x -> / inside the root from one
# container; binding root/x (or a path through it) in the next container is
# refused by rule binds before the engine sees it, while a real directory
# the job made there is admitted and a container reads the job's file.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

WS=$TEST_DIR/ws
mkdir -p "$WS"
chmod 755 "$TEST_DIR"	# sockwarden's user walks the root on the host
cat > "$TEST_DIR/policy.json" <<EOF
{ "extends": "ci",
  "checks": { "binds": { "roots": [ { "path": "$WS", "subpaths": true } ] } } }
EOF
sw_proxy_start --policy "$TEST_DIR/policy.json"

dk run --rm -v "$WS:/ws" "$SW_IMAGE" sh -c 'ln -s / /ws/x && mkdir /ws/d && echo mine > /ws/d/f' ||
	fail "the job could not use its workspace root"
[ -L "$WS/x" ] || fail "the planted symlink is not on the host"
out=$(dk run --rm -v "$WS/x:/host" "$SW_IMAGE" ls /host/etc 2>&1) &&
	fail "binding the planted symlink worked: $out"
assert_contains "$out" "denied by rule binds: the host path '$WS/x' crosses a symbolic link" \
	"bind of the planted symlink"
out=$(dk run --rm --mount "type=bind,src=$WS/x/etc,dst=/host" "$SW_IMAGE" true 2>&1) &&
	fail "a --mount through the planted symlink worked: $out"
assert_contains "$out" "denied by rule binds" "--mount through the planted symlink"
assert_eq mine "$(dk run --rm -v "$WS/d:/d:ro" "$SW_IMAGE" cat /d/f)" "bind of the job's own directory"
