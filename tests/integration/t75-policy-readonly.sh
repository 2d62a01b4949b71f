#!/bin/bash
# t75-policy-readonly: the readonly preset, as the shipped file
# (--policy conf/readonly.json) and as {"extends": "readonly"}: GETs work
# (version, info, ps, images, inspect, logs, volume/network ls), every write
# is denied 403 by rule endpoint, and the engine shows nothing created,
# removed or changed.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

# objects made directly on the engine for the GETs (and the denied writes) to see
pre=$(sw_name t75-pre)
dk_direct run -d --name "$pre" --label t75=1 "$SW_IMAGE" sh -c 'echo hello-t75; sleep 120' > /dev/null
prevol=$(sw_name t75-prevol)
dk_direct volume create "$prevol" > /dev/null
prenet=$(sw_name t75-prenet)
dk_direct network create "$prenet" > /dev/null

# Sorted: the engine lists images created in the same second in any order.
snapshot() {
	{
	dk_direct ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.Status}}' | sed 's/ (.*//; s/Up .*/Up/'
	dk_direct volume ls -q
	dk_direct network ls -q --no-trunc
	dk_direct images -a --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}'
	dk_direct inspect -f '{{json .ExecIDs}} {{.State.Paused}} {{.Name}}' "$pre"
	} | sort
}

cat > "$TEST_DIR/ro-extends.json" <<'EOF'
{ "extends": "readonly" }
EOF

n=0
denied() {
	local rc=0
	n=$((n + 1))
	out=$("$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "[$*] succeeded under the readonly preset: $out"
	assert_contains "$out" "Error response from daemon: sockwarden: " "[$*]"
	assert_match "$out" "denied by rule endpoint: [^ ]" "[$*]"
	assert_contains "$out" "(policy key: endpoints.allow)" "[$*] names the key that allows it"
}

# denied_body WHAT CMD...: like denied, for a request whose body the CLI
# streams; "broken pipe" is accepted when sockwarden logged the denial.
lost=0
denied_body() {
	local what=$1 rc=0
	shift
	n=$((n + 1))
	out=$("$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "[$*] succeeded under the readonly preset: $out"
	case $out in
	*"Error response from daemon: sockwarden: "*"denied by rule endpoint: "*) ;;
	*"broken pipe"*)
		grep -q "sockwarden: $what denied by rule endpoint: " "$SW_DIR/sw.log" ||
		    fail "[$*]: broken pipe and no '$what' denial logged: $out"
		lost=$((lost + 1)) ;;
	*)	fail "[$*] under readonly: $out" ;;
	esac
}

for pol in "$SW_REPO/conf/readonly.json" "$TEST_DIR/ro-extends.json"; do
	sw_proxy_start --policy "$pol"
	before=$(snapshot)

	# --- GETs
	assert_eq "$(dk_direct version -f '{{.Server.Version}}')" \
	    "$(dk version -f '{{.Server.Version}}')" "docker version"
	dk info > /dev/null || fail "docker info failed"
	assert_contains "$(dk ps --format '{{.Names}}')" "$pre" "docker ps"
	assert_contains "$(dk ps -a --filter label=t75=1 --format '{{.Names}}')" "$pre" "docker ps -a --filter"
	assert_contains "$(dk images --format '{{.Repository}}:{{.Tag}}')" "$SW_IMAGE" "docker images"
	assert_eq "$(dk_direct inspect -f '{{.Id}}' "$pre")" "$(dk inspect -f '{{.Id}}' "$pre")" "docker inspect"
	dk image inspect "$SW_IMAGE" > /dev/null || fail "docker image inspect failed"
	dk history "$SW_IMAGE" > /dev/null || fail "docker history failed"
	assert_eq hello-t75 "$(dk logs "$pre")" "docker logs"
	dk top "$pre" > /dev/null || fail "docker top failed"
	dk diff "$pre" > /dev/null || fail "docker diff failed"
	dk stats --no-stream "$pre" > /dev/null || fail "docker stats --no-stream failed"
	assert_contains "$(dk volume ls -q)" "$prevol" "docker volume ls"
	assert_eq "$prevol" "$(dk volume inspect -f '{{.Name}}' "$prevol")" "docker volume inspect"
	assert_contains "$(dk network ls --format '{{.Name}}')" "$prenet" "docker network ls"
	dk network inspect "$prenet" > /dev/null || fail "docker network inspect failed"
	dk system df > /dev/null || fail "docker system df failed"
	dk events --since "$(($(date +%s) - 60))" --until "$(date +%s)" > /dev/null ||
	    fail "docker events failed"

	# --- writes
	name=$(sw_name t75-new)
	denied dk run --rm --name "$name" "$SW_IMAGE" true
	assert_contains "$out" "container create denied by rule endpoint" "run"
	denied dk create --name "$name" "$SW_IMAGE" true
	denied dk volume create "$(sw_name t75-vol)"
	denied dk network create "$(sw_name t75-net)"
	denied dk rm -f "$pre"
	denied dk stop -t 1 "$pre"
	denied dk kill "$pre"
	denied dk pause "$pre"
	denied dk restart -t 1 "$pre"
	denied dk rename "$pre" "$(sw_name t75-renamed)"
	denied dk update --memory 64m "$pre"
	denied dk exec "$pre" true
	denied dk start "$pre"
	# docker attach: the Debian 20.10 CLI does not check for 101 on its
	# hijacked POST and parses the 403 body as a stream ("Unrecognized
	# input header: 123"); require the failure, the logged denial, and the
	# 403 itself through curl below
	mark=$(wc -l < "$SW_DIR/sw.log")
	out=$(dk attach --no-stdin "$pre" 2>&1) && fail "docker attach passed under readonly"
	tail -n "+$((mark + 1))" "$SW_DIR/sw.log" |
	    grep -q "sockwarden: container attach denied by rule endpoint: " ||
	    fail "docker attach: no 'container attach' denial logged ($out)"
	n=$((n + 1))
	denied dk wait "$pre"
	denied dk commit "$pre" "swtest/t75-commit:latest"
	denied dk export -o "$TEST_DIR/x.tar" "$pre"
	denied dk cp "$pre:/etc/passwd" "$TEST_DIR/passwd"	# reading container files
	echo x > "$TEST_DIR/f"
	# docker cp in: PUT .../archive with the tar as the body (see denied_body)
	denied_body "container archive write" dk cp "$TEST_DIR/f" "$pre:/tmp/f"
	denied dk volume rm "$prevol"
	denied dk network rm "$prenet"
	denied dk network connect "$prenet" "$pre"
	denied dk tag "$SW_IMAGE" swtest/t75-tag:latest
	denied dk rmi "$SW_IMAGE"
	denied dk pull "$SW_IMAGE"
	denied dk image save -o "$TEST_DIR/img.tar" "$SW_IMAGE"
	denied dk image prune -f
	denied dk volume prune -f
	denied dk container prune -f
	denied dk network prune -f
	denied dk swarm init --advertise-addr 127.0.0.1
	denied dk plugin install --grant-all-permissions vieux/sshfs
	# Requests with a body that are denied from their head: the docker CLI
	# may show "broken pipe" instead of the 403 (sockwarden bug, no
	# lingering close; checked deterministically by t71), tolerated here
	# only with the denial in the log.  docker build: the classic builder
	# opens POST /session (denied) and then posts /build.
	dk_direct image save -o "$TEST_DIR/img.tar" "$SW_IMAGE"
	denied_body "image load" dk load -i "$TEST_DIR/img.tar"
	printf 'FROM %s\nRUN true\n' "$SW_IMAGE" > "$TEST_DIR/Dockerfile"
	denied_body "image build" dk build -t swtest/t75-build:latest -f - "$TEST_DIR" < "$TEST_DIR/Dockerfile"
	# raw writes with curl: 403, rule endpoint
	for req in "POST /v1.41/containers/create" "POST /v1.41/volumes/create" \
	    "POST /v1.41/networks/create" "DELETE /v1.41/containers/$pre" \
	    "POST /v1.41/containers/$pre/stop" "POST /v1.41/images/create?fromImage=busybox&tag=latest" \
	    "PUT /v1.41/containers/$pre/archive?path=/tmp" "POST /v1.41/build" \
	    "POST /v1.41/exec/0123456789abcdef/start" "POST /v1.41/auth" \
	    "POST /v1.41/containers/$pre/attach?stream=1&stdout=1" \
	    "GET /v1.41/containers/$pre/attach/ws?stream=1&stdin=1"; do
		set -- $req
		case $2 in
		*/attach*) set -- "$@" -H 'Connection: Upgrade' -H 'Upgrade: tcp' ;;
		esac
		code=$(sw_curl -o "$TEST_DIR/r.json" -w '%{http_code}' -X "$1" "${@:3}" "http://docker$2")
		assert_eq 403 "$code" "$req"
		assert_contains "$(cat "$TEST_DIR/r.json")" "denied by rule endpoint: " "$req"
	done

	assert_eq "$before" "$(snapshot)" "engine state before/after the denied writes"
	[ -z "$(dk_direct ps -a -q --filter "name=^/$name\$")" ] || fail "engine has $name"
	note "$(basename "$pol"): $n writes denied, engine unchanged"
	[ $lost -eq 0 ] ||
	    note "BUG: $lost denied uploads showed 'broken pipe' instead of the 403 (no lingering close)"
	lost=0 n=0
	sw_proxy_stop
done
