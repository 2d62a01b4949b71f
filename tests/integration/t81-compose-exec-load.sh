#!/bin/bash
# t81-compose-exec-load: docker-compose exec -T, 20 times in a row, while
# other clients hammer sockwarden at the same time (docker ps with both CLIs,
# docker run --rm, docker exec -i into the other service, docker-py pings and
# lists).  Every exec must give its stdout, stderr, exit status and stdin echo
# within SW_EXEC_TIMEOUT (60 s): a hang fails with the iteration that hung.
# The load clients must not fail either.  Default policy.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COMPOSE=${COMPOSE:-/usr/bin/docker-compose}
[ -x "$COMPOSE" ] || skip "docker-compose not installed (scripts/deps.sh)"
"$PYTHON" -c 'import docker' 2>/dev/null || skip "$PYTHON has no docker module (python3-docker)"
sw_need_engine
sw_proxy_start

ROUNDS=${SW_EXEC_ROUNDS:-20}
proj=swit$$l
dir=$TEST_DIR/proj
mkdir -p "$dir"
cat > "$dir/docker-compose.yml" <<EOF2
version: "3.7"
services:
  web:
    image: $SW_IMAGE
    command: ["sleep", "3600"]
    networks: [back]
  app:
    image: $SW_IMAGE
    command: ["sleep", "3600"]
    networks: [back]
networks:
  back: {}
EOF2

compose() {
	(cd "$dir" && DOCKER_HOST="unix://$SW_SOCK" sw_timed "$COMPOSE" -p "$proj" --ansi never "$@")
}

out=$(compose up -d 2>&1) || fail "docker-compose up -d failed: $out"

# load_loop KIND: one kind of client, over and over until $TEST_DIR/stop;
# counts rounds and failures in $TEST_DIR/load-KIND.{n,bad}
load_loop() {
	local kind=$1 n=0 bad=0 rc
	while [ ! -e "$TEST_DIR/stop" ]; do
		rc=0
		case $kind in
		ps)	timeout 60 "$DOCKER_CLI" -H "unix://$SW_SOCK" ps -a > /dev/null || rc=$? ;;
		psnew)	timeout 60 "$DOCKER_CLI_NEW" -H "unix://$SW_SOCK" ps -a > /dev/null || rc=$? ;;
		run)	[ "$(timeout 60 "$DOCKER_CLI" -H "unix://$SW_SOCK" run --rm "$SW_IMAGE" echo run-ok)" = run-ok ] || rc=1 ;;
		exec)	[ "$(echo exec-in | timeout 60 "$DOCKER_CLI" -H "unix://$SW_SOCK" exec -i "${proj}_web_1" cat)" = exec-in ] || rc=1 ;;
		py)	DOCKER_HOST="unix://$SW_SOCK" timeout 60 "$PYTHON" -c '
import docker
c = docker.APIClient(base_url="unix://" + __import__("os").environ["DOCKER_HOST"][7:], timeout=50)
for i in range(10):
    assert c.ping()
    c.containers(all=True)
    c.images()
' || rc=$? ;;
		esac
		n=$((n + 1))
		if [ $rc != 0 ]; then
			bad=$((bad + 1))
			echo "load $kind: round $n failed (status $rc) at $(date +%T.%N)"
		fi
		echo $n > "$TEST_DIR/load-$kind.n"
		echo $bad > "$TEST_DIR/load-$kind.bad"
	done
}
kinds="ps run exec py"
[ -x "$DOCKER_CLI_NEW" ] && kinds="$kinds psnew"
# Each loop in a process group of its own (job control on while starting
# them): on a failure the cleanup kills the group, clients in flight too.
loops=
set -m
for k in $kinds; do
	load_loop "$k" > "$TEST_DIR/load-$k.log" 2>&1 &
	loops="$loops $!"
	sw_track_pid "-$!"
done
set +m
wait_for 60 test -s "$TEST_DIR/load-run.n" || fail "the load did not start"

SW_CMD_TIMEOUT=${SW_EXEC_TIMEOUT:-60}
for i in $(seq 1 "$ROUNDS"); do
	t0=$(date +%s.%N)
	rc=0
	out=$(echo "stdin-$i" | compose exec -T app \
	    sh -c 'echo out-$0; echo err-$0 >&2; cat; exit 3' "$i" 2> "$TEST_DIR/exec.err") || rc=$?
	t1=$(date +%s.%N)
	if [ $rc = 124 ]; then
		touch "$TEST_DIR/stop"
		fail "compose exec -T hung in round $i of $ROUNDS under load: no result after ${SW_CMD_TIMEOUT}s (started $(date -d "@${t0%.*}" +%T); stdout so far [$out], stderr [$(cat "$TEST_DIR/exec.err")])"
	fi
	assert_eq 3 "$rc" "round $i: compose exec -T exit status (stderr: $(cat "$TEST_DIR/exec.err"))"
	assert_eq "$(printf 'out-%s\nstdin-%s' "$i" "$i")" "$out" "round $i: compose exec -T stdout"
	assert_eq "err-$i" "$(cat "$TEST_DIR/exec.err")" "round $i: compose exec -T stderr"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' >> "$TEST_DIR/exec-times"
done
touch "$TEST_DIR/stop"
# every loop finishes its round (each command has its own time limit); not
# a bare wait: sockwarden is a child of this shell too
# shellcheck disable=SC2086
wait $loops
summary=
for k in $kinds; do
	n=$(cat "$TEST_DIR/load-$k.n" 2>/dev/null || echo 0)
	bad=$(cat "$TEST_DIR/load-$k.bad" 2>/dev/null || echo 0)
	[ "$n" -gt 0 ] || fail "load client $k never completed a round"
	[ "$bad" = 0 ] || fail "load client $k: $bad of $n rounds failed: $(cat "$TEST_DIR/load-$k.log")"
	summary="$summary $k=$n"
done
out=$(compose down -v 2>&1) || fail "docker-compose down -v failed: $out"
note "$ROUNDS compose exec -T under load, slowest $(sort -n "$TEST_DIR/exec-times" | tail -n1)s; load rounds:$summary"
sw_proxy_stop
