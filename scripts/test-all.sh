#!/bin/bash
# The README's test command: installs what is needed, builds a release and an
# ASan+UBSan tree, then runs every tier in both: unit (CTest), the
# integration tier against a real private Docker Engine driving real clients,
# and a short libFuzzer smoke run.  Ends with "total: N passed, N failed"
# (", N skipped" appended when any), summed from each runner's own summary
# (scripts/tally.sh).
# Under CI=true nothing may skip: a tier that cannot run fails.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export CI=${CI:-false}

"$top/scripts/deps.sh" || { echo "total: 0 passed, 1 failed"; exit 1; }
"$top/scripts/build.sh" --asan || { echo "total: 0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0
logdir=$(mktemp -d /tmp/sw-test-all.XXXXXX)

. "$top/scripts/tally.sh"

run() {		# name kind command...: kind as in tally (scripts/tally.sh)
	local name=$1 kind=$2 rc=0; shift 2
	echo "== $name: $*"
	"$@" 2>&1 | tee "$logdir/$name.log" || rc=$?
	[ "${PIPESTATUS[0]}" = 0 ] || rc=${PIPESTATUS[0]}
	tally "$name" "$logdir/$name.log" "$rc" "$kind"
}

# The tiers must leave the host's network as they found it (a private
# dockerd once deleted the host's docker0): links, routes and network
# namespaces before and after, compared as one counted check.
host_net() {
	echo "# ip -br link"; ip -br link
	echo "# ip route"; ip route
	echo "# ip -6 route"; ip -6 route
	echo "# ip netns list"; host_netns "${1:-}"
}
# Test engines' namespaces (swit-...-PID) are this run's only when they
# carry its tag (lib.sh names them with SW_RUN_TAG): another checkout's
# runs on a shared machine come and go on their own.  One of ours left
# after the tiers is a leak.
export SW_RUN_TAG=t$$
host_netns() {
	local ns
	ip netns list | while read -r ns _; do
		case $ns in
		"swit-$SW_RUN_TAG-"*) [ "${1:-}" = before ] && continue ;;
		swit-*-[0-9]*|swbench-[0-9]*) continue ;;
		esac
		echo "$ns"
	done
}
host_net before > "$logdir/host-net.before" 2>&1

run unit-release ctest ctest --test-dir build --output-on-failure
run unit-asan ctest ctest --test-dir build-asan --output-on-failure
run integration-release runner env SOCKWARDEN="$top/build/daemon/sockwarden" \
    "$top/tests/integration/run.sh"
run integration-asan runner env SOCKWARDEN="$top/build-asan/daemon/sockwarden" \
    "$top/tests/integration/run.sh"
if [ -x "$top/tests/fuzz/smoke.sh" ]; then
	run fuzz-smoke none "$top/tests/fuzz/smoke.sh"
fi

host_net > "$logdir/host-net.after" 2>&1
if diff -u "$logdir/host-net.before" "$logdir/host-net.after" > "$logdir/host-check.log"; then
	passed=$((passed + 1))
	printf '== %-28s %s passed, %s failed\n' host-network 1 0
else
	failed=$((failed + 1))
	echo "== host-network: the tiers changed the host's links, routes or network namespaces:"
	cat "$logdir/host-check.log"
	printf '== %-28s %s passed, %s failed\n' host-network 0 1
fi

echo "logs: $logdir"
if [ "$skipped" = 0 ]; then
	echo "total: $passed passed, $failed failed"
else
	echo "total: $passed passed, $failed failed, $skipped skipped"
fi
[ "$failed" -eq 0 ]
