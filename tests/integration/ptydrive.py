"""ptydrive.py - run a command on a pseudo-terminal and script a dialogue.

    ptydrive.py [--timeout SEC] [--log FILE] STEP... -- CMD [ARGS...]

Steps, in order:
    expect:REGEX   wait until the output after the previous match matches
                   REGEX (Python re, DOTALL)
    send:TEXT      type TEXT; \\r \\n \\t \\xNN escapes are decoded
    sleep:SEC
    exit:CODE      wait for CMD to exit with status CODE
Exits 0 when every step succeeded, else 1 with the failing step and the
transcript tail on stderr.  Used for `docker run -it`, `exec -it`, attach
and detach keys, which all need a terminal on the client side.
"""

import codecs
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time


def main(argv):
    timeout, logpath = 20.0, None
    i = 0
    while i < len(argv) and argv[i].startswith("--") and argv[i] != "--":
        if argv[i] == "--timeout":
            timeout = float(argv[i + 1])
        elif argv[i] == "--log":
            logpath = argv[i + 1]
        else:
            sys.exit("ptydrive: unknown option " + argv[i])
        i += 2
    sep = argv.index("--", i)
    steps, cmd = argv[i:sep], argv[sep + 1:]

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    out = bytearray()
    mark = 0
    status = None
    eof = False

    def pump(wait):
        nonlocal eof, status
        if not eof:
            r, _, _ = select.select([fd], [], [], wait)
            if r:
                try:
                    d = os.read(fd, 65536)
                except OSError:
                    d = b""
                if d:
                    out.extend(d)
                else:
                    eof = True
        else:
            time.sleep(wait)
        if status is None:
            p, st = os.waitpid(pid, os.WNOHANG)
            if p == pid:
                status = os.waitstatus_to_exitcode(st)

    def failed(msg):
        tail = bytes(out[-1500:]).decode("utf-8", "replace")
        sys.stderr.write("ptydrive: %s\nptydrive: command: %s\n"
                         "---- transcript tail ----\n%s\n----\n" % (msg, cmd, tail))
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        finish()
        sys.exit(1)

    def finish():
        if logpath:
            with open(logpath, "wb") as f:
                f.write(bytes(out))

    for step in steps:
        kind, _, arg = step.partition(":")
        deadline = time.monotonic() + timeout
        if kind == "expect":
            rx = re.compile(arg.encode(), re.S)
            while True:
                m = rx.search(bytes(out), mark)
                if m:
                    mark = m.end()
                    break
                if eof and status is not None:
                    failed("command ended before %r matched" % arg)
                if time.monotonic() > deadline:
                    failed("timed out after %.0fs waiting for %r" % (timeout, arg))
                pump(0.05)
        elif kind == "send":
            data = codecs.decode(arg, "unicode_escape").encode("latin-1")
            os.write(fd, data)
        elif kind == "sleep":
            end = time.monotonic() + float(arg)
            while time.monotonic() < end:
                pump(0.05)
        elif kind == "exit":
            while status is None:
                if time.monotonic() > deadline:
                    failed("command did not exit within %.0fs" % timeout)
                pump(0.05)
            while not eof:          # drain what is left
                r, _, _ = select.select([fd], [], [], 0.2)
                if not r:
                    break
                try:
                    d = os.read(fd, 65536)
                except OSError:
                    d = b""
                if not d:
                    break
                out.extend(d)
            if arg != "any" and status != int(arg):
                failed("exit status %s, expected %s" % (status, arg))
        else:
            failed("unknown step %r" % step)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    finish()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
