#!/bin/sh
# cleanup.sh - GitLab Runner custom executor, cleanup stage (after success,
# failure and cancel alike): the job container, then the job: its socket,
# its connections and everything it made go.
. "$(dirname "$0")/lib.sh"

"$SW_DOCKER" rm -f "$JOB_CONTAINER" > /dev/null 2>&1
sw_job close "$JOB_ID"
