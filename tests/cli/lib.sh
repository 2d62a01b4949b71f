# lib.sh - shared helpers for tests/cli/t*.sh: a temp dir, a fake upstream,
# a sockwarden in front of it, raw HTTP exchanges, and cleanup on exit.
set -eu
: "${SOCKWARDEN:?SOCKWARDEN must name the binary under test}"
CLI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d /tmp/swcli.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$T/sw.log" ] && tail -n 30 "$T/sw.log" >&2; exit 1; }

fakeup_start() {	# MODE
	python3 "$CLI_DIR/fakeup.py" "$T/up.sock" "$1" "$T/up.log" & PIDS="$PIDS $!"
	for _ in $(seq 50); do
		# reachable by the unprivileged user sockwarden drops to
		[ -S "$T/up.sock" ] && chmod 0666 "$T/up.sock" && chmod 0755 "$T" && return 0
		sleep 0.1
	done
	fail "fake upstream did not start"
}

# The fake upstream is no engine: it knows no owners, so unless a test
# names its own policy, sockwarden runs ci without the ownership check.
sw_start() {		# extra args...
	local pol=
	case " $* " in
	*" --policy "*) ;;
	*)	printf '{ "extends": "ci", "checks": { "ownership": { "mode": "off" } } }\n' \
		    > "$T/no-owner.json"
		pol="--policy $T/no-owner.json" ;;
	esac
	# shellcheck disable=SC2086
	"$SOCKWARDEN" --foreground --listen "$T/sw.sock" --upstream "unix:$T/up.sock" \
	    --log-level debug $pol "$@" 2>"$T/sw.log" & SWPID=$!
	PIDS="$PIDS $SWPID"
	for _ in $(seq 50); do [ -S "$T/sw.sock" ] && return 0; sleep 0.1; done
	fail "sockwarden did not start"
}

# Send raw bytes (printf format) and print what comes back within SECS.
raw() {			# SECS FORMAT
	python3 - "$T/sw.sock" "$1" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
s.settimeout(float(sys.argv[2])); out = b""; end = time.time() + float(sys.argv[2])
try:
    while time.time() < end:
        d = s.recv(65536)
        if not d: break
        out += d
except socket.timeout:
    pass
sys.stdout.write(out.decode("latin-1"))
PY
}
