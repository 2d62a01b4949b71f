#!/bin/sh
# Check tests/spec/fields.txt against the newest Engine API spec, which is
# not in the repository.  usage: check-table.sh SPECDIR
# SW_ENGINE_API_SPEC overrides the default ../shared/reference/engine-api/
# swagger.yaml beside the checkout.  Without it: skip (77); under CI=true,
# where nothing may skip, fail.
set -eu
dir=$1
top=$(cd "$dir/../.." && pwd)
spec=${SW_ENGINE_API_SPEC:-$top/../shared/reference/engine-api/swagger.yaml}
if [ ! -r "$spec" ]; then
	echo "check-table: no spec at $spec (set SW_ENGINE_API_SPEC)" >&2
	[ "${CI:-false}" = true ] && exit 1
	exit 77
fi
exec python3 "$dir/specfields.py" --check-version "$dir/fields.txt" "$spec"
