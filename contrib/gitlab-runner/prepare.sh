#!/bin/sh
# prepare.sh - GitLab Runner custom executor, prepare stage: a sockwarden
# socket for this job, and the job container with the job's directory
# mounted (not the socket file: a restarted sockwarden makes a new one
# there) and DOCKER_HOST pointing into it.
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2086
sock=$(sw_job open "$JOB_ID" --ttl "$SW_JOB_TTL" \
    --label "gitlab.project=${CUSTOM_ENV_CI_PROJECT_PATH:-unknown}" \
    ${SW_JOB_ARGS:-} | tail -n 1) || exit "$SYSTEM_FAILURE_EXIT_CODE"
dir=${sock%/docker.sock}
"$SW_DOCKER" run -d --name "$JOB_CONTAINER" \
    --label "gitlab.job=${CUSTOM_ENV_CI_JOB_ID}" \
    -v "$dir:/run/sockwarden-job" \
    -e DOCKER_HOST=unix:///run/sockwarden-job/docker.sock \
    "${CUSTOM_ENV_CI_JOB_IMAGE:-${SW_JOB_IMAGE:-alpine:3}}" \
    sh -c 'while :; do sleep 3600; done' > /dev/null || {
	sw_job close "$JOB_ID" > /dev/null
	exit "$SYSTEM_FAILURE_EXIT_CODE"
}
