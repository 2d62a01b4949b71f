#!/bin/bash
# Self-test of scripts/tally.sh, the tally of scripts/test-all.sh: it adds
# up the runners' own summaries, and a failing test's "N passed, N failed"
# (CTest prints it unindented with --output-on-failure; run.sh indents it)
# never stands in for the runner's count.  Synthetic logs, no daemon.
. "$(dirname "$0")/lib.sh"
set -o pipefail		# as in test-all.sh
. "$CLI_DIR/../../scripts/tally.sh"

expect() {	# "P F S" LOGFILE STATUS KIND: tally alone gives P passed, F failed, S skipped
	local want=$1 got
	passed=0 failed=0 skipped=0
	CI=false tally case "$2" "$3" "$4" > /dev/null 2>&1
	got="$passed $failed $skipped"
	check "$4 log $(basename "$2") status $3: got [$got], want [$want]" [ "$got" = "$want" ]
}

cat > "$T/ctest-fail" <<'L'
Test project /x/build
    Start 1: cli_t-systemd-units
1/3 Test #1: cli_t-systemd-units ..............***Skipped   0.00 sec
    Start 2: cli_t-pipeline
2/3 Test #2: cli_t-pipeline ...................***Failed    0.40 sec
3 passed, 0 failed
5 passed, 1 failed

    Start 3: test_json
3/3 Test #3: test_json ........................   Passed    0.00 sec

67% tests passed, 1 tests failed out of 3

Total Test time (real) =   0.41 sec

The following tests did not run:
	  1 - cli_t-systemd-units (Skipped)

The following tests FAILED:
	  2 - cli_t-pipeline (Failed)
Errors while running CTest
L
expect "1 1 1" "$T/ctest-fail" 8 ctest

printf '%s\n' 'Test project /x/build' '' '100% tests passed, 0 tests failed out of 18' '' \
    'Total Test time (real) =   5.07 sec' > "$T/ctest-ok"
expect "18 0 0" "$T/ctest-ok" 0 ctest

printf '%s\n' 'Test project /x/build' 'No tests were found!!!' > "$T/ctest-none"
expect "0 1 0" "$T/ctest-none" 8 ctest

cat > "$T/run-fail" <<'L'
# sockwarden: /x/build/daemon/sockwarden
PASS t10-cli-basic (12s)
FAIL t50-bad-http (3s, status 1)
    12 passed, 0 failed
    FAIL: t50-bad-http: expected 400
PASS t51-listener (2s)
# tier took 40s
2 passed, 1 failed
L
expect "2 1 0" "$T/run-fail" 1 runner

printf '%s\n' '# engine unavailable: no dockerd' 'SKIP t10-cli-basic (no engine: x)' \
    'SKIP t11-cli-tty (no engine: x)' '0 passed, 0 failed, 2 skipped' > "$T/run-skip"
expect "0 0 2" "$T/run-skip" 77 runner

# run.sh died before its summary: a failure, whatever the status says
printf '%s\n' 'PASS t10-cli-basic (12s)' '    3 passed, 0 failed' > "$T/run-cut"
expect "0 1 0" "$T/run-cut" 0 runner
expect "0 1 0" "$T/run-cut" 1 runner

# a non-zero exit is a failure even if the summary counted none
printf '%s\n' '5 passed, 0 failed' > "$T/run-liar"
expect "5 1 0" "$T/run-liar" 1 runner

: > "$T/empty"
expect "1 0 0" "$T/empty" 0 none
expect "0 1 0" "$T/empty" 1 none
