#!/bin/bash
# t10-cli-basic: the everyday Docker CLI flows through sockwarden, with the
# Debian client and (if present) the newer one: version, info, ps -a, images,
# run --rm (exact stdout), run -d + logs -f to the end, exec, stats
# --no-stream, events (streamed and --since/--until).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
sw_proxy_start

cli0=$DOCKER_CLI tag=c0
for DOCKER_CLI in $(sw_clis); do
	v=$("$DOCKER_CLI" --version)
	log "client: $DOCKER_CLI ($v)"
	tag=c$((${tag#c} + 1))	# c1, c2: one per client

	# version: both halves, the server's through the proxy
	out=$(dk version --format '{{.Server.Version}}|{{.Server.APIVersion}}') ||
	    fail "$v: docker version failed: $out"
	want=$(dk_direct version --format '{{.Server.Version}}|{{.Server.APIVersion}}')
	assert_eq "$want" "$out" "$v: docker version (server)"

	# info: the engine's own ID and image count
	out=$(dk info --format '{{.ID}} {{.Images}} {{.ServerVersion}}') ||
	    fail "$v: docker info failed: $out"
	assert_eq "$(dk_direct info --format '{{.ID}} {{.Images}} {{.ServerVersion}}')" \
	    "$out" "$v: docker info"

	# run --rm: exact stdout, exit status propagated
	out=$(dk run --rm "$SW_IMAGE" echo hello) || fail "$v: run --rm failed: $out"
	assert_eq "hello" "$out" "$v: run --rm echo hello"
	rc=0
	dk run --rm "$SW_IMAGE" sh -c 'exit 7' || rc=$?
	assert_eq 7 "$rc" "$v: exit status of run --rm sh -c 'exit 7'"
	out=$(echo "from-stdin-$tag" | dk run --rm -i "$SW_IMAGE" cat) ||
	    fail "$v: run -i failed"
	assert_eq "from-stdin-$tag" "$out" "$v: run -i with stdin (half-close)"
	# 8 MB through the hijacked attach each way: stdin in, stdout out
	head -c 8000000 /dev/urandom > "$TEST_DIR/in.bin"
	out=$(dk run --rm -i "$SW_IMAGE" sha256sum < "$TEST_DIR/in.bin") ||
	    fail "$v: run -i with 8 MB of stdin failed"
	assert_eq "$(sha256sum < "$TEST_DIR/in.bin" | cut -d' ' -f1)" "${out%% *}" \
	    "$v: sha256 of 8 MB stdin seen in the container"
	out=$(dk run --rm "$SW_IMAGE" sh -c 'head -c 8000000 /dev/zero' | sha256sum)
	assert_eq "$(head -c 8000000 /dev/zero | sha256sum)" "$out" \
	    "$v: sha256 of 8 MB stdout from the container"

	# run -d, then logs -f to the end: the whole sequence, in order
	name=$(sw_name "logs-$tag")
	id=$(dk run -d --name "$name" "$SW_IMAGE" \
	    sh -c 'i=1; while [ $i -le 6 ]; do echo "line $i"; i=$((i+1)); sleep 0.3; done; echo "err end" >&2')
	[ ${#id} = 64 ] || fail "$v: run -d printed [$id], not a container id"
	out=$(timeout 30 "$DOCKER_CLI" -H "unix://$SW_SOCK" logs -f "$id" 2>&1) ||
	    fail "$v: logs -f did not end with the container (status $?): $out"
	assert_eq "$(printf 'line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nerr end')" \
	    "$out" "$v: logs -f output"
	out=$(dk logs "$id" 2>/dev/null)
	assert_eq "$(printf 'line 1\nline 2\nline 3\nline 4\nline 5\nline 6')" "$out" \
	    "$v: logs (stdout only)"

	# ps -a and images list what the engine lists
	out=$(dk ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.Status}}')
	assert_contains "$out" "$id $name Exited (0)" "$v: ps -a"
	assert_eq "$(dk_direct ps -a --no-trunc --format '{{.ID}}' | sort)" \
	    "$(dk ps -a --no-trunc --format '{{.ID}}' | sort)" "$v: ps -a ids"
	out=$(dk images --format '{{.Repository}}:{{.Tag}}')
	assert_contains "$out" "$SW_IMAGE" "$v: images"
	assert_contains "$out" "$SW_CIJOB_IMAGE" "$v: images"

	# exec (non-tty) into a running container, with stdin and exit status
	name=$(sw_name "exec-$tag")
	dk run -d --name "$name" "$SW_IMAGE" sleep 300 > /dev/null
	out=$(dk exec "$name" sh -c 'echo exec-out; echo exec-err >&2' 2>"$TEST_DIR/err")
	assert_eq "exec-out" "$out" "$v: exec stdout"
	assert_eq "exec-err" "$(cat "$TEST_DIR/err")" "$v: exec stderr"
	rc=0
	dk exec "$name" sh -c 'exit 3' || rc=$?
	assert_eq 3 "$rc" "$v: exec exit status"
	out=$(printf 'abc\ndef\n' | dk exec -i "$name" wc -l)
	assert_eq 2 "${out//[[:space:]]/}" "$v: exec -i stdin line count"

	# stats --no-stream of the running container: real numbers
	out=$(timeout 30 "$DOCKER_CLI" -H "unix://$SW_SOCK" stats --no-stream \
	    --format '{{.Name}}|{{.MemUsage}}|{{.PIDs}}' "$name") ||
	    fail "$v: stats --no-stream failed: $out"
	assert_match "$out" "^$name\|[0-9.]+[KMG]?i?B / [0-9.]+[KMGT]?i?B\|[1-9][0-9]*$" \
	    "$v: stats --no-stream"
	dk rm -f "$name" > /dev/null
done
DOCKER_CLI=$cli0

# events, streamed: a background `docker events` sees the start of a
# container run through the proxy, with its name, then is stopped by us.
# (--since: no race with the stream set-up; it must still stream on)
name=$(sw_name ev)
since=$(date +%s)
sw_bg "$TEST_DIR/events.out" "$DOCKER_CLI" -H "unix://$SW_SOCK" events \
    --since "$since" --filter type=container --filter event=start \
    --format '{{.Action}} {{.Actor.Attributes.name}}'
evpid=$SW_BG_PID
dk run --rm --name "$name" "$SW_IMAGE" true
wait_for 20 grep -qx "start $name" "$TEST_DIR/events.out" ||
    fail "streamed docker events did not show [start $name]: $(cat "$TEST_DIR/events.out")"
sleep 1
kill -0 "$evpid" 2>/dev/null ||
    fail "docker events exited although it should stream forever: $(cat "$TEST_DIR/events.out")"
kill "$evpid"

# events --since/--until: a finite stream that must end by itself
until=$(( $(date +%s) + 1 ))
sleep 1
out=$(timeout 30 "$DOCKER_CLI" -H "unix://$SW_SOCK" events --since "$since" \
    --until "$until" --filter "container=$name" \
    --format '{{.Action}} {{.Actor.Attributes.name}}') ||
    fail "docker events --since/--until failed or did not end: $out"
assert_contains "$out" "create $name" "events --since/--until"
assert_contains "$out" "start $name" "events --since/--until"
assert_contains "$out" "die $name" "events --since/--until"

sw_proxy_stop
