# shellcheck shell=bash
# tests/bench/engine.sh - fallback private engine for bench.sh, used only when
# tests/integration/lib.sh (sw_engine_start / sw_engine_stop) is absent.
# Same contract: sw_engine_start DIR starts a private dockerd under DIR,
# exports ENGINE_SOCK and imports swtest/busybox:latest; sw_engine_stop stops
# it.  Never touches a system engine, nor the host's network: the engine runs
# in a network namespace of its own (swbench-PID), deleted by sw_engine_stop.

sw_engine_start() {
	local d=$1 applet
	mkdir -p "$d/data" "$d/exec"
	# its own network namespace: --bridge=none would delete a host docker0
	SW_ENGINE_NETNS=swbench-$$
	ip netns add "$SW_ENGINE_NETNS" || return 1
	ip -n "$SW_ENGINE_NETNS" link set lo up
	nsenter --net="/run/netns/$SW_ENGINE_NETNS" -- \
		sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
	nsenter --net="/run/netns/$SW_ENGINE_NETNS" -- dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" \
		-H "unix://$d/docker.sock" --bridge=none --iptables=false \
		--ip6tables=false >"$d/dockerd.log" 2>&1 &
	SW_ENGINE_PID=$!
	export ENGINE_SOCK=$d/docker.sock SW_ENGINE_DIR=$d SW_ENGINE_PID
	for _ in $(seq 1 300); do
		if [ -S "$ENGINE_SOCK" ] &&
		   curl -sf --unix-socket "$ENGINE_SOCK" http://d/_ping >/dev/null 2>&1; then
			break
		fi
		kill -0 "$SW_ENGINE_PID" 2>/dev/null || { tail -20 "$d/dockerd.log" >&2; return 1; }
		sleep 0.1
	done
	if ! /usr/bin/docker -H "unix://$ENGINE_SOCK" image inspect swtest/busybox:latest \
		>/dev/null 2>&1; then
		rm -rf "$d/rootfs"
		mkdir -p "$d/rootfs/bin" "$d/rootfs/tmp" "$d/rootfs/etc" "$d/rootfs/proc" \
			"$d/rootfs/sys" "$d/rootfs/dev"
		cp /bin/busybox "$d/rootfs/bin/busybox"
		for applet in $(/bin/busybox --list); do
			[ "$applet" = busybox ] || ln -sf busybox "$d/rootfs/bin/$applet"
		done
		tar -C "$d/rootfs" -c . |
			/usr/bin/docker -H "unix://$ENGINE_SOCK" import \
				-c 'ENV PATH=/bin' - swtest/busybox:latest >/dev/null || return 1
	fi
}

sw_engine_stop() {
	[ -n "${SW_ENGINE_PID:-}" ] || return 0
	# shellcheck disable=SC2046
	/usr/bin/docker -H "unix://$ENGINE_SOCK" rm -f $(/usr/bin/docker -H "unix://$ENGINE_SOCK" ps -aq) \
		>/dev/null 2>&1 || true
	kill "$SW_ENGINE_PID" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$SW_ENGINE_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$SW_ENGINE_PID" 2>/dev/null || true
	SW_ENGINE_PID=
	# shellcheck disable=SC2046
	kill -9 $(ip netns pids "$SW_ENGINE_NETNS" 2>/dev/null) 2>/dev/null || true
	ip netns del "$SW_ENGINE_NETNS" 2>/dev/null || true
}
