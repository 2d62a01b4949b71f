#!/usr/bin/env bash
# tests/bench/bench.sh - sockwarden performance benchmark.
#
# Compares, in ONE interleaved run, three ways of reaching a private Docker
# engine:
#   direct      the engine's own Unix socket
#   sockwarden  sockwarden --listen W/sw.sock --upstream unix:ENGINE_SOCK
#   haproxy     Debian haproxy as a plain TCP forwarder between two Unix
#               sockets (nbthread 1, maxconn 4096, mode tcp, no logging)
# and prints a markdown table (stdout, and -o FILE) of:
#   /_ping requests/s over keep-alive connections at concurrency 1 and 32,
#   p50/p99 latency, proxy CPU per 10k requests, MB/s of a large archive PUT
#   and GET and of a large `logs` read, and RSS per idle /events stream.
# Every figure is also given as a ratio to direct.  Targets are rotated
# round-robin across rounds so that drift hits all of them alike; the table
# shows the median over rounds.
#
# Starts and tears down everything itself (engine via tests/integration/lib.sh
# or, if that is absent, tests/bench/engine.sh; haproxy; sockwarden) under a
# private directory in /tmp; never touches a system engine.
#
# usage: tests/bench/bench.sh [-o FILE] [--quick] [--rounds N] [--secs S]
#            [--mb MB] [--streams N] [--no-sockwarden] [--keep] [--profile]
#   --quick    ~1 minute: 2 rounds x 2 s, 100 MB transfers, 500 streams
#   --profile  afterwards, perf-record sockwarden under /_ping c=32 load and
#              append the top symbols (perf report --no-children) to the output
#   env: SOCKWARDEN=path (default build/daemon/sockwarden),
#        SWBENCH=path (default build/tests/bench/swbench, else compiled here),
#        SW_EXTRA_ARGS="..." extra sockwarden arguments (e.g. --policy FILE).
set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

OUT=
ROUNDS=3
SECS=3
WARM=0.5
MB=200
NSTREAMS=1000
WITH_SW=1
KEEP=0
QUICK=0
PROFILE=0
CONCS="1 32"

while [ $# -gt 0 ]; do
	case $1 in
	-o) OUT=$2; shift ;;
	--quick) QUICK=1; ROUNDS=2; SECS=2; WARM=0.3; MB=100; NSTREAMS=500 ;;
	--rounds) ROUNDS=$2; shift ;;
	--secs) SECS=$2; shift ;;
	--mb) MB=$2; shift ;;
	--streams) NSTREAMS=$2; shift ;;
	--no-sockwarden) WITH_SW=0 ;;
	--keep) KEEP=1 ;;
	--profile) PROFILE=1 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;/^set -u/d'; exit 0 ;;
	*) echo "bench.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done

blog() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
NOTES=()
note() { NOTES+=("$*"); blog "NOTE: $*"; }

# ------------------------------------------------------------- set up
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" -lt $((NSTREAMS * 2 + 256)) ]; then
	NSTREAMS=$(( ($(ulimit -n) - 256) / 2 ))
	note "ulimit -n is $(ulimit -n): idle streams reduced to $NSTREAMS"
fi

W=$(mktemp -d /tmp/swbench.XXXXXX)
RES=$W/results.txt
: >"$RES"
B_SW_PID= B_HAP_PID=

b_cleanup() {
	set +e
	[ -n "$B_SW_PID" ] && kill "$B_SW_PID" 2>/dev/null
	[ -n "$B_HAP_PID" ] && kill "$B_HAP_PID" 2>/dev/null
	[ -n "$B_SW_PID" ] && wait "$B_SW_PID" 2>/dev/null
	[ -n "$B_HAP_PID" ] && wait "$B_HAP_PID" 2>/dev/null
	if declare -F sw_engine_stop >/dev/null; then sw_engine_stop >/dev/null 2>&1; fi
	if [ "$KEEP" = 1 ]; then
		blog "kept $W${TEST_DIR:+ and $TEST_DIR}"
	else
		rm -rf --one-file-system "$W"
		# lib.sh's own scratch directory (its cleanup trap is replaced by ours)
		case ${TEST_DIR:-} in /tmp/swit.*) rm -rf --one-file-system "$TEST_DIR" ;; esac
	fi
}
# load generator
SWBENCH=${SWBENCH:-$ROOT/build/tests/bench/swbench}
if [ ! -x "$SWBENCH" ] || [ "$HERE/swbench.c" -nt "$SWBENCH" ]; then
	blog "compiling swbench"
	cc -O2 -Wall -o "$W/swbench" "$HERE/swbench.c" || exit 1
	SWBENCH=$W/swbench
fi

# engine
if [ -f "$ROOT/tests/integration/lib.sh" ]; then
	# shellcheck source=/dev/null
	. "$ROOT/tests/integration/lib.sh"
	ENGINE_SRC=tests/integration/lib.sh
else
	# shellcheck source=engine.sh
	. "$HERE/engine.sh"
	ENGINE_SRC=tests/bench/engine.sh
fi
set +e
set -u
# lib.sh installs its own EXIT trap and `cleanup`; ours replaces them.
trap b_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
blog "starting private engine ($ENGINE_SRC) under $W/engine"
mkdir -p "$W/engine"
sw_engine_start "$W/engine" || { echo "bench.sh: engine failed to start" >&2; exit 1; }
[ -S "${ENGINE_SOCK:-}" ] || { echo "bench.sh: ENGINE_SOCK not set / not a socket" >&2; exit 1; }
DOCKER="/usr/bin/docker -H unix://$ENGINE_SOCK"
ENGINE_PID=
if [ -f "$W/engine/pid" ]; then ENGINE_PID=$(cat "$W/engine/pid"); fi
if [ -z "$ENGINE_PID" ] || ! kill -0 "$ENGINE_PID" 2>/dev/null; then
	ENGINE_PID=
	for p in $(pgrep -x dockerd); do
		if tr '\0' ' ' <"/proc/$p/cmdline" | grep -qF -- "$ENGINE_SOCK"; then ENGINE_PID=$p; fi
	done
fi
blog "engine: $ENGINE_SOCK (dockerd pid ${ENGINE_PID:-?})"

wait_sock() { # SOCK PID NAME
	local i
	for i in $(seq 1 100); do
		if [ -S "$1" ] && curl -sf --max-time 2 --unix-socket "$1" http://d/_ping >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# haproxy: a plain TCP forwarder, one thread
HAP_SOCK=$W/hap.sock
cat >"$W/haproxy.cfg" <<EOF
global
	nbthread 1
	maxconn 4096
defaults
	mode tcp
	timeout connect 5s
	timeout client 1h
	timeout server 1h
	timeout tunnel 1h
frontend fe
	bind unix@$HAP_SOCK mode 600
	maxconn 4096
	default_backend be
backend be
	server engine unix@$ENGINE_SOCK maxconn 4096
EOF
haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
B_HAP_PID=$!
wait_sock "$HAP_SOCK" "$B_HAP_PID" || { cat "$W/haproxy.log" >&2; echo "bench.sh: haproxy failed" >&2; exit 1; }

# sockwarden
B_SW_SOCK=$W/sw.sock
SOCKWARDEN=${SOCKWARDEN:-$ROOT/build/daemon/sockwarden}
TARGETS="direct haproxy"
if [ "$WITH_SW" = 1 ]; then
	if [ ! -x "$SOCKWARDEN" ]; then
		note "sockwarden binary $SOCKWARDEN not found: sockwarden column skipped"
		WITH_SW=0
	else
		# shellcheck disable=SC2086
		"$SOCKWARDEN" --listen "$B_SW_SOCK" --upstream "unix:$ENGINE_SOCK" \
			--foreground --log-level warn ${SW_EXTRA_ARGS:-} >"$W/sockwarden.log" 2>&1 &
		B_SW_PID=$!
		if wait_sock "$B_SW_SOCK" "$B_SW_PID"; then
			TARGETS="direct sockwarden haproxy"
		else
			note "sockwarden did not come up (see log below): column skipped"
			note "sockwarden log: $(tail -5 "$W/sockwarden.log" | tr '\n' ' ')"
			kill "$B_SW_PID" 2>/dev/null; B_SW_PID=
			WITH_SW=0
		fi
	fi
fi

has() { case " $TARGETS " in *" $1 "*) return 0 ;; esac; return 1; }
sock_of() { case $1 in direct) echo "$ENGINE_SOCK" ;; sockwarden) echo "$B_SW_SOCK" ;; haproxy) echo "$HAP_SOCK" ;; esac; }
pid_of() { case $1 in direct) echo "${ENGINE_PID:-0}" ;; sockwarden) echo "${B_SW_PID:-0}" ;; haproxy) echo "$B_HAP_PID" ;; esac; }

# test data: a tar to PUT, a file to GET, a container that logged MB bytes
BYTES=$((MB * 1000000))
blog "preparing data: ${MB} MB archive + logs"
mkdir -p "$W/src/up" "$W/src/dl"
head -c "$BYTES" /dev/urandom >"$W/src/up/big.bin"
ln "$W/src/up/big.bin" "$W/src/dl/big.bin"
tar -C "$W/src" -cf "$W/up.tar" up && tar -C "$W/src" -cf "$W/dl.tar" dl && rm -rf "$W/src"
ARCH_ID=$($DOCKER create swtest/busybox:latest sleep 1d) || { echo "bench.sh: docker create failed" >&2; exit 1; }
"$SWBENCH" put -s "$ENGINE_SOCK" -u "/containers/$ARCH_ID/archive?path=/" -f "$W/dl.tar" >/dev/null ||
	{ echo "bench.sh: seeding archive failed" >&2; exit 1; }
LOGS_ID=$($DOCKER run -d swtest/busybox:latest sh -c "head -c $BYTES /dev/zero | tr '\\0' a") ||
	{ echo "bench.sh: docker run (logs) failed" >&2; exit 1; }
$DOCKER wait "$LOGS_ID" >/dev/null

# ------------------------------------------------------------- runner
FAILS=0
run() { # TARGET ROUND TEST swbench-args...
	local t=$1 r=$2 name=$3 out rc
	shift 3
	if [ "$t" = sockwarden ] && ! kill -0 "$B_SW_PID" 2>/dev/null; then
		echo "target=$t round=$r test=$name failed=dead" >>"$RES"
		return
	fi
	out=$(timeout -k 5 300 "$SWBENCH" "$@" 2>"$W/swbench.err")
	rc=$?
	echo "target=$t round=$r test=$name $out rc=$rc" >>"$RES"
	if [ $rc -ne 0 ]; then
		FAILS=$((FAILS + 1))
		note "$t round $r $name: swbench rc=$rc: $(head -3 "$W/swbench.err" | tr '\n' ' ') $out"
	fi
	if [ "$t" = sockwarden ] && ! kill -0 "$B_SW_PID" 2>/dev/null; then
		note "sockwarden DIED during $name (round $r); log tail: $(tail -5 "$W/sockwarden.log" | tr '\n' ' ')"
	fi
}

# 1. idle /events streams, first, on fresh proxies (glibc keeps freed memory
#    in its free lists, so a proxy that already moved 200 MB could serve the
#    streams from recycled memory and under-report).
for t in $TARGETS; do
	blog "idle streams: $t x $NSTREAMS"
	run "$t" 1 streams streams -s "$(sock_of "$t")" -n "$NSTREAMS" -t 1 -P "$(pid_of "$t")"
	sleep 1
done

# 2. rounds: each round walks the targets in a rotated order
set -- $TARGETS
NT=$#
for r in $(seq 1 "$ROUNDS"); do
	order=
	for i in $(seq 0 $((NT - 1))); do
		idx=$(( (i + r - 1) % NT + 1 ))
		order="$order ${!idx}"
	done
	blog "round $r/$ROUNDS:$order"
	for t in $order; do
		s=$(sock_of "$t") p=$(pid_of "$t")
		for c in $CONCS; do
			run "$t" "$r" "ping$c" ping -s "$s" -c "$c" -d "$SECS" -w "$WARM" -P "$p"
		done
		run "$t" "$r" put put -s "$s" -u "/containers/$ARCH_ID/archive?path=/" -f "$W/up.tar" -P "$p"
		run "$t" "$r" get get -s "$s" -u "/containers/$ARCH_ID/archive?path=/dl/big.bin" -P "$p"
		run "$t" "$r" logs get -s "$s" -u "/containers/$LOGS_ID/logs?stdout=1" -P "$p"
	done
done

# 3. optional: where does sockwarden spend its time under /_ping load?
PERF_TXT=
if [ "$PROFILE" = 1 ] && has sockwarden && command -v perf >/dev/null; then
	blog "profiling sockwarden (perf record, /_ping c=32, 5 s)"
	"$SWBENCH" ping -s "$B_SW_SOCK" -c 32 -d 5 -w 0.5 -P "$B_SW_PID" >"$W/perf-ping.txt" 2>&1 &
	lg=$!
	sleep 0.5
	perf record -q -F 1999 --call-graph dwarf,16384 -o "$W/perf.data" -p "$B_SW_PID" -- sleep 4 \
		>/dev/null 2>"$W/perf-record.err"
	perf stat -e task-clock,context-switches,cpu-migrations,page-faults -p "$B_SW_PID" -- sleep 0.5 \
		>/dev/null 2>"$W/perf-stat.txt"
	wait "$lg"
	PERF_TXT=$W/perf.txt
	{
		echo "### sockwarden profile under /_ping c=32 (perf, self time)"
		echo
		echo '```'
		cat "$W/perf-ping.txt"
		perf report -i "$W/perf.data" --no-children --stdio --sort dso,symbol -g none \
			--percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
		echo
		echo "# by DSO"
		perf report -i "$W/perf.data" --no-children --stdio --sort dso -g none 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -10
		echo '```'
		echo
	} >"$PERF_TXT"
fi

# ------------------------------------------------------------- report
# median of KEY over rounds for TARGET/TEST ("na" when none)
med() {
	awk -v t="target=$1" -v s="test=$2" -v k="$3" '
		$1 == t && $3 == s { for (i = 4; i <= NF; i++) { n = index($i, "=");
			if (substr($i, 1, n - 1) == k && substr($i, n + 1) != "na") print substr($i, n + 1) } }' "$RES" |
		sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "na";
			else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
fmt() { # VALUE DECIMALS
	if [ "$1" = na ]; then echo "n/a"; else awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'; fi
}
ratio() { # A B -> A/B
	if [ "$1" = na ] || [ "$2" = na ]; then echo "–"; else
		awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "–"; else printf "%.2fx", a / b }'; fi
}
val() { has "$1" && med "$@" || echo na; }

TABLE=$W/table.md
{
	echo "## sockwarden benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo
	echo "$(nproc) CPUs, $(uname -r); engine $(dockerd --version 2>/dev/null | sed 's/Docker version //'); $(haproxy -v 2>/dev/null | head -1 | cut -d' ' -f1-3)"
	echo "Settings: $ROUNDS rounds x ${SECS}s per /_ping run (+${WARM}s warm-up), ${MB} MB transfers, $NSTREAMS idle streams$([ $QUICK = 1 ] && echo ' (--quick)'). Median over rounds; targets rotated each round."
	echo "HAProxy: nbthread 1, maxconn 4096, mode tcp, unix@ bind -> unix@ engine server, timeouts 1h, no logging."
	echo
	echo "| metric | direct | sockwarden | sw/direct | haproxy | hap/direct | sw/hap |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	row() { # LABEL TEST KEY DECIMALS [direct-label]
		local d s h
		d=$(val direct "$2" "$3"); s=$(val sockwarden "$2" "$3"); h=$(val haproxy "$2" "$3")
		local dl; dl=$(fmt "$d" "$4"); [ -n "${5:-}" ] && [ "$d" != na ] && dl="$dl $5"
		echo "| $1 | $dl | $(fmt "$s" "$4") | $(ratio "$s" "$d") | $(fmt "$h" "$4") | $(ratio "$h" "$d") | $(ratio "$s" "$h") |"
	}
	for c in $CONCS; do row "/_ping req/s, c=$c" "ping$c" rps 0; done
	for c in $CONCS; do
		row "p50 latency c=$c (µs)" "ping$c" p50_us 1
		row "p99 latency c=$c (µs)" "ping$c" p99_us 1
	done
	for c in $CONCS; do
		row "CPU ms per 10k req, c=$c" "ping$c" cpu_ms_per_10k 1 "(dockerd)"
	done
	row "archive PUT MB/s" put mbps 1
	row "archive GET MB/s" get mbps 1
	row "logs GET MB/s" logs mbps 1
	for x in put get logs; do
		row "CPU ms, one $x of ${MB} MB" "$x" cpu_ms 0 "(dockerd)"
	done
	# idle streams: per-stream RSS (direct: dockerd, informational only)
	d=$(val direct streams kib_per_stream); s=$(val sockwarden streams kib_per_stream); h=$(val haproxy streams kib_per_stream)
	echo "| RSS KiB per idle /events stream | n/a (dockerd $(fmt "$d" 1)) | $(fmt "$s" 2) | – | $(fmt "$h" 2) | – | $(ratio "$s" "$h") |"
	d=$(val direct streams headed); s=$(val sockwarden streams headed); h=$(val haproxy streams headed)
	echo "| idle streams established | $(fmt "$d" 0)/$NSTREAMS | $(fmt "$s" 0)/$NSTREAMS | | $(fmt "$h" 0)/$NSTREAMS | | |"
	echo
	echo "Ratios are target/direct (or sockwarden/haproxy): higher is better for req/s and MB/s, lower is better for latency, CPU and RSS."
	echo "CPU = utime+stime of the proxy process (/proc/PID/stat) over the measured window; the direct column shows dockerd's own figure."
	echo
	if has sockwarden; then
		echo "### targets (measured, not asserted)"
		chk() { # LABEL VALUE-RATIO OP LIMIT
			local v=$2
			if [ "$v" = "–" ]; then echo "- $1: n/a"; return; fi
			v=${v%x}
			if awk -v v="$v" -v l="$4" -v op="$3" 'BEGIN { exit !((op == ">=") ? v >= l : v <= l) }'; then
				echo "- $1: $2 — met"
			else
				echo "- $1: $2 — **NOT met**"
			fi
		}
		for c in $CONCS; do
			chk "sockwarden req/s ≥ haproxy, c=$c" "$(ratio "$(med sockwarden "ping$c" rps)" "$(med haproxy "ping$c" rps)")" ">=" 1
		done
		for x in put get logs; do
			chk "sockwarden $x MB/s ≥ 0.95x direct" "$(ratio "$(med sockwarden "$x" mbps)" "$(med direct "$x" mbps)")" ">=" 0.95
		done
		kps=$(med sockwarden streams kib_per_stream)
		chk "sockwarden KiB per idle stream ≤ 4" "$(fmt "$kps" 2)" "<=" 4
		echo
	fi
	[ -n "$PERF_TXT" ] && cat "$PERF_TXT"
	if [ ${#NOTES[@]} -gt 0 ] || [ "$FAILS" -gt 0 ]; then
		echo "### notes"
		for n in "${NOTES[@]}"; do echo "- $n"; done
		echo
	fi
} >"$TABLE"

cat "$TABLE"
if [ -n "$OUT" ]; then
	{
		cat "$TABLE"
		echo "<details><summary>raw per-run results</summary>"
		echo
		echo '```'
		cat "$RES"
		echo '```'
		echo "</details>"
	} >"$OUT"
	blog "wrote $OUT"
fi
[ "$FAILS" -eq 0 ]
