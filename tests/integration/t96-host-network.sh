#!/bin/bash
# t96-host-network: the host network cannot be reached under another name
# (issue 11): NetworkMode and EndpointsConfig naming it by its full ID or an
# ID prefix are resolved with the engine and refused by rule namespaces,
# like "host" itself; a user network by ID stays allowed.  Default policy.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
sw_proxy_start

hid=$(dk_direct network inspect -f '{{.Id}}' host) || fail "the engine has no host network"
for ref in host "$hid" "${hid:0:12}"; do
	out=$(dk run --rm --network "$ref" "$SW_IMAGE" true 2>&1) &&
		fail "run --network $ref worked: $out"
	assert_contains "$out" "denied by rule namespaces" "run --network ${ref:0:16}"
done
net=$(sw_name t96-net)
dk network create "$net" > /dev/null || fail "network create"
c=$(sw_name t96-c)
dk create --name "$c" "$SW_IMAGE" sleep 60 > /dev/null || fail "create"
out=$(dk network connect "${hid:0:12}" "$c" 2>&1) &&
	fail "network connect to the host network by ID prefix worked: $out"
assert_contains "$out" "denied by rule namespaces" "network connect by ID prefix"
nid=$(dk_direct network inspect -f '{{.Id}}' "$net")
assert_eq ok "$(dk run --rm --network "${nid:0:12}" "$SW_IMAGE" echo ok)" "run on the job's own network by ID prefix"
dk rm -f "$c" > /dev/null
dk network rm "$net" > /dev/null
