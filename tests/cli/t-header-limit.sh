#!/bin/bash
# max_header_bytes: the documented range (1k-80k) is the working range.
# Above http-parser's limit the setting is refused; at the limit a request
# head just below it is served.  Uses the fake upstream (no engine).
. "$(dirname "$0")/lib.sh"
printf 'max_header_bytes 100k\n' > "$T/big.conf"
rc=0; out=$("$SOCKWARDEN" --config "$T/big.conf" 2>&1) || rc=$?
refute "100k accepted" [ "$rc" = 0 ]
check "message: $out" grep -q "big.conf:1: max_header_bytes: must be a size between 1k and 80k" <<<"$out"
fakeup_start echo
printf 'max_header_bytes 80k\n' > "$T/sw.conf"
sw_start --config "$T/sw.conf"
out=$(python3 - "$T/sw.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
pad = "x" * 900
hdrs = "".join("X-Pad-%d: %s\r\n" % (i, pad) for i in range(88))
s.sendall(("GET /_ping HTTP/1.1\r\nHost: d\r\n" + hdrs + "\r\n").encode())
s.settimeout(5)
print(s.recv(65536).decode("latin-1").split("\r\n")[0])
PY
)
check "a 79k head under max_header_bytes 80k: [$out]" [ "$out" = "HTTP/1.1 200 OK" ]
