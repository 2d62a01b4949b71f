#!/bin/bash
# t71-policy-deny-raw: raw HTTP against the built-in ci preset -- the
# dangerous classes the docker CLI cannot express, and the encoding tricks
# that try to make sockwarden and the engine read one request differently:
#   JSON: lower-case / upper-case member names, duplicate members under Go's
#     case folding, HostConfig twice or nested, U+017F (long s) and U+212A
#     (Kelvin sign) in member names, \u escapes in names, invalid UTF-8, BOM,
#     \u0000, lone surrogates, comments, trailing data, deep nesting, wrong
#     types
#   HTTP: Content-Length + Transfer-Encoding, chunked bodies (one byte per
#     chunk, extensions, trailers), Content-Length: 0 + chunked, a request
#     smuggled in a body, pipelining after an allowed request, a body over
#     body_limit, form-encoded and multipart bodies, ';' in the query, %2F,
#     %63, dot segments, '//', /V1.41/, Upgrade on a non-hijack route
# Every 403 must carry the expected rule id, every 400 sockwarden's JSON
# error, and the engine, asked directly, must show that no container,
# volume, exec, swarm or plugin was created.  All cases run; the failures
# are listed together at the end.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
sw_proxy_start		# built-in default policy: the ci preset

ctl=$(sw_name t71-target)
dk run -d --name "$ctl" "$SW_IMAGE" sleep 300 > /dev/null ||
    fail "allowed docker run -d through the ci preset failed"
# made on the engine directly: nobody's, out of every job's reach
other=$(sw_name t71-other)
dk_direct create --name "$other" "$SW_IMAGE" true > /dev/null
containers_before=$(dk_direct ps -aq --no-trunc | sort)
other_id=$(dk_direct inspect -f '{{.Id}}' "$other")
volumes_before=$(dk_direct volume ls -q | sort)

py_rc=0
"$PYTHON" - "$SW_SOCK" "$ENGINE_SOCK" "$(sw_name t71)" "$ctl" "$SW_IMAGE" "$other" <<'EOF' || py_rc=$?
import json, socket, sys, time
import swhttp
from swhttp import Fail

SW, ENG, PFX, CTL, IMAGE, OTHER = sys.argv[1:7]
errors = []
ncase = 0

def note(msg):
    print("NOTE: t71-policy-deny-raw: " + msg, file=sys.stderr)

def send(raw, timeout=10.0):
    """One request on a fresh connection.  A write error after part of the
    request went out is ignored: the response may already be there (an early
    403/413 for a large body; lingering close is checked separately below)."""
    s = swhttp.connect(SW, timeout)
    try:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return swhttp.read_response(s, timeout)
    finally:
        s.close()

class ByteSock:
    """Feeds bytes already read to swhttp.read_response one at a time, so
    that two responses in one recv() are parsed as two responses."""
    def __init__(self, data):
        self.data = data
    def settimeout(self, t):
        pass
    def recv(self, n, flags=0):
        d, self.data = self.data[:1], self.data[1:]
        return d

def read_all(s, timeout=10.0):
    buf = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not d:
            break
        buf += d
    return buf

def head(method, target, hdrs=b""):
    return (b"%s %s HTTP/1.1\r\nHost: docker\r\n" % (method.encode(), target.encode())) + hdrs

def req(method, target, body=None, ctype=b"application/json", hdrs=b""):
    if isinstance(body, str):
        body = body.encode()
    if body is None:
        return head(method, target, hdrs) + b"Connection: close\r\n\r\n"
    return (head(method, target, hdrs) + (b"Content-Type: %s\r\n" % ctype if ctype else b"") +
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)

def chunked(body, size=None):
    if size is None:
        size = len(body)
    out = b""
    for i in range(0, len(body), size):
        c = body[i:i + size]
        out += b"%x\r\n%s\r\n" % (len(c), c)
    return out + b"0\r\n\r\n"

def ct_json_chunked(extra=b""):
    return b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n" + extra

def engine_get(path):
    return swhttp.get(ENG, path)

def container_absent(name):
    r = engine_get("/v1.41/containers/%s/json" % name)
    if r.status != 404:
        raise Fail("engine: container '%s' exists after a denied request (%s)" % (name, r.status_line))

def volume_absent(name):
    r = engine_get("/v1.41/volumes/%s" % name)
    if r.status != 404:
        raise Fail("engine: volume '%s' exists after a denied request (%s)" % (name, r.status_line))

def execs_none():
    ids = engine_get("/v1.41/containers/%s/json" % CTL).json().get("ExecIDs")
    if ids:
        raise Fail("engine: %s has ExecIDs %r after denied exec creates" % (CTL, ids))

def case(what, fn):
    try:
        fn()
    except (Fail, OSError, ValueError, KeyError) as e:
        errors.append("%s: %s" % (what, e))

def expect(r, status, rule, what):
    msg = swhttp.check_error(r, status, None, what)
    if status == 403 and ("denied by rule %s: " % rule) not in msg:
        raise Fail("%s: expected a denial by rule %s, got %r" % (what, rule, msg))
    # the key a denial names belongs to its rule (endpoints.allow,
    # checks.<rule>...); a mode-only rule names none
    key = msg.rsplit(" (policy key: ", 1)[1].rstrip(")") if " (policy key: " in msg else None
    if status == 403 and key is not None and not (key == "endpoints.allow" and rule == "endpoint"
            or key == "checks." + rule or key.startswith("checks.%s." % rule)):
        raise Fail("%s: rule %s names the policy key %r" % (what, rule, key))
    if status == 403 and rule in ("privileged", "devices", "propagation", "volume-options",
            "workdir", "unknown-field") and key is not None:
        raise Fail("%s: the mode-only rule %s names a policy key: %r" % (what, rule, msg))
    if status == 400 and " rejected: " not in msg and "sockwarden: " not in msg:
        raise Fail("%s: unexpected 400 message %r" % (what, msg))
    if r.headers.get("connection", "").lower() != "close" and not r.closed:
        pass    # closing after an error is checked in t50
    return msg

def create(what, body, status, rule=None, target=None, ctype=b"application/json",
           hdrs=b"", raw=None):
    """POST /containers/create?name=<unique> with body -> status/rule, and
    the engine has no container of that name."""
    global ncase
    ncase += 1
    name = "%s-c%02d" % (PFX, ncase)
    tgt = (target or "/v1.41/containers/create?name={n}").format(n=name)
    def run():
        if raw is not None:
            r = send(raw(tgt, name))
        else:
            r = send(req("POST", tgt, body, ctype, hdrs))
        expect(r, status, rule, what)
        container_absent(name)
    case(what, run)

HC = lambda hc: json.dumps({"Image": IMAGE, "HostConfig": hc})
PRIV = ('{"Image":"%s","HostConfig":{"Privileged":true}}' % IMAGE).encode()
I = '{"Image":"%s",' % IMAGE

# ------------------------------------------------ classes needing raw JSON
def created_harmless(what, body):
    """Members no engine reads are dropped by Go's decoder, so sockwarden
    lets them through (issue 8); the engine must have stored nothing of
    them: the container is created unprivileged with no binds."""
    global ncase
    ncase += 1
    name = "%s-c%02d" % (PFX, ncase)
    def run():
        r = send(req("POST", "/v1.41/containers/create?name=%s" % name, body))
        if r.status != 201:
            raise Fail("%s: expected 201, got %s" % (what, r.status_line))
        hc = engine_get("/v1.41/containers/%s/json" % name).json()["HostConfig"]
        swhttp.request(ENG, b"DELETE /v1.41/containers/%s?force=1 HTTP/1.1\r\nHost: docker\r\n"
                       b"Connection: close\r\n\r\n" % name.encode(), method="DELETE")
        if hc.get("Privileged") or hc.get("Binds"):
            raise Fail("%s: the engine applied it: %r" % (what, hc))
    case(what, run)

created_harmless("unknown non-zero HostConfig field", HC({"FooBarFeature": 1}))
created_harmless("unknown non-zero top-level field", I + '"FooBar":{"a":1}}')
created_harmless("HostConfig nested in HostConfig",
                 I + '"HostConfig":{"HostConfig":{"Privileged":true,"Binds":["/:/h"]}}}')
created_harmless("Privileged with a trailing space (Go folds case, not spaces)",
                 I + '"HostConfig":{"Privileged ":true}}')
create("legacy Capabilities field", HC({"Capabilities": ["CAP_SYS_ADMIN"]}), 403, "capabilities")
create("CapAdd cap_\u017fy\u017f_adm\u0131n (ToUpper gives CAP_SYS_ADMIN)",
       HC({"CapAdd": ["cap_\u017fy\u017f_adm\u0131n"]}), 403, "capabilities")
create("CapAdd \\u-escaped cap_sys_admin", I + '"HostConfig":{"CapAdd":["\\u0063ap_sys_admin"]}}',
       403, "capabilities")
create("CapAdd ALL", HC({"CapAdd": ["ALL"]}), 403, "capabilities")
def not_callers(what, body):
    """Names a container that is not the caller's: the engine's own 400."""
    global ncase
    ncase += 1
    name = "%s-c%02d" % (PFX, ncase)
    def run():
        r = send(req("POST", "/v1.41/containers/create?name=%s" % name, body))
        if r.status != 400 or b"No such container: " + OTHER.encode() not in r.body:
            raise Fail("%s: expected 400 No such container, got %s %r" %
                       (what, r.status_line, r.body[:200]))
        container_absent(name)
    case(what, run)

not_callers("Cgroup container: join (not the caller's)", HC({"Cgroup": "container:" + OTHER}))
create("CgroupnsMode host", HC({"CgroupnsMode": "host"}), 403, "namespaces")
create("DeviceRequests", HC({"DeviceRequests": [{"Driver": "nvidia", "Count": -1,
       "Capabilities": [["gpu"]]}]}), 403, "devices")
create("DeviceCgroupRules", HC({"DeviceCgroupRules": ["a *:* rwm"]}), 403, "devices")
create("Devices", HC({"Devices": [{"PathOnHost": "/dev/mem", "PathInContainer": "/dev/mem",
       "CgroupPermissions": "rwm"}]}), 403, "devices")
create("Mounts bind /", HC({"Mounts": [{"Type": "bind", "Source": "/", "Target": "/host"}]}),
       403, "binds")
create("Mounts type BIND (upper case)", HC({"Mounts": [{"Type": "BIND", "Source": "/",
       "Target": "/host"}]}), 403, "binds")
create("Binds /srv/../", HC({"Binds": ["/srv/../:/x"]}), 403, "binds")
create("Binds //etc", HC({"Binds": ["//etc:/x"]}), 403, "binds")
create("Binds /etc/ (trailing slash)", HC({"Binds": ["/etc/:/x"]}), 403, "binds")
create("Binds host path with :z relabel", HC({"Binds": ["/etc:/x:z"]}), 403, "binds")
create("Mounts bind with CreateMountpoint", HC({"Mounts": [{"Type": "bind", "Source": "/nonexistent-t71",
       "Target": "/x", "BindOptions": {"CreateMountpoint": True}}]}), 403, "binds")
vol_inline = PFX + "-inlinevol"
create("Mounts volume DriverConfig local type=none,o=bind,device=/",
       HC({"Mounts": [{"Type": "volume", "Source": vol_inline, "Target": "/v",
           "VolumeOptions": {"DriverConfig": {"Name": "local",
               "Options": {"type": "none", "o": "bind", "device": "/"}}}}]}),
       403, "volume-options")
case("inline volume absent", lambda: volume_absent(vol_inline))
create("Mounts volume DriverConfig, lower-case member names",
       HC({"Mounts": [{"type": "volume", "source": vol_inline, "target": "/v",
           "volumeoptions": {"driverconfig": {"name": "local",
               "options": {"type": "none", "o": "bind", "device": "/"}}}}]}),
       403, "volume-options")
case("inline volume absent (2)", lambda: volume_absent(vol_inline))
create("Mounts volume BindOptions shared", HC({"Mounts": [{"Type": "volume", "Source": vol_inline,
       "Target": "/v", "BindOptions": {"Propagation": "rshared"}}]}), 403, "propagation")
create("Mounts image of a foreign image", HC({"Mounts": [{"Type": "image",
       "Source": "quay.io/evil/img", "Target": "/x"}]}), 403, "images")
not_callers("VolumesFrom (not the caller's)", HC({"VolumesFrom": [OTHER + ":rw"]}))
create("MaskedPaths []", HC({"MaskedPaths": []}), 403, "security-options")
create("ReadonlyPaths []", HC({"ReadonlyPaths": []}), 403, "security-options")
create("SecurityOpt seccomp:unconfined", HC({"SecurityOpt": ["seccomp:unconfined"]}), 403,
       "security-options")
create("SecurityOpt label:disable", HC({"SecurityOpt": ["label:disable"]}), 403, "security-options")
create("Sysctls", HC({"Sysctls": {"kernel.core_pattern": "|/tmp/x"}}), 403, "sysctls")
create("Runtime", HC({"Runtime": "io.containerd.runsc.v1"}), 403, "runtime")
create("CgroupParent", HC({"CgroupParent": "/system.slice"}), 403, "cgroup-parent")
create("VolumeDriver", HC({"VolumeDriver": "evil"}), 403, "volume-driver")
create("image outside the allowlist", json.dumps({"Image": "ghcr.io/evil/img:1"}), 403, "images")
create("PortBindings host port 443", json.dumps({"Image": IMAGE, "ExposedPorts": {"443/tcp": {}},
       "HostConfig": {"PortBindings": {"443/tcp": [{"HostIp": "", "HostPort": "443"}]}}}),
       403, "ports")
create("PublishAllPorts", HC({"PublishAllPorts": True}), 403, "ports")
create("Binds named volume rshared", HC({"Binds": [vol_inline + ":/v:rshared"]}), 403, "propagation")
create("OomKillDisable", HC({"OomKillDisable": True}), 403, "resources")
create("Annotations", HC({"Annotations": {"io.kubernetes.cri.x": "1"}}), 403, "runtime")

# Legacy top-level HostConfig fields.  The engine's ContainerConfigWrapper
# embeds a deprecated *HostConfig: without a "HostConfig" member (or with
# "HostConfig": null) top-level "Privileged", "Binds", "PidMode", "CapAdd"...
# ARE the host config (engine 20.10, verified by t74), and a top-level
# "VolumeDriver" is merged into an empty HostConfig.VolumeDriver.  sockwarden
# refuses the legacy form itself with a 400 (not a check that a site could
# run in audit or off mode), naming the field.
LEGACY = "HostConfig field '%s' at the top level of the body"
for what, body, field in [
        ("top-level Privileged (no HostConfig)", '{"Image":"%s","Privileged":true}' % IMAGE,
         "Privileged"),
        ("top-level Privileged with HostConfig null",
         '{"Image":"%s","HostConfig":null,"Privileged":true}' % IMAGE, "Privileged"),
        ("top-level Binds /:/host", '{"Image":"%s","Binds":["/:/host"]}' % IMAGE, "Binds"),
        ("top-level PidMode host", '{"Image":"%s","PidMode":"host"}' % IMAGE, "PidMode"),
        ("top-level CapAdd SYS_ADMIN", '{"Image":"%s","CapAdd":["SYS_ADMIN"]}' % IMAGE, "CapAdd"),
        ("top-level VolumeDriver merged into an empty HostConfig.VolumeDriver",
         '{"Image":"%s","VolumeDriver":"evil","HostConfig":{}}' % IMAGE, "VolumeDriver")]:
    def legacy_case(what=what, body=body, field=field):
        global ncase
        ncase += 1
        name = "%s-c%02d" % (PFX, ncase)
        def run():
            r = send(req("POST", "/v1.41/containers/create?name=%s" % name, body,
                         b"application/json", b""))
            msg = expect(r, 400, None, what)
            if LEGACY % field not in msg:
                raise Fail("%s: expected the legacy-form rejection naming %s, got %r"
                           % (what, field, msg))
            container_absent(name)
        case(what, run)
    legacy_case()

# volumes/create
for what, body, rule in [
        ("volume create DriverOpts type=none,o=bind,device=/",
         {"Driver": "local", "DriverOpts": {"type": "none", "o": "bind", "device": "/"}}, "volume-options"),
        ("volume create driveropts (lower case)",
         {"driver": "local", "driveropts": {"type": "none", "o": "bind", "device": "/etc"}}, "volume-options"),
        ("volume create Driver evil", {"Driver": "evil"}, "volume-driver")]:
    ncase += 1
    name = "%s-v%02d" % (PFX, ncase)
    body = dict(body, Name=name) if "Driver" in body else dict(body, name=name)
    def run(what=what, body=body, rule=rule, name=name):
        expect(send(req("POST", "/v1.41/volumes/create", json.dumps(body))), 403, rule, what)
        volume_absent(name)
    case(what, run)

# exec create with Privileged
for what, body, status, rule in [
        ("exec Privileged:true", '{"Cmd":["id"],"Privileged":true}', 403, "privileged"),
        ("exec privileged:true (lower case)", '{"Cmd":["id"],"privileged":true}', 403, "privileged"),
        ("exec \\u0050rivileged", '{"Cmd":["id"],"\\u0050rivileged":true}', 403, "privileged"),
        ("exec Privileged false+true", '{"Cmd":["id"],"Privileged":false,"privileged":true}', 400, None)]:
    def run(what=what, body=body, status=status, rule=rule):
        expect(send(req("POST", "/v1.41/containers/%s/exec" % CTL, body)), status, rule, what)
        execs_none()
    case(what, run)
def exec_chunked():
    body = b'{"Cmd":["id"],"Privileged":true}'
    r = send(head("POST", "/v1.41/containers/%s/exec" % CTL,
                   b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n") +
             chunked(body, 3))
    expect(r, 403, "privileged", "chunked exec Privileged")
    execs_none()
case("chunked exec Privileged", exec_chunked)

# unknown / disallowed endpoints
for what, raw in [
        ("GET /debug/pprof/", req("GET", "/debug/pprof/")),
        ("GET /v1.41/debug/pprof/heap", req("GET", "/v1.41/debug/pprof/heap")),
        ("POST /swarm/init", req("POST", "/v1.41/swarm/init",
                                 '{"ListenAddr":"127.0.0.1:2377","AdvertiseAddr":"127.0.0.1"}')),
        ("POST /plugins/pull", req("POST", "/v1.41/plugins/pull?remote=vieux/sshfs", "[]")),
        ("POST /plugins/create", req("POST", "/v1.41/plugins/create?name=evil", b"", b"application/x-tar")),
        ("GET /nonexistent", req("GET", "/v1.41/nonexistent")),
        ("POST /secrets/create", req("POST", "/v1.41/secrets/create", '{"Name":"s","Data":"eA=="}')),
        ("POST /containers/{id}/copy", req("POST", "/v1.24/containers/%s/copy" % CTL, '{"Resource":"/etc"}')),
        ("POST /commit", req("POST", "/v1.41/commit?container=%s&repo=swtest/t71commit" % CTL, "{}")),
        ("POST /grpc (BuildKit tunnel, not in ci)",
         req("POST", "/v1.41/grpc", b"", None, b"Connection: Upgrade\r\nUpgrade: h2c\r\n"))]:
    case(what, lambda what=what, raw=raw: expect(send(raw), 403, "endpoint", what))
def endpoint_keys():
    # an operation the policy can allow names the key; an unknown path none
    msg = expect(send(req("POST", "/v1.41/commit?container=%s&repo=swtest/t71commit" % CTL, "{}")),
                 403, "endpoint", "commit names its key")
    if not msg.endswith("(policy key: endpoints.allow)"):
        raise Fail("commit denial names no key: %r" % msg)
    msg = expect(send(req("GET", "/v1.41/nonexistent")), 403, "endpoint", "unknown path")
    if "(policy key:" in msg:
        raise Fail("an unknown path names a policy key: %r" % msg)
case("endpoint denials and their policy key", endpoint_keys)
def swarm_plugins_untouched():
    info = engine_get("/v1.41/info").json()
    if info["Swarm"]["LocalNodeState"] != "inactive":
        raise Fail("engine swarm state %r" % info["Swarm"]["LocalNodeState"])
    if engine_get("/v1.41/plugins").json() != []:
        raise Fail("engine has plugins")
    if engine_get("/v1.41/images/swtest/t71commit/json").status != 404:
        raise Fail("engine has the committed image")
case("engine: no swarm, plugin or committed image", swarm_plugins_untouched)

def prune_own_only():
    """ci allows prune: narrowed to the caller's own objects (ownership)."""
    r = send(req("POST", "/v1.41/containers/prune"))
    if r.status != 200:
        raise Fail("prune: expected 200, got %s" % r.status_line)
    if engine_get("/v1.41/containers/%s/json" % OTHER).status != 200:
        raise Fail("prune removed a stopped container that is not the caller's")
case("POST /containers/prune removes only the caller's", prune_own_only)

# container update / start bodies and /build query parameters
def ctl_hostconfig():
    return engine_get("/v1.41/containers/%s/json" % CTL).json()["HostConfig"]
hc_before = {}
case("engine: HostConfig of the target", lambda: hc_before.update(ctl_hostconfig()))
for what, target, body, status, rule in [
        ("update DeviceCgroupRules", "/v1.41/containers/{c}/update",
         '{"DeviceCgroupRules":["a *:* rwm"]}', 403, "devices"),
        ("update Devices", "/v1.41/containers/{c}/update",
         '{"Devices":[{"PathOnHost":"/dev/mem","PathInContainer":"/dev/mem","CgroupPermissions":"rwm"}]}',
         403, "devices"),
        ("update CgroupParent", "/v1.41/containers/{c}/update", '{"CgroupParent":"/"}', 403,
         "cgroup-parent"),
        ("update Privileged (not an update field): dropped by the engine",
         "/v1.41/containers/{c}/update", '{"Privileged":true}', 200, None),
        # a small body where the engine reads none is dropped, never
        # forwarded: the engine starts the container bare (304: running)
        ("start with a HostConfig body (API 1.41)", "/v1.41/containers/{c}/start",
         '{"Privileged":true,"Binds":["/:/host"]}', 304, None),
        ("start with a HostConfig body (API 1.23: the engine would apply it)",
         "/v1.23/containers/{c}/start", '{"Privileged":true,"Binds":["/:/host"]}', 400, None),
        ("start with a chunked HostConfig body (no version)", "/containers/{c}/start", None, 304,
         None)]:
    def run(what=what, target=target, body=body, status=status, rule=rule):
        t = target.format(c=CTL)
        if body is None:
            raw = (head("POST", t, ct_json_chunked(b"\r\n")) +
                   chunked(b'{"Privileged":true,"Binds":["/:/host"]}'))
        else:
            raw = req("POST", t, body)
        r = send(raw)
        if status in (200, 304):
            if r.status != status:
                raise Fail("%s: expected %d, got %s" % (what, status, r.status_line))
        else:
            expect(r, status, rule, what)
        if ctl_hostconfig() != hc_before:
            raise Fail("engine: HostConfig of %s changed" % CTL)
    case(what, run)
for what, query, status, rule in [
        ("build networkmode=host", "networkmode=host", 403, "build"),
        ("build networkmode=container:<id>", "networkmode=container:" + CTL, 403, "build"),
        ("build networkmode twice", "networkmode=default&networkmode=host", 400, None),
        ("build networkmode=ho%73t (decoded like the engine)", "networkmode=ho%73t", 403, "build"),
        ("build network%6dode=host (decoded like the engine)", "network%6dode=host", 403, "build"),
        ("build cgroupparent", "cgroupparent=%2F", 403, "cgroup-parent"),
        ("build extrahosts host-gateway", "extrahosts=gw%3Ahost-gateway", 403, "extra-hosts"),
        ("build remote context", "remote=https%3A%2F%2Fexample.invalid%2Fx.git", 403, "build"),
        ("build BuildKit from a git remote", "version=2&remote=https%3A%2F%2Fexample.invalid%2Fx.git",
         403, "build"),
        ("build BuildKit output to the image store under any name",
         "version=2&outputs=%5B%7B%22type%22%3A%22moby%22%2C%22attrs%22%3A%7B%22name%22%3A%22evil.example%2Fx%22%7D%7D%5D",
         403, "build"),
        ("build securityopt", "securityopt=%5B%22seccomp%3Dunconfined%22%5D", 403, "security-options")]:
    def run(what=what, query=query, status=status, rule=rule):
        expect(send(req("POST", "/v1.41/build?t=swtest/t71build&" + query, b"", b"application/x-tar")),
               status, rule, what)
        if engine_get("/v1.41/images/swtest/t71build/json").status != 404:
            raise Fail("engine has image swtest/t71build")
    case(what, run)

# ------------------------------------------------ JSON encoding tricks
create("lower-case privileged", I + '"HostConfig":{"privileged":true}}', 403, "privileged")
create("upper-case HOSTCONFIG/PRIVILEGED", I + '"HOSTCONFIG":{"PRIVILEGED":true}}', 403, "privileged")
create("Privileged false then privileged true", I + '"HostConfig":{"Privileged":false,"privileged":true}}',
       400)
create("privileged true then Privileged false", I + '"HostConfig":{"privileged":true,"Privileged":false}}',
       400)
create("Privileged twice, same spelling", I + '"HostConfig":{"Privileged":true,"Privileged":false}}', 400)
create("HostConfig twice", I + '"HostConfig":{"Privileged":false},"HostConfig":{"Privileged":true}}', 400)
create("HostConfig then hostconfig", I + '"HostConfig":{},"hostconfig":{"Privileged":true}}', 400)
create("Image twice (allowlisted then foreign)", '{"Image":"%s","image":"quay.io/evil/img"}' % IMAGE, 400)
create("Binds and Bind\u017f (U+017F)", I + '"HostConfig":{"Binds":[],"Bind\u017f":["/:/host"]}}', 400)
create("Bind\u017f (U+017F long s)", I + '"HostConfig":{"Bind\u017f":["/:/host"]}}', 403, "binds")
create("Networ\u212aMode (U+212A Kelvin sign)", I + '"HostConfig":{"Networ\u212aMode":"host"}}', 403,
       "namespaces")
create("\u017fecurityOpt", I + '"HostConfig":{"\u017fecurityOpt":["seccomp=unconfined"]}}', 403,
       "security-options")
create("Pid\u212aode? no: PidMode via \\u escapes", I + '"HostConfig":{"\\u0050id\\u004dode":"host"}}', 403,
       "namespaces")
create("\\u0048ostConfig", I + '"\\u0048ostConfig":{"Privileged":true}}', 403, "privileged")
create("\\u0050rivileged", I + '"HostConfig":{"\\u0050rivileged":true}}', 403, "privileged")
create("invalid UTF-8 in a member name", (I + '"HostConfig":{"Privileged').encode() + b'\xff":true}}', 400)
create("overlong UTF-8 in a value", (I + '"Labels":{"a":"').encode() + b'\xc0\xaf"}}', 400)
create("BOM before the body", b'\xef\xbb\xbf' + PRIV, 400)
create("\\u0000 in a value", I + '"Labels":{"a":"x\\u0000"},"HostConfig":{"Privileged":true}}', 400)
create("lone surrogate", I + '"Labels":{"a":"\\ud800"}}', 400)
create("comment in the body", I + '/* */"HostConfig":{"Privileged":true}}', 400)
create("trailing second object", I + '"HostConfig":{}}{"HostConfig":{"Privileged":true}}', 400)
create("trailing garbage", PRIV + b"x", 400)
create("deep nesting (100 levels)", I + '"FooDeep":' + "[" * 100 + "]" * 100 + '}', 400)
create("deep nesting inside HostConfig", I + '"HostConfig":{"Privileged":true,"X":' +
       '{"a":' * 80 + '1' + '}' * 80 + '}}', 400)
create("Privileged as a number", I + '"HostConfig":{"Privileged":1}}', 400)
create("Privileged as a string", I + '"HostConfig":{"Privileged":"true"}}', 400)
create("HostConfig as an array", I + '"HostConfig":[{"Privileged":true}]}', 400)
create("body is an array", "[" + PRIV.decode() + "]", 400)

# ------------------------------------------------ HTTP framing tricks
create("chunked privileged create", None, 403, "privileged",
       raw=lambda t, n: head("POST", t, ct_json_chunked(b"\r\n")) + chunked(PRIV))
create("chunked privileged create, one byte per chunk", None, 403, "privileged",
       raw=lambda t, n: head("POST", t, ct_json_chunked(b"\r\n")) + chunked(PRIV, 1))
create("chunked with extensions and a trailer", None, 403, "privileged",
       raw=lambda t, n: head("POST", t, ct_json_chunked(b"\r\n")) +
       b"%x;ext=1\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n" % (len(PRIV), PRIV))
create("Transfer-Encoding: CHUNKED", None, 403, "privileged",
       raw=lambda t, n: head("POST", t, b"Content-Type: application/json\r\n"
                             b"Transfer-Encoding: CHUNKED\r\n\r\n") + chunked(PRIV))
create("Content-Length + Transfer-Encoding", None, 400,
       raw=lambda t, n: head("POST", t, ct_json_chunked(b"Content-Length: %d\r\n\r\n" % len(PRIV))) +
       chunked(PRIV))
create("Content-Length: 0 + chunked", None, 400,
       raw=lambda t, n: head("POST", t, b"Content-Type: application/json\r\nContent-Length: 0\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n") + chunked(PRIV))
create("Transfer-Encoding twice", None, 400,
       raw=lambda t, n: head("POST", t, ct_json_chunked(b"Transfer-Encoding: chunked\r\n\r\n")) +
       chunked(PRIV))
create("Transfer-Encoding: gzip, chunked", None, 400,
       raw=lambda t, n: head("POST", t, b"Content-Type: application/json\r\n"
                             b"Transfer-Encoding: gzip, chunked\r\n\r\n") + chunked(PRIV))
create("Content-Length twice", None, 400,
       raw=lambda t, n: head("POST", t, b"Content-Type: application/json\r\nContent-Length: %d\r\n"
                             b"Content-Length: %d\r\n\r\n" % (len(PRIV), len(PRIV))) + PRIV)
create("space before the colon of Transfer-Encoding", None, 400,
       raw=lambda t, n: head("POST", t, b"Content-Type: application/json\r\nContent-Length: %d\r\n"
                             b"Transfer-Encoding : chunked\r\n\r\n" % len(PRIV)) + PRIV)

def smuggled(t, n):
    """CL.TE: a benign 2-byte body by Content-Length, a privileged create by
    chunked framing, and a smuggled second request after it."""
    inner = req("POST", "/v1.41/containers/create?name=%s-smuggled" % n, PRIV)
    body = b"0\r\n\r\n" + inner
    return head("POST", t, b"Content-Type: application/json\r\nContent-Length: %d\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" % len(body)) + body
ncase_smuggle = ncase + 1
create("CL.TE smuggling", None, 400, raw=smuggled)
case("smuggled container absent",
     lambda: container_absent("%s-c%02d-smuggled" % (PFX, ncase_smuggle)))

def body_over_limit(t, n):
    pad = b" " * (1024 * 1024 + 16)
    body = PRIV[:-1] + pad + b"}"
    return head("POST", t, b"Content-Type: application/json\r\nContent-Length: %d\r\n"
                b"Connection: close\r\n\r\n" % len(body)) + body
create("body over body_limit (1 MiB)", None, 413, raw=body_over_limit)
create("chunked body over body_limit", None, 413,
       raw=lambda t, n: head("POST", t, ct_json_chunked(b"\r\n")) +
       chunked(PRIV[:-1] + b" " * (1024 * 1024 + 16) + b"}", 65536))

create("form-encoded body on create", PRIV, 400, ctype=b"application/x-www-form-urlencoded")
create("text/plain body on create", PRIV, 400, ctype=b"text/plain")
create("no Content-Type on create", PRIV, 400, ctype=None)
create("two Content-Types", PRIV, 400, hdrs=b"Content-Type: text/plain\r\n")
for what, ctype, body in [
        ("form-urlencoded body on /images/create", b"application/x-www-form-urlencoded",
         b"fromImage=quay.io/evil/img&tag=latest"),
        ("multipart body on /images/create", b"multipart/form-data; boundary=xx",
         b'--xx\r\nContent-Disposition: form-data; name="fromImage"\r\n\r\nquay.io/evil/img\r\n--xx--\r\n')]:
    def run(what=what, ctype=ctype, body=body):
        expect(send(req("POST", "/v1.41/images/create?fromImage=%s" % IMAGE.split(":")[0] +
                        "&tag=latest", body, ctype)), 400, None, what)
        if engine_get("/v1.41/images/quay.io/evil/img/json").status != 404:
            raise Fail("engine has quay.io/evil/img")
    case(what, run)

# query and path tricks
create("';' in the query", '{"Image":"%s"}' % IMAGE, 400,
       target="/v1.41/containers/create?name={n};x=1")
create("name twice in the query", '{"Image":"%s"}' % IMAGE, 400,
       target="/v1.41/containers/create?name={n}&name={n}x")
create("%2F in the path (decoded like the engine)", PRIV, 403, "privileged",
       target="/v1.41/containers%2Fcreate?name={n}")
create("%63reate", PRIV, 403, "privileged", target="/v1.41/containers/%63reate?name={n}")
create("%2f lower-case", PRIV, 403, "privileged", target="/v1.41%2fcontainers%2fcreate?name={n}")
create("dot segment", PRIV, 400, target="/v1.41/containers/x/../create?name={n}")
create("dot segment %2E%2E", PRIV, 400, target="/v1.41/containers/x/%2E%2E/create?name={n}")
create("single dot segment", PRIV, 400, target="/v1.41/./containers/create?name={n}")
create("%2F..%2F dot segments hidden in a name", PRIV, 400,
       target="/v1.41/containers/abc%2F..%2F..%2Fcreate?name={n}")
create("%00 in the path", PRIV, 400, target="/v1.41/containers/create%00?name={n}")
create("leading //", PRIV, 400, target="//v1.41/containers/create?name={n}")
create("// after the version", PRIV, 400, target="/v1.41//containers/create?name={n}")
create("%2F%2F", PRIV, 400, target="/v1.41/containers%2F%2Fcreate?name={n}")
create("trailing slash", PRIV, 403, "endpoint", target="/v1.41/containers/create/?name={n}")
create("/V1.41/ prefix (the engine's router is case-sensitive)", PRIV, 403, "endpoint",
       target="/V1.41/containers/create?name={n}")
create("/v1.12/ prefix", PRIV, 400, target="/v1.12/containers/create?name={n}")
create("/v1.041/ prefix", PRIV, 400, target="/v1.041/containers/create?name={n}")
create("invalid percent escape", PRIV, 400, target="/v1.41/containers/cre%zzate?name={n}")
create("absolute-form target", PRIV, 400, target="http://docker/v1.41/containers/create?name={n}")
create("Upgrade on container create", '{"Image":"%s"}' % IMAGE, 400,
       hdrs=b"Connection: Upgrade\r\nUpgrade: tcp\r\n")
case("Upgrade on container list", lambda: expect(send(
    req("GET", "/v1.41/containers/json", hdrs=b"Connection: Upgrade\r\nUpgrade: tcp\r\n")),
    400, None, "Upgrade on container list"))
case("Upgrade on volume create", lambda: expect(send(
    req("POST", "/v1.41/volumes/create", '{"Name":"%s-upg"}' % PFX,
        hdrs=b"Connection: Upgrade\r\nUpgrade: tcp\r\n")), 400, None, "Upgrade on volume create"))
case("volume of the Upgrade case absent", lambda: volume_absent(PFX + "-upg"))

# keep-alive: an allowed request, then a privileged create on the same
# connection (pipelined in one write)
def pipelined():
    global ncase
    ncase += 1
    name = "%s-c%02d" % (PFX, ncase)
    first = (head("GET", "/v1.41/containers/json") + b"\r\n")
    second = (head("POST", "/v1.41/containers/create?name=%s" % name) +
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(PRIV) + PRIV)
    s = swhttp.connect(SW)
    try:
        s.sendall(first + second)
        raw = read_all(s)
    finally:
        s.close()
    b = ByteSock(raw)
    r1 = swhttp.read_response(b)
    if r1.status != 200:
        raise Fail("pipelined GET: %r" % r1)
    expect(swhttp.read_response(b), 403, "privileged", "pipelined privileged create")
    container_absent(name)
case("pipelined privileged create after an allowed GET", pipelined)

# Expect: 100-continue: the body is still inspected
def expect_continue():
    global ncase
    ncase += 1
    name = "%s-c%02d" % (PFX, ncase)
    s = swhttp.connect(SW)
    try:
        s.sendall(head("POST", "/v1.41/containers/create?name=%s" % name,
                       b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(PRIV)))
        s.settimeout(1.5)
        try:
            interim = s.recv(4096, socket.MSG_PEEK)
        except socket.timeout:
            interim = b""
        if interim.startswith(b"HTTP/1.1 100"):
            swhttp.read_response(s, 5)      # consume the 100
        elif interim:
            raise Fail("expected 100 Continue or nothing before the body, got %r" % interim[:200])
        s.sendall(PRIV)
        expect(swhttp.read_response(s), 403, "privileged", "Expect: 100-continue create")
    finally:
        s.close()
    container_absent(name)
case("Expect: 100-continue privileged create", expect_continue)

# ------------------------------------------------ positive controls
# a benign chunked create passes and the engine shows it (so the probes
# above see containers that are created through the proxy)
def positive():
    name = PFX + "-positive"
    body = ('{"Image":"%s","\\u0048ostConfig":{"Bind\u017f":[]},"Labels":{"t71":"1"}}' % IMAGE).encode()
    r = send(head("POST", "/v1.41/containers/create?name=" + name, ct_json_chunked(b"\r\n")) +
             chunked(body, 7))
    if r.status != 201:
        raise Fail("benign chunked create: %r" % r)
    r = engine_get("/v1.41/containers/%s/json" % name)
    if r.status != 200 or r.json()["Config"]["Labels"].get("t71") != "1":
        raise Fail("engine does not show the benign container: %r" % r)
    swhttp.request(ENG, req("DELETE", "/v1.41/containers/%s?force=1" % name))
    r = send(req("GET", "/v1.41/containers%2Fjson?all=1"))
    if r.status != 200 or not isinstance(r.json(), list):
        raise Fail("GET /containers%%2Fjson: %r" % r)
case("positive controls", positive)

# ------------------------------------------------ early 403 on a body
# A request denied from its head (here /build?networkmode=host) is answered
# before its body is read.  The client is typically still sending (the
# docker CLI streams the build context): RFC 9112 section 9.6 asks for a
# lingering close so the client gets to read the response.  After reading
# the 403, writing the rest of a 64 KiB body must not fail.
def early_403():
    s = swhttp.connect(SW)
    try:
        s.sendall(head("POST", "/v1.41/build?networkmode=host&t=swtest/t71build",
                       b"Content-Type: application/x-tar\r\nContent-Length: 65536\r\n\r\n"))
        r = swhttp.read_response(s, 5)
        expect(r, 403, "build", "early 403 for /build")
        time.sleep(0.1)
        try:
            for _ in range(16):
                s.sendall(b"\0" * 4096)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Fail("BUG: the connection was closed right after the 403, without reading the "
                       "body (%s): a docker CLI still sending the build context shows 'write: broken "
                       "pipe' instead of the denial" % e)
    finally:
        s.close()
case("early 403 with an unread body: lingering close", early_403)

note("%d cases" % ncase)
if errors:
    for e in errors:
        print("FAILED CASE: " + e, file=sys.stderr)
    sys.exit(1)
EOF

ctl_id=$(dk_direct inspect -f '{{.Id}}' "$ctl")
dk rm -f "$ctl" > /dev/null
assert_eq "$(printf '%s\n' "$containers_before" | grep -vx "$ctl_id" || true)" \
    "$(dk_direct ps -aq --no-trunc | sort)" "engine containers before/after"
assert_eq "$volumes_before" "$(dk_direct volume ls -q | sort)" "engine volumes before/after"
# sockwarden survived all of it (and, in a sanitizer build, without a report)
_sw_ping_ok "$SW_SOCK" || fail "sockwarden no longer answers /_ping"
sw_proxy_stop
[ $py_rc -eq 0 ] || fail "failed cases listed above"
