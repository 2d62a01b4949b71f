#!/bin/bash
# demo.sh - the README's first command: sockwarden in front of an engine and
# a CI job that uses it.  Installs what is needed and builds sockwarden
# (unless SOCKWARDEN names a binary), uses the engine at $ENGINE or, when none
# answers there, starts a private demo engine (Debian's dockerd on private
# paths under $DEMO_DIR, in a network namespace of its own, so the host's
# links, routes and firewall stay as they are; stopped on exit), imports a
# small CI-job image (busybox-static and a docker CLI from this host: nothing
# is pulled), runs sockwarden with the built-in ci policy, and once it answers
# prints a CI-job command that works as printed.  Ctrl-C or SIGTERM stops
# what it started.  It does not install sockwarden, and on an engine it did
# not start it only adds the job image (docker rmi removes it).
#
# Environment:
#   SOCKWARDEN   binary to run; set, nothing is installed or built
#                (default: scripts/deps.sh, scripts/build.sh, build/daemon/sockwarden)
#   ENGINE       the engine's socket (default /var/run/docker.sock)
#   DEMO_DIR     the demo's files and private engine (default /tmp/sockwarden-demo)
#   DEMO_LISTEN  the substitute socket (default /run/sockwarden/docker.sock,
#                the one the ci policy lets a job bind; $DEMO_DIR/docker.sock
#                when another sockwarden listens there)
#   DEMO_CLI     docker CLI for the job image (default: a statically linked
#                docker on PATH, else /usr/bin/docker with its libraries)
#   DEMO_IMAGE   the job image (default sockwarden-demo/ci-job:latest)
# Arguments are passed to sockwarden.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
CI_ROOT=/run/sockwarden/docker.sock	# conf/ci.json's socket root
ENGINE=${ENGINE:-/var/run/docker.sock}
DEMO_DIR=${DEMO_DIR:-/tmp/sockwarden-demo}
DEMO_IMAGE=${DEMO_IMAGE:-sockwarden-demo/ci-job:latest}

say() { echo "sockwarden demo: $*"; }
die() { echo "sockwarden demo: $*" >&2; exit 1; }
ping_ok() { curl -sf --max-time 3 --unix-socket "$1" http://engine/_ping >/dev/null 2>&1; }
# live PATH: something accepts connections on the socket PATH (curl's 7:
# could not connect; any other outcome means a listener)
live() {
	local rc=0
	[ -S "$1" ] || return 1
	curl -s -o /dev/null --max-time 3 --unix-socket "$1" http://d/_ping 2>/dev/null || rc=$?
	[ "$rc" != 7 ]
}

[ "$(id -u)" = 0 ] || die "run it as root (sudo): it may start an engine and it binds under /run"
if [ -z "${SOCKWARDEN:-}" ]; then
	"$top/scripts/deps.sh"
	"$top/scripts/build.sh"
	SOCKWARDEN=$top/build/daemon/sockwarden
fi
[ -x "$SOCKWARDEN" ] || die "no sockwarden binary at $SOCKWARDEN"
mkdir -p "$DEMO_DIR"
DEMO_DIR=$(cd "$DEMO_DIR" && pwd)

engine_pid="" netns="" sw_pid="" made_rundir=""
cleanup() {
	local p
	set +e
	trap - EXIT INT TERM
	if [ -n "$sw_pid" ]; then
		kill -TERM "$sw_pid" 2>/dev/null
		wait "$sw_pid" 2>/dev/null
	fi
	if [ -n "$engine_pid" ]; then
		kill -TERM "$engine_pid" 2>/dev/null
		for _ in $(seq 1 300); do
			kill -0 "$engine_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$engine_pid" 2>/dev/null
		wait "$engine_pid" 2>/dev/null
		# whatever a killed engine left mounted, deepest first
		awk -v d="$DEMO_DIR/engine/" 'index($2, d) == 1 { print $2 }' \
		    /proc/self/mounts | sort -r | while read -r m; do
			umount -l "$m" 2>/dev/null
		done
	fi
	if [ -n "$netns" ]; then
		for _ in $(seq 1 10); do
			p=$(ip netns pids "$netns" 2>/dev/null)
			[ -n "$p" ] || break
			# shellcheck disable=SC2086
			kill -KILL $p 2>/dev/null
			sleep 0.2
		done
		ip netns del "$netns" 2>/dev/null || echo "sockwarden demo: cannot delete netns $netns" >&2
	fi
	[ -z "$made_rundir" ] || rmdir "$made_rundir" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# engine_start: a private dockerd in a network namespace of its own.  Only
# the network is switched (nsenter, not ip netns exec): the engine shares
# this host's files, so the socket sockwarden listens on is a bind source it
# can mount.  Whatever it does to links and routes (its docker0 bridge)
# stays in the namespace; it gets no iptables rules, and containerd
# namespaces of its own in case it attaches to a system containerd.
engine_start() {
	local d=$DEMO_DIR/engine n
	# namespaces of earlier demos that were killed (their shell is gone,
	# nothing runs in them)
	for n in $(ip netns list 2>/dev/null | awk '$1 ~ /^sockwarden-demo-[0-9]+$/ { print $1 }'); do
		kill -0 "${n##*-}" 2>/dev/null && continue
		[ -z "$(ip netns pids "$n" 2>/dev/null)" ] || continue
		ip netns del "$n" 2>/dev/null || true
	done
	mkdir -p "$d"
	ip netns add "sockwarden-demo-$$" || die "cannot create a network namespace (ip netns add)"
	netns=sockwarden-demo-$$
	ip -n "$netns" link set lo up
	# forwarding on in the namespace, or the engine warns on every run
	nsenter --net="/run/netns/$netns" -- sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
	nsenter --net="/run/netns/$netns" -- dockerd \
	    --data-root "$d/data" --exec-root "$d/exec" \
	    --pidfile "$d/dockerd.pid" -H "unix://$ENGINE" \
	    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
	    --containerd-namespace "$netns" --containerd-plugins-namespace "$netns-p" \
	    > "$d/dockerd.log" 2>&1 &
	engine_pid=$!
	for _ in $(seq 1 600); do
		ping_ok "$ENGINE" && return 0
		kill -0 "$engine_pid" 2>/dev/null ||
		    { tail -n 20 "$d/dockerd.log" >&2; die "dockerd exited during start-up"; }
		sleep 0.1
	done
	die "dockerd did not answer within 60 s; see $d/dockerd.log"
}

# cli_pick: the docker CLI for the job image.  A static one needs no
# libraries in the image.
cli_pick() {
	local c
	for c in $(type -ap docker); do
		ldd "$c" > /dev/null 2>&1 || { echo "$c"; return 0; }
	done
	echo /usr/bin/docker
}

# image_build: the CI-job image, imported from a root filesystem of
# busybox-static and a docker CLI (with its libraries when it has any).
image_build() {
	local r=$DEMO_DIR/rootfs cli=${DEMO_CLI:-$(cli_pick)} a lib
	[ -x "$cli" ] || die "no docker CLI at $cli"
	if [ ! -x /bin/busybox ] || ldd /bin/busybox > /dev/null 2>&1; then
		die "/bin/busybox is missing or not static (install busybox-static)"
	fi
	rm -rf "$r"
	mkdir -p "$r/bin" "$r/usr/bin" "$r/etc" "$r/root" "$r/tmp" "$r/var/run"
	chmod 1777 "$r/tmp"
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' > "$r/etc/passwd"
	printf 'root:x:0:\n' > "$r/etc/group"
	cp "$cli" "$r/usr/bin/docker"
	# debug information is a third of a static CLI
	strip "$r/usr/bin/docker" 2>/dev/null || true
	for lib in $(ldd "$cli" 2>/dev/null | grep -oE '/[^ ]+' || true); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	tar --numeric-owner --owner=0 --group=0 -C "$r" -c . |
	    docker -H "unix://$ENGINE" import -c 'ENV PATH=/usr/bin:/bin' \
		-c 'CMD ["/bin/sh"]' - "$DEMO_IMAGE" > /dev/null
	rm -rf "$r"
	say "built $DEMO_IMAGE (busybox and $("$cli" --version | sed 's/,.*//') from $cli)"
}

if ! ping_ok "$ENGINE"; then
	say "no engine answers at $ENGINE; starting a private one"
	ENGINE=$DEMO_DIR/engine/docker.sock
	engine_start
fi
say "engine at $ENGINE"
docker -H "unix://$ENGINE" image inspect "$DEMO_IMAGE" > /dev/null 2>&1 || image_build

# The substitute socket.  The ci policy lets a job bind only its socket root
# ($CI_ROOT), and only while this sockwarden listens there; elsewhere the
# demo adds its own path as a socket root in a policy that extends ci.
if [ -z "${DEMO_LISTEN:-}" ]; then
	DEMO_LISTEN=$CI_ROOT
	if live "$CI_ROOT"; then
		DEMO_LISTEN=$DEMO_DIR/docker.sock
		say "something already listens on $CI_ROOT; using $DEMO_LISTEN"
	fi
fi
case $DEMO_LISTEN in
/*) ;; *) die "DEMO_LISTEN must be an absolute path" ;;
esac
case $DEMO_LISTEN in
*[!A-Za-z0-9._/-]*) die "DEMO_LISTEN may hold only letters, digits and ._-/ (it is printed in a shell command)" ;;
esac
if [ ! -d "$(dirname "$DEMO_LISTEN")" ]; then
	mkdir -p "$(dirname "$DEMO_LISTEN")"
	made_rundir=$(dirname "$DEMO_LISTEN")
fi
policy=()
policy_name="the built-in ci policy"
if [ "$DEMO_LISTEN" != "$CI_ROOT" ] && [[ " $* " != *" --policy"* ]]; then
	cat > "$DEMO_DIR/policy.json" <<EOF
{ "extends": "ci",
  "checks": { "binds": { "roots": [
    { "path": "$CI_ROOT", "socket": true },
    { "path": "$DEMO_LISTEN", "socket": true } ] } } }
EOF
	policy=(--policy "$DEMO_DIR/policy.json")
	policy_name="ci plus $DEMO_LISTEN as a socket root ($DEMO_DIR/policy.json)"
fi

"$SOCKWARDEN" --foreground --listen "$DEMO_LISTEN" --upstream "unix:$ENGINE" \
    ${policy[@]+"${policy[@]}"} "$@" &
sw_pid=$!
for _ in $(seq 1 300); do
	kill -0 "$sw_pid" 2>/dev/null || { wait "$sw_pid" || true; sw_pid=""; die "sockwarden did not start (see above)"; }
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --unix-socket "$DEMO_LISTEN" http://d/_ping 2>/dev/null)" = 200 ] && break
	sleep 0.1
done

job="docker ps && docker run --rm $DEMO_IMAGE echo ok && ! docker run --rm --privileged $DEMO_IMAGE echo not-refused"
say "sockwarden listens on $DEMO_LISTEN with $policy_name"
say "a CI job: its container gets the substitute socket as /var/run/docker.sock,"
say "lists its containers, runs a sibling, and is refused a privileged one"
say "(exit status 0 when all three behave):"
echo
echo "    docker -H unix://$DEMO_LISTEN run --rm -v $DEMO_LISTEN:/var/run/docker.sock $DEMO_IMAGE sh -c '$job'"
echo
say "or point any client at it:  export DOCKER_HOST=unix://$DEMO_LISTEN"
say "Ctrl-C stops sockwarden${engine_pid:+ and the demo engine}."
wait "$sw_pid"
