# lib.sh - shared by the GitLab Runner custom executor scripts (sourced).
# The runner passes the job's variables as CUSTOM_ENV_*; the exit codes it
# expects on failure in BUILD_FAILURE_EXIT_CODE / SYSTEM_FAILURE_EXIT_CODE.
# Settings (environment of the runner, config.toml [runners] environment):
#   SW_SOCKWARDEN  the CLI (default: sockwarden)
#   SW_CONTROL     the control socket (default: sockwarden's own default)
#   SW_DOCKER      the docker CLI the runner uses for the job container,
#                  talking to the engine itself (default: docker)
#   SW_JOB_TTL     closes a job whose cleanup never ran (default: 3h)
#   SW_JOB_ARGS    more `job open` options (quotas), word-split
#   SW_JOB_IMAGE   image when the job names none (default: alpine:3)
set -u
: "${SW_SOCKWARDEN:=sockwarden}"
: "${SW_DOCKER:=docker}"
: "${SW_JOB_TTL:=3h}"
: "${BUILD_FAILURE_EXIT_CODE:=1}"
: "${SYSTEM_FAILURE_EXIT_CODE:=2}"

# the job's ID for sockwarden, and the job container's name
JOB_ID="gl-${CUSTOM_ENV_CI_JOB_ID:?no CUSTOM_ENV_CI_JOB_ID: not run by GitLab Runner?}"
JOB_CONTAINER="$JOB_ID"

sw_job() {
	if [ -n "${SW_CONTROL:-}" ]; then
		"$SW_SOCKWARDEN" --control "$SW_CONTROL" job "$@"
	else
		"$SW_SOCKWARDEN" job "$@"
	fi
}
