#!/bin/sh
# config.sh - GitLab Runner custom executor, config stage: where builds go
# (inside the job container) and who we are.  See docs/jobs.md.
cat <<JSON
{"builds_dir":"/builds","cache_dir":"/cache","builds_dir_is_shared":false,
 "driver":{"name":"sockwarden","version":"1"}}
JSON
