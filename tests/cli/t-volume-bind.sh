#!/bin/bash
# A named volume that the engine keeps as a bind of a host directory
# (local driver, o=bind, device=PATH) is judged like a bind of PATH when a
# create mounts it: refused outside the bind roots (rule binds, 403),
# admitted under a root, refused when the device reaches the root through a
# symlink.  The volume is the caller's own (ownership passes), so only the
# bind check stands in the way.  Scripted upstream (no engine).
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/root/data" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/root/link"
chmod 0755 "$T" "$T/root" "$T/root/data"
python3 - "$T" "$T/sw.sock" <<'PY'
import json, sys
t, listener = sys.argv[1:]
rules = []
for name, dev, o in (("etcvol", "/etc", "bind"), ("okvol", t + "/root/data", "rbind,ro"),
                     ("linkvol", t + "/root/link", "bind"), ("nfsvol", ":/export", "addr=10.0.0.1")):
    vol = {"Name": name, "Driver": "local", "Mountpoint": "/var/lib/docker/volumes/%s/_data" % name,
           "Labels": {"io.sockwarden.owner": "l:" + listener}, "Scope": "local",
           "Options": {"type": "none" if o != "addr=10.0.0.1" else "nfs", "o": o, "device": dev}}
    json.dump(vol, open("%s/%s.json" % (t, name), "w"))
    rules.append({"match": "^GET (/v1.41)?/volumes/%s " % name, "body": "@%s/%s.json" % (t, name)})
cid = "d" * 64
inspect = {"Id": cid, "Name": "/c", "HostConfig": {}, "Config": {"Labels": {"io.sockwarden.owner": "l:" + listener}}}
json.dump(inspect, open(t + "/c.json", "w"))
rules += [{"match": "^POST /v1.41/containers/create", "status": 201, "body": '{"Id":"%s","Warnings":[]}' % cid},
          {"match": "^GET (/v1.41)?/containers/%s/json " % cid, "body": "@%s/c.json" % t}]
json.dump(rules, open(t + "/script.json", "w"))
PY
export FAKEUP_SCRIPT=$T/script.json
fakeup_start script
printf '{ "extends": "ci", "checks": { "binds": { "roots": [ { "path": "%s", "subpaths": true } ] } } }\n' \
    "$T/root" > "$T/p.json"
sw_start --policy "$T/p.json"
create() {	# VOLUME: a create mounting it; prints the whole answer
	local b="{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"$1:/x\"]}}"
	raw 3 "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${#b}\r\nConnection: close\r\n\r\n$b"
}
out=$(create etcvol)
check "a volume binding /etc: 403: [$out]" grep -q '^HTTP/1.1 403' <<<"$out"
check "a volume binding /etc: rule binds, named: [$out]" \
    grep -q "denied by rule binds: binding the host path '/etc' (the volume 'etcvol') is not allowed" <<<"$out"
refute "a volume binding /etc: create forwarded: $(cat "$T/up.log")" grep -q '^POST /v1.41/containers/create' "$T/up.log"
out=$(create linkvol)
check "a volume binding a symlink under the root: 403: [$out]" grep -q '^HTTP/1.1 403' <<<"$out"
check "a volume binding a symlink under the root: rule binds: [$out]" grep -q 'denied by rule binds' <<<"$out"
refute "a symlinked volume's create forwarded: $(cat "$T/up.log")" grep -q '^POST /v1.41/containers/create' "$T/up.log"
out=$(create okvol)
check "a volume binding a directory under the root: 201: [$out]" grep -q '^HTTP/1.1 201' <<<"$out"
out=$(create nfsvol)
check "a local volume that is no bind is not judged as one: 201: [$out]" grep -q '^HTTP/1.1 201' <<<"$out"
check "both admitted creates forwarded: $(cat "$T/up.log")" [ "$(grep -c '^POST /v1.41/containers/create' "$T/up.log")" = 2 ]
