# tally.sh - sourced by scripts/test-all.sh (and its self-test,
# tests/cli/t-tally.sh): tally() adds one test runner's own summary to the
# totals passed, failed and skipped.  It does not run anything.
#
# Only the runner's summary counts, never a test's own "N passed" lines
# (CTest --output-on-failure prints a failing script's output unindented):
#   ctest   the LAST line that is exactly "P% tests passed, F tests failed
#           out of M"; its skipped tests are the "(Skipped)"/"(Disabled)"
#           entries listed after that line, which CTest counts as passed.
#   runner  tests/integration/run.sh: the LAST line that is exactly "N
#           passed, N failed[, N skipped]" (run.sh prints it last and
#           indents every test's output, so no test line can match).
#   none    no count: the exit status is one check.
# A runner that promised a summary and printed none failed; a runner that
# exited non-zero counts at least one failure whatever its summary says,
# except 77 ("all skipped") outside CI=true.

tally() {	# NAME LOGFILE STATUS KIND
	local name=$1 log=$2 rc=$3 kind=$4 line= n p=0 f=0 s=0
	case $kind in
	ctest)
		n=$(grep -nE '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+[[:space:]]*$' \
		    "$log" | tail -n1 | cut -d: -f1 || true)
		if [ -n "$n" ]; then
			line=$(sed -n "${n}p" "$log")
			f=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
			p=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
			s=$(tail -n +"$((n + 1))" "$log" |
			    grep -cE '^[[:space:]]+[0-9]+ - .* \((Skipped|Disabled)\)[[:space:]]*$' || true)
			p=$((p - f - s))
		fi ;;
	runner)
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?[[:space:]]*$' "$log" |
		    tail -n1 || true)
		if [ -n "$line" ]; then
			read -r p _ f _ s _ <<<"${line//,/}"
			s=${s:-0}
		fi ;;
	none)
		line=status
		if [ "$rc" = 0 ]; then p=1; else f=1; fi ;;
	*)	echo "tally: unknown kind $kind" >&2
		return 2 ;;
	esac
	if [ -z "$line" ]; then
		echo "== $name: no summary line from the runner" >&2
		p=0 f=1 s=0
	fi
	if [ "$rc" = 77 ] && [ "${CI:-false}" != true ] && [ "$f" = 0 ]; then
		:	# every test skipped, and skipping is allowed here
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$s" = 0 ]; then
		printf '== %-28s %s passed, %s failed\n' "$name" "$p" "$f"
	else
		printf '== %-28s %s passed, %s failed, %s skipped\n' "$name" "$p" "$f" "$s"
	fi
}
