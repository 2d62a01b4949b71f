#!/bin/sh
# run.sh - GitLab Runner custom executor, run stage: run the script GitLab
# generated ($1, for stage $2) in the job container.
. "$(dirname "$0")/lib.sh"

"$SW_DOCKER" exec -i "$JOB_CONTAINER" /bin/sh < "$1" ||
    exit "$BUILD_FAILURE_EXIT_CODE"
