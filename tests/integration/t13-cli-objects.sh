#!/bin/bash
# t13-cli-objects: volume and network create/ls/inspect/rm through sockwarden,
# each used by a container in between, cross-checked against the engine.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
sw_proxy_start

# --- volumes
vol=$(sw_name vol)
assert_eq "$vol" "$(dk volume create --label swit=1 "$vol")" "volume create"
assert_contains "$(dk volume ls --format '{{.Name}} {{.Driver}}')" "$vol local" "volume ls"
assert_eq "$vol" "$(dk_direct volume inspect -f '{{.Name}}' "$vol")" "volume seen by the engine"
dk run --rm -v "$vol:/vol" "$SW_IMAGE" sh -c 'echo in-volume > /vol/f'
assert_eq in-volume "$(dk run --rm -v "$vol:/vol:ro" "$SW_IMAGE" cat /vol/f)" \
    "data kept in the volume"
assert_eq "$vol" "$(dk volume rm "$vol")" "volume rm"
dk_direct volume inspect "$vol" > /dev/null 2>&1 && fail "volume $vol still exists after rm"
assert_not_contains "$(dk volume ls -q)" "$vol" "volume ls after rm"

# --- networks (user-defined bridge)
net=$(sw_name net)
nid=$(dk network create -d bridge "$net") ||
    fail "network create failed: $nid"
assert_eq 64 "${#nid}" "network create prints the id"
assert_contains "$(dk network ls --no-trunc --format '{{.ID}} {{.Name}} {{.Driver}}')" \
    "$nid $net bridge" "network ls"
# (explicit --subnet is denied by the ci policy: the engine picks one)
subnet=$(dk network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$net")
assert_eq "$(dk_direct network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$net")" \
    "$subnet" "network inspect subnet"
assert_match "$subnet" '^[0-9]+\.[0-9]+\.[0-9]+\.0/[0-9]+$' "network subnet"
out=$(dk run --rm --network "$net" "$SW_IMAGE" ip -4 -o addr show eth0)
assert_match "$out" "inet ${subnet%.0/*}\.[0-9]+/${subnet#*/} " "container address on $net"
assert_eq "$net" "$(dk network rm "$net")" "network rm"
dk_direct network inspect "$net" > /dev/null 2>&1 && fail "network $net still exists after rm"
assert_not_contains "$(dk network ls --format '{{.Name}}')" "$net" "network ls after rm"

sw_proxy_stop
