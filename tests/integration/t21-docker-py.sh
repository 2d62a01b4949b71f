#!/bin/bash
# t21-docker-py: the Docker SDK for Python through sockwarden (Debian's
# python3-docker under /usr/bin/python3; also any other python3 on PATH with a
# different docker package): from_env, ping, containers.list(all=True),
# containers.run(remove=True) returning the output, exec_run, and
# logs(stream=True) of a container that prints over time.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
sw_proxy_start

pys=("$PYTHON")
alt=$(command -v python3 || true)
if [ -n "$alt" ] && [ "$(readlink -f "$alt")" != "$(readlink -f "$PYTHON")" ] &&
    "$alt" -c 'import docker' 2>/dev/null; then
	pys+=("$alt")
fi

"$PYTHON" -c 'import docker' 2>/dev/null ||
    skip "$PYTHON has no docker module (install python3-docker)"
bad=
for py in "${pys[@]}"; do
	log "$py: docker $("$py" -c 'import docker; print(docker.__version__)')"
	DOCKER_HOST="unix://$SW_SOCK" "$py" - "$SW_IMAGE" "$(sw_name py)" <<'EOF' ||
import sys, time
import docker

image, prefix = sys.argv[1], sys.argv[2]

def check(cond, msg):
    if not cond:
        sys.exit("docker-py (%s): %s" % (docker.__version__, msg))

c = docker.from_env(timeout=60)
check(c.ping() is True, "ping() did not return True")
check(c.version()["ApiVersion"] == "1.41", "version(): %r" % c.version().get("ApiVersion"))

keep = c.containers.create(image, "true", name=prefix + "-listed")
names = [x.name for x in c.containers.list(all=True)]
check(prefix + "-listed" in names, "containers.list(all=True) lacks %s: %r" % (prefix, names))
check(prefix + "-listed" not in [x.name for x in c.containers.list()],
      "a created (not running) container is in list() without all")
keep.remove()

out = c.containers.run(image, "echo hello from docker-py", remove=True)
check(out == b"hello from docker-py\n", "containers.run output %r" % out)

ct = c.containers.run(image, ["sh", "-c", "for i in 1 2 3 4 5; do echo tick $i; sleep 0.3; done"],
                      detach=True, name=prefix + "-logs")
try:
    t0 = time.monotonic()
    got = b"".join(ct.logs(stream=True, follow=True))
    check(got == b"".join(b"tick %d\n" % i for i in range(1, 6)),
          "logs(stream=True) gave %r" % got)
    check(time.monotonic() - t0 >= 0.8, "logs(stream=True) ended before the container")
    check(ct.wait(timeout=30)["StatusCode"] == 0, "wait() status")
finally:
    ct.remove(force=True)
ct = c.containers.run(image, "sleep 300", detach=True, name=prefix + "-exec")
try:
    res = ct.exec_run("sh -c 'echo exec says $((20+22)); exit 4'")
    check(res.exit_code == 4 and res.output == b"exec says 42\n",
          "exec_run: %r" % (res,))
    res = ct.exec_run(["cat", "/etc/passwd"], demux=True)
    check(res.output[0].startswith(b"root:x:0:0"), "exec_run demux: %r" % (res.output,))
finally:
    ct.remove(force=True)

print("docker-py %s: ok" % docker.__version__)
EOF
	bad="$bad $py"
done
[ -z "$bad" ] || fail "docker-py flow failed with:$bad (see above)"
sw_proxy_stop
