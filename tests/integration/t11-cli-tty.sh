#!/bin/bash
# t11-cli-tty: interactive, hijacked sessions through sockwarden, driven on a
# pseudo-terminal (ptydrive.py): run -it, exec -it, detach with the default
# keys (ctrl-p ctrl-q), attach, detach with custom --detach-keys; the
# container must still be running after each detach.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
sw_proxy_start

pty() {
	"$PYTHON" "$SW_LIB_DIR/ptydrive.py" --timeout 20 "$@"
}

running() {
	dk_direct inspect -f '{{.State.Running}}' "$1"
}

cli0=$DOCKER_CLI n=0
for DOCKER_CLI in $(sw_clis); do
	n=$((n + 1))
	v=$("$DOCKER_CLI" --version)
	log "client: $v"
	D=("$DOCKER_CLI" -H "unix://$SW_SOCK")

	# run -it: type a command, read its output, exit status comes back
	pty 'expect:# ' 'send:echo $((6*7))\r' 'expect:\r\n42\r\n' \
	    'send:exit 5\r' 'exit:5' -- "${D[@]}" run -it --rm "$SW_IMAGE" sh ||
	    fail "$v: run -it session failed"

	# exec -it into a running container: a terminal inside too
	name=$(sw_name "tty$n")
	dk run -d --name "$name" "$SW_IMAGE" sleep 300 > /dev/null
	pty 'expect:# ' 'send:echo tty-$((3+4)); tty\r' \
	    'expect:\r\ntty-7\r\n/dev/pts/[0-9]+\r\n' 'send:exit\r' 'exit:0' \
	    -- "${D[@]}" exec -it "$name" sh ||
	    fail "$v: exec -it session failed"
	dk rm -f "$name" > /dev/null
done
DOCKER_CLI=$cli0
D=("$DOCKER_CLI" -H "unix://$SW_SOCK")

# run -it, detach with ctrl-p ctrl-q: client exits 0, container keeps running
name=$(sw_name detach)
pty 'expect:# ' 'send:echo before-detach\r' 'expect:\r\nbefore-detach\r\n' \
    'send:\x10\x11' 'exit:0' -- "${D[@]}" run -it --name "$name" "$SW_IMAGE" sh ||
    fail "run -it + ctrl-p ctrl-q did not detach"
assert_eq true "$(running "$name")" "container running after ctrl-p ctrl-q"

# attach, type into the shell, detach with custom keys (ctrl-x ctrl-y); the
# 20.10 client reports the detach as "read escape sequence", status 1
pty 'sleep:0.5' 'send:echo attached-$((40+2)) > /tmp/marker; cat /tmp/marker\r' \
    'expect:\r\nattached-42\r\n' 'send:\x18\x19' \
    'expect:read escape sequence' 'exit:1' \
    -- "${D[@]}" attach --detach-keys ctrl-x,ctrl-y "$name" ||
    fail "attach + ctrl-x ctrl-y did not work"
assert_eq true "$(running "$name")" "container running after --detach-keys detach"
assert_eq attached-42 "$(dk_direct exec "$name" cat /tmp/marker)" \
    "file written through the attached session"

# attach again and end the session from inside: attach returns the status
pty 'sleep:0.5' 'send:exit 3\r' 'exit:3' -- "${D[@]}" attach "$name" ||
    fail "attach + exit 3 did not return status 3"
assert_eq false "$(running "$name")" "container stopped after exit in attach"

sw_proxy_stop
