#!/bin/sh
# smoke.sh - build the libFuzzer targets with clang (-DSW_FUZZ=ON) in a
# separate build directory and run each for a short time (default 20 s)
# starting from its seed corpus and regression inputs.  Exits 1 on the
# first crash; the crashing input is left in $OUT (copy it to
# tests/regress/<target>/ so CTest replays it from then on).
#   usage: tests/fuzz/smoke.sh [seconds] [target...]
set -eu

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${SW_FUZZ_BUILD:-$SRC/build-fuzz}
SECS=${1:-20}
[ $# -gt 0 ] && shift

CC=${CC:-clang} cmake -S "$SRC" -B "$BUILD" -DSW_FUZZ=ON \
    -DCMAKE_C_COMPILER="${CC:-clang}" >/dev/null
cmake --build "$BUILD" --target fuzz -j"$(nproc)" >/dev/null
# after the build: a build that fails (set -e) leaves no empty directory
OUT=$(mktemp -d "${TMPDIR:-/tmp}/sw-fuzz.XXXXXX")

targets=${*:-$(cd "$BUILD/tests" && ls fuzz_* 2>/dev/null | grep -v '\.' || true)}
[ -n "$targets" ] || { echo "smoke.sh: no fuzz targets built" >&2; exit 1; }

status=0
for t in $targets; do
	corpus=$OUT/corpus-$t
	mkdir -p "$corpus"
	for seed in "$SRC/tests/fuzz/corpus/$t" "$SRC/tests/regress/$t"; do
		[ -d "$seed" ] && find "$seed" -type f ! -name README \
		    -exec cp {} "$corpus/" \;
	done
	dict=
	[ -f "$SRC/tests/fuzz/dict/$t.dict" ] && \
	    dict=-dict=$SRC/tests/fuzz/dict/$t.dict
	echo "== $t (${SECS}s)"
	if ! "$BUILD/tests/$t" $dict -max_total_time="$SECS" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$OUT/$t-" "$corpus" >"$OUT/$t.log" 2>&1; then
		echo "smoke.sh: $t FAILED; log and input in $OUT" >&2
		tail -40 "$OUT/$t.log" >&2
		status=1
	fi
	# start and end coverage and corpus, and libFuzzer's final stats
	grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE) |stat::|Done)' "$OUT/$t.log" || true
done
[ $status -eq 0 ] && rm -rf "$OUT"
exit $status
