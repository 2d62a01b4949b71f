# lib.sh - shared harness of sockwarden's integration tier.
#
# Sourced (bash) by every tests/integration/tNN-*.sh, by run.sh and by the
# benchmark.  It starts a REAL private dockerd (never a fake), builds the two
# test images from host binaries (nothing can be pulled), starts sockwarden in
# front of it and drives real clients through it.  It does not decide what a
# test checks and it never touches a system engine: the private engine has its
# own data-root, exec-root, pidfile, socket and containerd namespaces.
#
# Modelled on hitch's src/tests/hitch_test.sh: set -eu, one mktemp -d per
# sourcing shell, `trap cleanup EXIT` tears down everything the test made
# (background processes, sockwarden, containers, volumes, networks, images,
# and an engine if this shell started it).  fail exits 1, skip exits 77 (but 1
# when CI=true: the CI tier may not skip).
#
# Environment:
#   SOCKWARDEN    binary under test (default: <repo>/build/daemon/sockwarden)
#   DOCKER_CLI    client used by dk/dk_direct (default /usr/bin/docker, Debian)
#   DOCKER_CLI_NEW  second, newer client for the basic flows if executable
#                 (default /usr/local/bin/docker)
#   PYTHON        interpreter with Debian's python3-docker (default /usr/bin/python3)
#   ENGINE_SOCK   use this running engine instead of starting one
#   ENGINE_NETNS  the network namespace (ip netns name) that engine runs in,
#                 if any: helpers the engine must reach over TCP (a local
#                 registry) are started there (sw_engine_netns_exec)
#   SW_POLICY     run every sockwarden with this policy file instead of the
#                 test's own or the default (permissive.json: see the README)
#   SW_EXTRA_ARGS extra sockwarden arguments for every start, word-split
#                 (e.g. "--sandbox off")
#   SW_CMD_TIMEOUT  limit in seconds for each client command (default 120)
#   SW_DIRECT=1   develop the tests against the engine: SW_SOCK=$ENGINE_SOCK,
#                 no sockwarden (tests of proxy-only behaviour skip)
#   SW_KEEP=1     keep the temporary directory
#   CI=true       skipping is a failure

set -eu

SW_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SW_REPO=$(cd "$SW_LIB_DIR/../.." && pwd)
: "${SOCKWARDEN:=$SW_REPO/build/daemon/sockwarden}"
: "${DOCKER_CLI:=/usr/bin/docker}"
: "${DOCKER_CLI_NEW:=/usr/local/bin/docker}"
: "${PYTHON:=/usr/bin/python3}"
: "${SW_DIRECT:=0}"
: "${CI:=false}"
SW_IMAGE=swtest/busybox:latest
SW_CIJOB_IMAGE=swtest/cijob:latest
SW_TEST_NAME=$(basename "$0" .sh)
export SOCKWARDEN DOCKER_CLI DOCKER_CLI_NEW PYTHON SW_DIRECT CI

# Keep the user's client configuration out of the tests (contexts, detach
# keys, credential helpers, hints of the newer CLI).
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH \
    DOCKER_API_VERSION DOCKER_BUILDKIT 2>/dev/null || true
export DOCKER_CLI_HINTS=false
# Sanitizer builds: report leaks, make UBSan loud; sw_proxy_stop greps for both.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
export PYTHONPATH="$SW_LIB_DIR${PYTHONPATH:+:$PYTHONPATH}"

# Unix socket paths are limited to 107 bytes: keep the temp dir short.
TEST_DIR=$(mktemp -d "${SW_TMP:-/tmp}/swit.XXXXXX")
SW_DIR=$TEST_DIR
export DOCKER_CONFIG="$TEST_DIR/.docker"
mkdir -p "$DOCKER_CONFIG"
: > "$TEST_DIR/pids"

SW_PID=
SW_SOCK=
SW_ENGINE_MINE=0		# 1 when this shell started the engine
SW_NETNS_MINE=			# the network namespace this shell created
SW_SNAPSHOT=0			# 1 once engine objects were recorded

# ---------------------------------------------------------------- reporting

# sw_denials [LOG]: one line per request sockwarden refused (403 or 400) or,
# in audit mode, would have refused, from the audit records in LOG (default
# sw.log): "STATUS METHOD PATH (operation) rule RULE: REASON".
sw_denials() {
	local f=${1:-$SW_DIR/sw.log}
	[ -s "$f" ] || return 0
	grep '^{"type":"audit"' "$f" 2>/dev/null |
	    jq -r 'select(.decision != "allow" or .audit_only == true) |
		"\(.status) \(.method) \(.path) (\(.operation)) rule \(.rule)\(if .audit_only then " [audit only]" else "" end): \(.reason)"' \
	    2>/dev/null || true
}

_sw_dump_logs() {
	if [ -s "$SW_DIR/sw.log" ] && [ -n "$(sw_denials)" ]; then
		echo "---- requests sockwarden refused ($SW_DIR/sw.log) ----" >&2
		sw_denials | uniq -c | sed 's/^ *//' >&2
	fi
	if [ -s "$SW_DIR/sw.log" ]; then
		echo "---- tail of $SW_DIR/sw.log ----" >&2
		tail -n 40 "$SW_DIR/sw.log" >&2 || true
	fi
	if [ -n "${ENGINE_LOG:-}" ] && [ -s "$ENGINE_LOG" ]; then
		echo "---- tail of $ENGINE_LOG ----" >&2
		tail -n 15 "$ENGINE_LOG" >&2 || true
	fi
}

fail() {
	echo "FAIL: $SW_TEST_NAME: $*" >&2
	_sw_dump_logs
	exit 1
}

skip() {
	if [ "$CI" = true ]; then
		echo "FAIL: $SW_TEST_NAME: skipped under CI=true: $*" >&2
		exit 1
	fi
	echo "SKIP: $SW_TEST_NAME: $*" >&2
	exit 77
}

log() {
	echo "# $SW_TEST_NAME: $*" >&2
}

# note MSG: a figure worth reading even when the test passes (run.sh shows it)
note() {
	echo "NOTE: $SW_TEST_NAME: $*" >&2
}

# engine_noise: drop the engine's environment warnings from client output
# (a private engine without IP forwarding says so on every run).
engine_noise() {
	grep -v '^WARNING: IPv4 forwarding is disabled' || true
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	[ "$1" = "$2" ] ||
	    fail "${3:-value}: expected [$1], got [$2]"
}

# assert_contains HAYSTACK NEEDLE [WHAT]
assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "${3:-output}: expected to contain [$2], got [$1]" ;;
	esac
}

# assert_not_contains HAYSTACK NEEDLE [WHAT]
assert_not_contains() {
	case "$1" in
	*"$2"*) fail "${3:-output}: expected not to contain [$2], got [$1]" ;;
	esac
}

# assert_match STRING ERE [WHAT]
assert_match() {
	printf '%s' "$1" | grep -Eq -- "$2" ||
	    fail "${3:-output}: expected to match /$2/, got [$1]"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt $((limit * 10)) ] || return 1
		sleep 0.1
	done
}

# sw_track_pid PID: kill PID (by id) on exit; -PGID for a process group.
sw_track_pid() {
	echo "$1" >> "$TEST_DIR/pids"
}

# sw_bg OUTFILE CMD...: run CMD in the background, output to OUTFILE,
# tracked for cleanup; its pid is in $SW_BG_PID.
sw_bg() {
	local out=$1
	shift
	"$@" > "$out" 2>&1 &
	SW_BG_PID=$!
	sw_track_pid "$SW_BG_PID"
}

# sw_name SUFFIX: a container/volume/network name unique to this test.
sw_name() {
	echo "swit-$$-$1"
}

# ------------------------------------------------------------------ clients

# sw_timed CMD...: run CMD with a time limit of SW_CMD_TIMEOUT (120) s, so a
# hang through the proxy fails at the command that hung, with its name.
sw_timed() {
	local rc=0
	timeout --foreground -k 5 "${SW_CMD_TIMEOUT:-120}" "$@" || rc=$?
	[ $rc != 124 ] ||
	    echo "FAIL-TIMEOUT: no result after ${SW_CMD_TIMEOUT:-120}s: $*" >&2
	return $rc
}

dk() {
	sw_timed "$DOCKER_CLI" -H "unix://$SW_SOCK" "$@"
}

dk_direct() {
	sw_timed "$DOCKER_CLI" -H "unix://$ENGINE_SOCK" "$@"
}

sw_curl() {
	curl -sS --max-time "${SW_CMD_TIMEOUT:-120}" --unix-socket "$SW_SOCK" "$@"
}

# sw_clis: the Debian client, then the newer one if present.
sw_clis() {
	echo "$DOCKER_CLI"
	if [ -x "$DOCKER_CLI_NEW" ] &&
	    [ "$(readlink -f "$DOCKER_CLI_NEW")" != "$(readlink -f "$DOCKER_CLI")" ]; then
		echo "$DOCKER_CLI_NEW"
	fi
}

# sw_http_code SOCK URLPATH: status code of GET (000 when no response).
sw_http_code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	    --unix-socket "$1" "http://docker$2" 2>/dev/null || true
}

_sw_ping_ok() {
	[ "$(curl -s --max-time 2 --unix-socket "$1" http://docker/_ping 2>/dev/null)" = OK ]
}

# relay_perm: socat UNIX-LISTEN options giving a relay socket the engine
# socket's owner, group and mode, so sockwarden treats it like the engine's.
relay_perm() {
	stat -c ',user=%u,group=%g,mode=%a' "$ENGINE_SOCK"
}

# ------------------------------------------------------------------- engine

# _sw_engine_unavailable MSG: no engine can be started here.  A skip (a
# failure under CI=true); run.sh redefines it to report every test.
_sw_engine_unavailable() {
	skip "$@"
}

# sw_netns_sweep: delete the harness's network namespaces (swit-*-PID) whose
# shell is gone and that hold no process: what a test killed by SIGKILL left.
sw_netns_sweep() {
	local n
	for n in $(ip netns list 2>/dev/null | awk '$1 ~ /^swit-.*-[0-9]+$/ { print $1 }'); do
		kill -0 "${n##*-}" 2>/dev/null && continue
		[ -z "$(ip netns pids "$n" 2>/dev/null)" ] || continue
		ip netns del "$n" 2>/dev/null || true
	done
}

# sw_netns_create NAME: a new network namespace with only lo, up.
# Forwarding on inside (a fresh namespace has it off, the host usually on):
# without it the engine prints "IPv4 forwarding is disabled" to every client
# that creates a container.
sw_netns_create() {
	ip netns add "$1" || return 1
	{ ip -n "$1" link set lo up &&
	  nsenter --net="/run/netns/$1" -- sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
	} || { ip netns del "$1"; return 1; }
}

# sw_netns_delete NAME: kill what still runs in it, then delete it.
sw_netns_delete() {
	local pid i
	[ -n "$1" ] && [ -e "/run/netns/$1" ] || return 0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pid=$(ip netns pids "$1" 2>/dev/null)
		[ -n "$pid" ] || break
		# shellcheck disable=SC2086
		kill -KILL $pid 2>/dev/null
		sleep 0.2
	done
	ip netns del "$1" 2>/dev/null || echo "# cannot delete netns $1" >&2
}

# sw_engine_netns_exec CMD...: run CMD in the engine's network namespace
# (ENGINE_NETNS), or here when the engine has none.  Only the network is
# switched: files and mounts are the host's, so sockets and paths work.
sw_engine_netns_exec() {
	if [ -n "${ENGINE_NETNS:-}" ]; then
		nsenter --net="/run/netns/$ENGINE_NETNS" -- "$@"
	else
		"$@"
	fi
}

# sw_engine_start DIR: start a private dockerd under DIR, wait for /_ping,
# export ENGINE_SOCK ENGINE_DIR ENGINE_PID ENGINE_LOG ENGINE_NETNS, build the
# test images.
sw_engine_start() {
	local dir=$1 ns i
	mkdir -p "$dir/data" "$dir/exec"
	dir=$(cd "$dir" && pwd)
	[ ${#dir} -le 80 ] || fail "engine dir too long for unix sockets: $dir"
	command -v dockerd >/dev/null || _sw_engine_unavailable "dockerd not installed"
	[ "$(id -u)" = 0 ] || _sw_engine_unavailable "a private dockerd needs root"
	command -v ip >/dev/null && command -v nsenter >/dev/null ||
	    _sw_engine_unavailable "ip (iproute2) and nsenter (util-linux) are needed"
	ns="swit-${SW_RUN_TAG:+$SW_RUN_TAG-}$(basename "$dir")-$$"
	echo '{}' > "$dir/daemon.json"
	# The engine gets its own network namespace: whatever it does to links,
	# routes and firewall rules (--bridge=none deletes a docker0 bridge) stays
	# there.  Only the network is switched (nsenter, not ip netns exec): the
	# engine shares the host's mounts, so its unix socket, bind sources and a
	# system containerd it may attach to are the same as without it.
	sw_netns_sweep
	sw_netns_create "$ns" ||
	    _sw_engine_unavailable "cannot create network namespace $ns"
	ENGINE_NETNS=$ns
	SW_NETNS_MINE=$ns
	export ENGINE_NETNS
	# The default bridge (docker0) exists, in the namespace: BuildKit's RUN
	# steps need it ("network bridge not found" without it).  No iptables
	# rules or forwarding changes by the engine (the namespace has none to
	# keep; nothing is reached from inside).  Own containerd namespaces in
	# case dockerd attaches to a system containerd.
	nsenter --net="/run/netns/$ns" -- dockerd --config-file "$dir/daemon.json" \
	    --data-root "$dir/data" --exec-root "$dir/exec" \
	    --pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" \
	    --iptables=false --ip6tables=false \
	    --ip-forward=false --ip-masq=false \
	    --containerd-namespace "$ns" --containerd-plugins-namespace "$ns-p" \
	    > "$dir/dockerd.log" 2>&1 &
	ENGINE_PID=$!
	ENGINE_DIR=$dir
	ENGINE_SOCK=$dir/docker.sock
	ENGINE_LOG=$dir/dockerd.log
	SW_ENGINE_MINE=1
	export ENGINE_PID ENGINE_DIR ENGINE_SOCK ENGINE_LOG
	for i in $(seq 1 600); do
		_sw_ping_ok "$ENGINE_SOCK" && break
		if ! kill -0 "$ENGINE_PID" 2>/dev/null; then
			tail -n 20 "$ENGINE_LOG" >&2
			SW_ENGINE_MINE=0
			sw_netns_delete "$SW_NETNS_MINE"
			SW_NETNS_MINE=
			_sw_engine_unavailable "dockerd exited during start-up (see above)"
		fi
		sleep 0.1
	done
	_sw_ping_ok "$ENGINE_SOCK" || _sw_engine_unavailable "dockerd did not answer /_ping within 60 s"
	sw_images_build
}

# sw_engine_stop: stop the engine this shell started and delete its network
# namespace (no-op otherwise).
sw_engine_stop() {
	local i m
	[ "$SW_ENGINE_MINE" = 1 ] || { _sw_netns_release; return 0; }
	SW_ENGINE_MINE=0
	if kill -TERM "$ENGINE_PID" 2>/dev/null; then
		for i in $(seq 1 300); do
			kill -0 "$ENGINE_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$ENGINE_PID" 2>/dev/null || true
	fi
	wait "$ENGINE_PID" 2>/dev/null || true
	# Lazily unmount anything the engine left under its directory, deepest
	# first, so that removing the directory never walks into a mount.
	for m in $(awk -v d="$ENGINE_DIR/" 'index($2, d) == 1 { print $2 }' \
	    /proc/self/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	_sw_netns_release
}

# _sw_netns_release: delete the network namespace this shell created.
_sw_netns_release() {
	[ -n "$SW_NETNS_MINE" ] || return 0
	sw_netns_delete "$SW_NETNS_MINE"
	SW_NETNS_MINE=
}

# _sw_rootfs_busybox DIR: a minimal busybox-static root filesystem.
_sw_rootfs_busybox() {
	local r=$1 a
	[ -x /bin/busybox ] || skip "/bin/busybox (busybox-static) not installed"
	file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' ||
	    skip "/bin/busybox is not statically linked (install busybox-static)"
	mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/etc" \
	    "$r/root" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/var/run" \
	    "$r/home" "$r/work"
	chmod 1777 "$r/tmp"
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	    > "$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
}

_sw_import() {
	local rootfs=$1 ref=$2
	tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . |
	    dk_direct import \
		-c 'CMD ["/bin/sh"]' \
		-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		- "$ref" > /dev/null
}

# sw_images_build: import swtest/busybox and swtest/cijob unless present.
sw_images_build() {
	local r lib
	if ! dk_direct image inspect "$SW_IMAGE" > /dev/null 2>&1; then
		r=$ENGINE_DIR/rootfs-busybox
		rm -rf "$r"
		_sw_rootfs_busybox "$r"
		_sw_import "$r" "$SW_IMAGE" || fail "cannot import $SW_IMAGE"
	fi
	if ! dk_direct image inspect "$SW_CIJOB_IMAGE" > /dev/null 2>&1; then
		r=$ENGINE_DIR/rootfs-cijob
		rm -rf "$r"
		_sw_rootfs_busybox "$r"
		# The Debian client: Go, but linked against glibc here; copy its
		# loader and libraries when ldd lists any.
		cp /usr/bin/docker "$r/usr/bin/docker"
		for lib in $(ldd /usr/bin/docker 2>/dev/null | grep -oE '/[^ ]+'); do
			mkdir -p "$r$(dirname "$lib")"
			cp -L "$lib" "$r$lib"
		done
		_sw_import "$r" "$SW_CIJOB_IMAGE" || fail "cannot import $SW_CIJOB_IMAGE"
	fi
}

# sw_need_engine: use $ENGINE_SOCK (run.sh's engine) or start one for this
# test; record which engine objects exist so cleanup removes only ours.
sw_need_engine() {
	if [ -n "${ENGINE_SOCK:-}" ]; then
		_sw_ping_ok "$ENGINE_SOCK" ||
		    fail "ENGINE_SOCK=$ENGINE_SOCK does not answer /_ping"
		dk_direct image inspect "$SW_IMAGE" > /dev/null 2>&1 ||
		    { ENGINE_DIR=${ENGINE_DIR:-$TEST_DIR/engine}; mkdir -p "$ENGINE_DIR"; sw_images_build; }
	else
		sw_engine_start "$TEST_DIR/engine"
	fi
	_sw_snapshot > "$TEST_DIR/engine-before"
	SW_SNAPSHOT=1
	if [ "$SW_DIRECT" = 1 ]; then
		SW_SOCK=$ENGINE_SOCK
		export SW_SOCK
	fi
}

# One line per engine object: "c <id>", "v <name>", "n <id>", "i <ref>".
_sw_snapshot() {
	dk_direct ps -aq --no-trunc | sed 's/^/c /'
	dk_direct volume ls -q | sed 's/^/v /'
	dk_direct network ls -q --no-trunc | sed 's/^/n /'
	dk_direct images --format '{{.Repository}}:{{.Tag}}' |
	    grep -v '<none>' | sed 's/^/i /'
	dk_direct images -aq --no-trunc --filter dangling=true | sed 's/^/i /'
}

_sw_engine_tidy() {
	local kind obj
	_sw_ping_ok "$ENGINE_SOCK" || return 0
	_sw_snapshot > "$TEST_DIR/engine-after" 2>/dev/null || return 0
	sort -u "$TEST_DIR/engine-before" > "$TEST_DIR/eb"
	sort -u "$TEST_DIR/engine-after" > "$TEST_DIR/ea"
	comm -13 "$TEST_DIR/eb" "$TEST_DIR/ea" > "$TEST_DIR/engine-new"
	# containers first: they pin volumes, networks and images
	for kind in c v n i; do
		grep "^$kind " "$TEST_DIR/engine-new" | while read -r _ obj; do
			case $kind in
			c) dk_direct rm -f -v "$obj" ;;
			v) dk_direct volume rm -f "$obj" ;;
			n) dk_direct network rm "$obj" ;;
			i) dk_direct rmi -f "$obj" ;;
			esac > /dev/null 2>&1 || true
		done
	done
}

# ------------------------------------------------------------------- proxy

# sw_require_proxy: the test checks sockwarden itself; skip under SW_DIRECT.
sw_require_proxy() {
	[ "$SW_DIRECT" != 1 ] || skip "checks sockwarden itself (SW_DIRECT=1)"
	[ -x "$SOCKWARDEN" ] || skip "no sockwarden binary at $SOCKWARDEN (build first)"
}

# sw_proxy_start [extra sockwarden args...]
#   Listens on ${SW_LISTEN:-$SW_DIR/sw.sock}, upstream ${SW_UPSTREAM:-unix:$ENGINE_SOCK}.
#   Exports SW_SOCK and SW_PID; waits until the socket answers HTTP.
#   SW_CONFIG_ONLY=1: pass no --listen/--upstream (they come from --config;
#   SW_LISTEN must still name the socket).
# The whole tier runs the daemon sandboxed (seccomp filter, no_new_privs,
# non-root); a test that starts it with --sandbox off sets
# SW_EXPECT_SANDBOX=0.
_sw_proxy_check_sandbox() {
	[ "${SW_EXPECT_SANDBOX:-1}" = 0 ] && return 0
	awk '/^Seccomp:/{s=$2} /^NoNewPrivs:/{n=$2} /^Uid:/{u=$2}
	    END{exit !(s==2 && n==1 && u!=0)}' "/proc/$SW_PID/status" ||
	    fail "sockwarden is not sandboxed: $(grep -E '^(Uid|Seccomp|NoNewPrivs):' "/proc/$SW_PID/status" | tr '\n' ' ')"
}

sw_proxy_start() {
	local i code
	if [ "$SW_DIRECT" = 1 ]; then
		SW_SOCK=$ENGINE_SOCK SW_PID=
		export SW_SOCK SW_PID
		return 0
	fi
	[ -x "$SOCKWARDEN" ] || skip "no sockwarden binary at $SOCKWARDEN (build first)"
	SW_SOCK=${SW_LISTEN:-$SW_DIR/sw.sock}
	# SW_POLICY: this policy instead of the test's --policy or the default
	# (e.g. permissive.json, to tell policy denials from relay bugs)
	if [ -n "${SW_POLICY:-}" ]; then
		local a skipnext=0
		local -a args=()
		for a in "$@"; do
			if [ $skipnext = 1 ]; then skipnext=0; continue; fi
			case $a in
			--policy) skipnext=1 ;;
			--policy=*) ;;
			*) args+=("$a") ;;
			esac
		done
		set -- ${args[@]+"${args[@]}"} --policy "$SW_POLICY"
	fi
	# SW_EXTRA_ARGS: appended to every start (e.g. "--sandbox off")
	# shellcheck disable=SC2086
	set -- "$@" ${SW_EXTRA_ARGS:-}
	if [ "${SW_CONFIG_ONLY:-0}" = 1 ]; then
		set -- --foreground --log-level debug "$@"
	else
		set -- --listen "$SW_SOCK" \
		    --upstream "${SW_UPSTREAM:-unix:$ENGINE_SOCK}" \
		    --foreground --log-level debug "$@"
	fi
	echo "==== $(date +%T) start: $SOCKWARDEN $*" >> "$SW_DIR/sw.log"
	"$SOCKWARDEN" "$@" 2>> "$SW_DIR/sw.log" &
	SW_PID=$!
	export SW_SOCK SW_PID
	# Wait for an HTTP answer, not just the file: a stale socket file may
	# be there before sockwarden replaces it.  Any status counts (t40 starts
	# it without an engine behind it).
	for i in $(seq 1 300); do
		kill -0 "$SW_PID" 2>/dev/null ||
		    { wait "$SW_PID" && code=0 || code=$?; SW_PID=
		      fail "sockwarden exited during start-up (status $code)"; }
		code=$(sw_http_code "$SW_SOCK" /_ping)
		if [ "$code" != 000 ]; then
			_sw_proxy_check_sandbox
			return 0
		fi
		sleep 0.1
	done
	fail "sockwarden did not answer on $SW_SOCK within 30 s"
}

# _sw_proxy_halt GRACE [nosignal]: SIGTERM (unless nosignal: already sent),
# wait up to GRACE s; prints why it is bad and returns 1 on a crash, a hang,
# a non-zero status or a sanitizer report.
_sw_proxy_halt() {
	local grace=$1 pid=$SW_PID i status=0 hung=0
	SW_PID=
	[ -n "$pid" ] || return 0
	[ "${2:-}" = nosignal ] || kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 $((grace * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		hung=1
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || status=$?
	if [ $hung = 1 ]; then
		echo "sockwarden (pid $pid) did not exit within ${grace}s of SIGTERM"
		return 1
	fi
	if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
	    "$SW_DIR/sw.log" 2>/dev/null; then
		echo "sanitizer report in sw.log:"
		grep -E -A12 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
		    "$SW_DIR/sw.log" | head -n 40
		return 1
	fi
	if [ $status -ne 0 ]; then
		echo "sockwarden exited with status $status after SIGTERM"
		return 1
	fi
	return 0
}

# sw_proxy_stop [GRACE]: SIGTERM and wait (default 30 s); fail on a crash,
# a hang, a non-zero exit or a sanitizer (leak) report.
sw_proxy_stop() {
	[ "$SW_DIRECT" != 1 ] || return 0
	# not $(...): wait(1) only works for children of this very shell
	_sw_proxy_halt "${1:-30}" > "$TEST_DIR/halt.msg" ||
	    fail "$(cat "$TEST_DIR/halt.msg")"
}

# sw_proxy_wait_exit GRACE: after the test sent SIGTERM itself, wait for the
# exit with the same checks as sw_proxy_stop (no second signal).
sw_proxy_wait_exit() {
	[ "$SW_DIRECT" != 1 ] || return 0
	_sw_proxy_halt "$1" nosignal > "$TEST_DIR/halt.msg" ||
	    fail "$(cat "$TEST_DIR/halt.msg")"
}

# --------------------------------------------------------------- teardown

cleanup() {
	local rc=$? pid
	set +e
	trap - EXIT
	while read -r pid; do
		[ -n "$pid" ] && kill -TERM -- "$pid" 2>/dev/null
	done < "$TEST_DIR/pids"
	if [ -n "$SW_PID" ]; then
		if [ $rc -eq 0 ]; then
			_sw_proxy_halt 30 > "$TEST_DIR/halt.msg" ||
			    { echo "FAIL: $SW_TEST_NAME: at exit: $(cat "$TEST_DIR/halt.msg")" >&2
			      _sw_dump_logs; rc=1; }
		else
			# already failing: SIGTERM (a wrapper may clean up), then KILL
			_sw_proxy_halt 5 > /dev/null 2>&1
		fi
	fi
	while read -r pid; do
		[ -n "$pid" ] && kill -KILL -- "$pid" 2>/dev/null
	done < "$TEST_DIR/pids"
	[ "$SW_SNAPSHOT" = 1 ] && _sw_engine_tidy
	sw_engine_stop
	if [ "${SW_KEEP:-0}" = 1 ]; then
		echo "# kept $TEST_DIR" >&2
	else
		rm -rf --one-file-system "$TEST_DIR"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
