#!/bin/bash
# The README's run command: installs what is needed, builds sockwarden and
# runs it (foreground, built-in "ci" policy) in front of the local engine at
# /var/run/docker.sock.  When no engine answers there, it starts a private
# demo engine (Debian's dockerd on private paths under $DEMO_DIR, with a
# locally imported busybox image, nothing pulled) and stops it on exit.
# Prints the DOCKER_HOST to use.  Ctrl-C stops everything.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
DEMO_DIR=${DEMO_DIR:-/tmp/sockwarden-demo}
ENGINE=${ENGINE:-/var/run/docker.sock}

"$top/scripts/deps.sh"
"$top/scripts/build.sh"
mkdir -p "$DEMO_DIR"

ping_ok() { curl -sf --max-time 3 --unix-socket "$1" http://engine/_ping >/dev/null 2>&1; }

engine_pid=""
cleanup() {
	if [ -n "$engine_pid" ]; then
		kill "$engine_pid" 2>/dev/null || true
		wait "$engine_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

if ! ping_ok "$ENGINE"; then
	ENGINE=$DEMO_DIR/engine/docker.sock
	echo "sockwarden demo: no engine at /var/run/docker.sock; starting a private one at $ENGINE"
	mkdir -p "$DEMO_DIR/engine"
	dockerd --data-root "$DEMO_DIR/engine/data" --exec-root "$DEMO_DIR/engine/exec" \
	    --pidfile "$DEMO_DIR/engine/dockerd.pid" -H "unix://$ENGINE" \
	    --bridge=none --iptables=false --ip6tables=false \
	    >"$DEMO_DIR/engine/dockerd.log" 2>&1 &
	engine_pid=$!
	for _ in $(seq 1 100); do ping_ok "$ENGINE" && break; sleep 0.2; done
	ping_ok "$ENGINE" || { echo "engine did not start; see $DEMO_DIR/engine/dockerd.log" >&2; exit 1; }
	if ! docker -H "unix://$ENGINE" image inspect busybox:demo >/dev/null 2>&1; then
		root=$DEMO_DIR/rootfs
		rm -rf "$root"; mkdir -p "$root/bin" "$root/tmp" "$root/etc"
		cp /bin/busybox "$root/bin/busybox"
		for a in $("$root/bin/busybox" --list); do
			[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
		done
		echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
		tar -C "$root" -c . | docker -H "unix://$ENGINE" import -c 'ENV PATH=/bin' \
		    -c 'CMD ["/bin/sh"]' - busybox:demo >/dev/null
	fi
fi

echo "sockwarden demo: engine at $ENGINE"
echo "sockwarden demo: use it with:  export DOCKER_HOST=unix://$DEMO_DIR/docker.sock"
echo "sockwarden demo: e.g. docker run --rm busybox:demo echo hello   (and see --privileged denied)"
"$top/build/daemon/sockwarden" --foreground --listen "$DEMO_DIR/docker.sock" \
    --upstream "unix:$ENGINE" "$@"
