# grpcclient.py - a BuildKit control-API client for the integration tier:
# Debian's python3-grpcio over the engine's POST /grpc tunnel, as buildx
# dials it (an HTTP/1.1 upgrade to h2c, then gRPC on the same connection).
# grpcio cannot dial through an upgrade itself, so a small local relay does
# the upgrade for each connection grpcio opens on a private unix socket.
# Messages are raw protobuf bytes made by the tiny encoder below (field
# numbers from docs/buildkit-grpc.md); nothing is generated.
import os
import socket
import threading

import grpc

CONTROL = "/moby.buildkit.v1.Control/"


# ---- protobuf wire format, the little that is needed

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(num, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(num << 3 | 2) + varint(len(data)) + data


def field_varint(num, n):
    return varint(num << 3) + varint(n)


def map_entry(num, key, value):
    return field_bytes(num, field_bytes(1, key) + field_bytes(2, value))


def solve_request(ref, frontend="dockerfile.v0", entitlements=(),
                  frontend_attrs=None, exporter=None, exporter_attrs=None):
    msg = field_bytes(1, ref)
    if exporter is not None:
        msg += field_bytes(3, exporter)
    for k, v in (exporter_attrs or {}).items():
        msg += map_entry(4, k, v)
    if frontend:
        msg += field_bytes(6, frontend)
    for k, v in (frontend_attrs or {}).items():
        msg += map_entry(7, k, v)
    for e in entitlements:
        msg += field_bytes(9, e)
    return msg


# ---- the dialer: one upgraded connection per connection grpcio opens

class Dialer:
    """Listens on a unix socket; each connection is relayed to sockwarden
    (or the engine) after POST /grpc switched it to h2c."""

    def __init__(self, target_sock, path, api="v1.41"):
        self.target, self.path, self.api = target_sock, path, api
        self.upgrade_answers = []
        if os.path.exists(path):
            os.unlink(path)
        self.ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ls.bind(path)
        self.ls.listen(8)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,),
                             daemon=True).start()

    def upgrade(self):
        """A connection switched to h2c, or the refusal (bytes) as str."""
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.connect(self.target)
        u.sendall(("POST /%s/grpc HTTP/1.1\r\nHost: docker\r\n"
                   "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                   % self.api).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            b = u.recv(1)
            if not b:
                break
            head += b
        status = head.split(b" ", 2)[1] if b" " in head else b""
        if status != b"101":
            # the rest of a refusal: its JSON body, to show
            u.settimeout(2)
            try:
                while True:
                    b = u.recv(65536)
                    if not b:
                        break
                    head += b
            except OSError:
                pass
            u.close()
            return head.decode(errors="replace")
        return u

    def _serve(self, c):
        u = self.upgrade()
        if isinstance(u, str):
            self.upgrade_answers.append(u)
            c.close()
            return
        self.upgrade_answers.append("101")

        def pump(a, b):
            try:
                while True:
                    d = a.recv(65536)
                    if not d:
                        break
                    b.sendall(d)
            except OSError:
                pass
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=pump, args=(c, u), daemon=True).start()
        pump(u, c)

    def channel(self, options=None):
        return grpc.insecure_channel("unix:" + self.path, options=options)


def call(channel, method, msg=b"", timeout=60):
    """A unary call with raw bytes: (code name, details, response bytes)."""
    fn = channel.unary_unary(CONTROL + method if "/" not in method else
                             method)
    try:
        return "OK", "", fn(msg, timeout=timeout)
    except grpc.RpcError as e:
        return e.code().name, e.details() or "", b""


# ---- LLB, the little a Dockerfile build with no session needs

def field_svarint(num, n):
    return field_varint(num, n & 0xFFFFFFFFFFFFFFFF)


def _digest(op):
    import hashlib
    return "sha256:" + hashlib.sha256(op).hexdigest()


def llb_files(files):
    """A pb.Definition of a scratch state holding files {path: bytes}:
    one FileOp of mkfile actions, then the terminal op naming it."""
    actions = b""
    items = sorted(files.items())
    for i, (path, data) in enumerate(items):
        mk = field_bytes(1, "/" + path) + field_varint(2, 0o644) + \
            field_bytes(3, data)
        # the op has no inputs: -1 is scratch, n the output of action n;
        # only the last action is the op's output (0)
        actions += field_bytes(2, field_svarint(1, i - 1) +
                               field_svarint(2, -1) +
                               field_svarint(3, 0 if i == len(items) - 1
                                             else -1) +
                               field_bytes(5, mk))
    fileop = field_bytes(4, actions)
    terminal = field_bytes(1, field_bytes(1, _digest(fileop)) +
                           field_varint(2, 0))
    # every op needs its (here empty) metadata entry
    return field_bytes(1, fileop) + field_bytes(1, terminal) + \
        map_entry(2, _digest(fileop), b"") + map_entry(2, _digest(terminal), b"")


def solve_build(ref, dockerfile, context, image_name, entitlements=()):
    """Control/Solve of the Dockerfile frontend on inline inputs, exported
    to the engine's image store as image_name (None: not exported)."""
    msg = field_bytes(1, ref)
    if image_name is not None:
        msg += field_bytes(3, "moby")
        msg += map_entry(4, "name", image_name)
    msg += field_bytes(6, "dockerfile.v0")
    for e in entitlements:
        msg += field_bytes(9, e)
    msg += map_entry(10, "dockerfile", llb_files({"Dockerfile": dockerfile}))
    msg += map_entry(10, "context", llb_files(context))
    return msg


# ---- reading answers: the wire format, and Control/Status's progress

def pb_fields(buf):
    """(number, wire type, value) of each field of one message: an int for
    varints and fixed-size fields, bytes for length-delimited ones."""
    i, n = 0, len(buf)

    def rd_varint():
        nonlocal i
        v = shift = 0
        while True:
            b = buf[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v
    while i < n:
        key = rd_varint()
        num, wt = key >> 3, key & 7
        if wt == 0:
            yield num, wt, rd_varint()
        elif wt == 1:
            yield num, wt, int.from_bytes(buf[i:i + 8], "little")
            i += 8
        elif wt == 2:
            ln = rd_varint()
            yield num, wt, buf[i:i + ln]
            i += ln
        elif wt == 5:
            yield num, wt, int.from_bytes(buf[i:i + 4], "little")
            i += 4
        else:
            raise ValueError("wire type %d" % wt)


def status_logs(resp):
    """The logs of one StatusResponse (field 3, VertexLog: 1 vertex
    digest, 3 stream, 4 msg) as (vertex, stream, msg)."""
    for num, wt, v in pb_fields(resp):
        if num == 3 and wt == 2:
            vx, stream, msg = "", 0, b""
            for n2, _, v2 in pb_fields(v):
                if n2 == 1:
                    vx = v2.decode(errors="replace")
                elif n2 == 3:
                    stream = v2
                elif n2 == 4:
                    msg = v2
            yield vx, stream, msg


def status_request(ref):
    """Control/Status's request: the build's ref."""
    return field_bytes(1, ref)
