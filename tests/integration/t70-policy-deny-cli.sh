#!/bin/bash
# t70-policy-deny-cli: every dangerous request class the docker CLI can
# express is denied by the built-in ci preset with its rule id, and the
# engine, asked directly, shows that nothing was created:
#   docker run/create  -> no container of that (unique) name
#   docker volume create / --mount volume -> no volume of that name
#   docker exec --privileged -> the target's ExecIDs stays empty
#   docker build --network host -> no image of that tag
#   docker swarm init / plugin install -> engine still not a swarm, no plugin
# Positive controls show that each "nothing created" probe does see objects
# made through the proxy, so the negative checks are not vacuous.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
sw_proxy_start		# built-in default policy: the ci preset

containers_before=$(dk_direct ps -aq --no-trunc | sort)
volumes_before=$(dk_direct volume ls -q | sort)

# container_absent NAME: the engine has no container named exactly NAME.
container_absent() {
	local got
	got=$(dk_direct ps -a -q --filter "name=^/$1\$") ||
	    fail "engine: docker ps -a failed"
	[ -z "$got" ] || fail "engine has a container '$1' ($got) after a denied create"
}

# volume_absent NAME
volume_absent() {
	local got
	got=$(dk_direct volume ls -q --filter "name=^$1\$") ||
	    fail "engine: docker volume ls failed"
	[ -z "$got" ] || fail "engine has a volume '$1' after a denied request"
	dk_direct volume inspect "$1" > /dev/null 2>&1 &&
	    fail "engine: volume inspect '$1' succeeds after a denied request"
	return 0
}

# The policy key a denial by RULE names (docs/policy.md), "" for the rules
# whose only setting is their mode.
rule_key() {
	case $1 in
	endpoint)	echo endpoints.allow ;;
	binds)		echo checks.binds.roots ;;
	images)		echo checks.images.allow ;;
	capabilities)	echo checks.capabilities.allow ;;
	namespaces|security-options|resources|ports|logging|build|network)
			echo "checks.$1" ;;
	cgroup-parent|runtime|sysctls|volume-driver|volumes-from)
			echo "checks.$1.allow" ;;
	extra-hosts)	echo checks.extra-hosts.host_gateway ;;
	env)		echo checks.env.forbidden ;;
	*)		echo "" ;;
	esac
}

# denied RULE CMD...: CMD (a dk invocation) fails and prints the docker
# CLI's rendering of sockwarden's 403 with exactly that rule id, and the
# policy key that governs it (none for mode-only rules).
denied() {
	local rule=$1 out rc=0 key
	shift
	out=$("$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "[$*] succeeded, expected a denial by rule $rule: $out"
	assert_contains "$out" "Error response from daemon: sockwarden: " "[$*]"
	assert_match "$out" "denied by rule $rule: [^ ]" "[$*]"
	key=$(rule_key "$rule")
	if [ -n "$key" ]; then
		assert_contains "$out" "(policy key: $key)" "[$*] names its policy key"
	else
		assert_not_contains "$out" "(policy key:" "[$*] names no policy key"
	fi
	DENIED_OUT=$out
}

# run_denied RULE CASE [docker run args...]: docker run --name <unique> ...
# is denied by RULE and the engine has no container of that name.
n=0
run_denied() {
	local rule=$1 case=$2 name
	shift 2
	n=$((n + 1))
	name=$(sw_name "t70-$n-$case")
	denied "$rule" dk run --rm --name "$name" "$@"
	container_absent "$name"
}

# create_denied: the same through docker create.
create_denied() {
	local rule=$1 case=$2 name
	shift 2
	n=$((n + 1))
	name=$(sw_name "t70-$n-$case")
	denied "$rule" dk create --name "$name" "$@"
	container_absent "$name"
}

# --- positive control: an allowed create is visible to the probes
ctl=$(sw_name t70-target)
dk run -d --name "$ctl" "$SW_IMAGE" sleep 300 > /dev/null ||
    fail "allowed docker run -d through the ci preset failed"
[ -n "$(dk_direct ps -a -q --filter "name=^/$ctl\$")" ] ||
    fail "positive control: the engine does not list '$ctl' (name filter broken?)"
okvol=$(sw_name t70-okvol)
dk volume create "$okvol" > /dev/null || fail "allowed docker volume create failed"
assert_eq "$okvol" "$(dk_direct volume ls -q --filter "name=^$okvol\$")" \
    "positive control: the engine lists the allowed volume"
dk volume rm "$okvol" > /dev/null

# --- privileged
run_denied privileged priv --privileged "$SW_IMAGE" true
assert_contains "$DENIED_OUT" \
    "container create denied by rule privileged: privileged containers are not allowed" \
    "privileged message"
create_denied privileged priv-create --privileged "$SW_IMAGE" true

# --- capabilities outside the allowlist (the engine's default set)
run_denied capabilities capsys --cap-add SYS_ADMIN "$SW_IMAGE" true
assert_contains "$DENIED_OUT" "CAP_SYS_ADMIN" "cap message names the capability"
run_denied capabilities capsys2 --cap-add cap_sys_admin "$SW_IMAGE" true
run_denied capabilities capall --cap-add ALL "$SW_IMAGE" true
run_denied capabilities capnetadmin --cap-add NET_ADMIN "$SW_IMAGE" true
# Go's strings.ToUpper maps U+017F to S and U+0131 to I: CAP_SYS_ADMIN
run_denied capabilities capunicode --cap-add 'cap_ſyſ_admın' "$SW_IMAGE" true
# an allowlisted (default) capability still passes
ok=$(sw_name t70-capok)
dk run --rm --name "$ok" --cap-add CHOWN "$SW_IMAGE" true ||
    fail "--cap-add CHOWN (in the ci allowlist) was not allowed"

# --- host namespaces
run_denied namespaces nethost --network host "$SW_IMAGE" true
run_denied namespaces nethost2 --net=host "$SW_IMAGE" true
run_denied namespaces pidhost --pid host "$SW_IMAGE" true
run_denied namespaces ipchost --ipc host "$SW_IMAGE" true
run_denied namespaces utshost --uts host "$SW_IMAGE" true
run_denied namespaces usernshost --userns host "$SW_IMAGE" true
run_denied namespaces cgroupnshost --cgroupns host "$SW_IMAGE" true
# ... joining the namespaces of a container that is not the caller's (one
# made on the engine directly is nobody's): the engine's own "No such
# container", the caller's own container: allowed (docs/tenancy.md)
other=$(sw_name t70-other)
dk_direct run -d --name "$other" "$SW_IMAGE" sleep 300 > /dev/null
for ns in --network --pid --ipc; do
	out=$(dk run --rm "$ns" "container:$other" "$SW_IMAGE" true 2>&1) &&
	    fail "joining $ns of a container that is not the caller's succeeded"
	assert_contains "$out" "No such container: $other" "join $ns of another's"
	dk_direct inspect "$other" > /dev/null || fail "the other container is gone"
done
dk run --rm --pid "container:$ctl" "$SW_IMAGE" true > /dev/null 2>&1 ||
    fail "joining the pid namespace of the caller's own container was refused"

# --- devices
run_denied devices device --device /dev/sda "$SW_IMAGE" true
run_denied devices devnull --device /dev/null:/dev/x "$SW_IMAGE" true
run_denied devices gpus --gpus all "$SW_IMAGE" true
run_denied devices cgrouprule --device-cgroup-rule 'b 8:* rmw' "$SW_IMAGE" true

# --- host binds
run_denied binds bindroot -v /:/host "$SW_IMAGE" true
run_denied binds bindetc -v /etc:/x:ro "$SW_IMAGE" true
run_denied binds binddotdot -v /srv/../:/x "$SW_IMAGE" true
run_denied binds bindsock -v /var/run/docker.sock:/var/run/docker.sock "$SW_IMAGE" true
run_denied binds bindenginesock -v "$ENGINE_SOCK:/var/run/docker.sock" "$SW_IMAGE" true
run_denied binds mountbind --mount type=bind,src=/,dst=/host "$SW_IMAGE" true
run_denied binds mountbindro --mount type=bind,src=/etc,dst=/x,readonly "$SW_IMAGE" true

# --- volume mounts that are host binds in disguise (local driver options)
mvol=$(sw_name t70-mountvol)
run_denied volume-options mountvolopt \
    --mount "type=volume,src=$mvol,dst=/v,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/" \
    "$SW_IMAGE" true
volume_absent "$mvol"
# and through POST /volumes/create
vol=$(sw_name t70-bindvol)
denied volume-options dk volume create -o type=none -o o=bind -o device=/etc "$vol"
assert_contains "$DENIED_OUT" "volume create denied by rule volume-options" "volume create message"
volume_absent "$vol"
vol=$(sw_name t70-bindvol2)
denied volume-options dk volume create -d local -o type=none -o o=bind -o device=/ "$vol"
volume_absent "$vol"
vol=$(sw_name t70-tmpfsvol)
denied volume-options dk volume create -o type=tmpfs -o device=tmpfs -o o=size=1m "$vol"
volume_absent "$vol"
# foreign volume drivers
vol=$(sw_name t70-drivervol)
denied volume-driver dk volume create -d evil "$vol"
volume_absent "$vol"
run_denied volume-driver volumedriver --volume-driver evil -v "$(sw_name t70-vd):/v" "$SW_IMAGE" true
volume_absent "$(sw_name t70-vd)"

# --- VolumesFrom
# the volumes of a container that is not the caller's: "No such container"
out=$(dk run --rm --volumes-from "$other" "$SW_IMAGE" true 2>&1) &&
    fail "--volumes-from a container that is not the caller's succeeded"
assert_contains "$out" "No such container: $other" "volumes-from another's"
dk run --rm --volumes-from "$ctl" "$SW_IMAGE" true > /dev/null 2>&1 ||
    fail "--volumes-from the caller's own container was refused"

# --- security options
run_denied security-options seccompeq --security-opt seccomp=unconfined "$SW_IMAGE" true
run_denied security-options seccompcolon --security-opt seccomp:unconfined "$SW_IMAGE" true
run_denied security-options apparmor --security-opt apparmor=unconfined "$SW_IMAGE" true
run_denied security-options labeldisable --security-opt label=disable "$SW_IMAGE" true
run_denied security-options labeltype --security-opt label=type:spc_t "$SW_IMAGE" true
# systempaths=unconfined: the CLI sends MaskedPaths [] and ReadonlyPaths []
run_denied security-options systempaths --security-opt systempaths=unconfined "$SW_IMAGE" true
# no-new-privileges is in the allowlist
ok=$(sw_name t70-nnp)
dk run --rm --name "$ok" --security-opt no-new-privileges "$SW_IMAGE" true ||
    fail "--security-opt no-new-privileges (in the ci allowlist) was not allowed"

# --- sysctls, runtime, cgroup parent
run_denied sysctls sysctl --sysctl net.ipv4.ip_forward=1 "$SW_IMAGE" true
run_denied sysctls sysctlkernel --sysctl kernel.shm_rmid_forced=1 "$SW_IMAGE" true
run_denied runtime runtime --runtime kata "$SW_IMAGE" true
run_denied runtime runtimeio --runtime io.containerd.runc.v2 "$SW_IMAGE" true
run_denied cgroup-parent cgparent --cgroup-parent / "$SW_IMAGE" true
run_denied cgroup-parent cgparent2 --cgroup-parent system.slice "$SW_IMAGE" true

# --- images outside the allowlist (ci: docker.io/*, sha256:*)
run_denied images imgquay quay.io/evil/img true
run_denied images imglocalhost localhost:5000/evil true
[ -z "$(dk_direct images -q localhost:5000/evil)" ] || fail "engine has localhost:5000/evil"
denied images dk pull quay.io/evil/img:latest
[ -z "$(dk_direct images -q quay.io/evil/img)" ] || fail "engine has quay.io/evil/img"
# an image mount of a foreign image (API 1.48+; the Debian CLI cannot send
# it; covered by t71)

# --- published ports
run_denied ports port80 -p 80:80 "$SW_IMAGE" true
run_denied ports port22 -p 127.0.0.1:22:22/tcp "$SW_IMAGE" true
run_denied ports publishall -P --expose 8080 "$SW_IMAGE" true
# a high host port and a random host port pass
ok=$(sw_name t70-porthigh)
dk create --name "$ok" -p 18080:80 -p 80 "$SW_IMAGE" true > /dev/null ||
    fail "-p 18080:80 -p 80 (allowed by ci) was denied"
dk rm "$ok" > /dev/null

# --- mount propagation
pvol=$(sw_name t70-propvol)
run_denied propagation rshared -v "$pvol:/v:rshared" "$SW_IMAGE" true
run_denied propagation shared -v "$pvol:/v:shared" "$SW_IMAGE" true
volume_absent "$pvol"

# --- resources / other checks that reach the host
run_denied resources oomkill --oom-kill-disable "$SW_IMAGE" true
run_denied logging logdriver --log-driver syslog "$SW_IMAGE" true
run_denied extra-hosts hostgw --add-host gw:host-gateway "$SW_IMAGE" true
run_denied env nvidia -e NVIDIA_VISIBLE_DEVICES=all "$SW_IMAGE" true
run_denied workdir procwd -w /proc/self/cwd "$SW_IMAGE" true

# --- exec create with Privileged:true (the target is the control container)
assert_eq "null" "$(dk_direct inspect -f '{{json .ExecIDs}}' "$ctl")" "ExecIDs before"
denied privileged dk exec --privileged "$ctl" true
assert_contains "$DENIED_OUT" "exec create denied by rule privileged" "exec message"
denied privileged dk exec --privileged -u root "$ctl" id
execs=$(dk_direct inspect -f '{{json .ExecIDs}}' "$ctl")
[ "$execs" = null ] || [ "$execs" = "[]" ] ||
    fail "engine: $ctl has ExecIDs $execs after denied privileged execs"
assert_eq "hi" "$(dk exec "$ctl" echo hi)" "allowed exec"
# positive control: an exec that was created (allowed) but not started is
# listed (a finished exec is dropped from ExecIDs by the engine)
eid=$(sw_curl -X POST -H 'Content-Type: application/json' \
    -d '{"Cmd":["true"]}' "http://docker/v1.41/containers/$ctl/exec")
assert_match "$eid" '^\{"Id":"[0-9a-f]{64}"\}$' "allowed exec create"
eid=${eid#*:\"}; eid=${eid%\"*}
assert_eq "[\"$eid\"]" "$(dk_direct inspect -f '{{json .ExecIDs}}' "$ctl")" \
    "ExecIDs after one allowed exec create"

# --- build with networkmode=host (classic builder, the Debian CLI default)
# build_denied RULE ARGS...: docker build ARGS - (a two-line Dockerfile on
# stdin) is denied by RULE and no image with the tag exists.
# Known sockwarden bug (t71 checks it deterministically): the 403 for /build
# is sent before the context is read and the connection is closed at once,
# so the CLI, still writing the context, often reports "broken pipe" instead
# of the message.  Tolerated here only with that exact symptom and the
# denial with RULE in sockwarden's log.
builds=0 lost=0
build_denied() {
	local rule=$1 tag out rc=0
	shift
	builds=$((builds + 1))
	tag=swtest/t70-build-$$-$builds:latest
	out=$(printf 'FROM %s\nRUN true\n' "$SW_IMAGE" |
	    dk build "$@" -t "$tag" - 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "[docker build $*] succeeded, expected a denial by rule $rule"
	case $out in
	*"Error response from daemon: sockwarden: image build denied by rule $rule: "*) ;;
	*"write: broken pipe"*)
		grep -q "sockwarden: image build denied by rule $rule: " "$SW_DIR/sw.log" ||
		    fail "[docker build $*]: broken pipe and no denial by rule $rule logged: $out"
		lost=$((lost + 1)) ;;
	*)	fail "[docker build $*]: expected the denial by rule $rule, got: $out" ;;
	esac
	dk_direct image inspect "$tag" > /dev/null 2>&1 && fail "engine has image $tag"
	return 0
}
build_denied build --network host
build_denied build --network=host --no-cache
build_denied cgroup-parent --cgroup-parent /
build_denied extra-hosts --add-host gw:host-gateway
build_denied security-options --security-opt seccomp=unconfined
[ $lost -eq 0 ] ||
    note "BUG: $lost of $builds denied builds showed 'broken pipe' instead of the 403 message (no lingering close)"

# --- unknown / disallowed endpoints the CLI can reach
denied endpoint dk swarm init --advertise-addr 127.0.0.1
assert_eq inactive "$(dk_direct info -f '{{.Swarm.LocalNodeState}}')" "swarm state"
denied endpoint dk plugin install --grant-all-permissions vieux/sshfs
assert_eq "" "$(dk_direct plugin ls -q)" "engine plugins"
# prune: only the caller's own (docs/tenancy.md); image prune stays denied
stopped=$(sw_name t70-stopped)
dk_direct create --name "$stopped" "$SW_IMAGE" true > /dev/null
dk container prune -f > /dev/null || fail "container prune (the caller's own) failed"
dk_direct inspect "$stopped" > /dev/null 2>&1 || fail "prune removed a container that is not the caller's"
denied endpoint dk image prune -f
denied endpoint dk system prune -f
denied endpoint dk commit "$ctl" "swtest/t70-commit-$$"
dk_direct image inspect "swtest/t70-commit-$$" > /dev/null 2>&1 &&
    fail "engine has the committed image"

# --- the newer docker CLI (when installed) renders the same denials
while read -r cli; do
	[ "$cli" != "$DOCKER_CLI" ] || continue
	for args in "--privileged" "-v /:/host" "--pid host" "--cap-add SYS_ADMIN" \
	    "--security-opt seccomp=unconfined" "--device /dev/sda"; do
		n=$((n + 1))
		name=$(sw_name "t70-$n-newcli")
		rc=0
		# shellcheck disable=SC2086
		out=$(sw_timed "$cli" -H "unix://$SW_SOCK" run --rm --name "$name" $args \
		    "$SW_IMAGE" true 2>&1) || rc=$?
		[ $rc -ne 0 ] || fail "[$cli run $args] succeeded"
		assert_match "$out" "Error response from daemon: sockwarden: container create denied by rule [a-z-]+: " \
		    "[$cli run $args]"
		container_absent "$name"
	done
	note "$($cli --version): denials rendered the same way"
done < <(sw_clis)

# --- the engine as a whole: only the control containers were made
dk rm -f "$ctl" > /dev/null
dk_direct rm -f "$other" "$stopped" > /dev/null
containers_after=$(dk_direct ps -aq --no-trunc | sort)
assert_eq "$containers_before" "$containers_after" "engine containers before/after"
assert_eq "$volumes_before" "$(dk_direct volume ls -q | sort)" "engine volumes before/after"
note "$n denied container creates, each absent from the engine"
sw_proxy_stop
