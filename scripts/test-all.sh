#!/bin/bash
# The README's test command: installs what is needed, builds a release and an
# ASan+UBSan tree, then runs every tier in both: unit (CTest), the
# integration tier against a real private Docker Engine driving real clients,
# and a short libFuzzer smoke run.  Ends with "total: N passed, N failed".
# Under CI=true nothing may skip: a tier that cannot run fails.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export CI=${CI:-false}

"$top/scripts/deps.sh" || { echo "total: 0 passed, 1 failed"; exit 1; }
"$top/scripts/build.sh" --asan || { echo "total: 0 passed, 1 failed"; exit 1; }

passed=0 failed=0
logdir=$(mktemp -d /tmp/sw-test-all.XXXXXX)

# Add a runner's "N passed, N failed" (or CTest's summary) to the totals.
tally() {	# name logfile rc
	local p f line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n1)
	if [ -n "$line" ]; then
		p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	elif line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$2" | tail -n1) && [ -n "$line" ]; then
		f=$(sed -E 's/.*passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
		p=$(( $(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line") - f ))
	elif [ "$3" = 0 ]; then
		p=1; f=0	# a runner without a count: one check that passed
	else
		p=0; f=1
	fi
	[ "$3" = 0 ] || [ "$f" -gt 0 ] || f=1
	passed=$((passed + p)); failed=$((failed + f))
	printf '== %-28s %s passed, %s failed\n' "$1" "$p" "$f"
}

run() {		# name command...
	local name=$1 rc=0; shift
	echo "== $name: $*"
	"$@" 2>&1 | tee "$logdir/$name.log" || rc=$?
	[ "${PIPESTATUS[0]}" = 0 ] || rc=${PIPESTATUS[0]}
	tally "$name" "$logdir/$name.log" "$rc"
}

run unit-release ctest --test-dir build --output-on-failure
run unit-asan ctest --test-dir build-asan --output-on-failure
run integration-release env SOCKWARDEN="$top/build/daemon/sockwarden" \
    "$top/tests/integration/run.sh"
run integration-asan env SOCKWARDEN="$top/build-asan/daemon/sockwarden" \
    "$top/tests/integration/run.sh"
if [ -x "$top/tests/fuzz/smoke.sh" ]; then
	run fuzz-smoke "$top/tests/fuzz/smoke.sh"
fi

echo "logs: $logdir"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
