#!/usr/bin/env python3
"""fakeup.py - a tiny fake upstream for unit-tier tests of the proxy itself
(never a stand-in for the engine in integration tests).

  fakeup.py SOCKET MODE LOG

MODE echo:   answer each request with 200 JSON {"seen": "<request line>"},
             keep-alive; POST /containers/x/attach without Upgrade gets a
             404 (a failed hijack attempt, the connection stays HTTP).
MODE stall:  as echo, but a request for /_ping is logged as soon as its head
             is in and never answered (upstream time-outs), while the other
             connections are served.
MODE script: as echo, but the first rule of the JSON list in $FAKEUP_SCRIPT
             whose "match" (a regular expression) finds the request line
             answers it: "status" and "body" (a string, or "@FILE" for a
             file's bytes), or "drop": true to close without an answer, or
             "raw": bytes to send as they are (backslash escapes decoded),
             after which the connection waits for the proxy to close it and
             logs "closed by the proxy" when it does.
MODE big:    as echo, but every request other than /_ping is answered with
             8 MiB of body (a large log or archive).
MODE slow:   as echo, but with a listen backlog of 1 and one connection
             accepted every 50 ms (an engine that is slow to accept).
Every request head received is appended to LOG, one request line per line,
followed by " [body N]" when the request carried N > 0 body bytes.
"""
import json, os, re, socket, sys, threading, time

path, mode, logpath = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1 if mode == "slow" else 512)
lock = threading.Lock()
rules = json.load(open(os.environ["FAKEUP_SCRIPT"])) if mode == "script" else []

def scripted(line):
    """The answer a script rule gives LINE: (status, body), "drop" or None."""
    for r in rules:
        if re.search(r["match"].encode(), line):
            if r.get("drop"):
                return "drop"
            if "raw" in r:
                return ("raw", r["raw"].encode().decode("unicode_escape").encode("latin-1"))
            body = r.get("body", "")
            body = open(body[1:], "rb").read() if body.startswith("@") else body.encode()
            return (str(r.get("status", 200)).encode() + b" Scripted", body)
    return None

def serve(c):
    buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                d = c.recv(65536)
                if not d:
                    return
                buf += d
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.split(b"\r\n")
            if mode == "stall" and b" /_ping " in lines[0]:
                with lock, open(logpath, "ab") as f:
                    f.write(lines[0] + b"\n")
                while c.recv(65536):    # hold it until the peer gives up
                    pass
                return
            clen = 0
            for h in lines[1:]:
                k, _, v = h.partition(b":")
                if k.strip().lower() == b"content-length":
                    clen = int(v.strip())
            while len(buf) < clen:
                d = c.recv(65536)
                if not d:
                    return
                buf += d
            buf = buf[clen:]
            with lock, open(logpath, "ab") as f:
                f.write(lines[0] + (b" [body %d]" % clen if clen else b"") + b"\n")
            status = b"404 Not Found" if b"/attach" in lines[0] else b"200 OK"
            body = b'{"seen":"' + lines[0].replace(b'"', b"'") + b'"}\n'
            if mode == "big" and b" /_ping " not in lines[0]:
                status, body = b"200 OK", b"a" * (8 << 20)
            answer = scripted(lines[0])
            if answer == "drop":
                return
            if answer is not None and answer[0] == "raw":
                try:    # a proxy that stops reading and closes: EPIPE
                    c.sendall(answer[1])
                    c.settimeout(10)
                    while c.recv(65536):
                        pass
                except ConnectionError:
                    pass
                with lock, open(logpath, "ab") as f:
                    f.write(b"closed by the proxy\n")
                return
            if answer is not None:
                status, body = answer
            c.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                      b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    except OSError:
        pass
    finally:
        c.close()

while True:
    if mode == "slow":
        time.sleep(0.05)
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
