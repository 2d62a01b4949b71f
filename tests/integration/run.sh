#!/bin/bash
# run.sh - run sockwarden's integration tier against a real Docker Engine.
#
#   tests/integration/run.sh [PATTERN...]
#
# Starts ONE private engine (lib.sh sw_engine_start) for the whole tier and
# runs every tests/integration/t[0-9]*.sh whose name contains one of the
# PATTERNs (all when none is given), each in its own bash with ENGINE_SOCK
# etc. in the environment; each test starts its own sockwarden.  Prints one
# PASS/FAIL/SKIP line per test (with the failing test's output) and finally
# exactly "N passed, N failed" (", N skipped" appended when any).  Exits 1 if
# any test failed, 77 if no engine could be started (every test skipped),
# else 0.  Under CI=true a skip counts as a failure and an engine that cannot
# start fails the tier.
#
# Environment: SOCKWARDEN (binary under test, e.g. build-asan/daemon/
# sockwarden), DOCKER_CLI, DOCKER_CLI_NEW, PYTHON, SW_DIRECT, SW_TEST_TIMEOUT
# (per test, default 300 s), SW_LOG_DIR (keep every test's output there).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SW_TEST_NAME=run

tests=()
for t in "$SW_LIB_DIR"/t[0-9]*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	if [ $# -gt 0 ]; then
		keep=0
		for pat in "$@"; do
			case $name in *"$pat"*) keep=1 ;; esac
		done
		[ $keep = 1 ] || continue
	fi
	tests+=("$t")
done
[ ${#tests[@]} -gt 0 ] || { echo "no test matches: $*" >&2; exit 1; }

passed=0 failed=0 skipped=0

summary() {
	local line="$passed passed, $failed failed"
	[ $skipped -eq 0 ] || line="$line, $skipped skipped"
	echo "$line"
}

# No engine: every selected test is a skip (a failure under CI=true).
_sw_engine_unavailable() {
	local t
	echo "# engine unavailable: $*" >&2
	for t in "${tests[@]}"; do
		if [ "$CI" = true ]; then
			echo "FAIL $(basename "$t" .sh) (no engine: $*)"
			failed=$((failed + 1))
		else
			echo "SKIP $(basename "$t" .sh) (no engine: $*)"
			skipped=$((skipped + 1))
		fi
	done
	summary
	[ "$CI" = true ] && exit 1
	exit 77
}

echo "# sockwarden: $([ "$SW_DIRECT" = 1 ] && echo 'none (SW_DIRECT=1)' || echo "$SOCKWARDEN")"
echo "# clients: $(sw_clis | tr '\n' ' ')"
t0=$(date +%s)
sw_engine_start "$TEST_DIR/engine"
echo "# engine: $ENGINE_SOCK ($(dk_direct version --format '{{.Server.Version}} API {{.Server.APIVersion}}'), up in $(( $(date +%s) - t0 ))s)"

logdir=${SW_LOG_DIR:-$TEST_DIR/logs}
mkdir -p "$logdir"
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	if ! _sw_ping_ok "$ENGINE_SOCK"; then
		echo "FAIL $name (the shared engine is not answering)"
		failed=$((failed + 1))
		continue
	fi
	s0=$(date +%s)
	rc=0
	timeout -k 10 "${SW_TEST_TIMEOUT:-300}" bash "$t" > "$logdir/$name.log" 2>&1 || rc=$?
	secs=$(( $(date +%s) - s0 ))
	case $rc in
	0)	echo "PASS $name (${secs}s)"
		grep '^NOTE: ' "$logdir/$name.log" | sed 's/^/    /' || true
		passed=$((passed + 1)) ;;
	77)	echo "SKIP $name (${secs}s): $(grep -m1 '^SKIP' "$logdir/$name.log" || true)"
		skipped=$((skipped + 1)) ;;
	*)	[ $rc = 124 ] && echo "# $name: timed out" >> "$logdir/$name.log"
		echo "FAIL $name (${secs}s, status $rc)"
		sed 's/^/    /' "$logdir/$name.log" | tail -n 80
		failed=$((failed + 1)) ;;
	esac
done
echo "# tier took $(( $(date +%s) - t0 ))s"
summary
[ $failed -eq 0 ] || exit 1
[ $skipped -eq 0 ] || [ "$CI" != true ] || exit 1
exit 0
