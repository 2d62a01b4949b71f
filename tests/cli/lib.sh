# lib.sh - shared helpers for tests/cli/t*.sh: a temp dir, a fake upstream,
# a sockwarden in front of it, raw HTTP exchanges, cleanup on exit, and the
# check counters.  Every assertion goes through check/refute (or the fatal
# fail), so the closing "N passed, N failed" line counts what really ran;
# a script that ran no check fails.  skip exits 77 (CTest's SKIP_RETURN_CODE
# for these tests), and fails instead under CI=true.
set -eu
: "${SOCKWARDEN:?SOCKWARDEN must name the binary under test}"
CLI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d /tmp/swcli.XXXXXX)
PIDS=""
SW_PASSED=0 SW_FAILED=0 SW_FATAL=0 SW_SKIPPED=0

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}

# Exit trap: a stop by set -e counts as a failure too; the summary is the
# last line of the output.
_cli_exit() {
	local rc=$?
	if [ "$SW_SKIPPED" = 1 ]; then
		cleanup
		exit 77
	fi
	if [ "$rc" != 0 ] && [ "$SW_FATAL" = 0 ]; then
		echo "FAIL: stopped with status $rc before the checks finished" >&2
		SW_FAILED=$((SW_FAILED + 1))
	fi
	if [ $((SW_PASSED + SW_FAILED)) = 0 ]; then
		echo "FAIL: no check ran" >&2
		SW_FAILED=1
	fi
	if [ "$SW_FAILED" != 0 ] && [ -s "$T/sw.log" ]; then
		echo "---- tail of sockwarden's log ----" >&2
		tail -n 30 "$T/sw.log" >&2
	fi
	cleanup
	echo "$SW_PASSED passed, $SW_FAILED failed"
	[ "$SW_FAILED" = 0 ] || exit 1
	exit 0
}
trap _cli_exit EXIT

# check WHAT COMMAND...: one check, passed when COMMAND succeeds.  A failed
# check is counted and the script goes on.
check() {
	local what=$1
	shift
	if "$@"; then
		SW_PASSED=$((SW_PASSED + 1))
	else
		SW_FAILED=$((SW_FAILED + 1))
		echo "FAIL: $what" >&2
	fi
}

# refute WHAT COMMAND...: one check, passed when COMMAND fails.
refute() {
	local what=$1
	shift
	if "$@"; then
		SW_FAILED=$((SW_FAILED + 1))
		echo "FAIL: $what" >&2
	else
		SW_PASSED=$((SW_PASSED + 1))
	fi
}

# fail MSG: a failure the rest of the script cannot go on from (counted).
fail() {
	echo "FAIL: $*" >&2
	SW_FAILED=$((SW_FAILED + 1)) SW_FATAL=1
	exit 1
}

# skip MSG: the test cannot run here; a failure under CI=true.
skip() {
	[ "${CI:-false}" = true ] && fail "skipped under CI=true: $*"
	echo "SKIP: $*"
	SW_SKIPPED=1
	exit 77
}

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
