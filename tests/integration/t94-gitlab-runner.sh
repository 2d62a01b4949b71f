#!/bin/bash
# t94-gitlab-runner: the GitLab Runner recipe of docs/jobs.md (a custom
# executor, contrib/gitlab-runner/), its stages called the way the runner
# calls them (CUSTOM_ENV_* variables, the generated script as $1, the
# failure exit codes in the environment), against the real engine:
#   1. a job whose script runs containers, a volume and a network through
#      the job socket (the docker CLI inside the job container, DOCKER_HOST
#      from prepare), sees only its own objects, not the runner's job
#      container; cleanup removes the job container and all the job made
#   2. a failing script: run gives BUILD_FAILURE_EXIT_CODE, cleanup still
#      reaps everything

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine

chmod 755 "$TEST_DIR"
CTL=$TEST_DIR/ctl.sock
printf 'control_listen %s\njob_dir %s\njob_state_dir %s\n' "$CTL" \
    "$TEST_DIR/jobs" "$TEST_DIR/state" > "$TEST_DIR/sw.conf"
sw_proxy_start --config "$TEST_DIR/sw.conf"

EXEC=$SW_REPO/contrib/gitlab-runner
# what the runner's environment holds (config.toml [runners] environment)
export SW_SOCKWARDEN=$SOCKWARDEN SW_CONTROL=$CTL
export SW_DOCKER=$DOCKER_CLI DOCKER_HOST=unix://$ENGINE_SOCK
export BUILD_FAILURE_EXIT_CODE=41 SYSTEM_FAILURE_EXIT_CODE=42
stage() {	# NAME ARGS...: one executor stage, as the runner runs it
	local s=$1
	shift
	sw_timed "$EXEC/$s.sh" "$@"
}
owned() {
	{ dk_direct ps -aq --no-trunc --filter "label=io.sockwarden.owner=$1"
	  dk_direct volume ls -q --filter "label=io.sockwarden.owner=$1"
	  dk_direct network ls -q --filter "label=io.sockwarden.owner=$1"; }
}

# ---------------------------------------------------------------- 1.
export CUSTOM_ENV_CI_JOB_ID=$$01 CUSTOM_ENV_CI_JOB_IMAGE=$SW_CIJOB_IMAGE
export CUSTOM_ENV_CI_PROJECT_PATH=group/project
n=$(sw_name gl)
cfg=$(stage config) || fail "config stage"
[ "$(printf '%s' "$cfg" | jq -r .builds_dir)" = /builds ] || fail "config: $cfg"
stage prepare || fail "prepare stage (status $?)"
[ -S "$TEST_DIR/jobs/gl-$$01/docker.sock" ] || fail "prepare made no job socket"
# the script GitLab generates for the build_script stage
cat > "$TEST_DIR/build_script" <<EOF
set -e
docker run -d --name $n-svc $SW_IMAGE sleep 600
docker volume create $n-vol
docker network create $n-net
docker run --rm -v $n-vol:/data $SW_IMAGE sh -c 'echo built > /data/out'
echo "PS: \$(docker ps -a --format '{{.Names}}' | sort | tr '\n' ' ')"
EOF
out=$(stage run "$TEST_DIR/build_script" build_script 2>&1) || fail "run stage: $out"
assert_contains "$out" "PS: $n-svc " "the job sees its own containers and not its job container"
[ "$(owned "j:gl-$$01" | wc -l)" = 3 ] || fail "the job owns $(owned "j:gl-$$01" | wc -l) objects, not 3"
out=$(stage cleanup) || fail "cleanup stage: $out"
assert_contains "$out" "removed 1 containers, 1 volumes, 1 networks" "cleanup"
[ -z "$(owned "j:gl-$$01")" ] || fail "left after cleanup: $(owned "j:gl-$$01")"
dk_direct inspect "gl-$$01" > /dev/null 2>&1 && fail "the job container is left"
[ ! -e "$TEST_DIR/jobs/gl-$$01" ] || fail "the job's directory is left"

# ---------------------------------------------------------------- 2.
export CUSTOM_ENV_CI_JOB_ID=$$02
stage prepare || fail "prepare stage of job 2"
printf 'docker run -d %s sleep 600\nexit 3\n' "$SW_IMAGE" > "$TEST_DIR/failing"
rc=0
stage run "$TEST_DIR/failing" build_script > /dev/null 2>&1 || rc=$?
assert_eq 41 "$rc" "run stage of a failing script (BUILD_FAILURE_EXIT_CODE)"
stage cleanup > /dev/null || fail "cleanup of job 2"
[ -z "$(owned "j:gl-$$02")" ] || fail "left after cleanup of job 2: $(owned "j:gl-$$02")"
sw_proxy_stop
log "ok"
