#!/bin/bash
# t85-demo-job: the CI admin's path (issue 8).  scripts/demo.sh, run as a
# user runs it, prints a CI-job command; run verbatim, the job lists its
# containers, runs a sibling that prints ok and is refused a privileged one
# with sockwarden's message.  The demo runs in a mount namespace with a
# fresh /run, so /run/sockwarden is the test's alone: once on the tier's
# engine while something else listens on /run/sockwarden/docker.sock (the
# demo takes a socket of its own and extends ci with it as a socket root),
# once with every default (its own private engine, the ci socket root);
# there the README's in-container example runs as written, and the demo's
# engine runs in another network namespace and is gone after SIGTERM.
# Then: a socket root nobody listens at cannot be bound through sockwarden
# (from the host or from a job), so the engine never plants a directory
# there; start-up refuses a directory at the listen path with a recovery
# hint that works; a non-root job reaches a socket whose group it joins
# with --group-add (listen_group, and a listener line's group=/mode=) and
# is refused without it (docs/ci-runners.md).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
DEMO=$SW_REPO/scripts/demo.sh
PRIV="sockwarden: container create denied by rule privileged: privileged containers are not allowed"
# sockwarden (as its own user) reaches the demo engine's socket below here
chmod 755 "$TEST_DIR"

demo_pid=
# demo_start OUT SETUP ENV...: scripts/demo.sh in a session of its own (its
# process group is what a terminal's Ctrl-C would reach), output to OUT,
# in a mount namespace with a fresh /run (so /run/sockwarden is the test's
# alone) after the shell commands SETUP.
demo_start() {
	local out=$1 setup=$2
	shift 2
	setsid unshare --mount --propagation private -- sh -c \
	    "mount -t tmpfs -o mode=0755 tmpfs /run && $setup"' && exec "$@"' demo \
	    env SOCKWARDEN="$SOCKWARDEN" "$@" "$DEMO" > "$out" 2>&1 &
	demo_pid=$!
}

# demo_command OUT: wait for the demo to print its job command; print it.
demo_command() {
	local out=$1 cmd
	for _ in $(seq 1 1800); do
		cmd=$(sed -n 's/^    \(docker .*\)$/\1/p' "$out")
		[ -z "$cmd" ] || { echo "$cmd"; return 0; }
		kill -0 "$demo_pid" 2>/dev/null ||
		    { cat "$out" >&2; fail "scripts/demo.sh exited before printing a job command"; }
		sleep 0.1
	done
	cat "$out" >&2
	fail "scripts/demo.sh printed no job command within 180 s"
}

# demo_stop: SIGTERM to the demo's process group, as Ctrl-C would; wait for
# the demo to exit; its status in demo_rc ("hung" if it did not exit).
demo_rc=
demo_stop() {
	local pid=$demo_pid
	[ -n "$pid" ] || return 0
	demo_pid=""
	demo_rc=0
	kill -TERM -- "-$pid" 2>/dev/null
	for _ in $(seq 1 900); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL -- "-$pid"
		wait "$pid"
		demo_rc=hung
		return 0
	fi
	wait "$pid" || demo_rc=$?
}
# stop the demo before lib.sh's cleanup (which reads the exit status)
trap 'rc=$?; set +e; demo_stop; (exit $rc); cleanup' EXIT

# demo_clean OUT: the demo's sockwarden (an ASan build in the sanitizer
# tier) reported nothing
demo_clean() {
	! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1" ||
	    fail "sanitizer report in the demo's output: $(grep -E -A12 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1" | head -n 40)"
}

# job_checks WHAT OUTPUT: what the printed job command must show.
job_checks() {
	assert_match "$2" "CONTAINER ID +IMAGE" "$1: docker ps in the job"
	assert_match "$2" "sockwarden-demo/ci-job:latest +\"sh -c 'docker ps" "$1: the job sees its own container"
	assert_contains "$2" "$(printf '\nok\n')" "$1: the sibling's output"
	assert_contains "$2" "$PRIV" "$1: the privileged run"
	assert_not_contains "$2" "not-refused" "$1: the privileged run"
}

# --- 1. the tier's engine; something else listens on /run/sockwarden/docker.sock
# (a system sockwarden), so the demo takes a socket of its own
d1=$TEST_DIR/d1
mkdir -p "$d1"
demo_start "$TEST_DIR/demo1.out" \
    'mkdir /run/sockwarden && { socat UNIX-LISTEN:/run/sockwarden/docker.sock,fork EXEC:cat & } &&
     while [ ! -S /run/sockwarden/docker.sock ]; do sleep 0.1; done' \
    ENGINE="$ENGINE_SOCK" DEMO_DIR="$d1"
cmd=$(demo_command "$TEST_DIR/demo1.out")
log "printed: $cmd"
all=$(cat "$TEST_DIR/demo1.out")
assert_contains "$all" "something already listens on /run/sockwarden/docker.sock; using $d1/docker.sock" \
    "the demo's socket while /run/sockwarden/docker.sock is taken"
assert_contains "$all" "listens on $d1/docker.sock with ci plus $d1/docker.sock as a socket root" \
    "the demo names its policy"
out=$(sw_timed bash -c "$cmd" 2>&1) || fail "the printed job command failed: $out"
job_checks "demo on the tier's engine" "$out"
# the same command with the Debian client on the host side
mkdir -p "$TEST_DIR/bin20"
ln -s /usr/bin/docker "$TEST_DIR/bin20/docker"
out=$(PATH=$TEST_DIR/bin20:$PATH sw_timed bash -c "$cmd" 2>&1) ||
    fail "the printed job command (docker CLI 20.10) failed: $out"
job_checks "demo, docker CLI 20.10 on the host" "$out"
# the ci socket root is not this sockwarden's socket: not even the demo's
# policy (which repeats it) lets a job bind it
out=$(sw_timed docker -H "unix://$d1/docker.sock" run --rm \
    -v /run/sockwarden/docker.sock:/x sockwarden-demo/ci-job true 2>&1) &&
    fail "binding /run/sockwarden/docker.sock through the demo's sockwarden was allowed"
assert_contains "$out" "sockwarden: container create denied by rule binds: the host path '/run/sockwarden/docker.sock' (HostConfig.Binds[0]) is admitted only as sockwarden's own socket, and sockwarden is not listening there" \
    "binding the ci socket root while it is not this sockwarden's socket"
demo_stop
assert_eq 143 "$demo_rc" "the demo's exit status after SIGTERM"
[ ! -e "$d1/docker.sock" ] || fail "the demo's socket is left after it stopped"
demo_clean "$TEST_DIR/demo1.out"

# --- 2. every default, the demo's own engine, in a fresh /run
d2=$TEST_DIR/d2
mkdir -p "$d2"
links_before=$(ip -br link | awk '{ print $1 }' | sort)
routes_before=$(ip route)
demo_start "$TEST_DIR/demo2.out" true DEMO_DIR="$d2" DEMO_CLI=/usr/bin/docker
cmd=$(demo_command "$TEST_DIR/demo2.out")
log "printed: $cmd"
assert_eq "docker -H unix:///run/sockwarden/docker.sock run --rm -v /run/sockwarden/docker.sock:/var/run/docker.sock sockwarden-demo/ci-job:latest sh -c 'docker ps && docker run --rm sockwarden-demo/ci-job:latest echo ok && ! docker run --rm --privileged sockwarden-demo/ci-job:latest echo not-refused'" \
    "$cmd" "the job command with the demo's defaults"
all=$(cat "$TEST_DIR/demo2.out")
assert_contains "$all" "no engine answers at /var/run/docker.sock; starting a private one" "demo engine"
assert_contains "$all" "listens on /run/sockwarden/docker.sock with the built-in ci policy" "demo policy"
assert_contains "$all" "Docker version 20.10" "the job image's CLI"
# in_demo CMD...: run CMD (time-limited) in the demo's mount namespace
in_demo() { sw_timed nsenter --mount="/proc/$demo_pid/ns/mnt" -- "$@"; }
out=$(in_demo bash -c "$cmd" 2>&1) ||
    fail "the printed job command failed: $out"
job_checks "demo with its defaults" "$out"
# the README's in-container example, as written: by a runner on the engine,
# and through sockwarden
readme=$(grep -E '^docker run .*/run/sockwarden/docker.sock:/var/run/docker.sock .* docker ps$' "$SW_REPO/README.md") ||
    fail "README.md has no in-container docker ps example"
for host in "$d2/engine/docker.sock" /run/sockwarden/docker.sock; do
	out=$(in_demo env DOCKER_HOST="unix://$host" bash -c "$readme" 2>&1) ||
	    fail "README example with DOCKER_HOST=unix://$host failed: $out"
	assert_match "$out" "^CONTAINER ID +IMAGE" "README example with DOCKER_HOST=unix://$host"
done
# the demo's engine runs in a network namespace of its own
dpid=$(cat "$d2/engine/dockerd.pid")
dnet=$(readlink "/proc/$dpid/ns/net")
dmnt=$(readlink "/proc/$demo_pid/ns/mnt")
[ "$dnet" != "$(readlink /proc/self/ns/net)" ] ||
    fail "the demo's dockerd runs in the host's network namespace"
demo_stop
assert_eq 143 "$demo_rc" "the demo's exit status after SIGTERM"
demo_clean "$TEST_DIR/demo2.out"
# nothing it started runs on: no process in its engine's network namespace
# or in its mount namespace (the engine's containerd may take a moment to
# go after the demo has exited)
demo_left() {
	local f
	for f in /proc/[0-9]*/ns/net /proc/[0-9]*/ns/mnt; do
		case $(readlink "$f" 2>/dev/null) in
		"$dnet" | "$dmnt")
			f=${f%/ns/*}
			echo "${f#/proc/} $(tr '\0' ' ' < "$f/cmdline" 2>/dev/null)" ;;
		esac
	done
}
demo_gone() { [ -z "$(demo_left)" ]; }
wait_for 60 demo_gone ||
    fail "processes of the demo left after it stopped: $(demo_left)"
assert_eq "$links_before" "$(ip -br link | awk '{ print $1 }' | sort)" "host links after the demo"
assert_eq "$routes_before" "$(ip route)" "host routes after the demo"

# --- 3. no directory planted at a socket path through sockwarden
cat > "$TEST_DIR/policy.json" <<EOF
{ "extends": "ci",
  "checks": { "binds": { "roots": [
    { "path": "$SW_DIR/sw.sock", "socket": true },
    { "path": "$TEST_DIR/gone.sock", "socket": true } ] } } }
EOF
sw_proxy_start --policy "$TEST_DIR/policy.json"
GONE="sockwarden: container create denied by rule binds: the host path '$TEST_DIR/gone.sock' (HostConfig.Binds[0]) is admitted only as sockwarden's own socket, and sockwarden is not listening there"
out=$(dk run --rm -v "$TEST_DIR/gone.sock:/x" "$SW_IMAGE" true 2>&1) &&
    fail "a bind of a socket root nobody listens at was allowed"
assert_contains "$out" "$GONE" "binding a socket root nobody listens at"
out=$(dk run --rm --mount "type=bind,src=$TEST_DIR/gone.sock,dst=/x" "$SW_IMAGE" true 2>&1) &&
    fail "a --mount of a socket root nobody listens at was allowed"
assert_contains "$out" "denied by rule binds: the host path '$TEST_DIR/gone.sock' (HostConfig.Mounts[0]) is admitted only as sockwarden's own socket" \
    "--mount of a socket root nobody listens at"
# from a job that has the socket, as the printed command gives it
out=$(dk run --rm -v "$SW_SOCK:/var/run/docker.sock" "$SW_CIJOB_IMAGE" \
    docker run --rm -v "$TEST_DIR/gone.sock:/x" "$SW_IMAGE" true 2>&1) &&
    fail "a job bound a socket root nobody listens at"
assert_contains "$out" "$GONE" "a job binding a socket root nobody listens at"
[ ! -e "$TEST_DIR/gone.sock" ] || fail "something was created at $TEST_DIR/gone.sock: $(ls -ld "$TEST_DIR/gone.sock")"
# the built-in policy: its root is not this sockwarden's socket
sw_proxy_stop
sw_proxy_start
out=$(dk run --rm -v /run/sockwarden/docker.sock:/var/run/docker.sock "$SW_IMAGE" true 2>&1) &&
    fail "the ci socket root was bound while this sockwarden does not listen there"
assert_contains "$out" "the host path '/run/sockwarden/docker.sock' (HostConfig.Binds[0]) is admitted only as sockwarden's own socket" \
    "built-in ci: binding its socket root elsewhere"
sw_proxy_stop

# --- 4. a directory at the listen path: how it happened, the refusal, the fix
p=$TEST_DIR/planted/docker.sock
mkdir -p "$TEST_DIR/planted"
planter=$(sw_name planter)
dk_direct run -d --name "$planter" -v "$p:/var/run/docker.sock" "$SW_IMAGE" sleep 600 > /dev/null ||
    fail "engine: cannot start the container that plants the directory"
[ -d "$p" ] || fail "the engine did not create a directory at $p (the case this checks)"
rc=0
timeout -k 5 60 "$SOCKWARDEN" --foreground --listen "$p" --upstream "unix:$ENGINE_SOCK" \
    > "$TEST_DIR/start.out" 2>&1 || rc=$?
{ [ $rc != 0 ] && [ $rc != 124 ]; } || fail "sockwarden started with a directory at its listen path (status $rc): $(cat "$TEST_DIR/start.out")"
assert_contains "$(cat "$TEST_DIR/start.out")" "$p is a directory, not a socket: a container that bound this path while sockwarden was not running made the engine create it; remove that container, then 'rmdir $p', and start sockwarden again" \
    "start-up with a directory at the listen path"
# the hint, followed
dk_direct rm -f "$planter" > /dev/null
rmdir "$p" || fail "rmdir $p, as the hint says, failed"
SW_LISTEN=$p sw_proxy_start
assert_eq OK "$(sw_curl http://d/_ping)" "sockwarden after the recovery"
sw_proxy_stop

# --- 5. non-root jobs: the socket's group, joined with --group-add
gid=4242
while getent group "$gid" > /dev/null; do gid=$((gid + 1)); done
cat > "$TEST_DIR/nonroot.conf" <<EOF
listen_group $gid
listen_mode 0660
listener jobs $TEST_DIR/jobs.sock group=$gid mode=0660
EOF
cat > "$TEST_DIR/nonroot.json" <<EOF
{ "extends": "ci",
  "checks": { "binds": { "roots": [
    { "path": "$SW_DIR/sw.sock", "socket": true },
    { "path": "$TEST_DIR/jobs.sock", "socket": true } ] } } }
EOF
sw_proxy_start --config "$TEST_DIR/nonroot.conf" --policy "$TEST_DIR/nonroot.json"
for s in "$SW_SOCK" "$TEST_DIR/jobs.sock"; do
	assert_eq "$gid 660" "$(stat -c '%g %a' "$s")" "group and mode of $s"
	out=$(dk run --rm -u 65534:65534 --group-add "$gid" -v "$s:/var/run/docker.sock" \
	    "$SW_CIJOB_IMAGE" docker ps --format '{{.Image}}' 2>&1) ||
	    fail "a non-root job with --group-add $gid could not use $s: $out"
	assert_contains "$out" "$SW_CIJOB_IMAGE" "docker ps of a non-root job on $s"
	out=$(dk run --rm -u 65534:65534 -v "$s:/var/run/docker.sock" \
	    "$SW_CIJOB_IMAGE" docker ps 2>&1) &&
	    fail "a non-root job without the socket's group used $s: $out"
	assert_contains "$out" "permission denied" "a non-root job without the socket's group on $s"
done
sw_proxy_stop
