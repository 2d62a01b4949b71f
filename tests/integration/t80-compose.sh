#!/bin/bash
# t80-compose: docker-compose 1.29.2 (Debian) runs a two-service project
# through sockwarden under the default policy: a named volume shared by both
# services and a user network with an alias.  up -d, ps, logs, exec -T
# (stdout, stderr, exit status, stdin), down -v; then the engine, asked
# directly, has nothing of the project left (containers, volume, network).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COMPOSE=${COMPOSE:-/usr/bin/docker-compose}
[ -x "$COMPOSE" ] || skip "docker-compose not installed (scripts/deps.sh)"
sw_need_engine
sw_proxy_start

proj=swit$$c	# compose lower-cases and strips anything else
dir=$TEST_DIR/proj
mkdir -p "$dir"
cat > "$dir/docker-compose.yml" <<EOF2
version: "3.7"
services:
  web:
    image: $SW_IMAGE
    command: ["sh", "-c", "echo web-ready; echo shared-by-web > /data/hello; exec sleep 3600"]
    volumes: ["data:/data"]
    networks: [back]
  app:
    image: $SW_IMAGE
    command: ["sh", "-c", "echo app-ready; exec sleep 3600"]
    volumes: ["data:/data:ro"]
    networks:
      back:
        aliases: [appalias]
    depends_on: [web]
volumes:
  data: {}
networks:
  back: {}
EOF2

# compose CMD...: docker-compose for the project, through sockwarden
compose() {
	(cd "$dir" && DOCKER_HOST="unix://$SW_SOCK" sw_timed "$COMPOSE" -p "$proj" --ansi never "$@")
}

out=$(compose up -d 2>&1) || fail "docker-compose up -d failed: $out"
for svc in web app; do
	st=$(dk_direct inspect -f '{{.State.Status}}' "${proj}_${svc}_1") ||
	    fail "engine: no container ${proj}_${svc}_1 after up -d: $out"
	assert_eq running "$st" "engine: state of ${proj}_${svc}_1"
done
assert_eq "${proj}_data" "$(dk_direct volume ls -q --filter "name=^${proj}_data\$")" "engine: the named volume"
assert_eq "${proj}_back" "$(dk_direct network ls --format '{{.Name}}' --filter "name=^${proj}_back\$")" \
    "engine: the user network"

out=$(compose ps 2>&1) || fail "docker-compose ps failed: $out"
assert_match "$out" "${proj}_web_1 .* Up" "compose ps (web)"
assert_match "$out" "${proj}_app_1 .* Up" "compose ps (app)"

# the services print at start: give them a moment, then read the logs
for i in $(seq 1 50); do
	out=$(compose logs --no-color 2>&1) || fail "docker-compose logs failed: $out"
	case $out in *app-ready*web-ready* | *web-ready*app-ready*) break ;; esac
	sleep 0.2
done
assert_match "$out" "web_1 +\| web-ready" "compose logs (web)"
assert_match "$out" "app_1 +\| app-ready" "compose logs (app)"

# exec -T: stdout and stderr apart, the exit status, stdin to the end
out=$(echo "line-from-stdin" | compose exec -T app \
    sh -c 'cat /data/hello; echo to-stderr >&2; cat; ping -c1 -W2 appalias >/dev/null && echo alias-ok; exit 3' \
    2> "$TEST_DIR/exec.err") && rc=0 || rc=$?
assert_eq 3 "$rc" "compose exec -T exit status (stderr: $(cat "$TEST_DIR/exec.err"))"
assert_eq "$(printf 'shared-by-web\nline-from-stdin\nalias-ok')" "$out" "compose exec -T stdout"
assert_eq "to-stderr" "$(cat "$TEST_DIR/exec.err")" "compose exec -T stderr"

out=$(compose down -v 2>&1) || fail "docker-compose down -v failed: $out"
left=$(dk_direct ps -aq --filter "label=com.docker.compose.project=$proj")
[ -z "$left" ] || fail "engine: containers of $proj left after down -v: $left"
left=$(dk_direct volume ls -q --filter "label=com.docker.compose.project=$proj")
[ -z "$left" ] || fail "engine: volumes of $proj left after down -v: $left"
left=$(dk_direct network ls -q --filter "label=com.docker.compose.project=$proj")
[ -z "$left" ] || fail "engine: networks of $proj left after down -v: $left"
dk_direct volume inspect "${proj}_data" > /dev/null 2>&1 && fail "engine: volume ${proj}_data left"
dk_direct network inspect "${proj}_back" > /dev/null 2>&1 && fail "engine: network ${proj}_back left"
sw_proxy_stop
