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
#   default    ~2.5 minutes: 4 rounds x 3 s, 200 MB transfers, 1000 streams
#   --quick    ~1 minute: 2 rounds x 2 s, 100 MB transfers, 500 streams
#   --profile  afterwards, under /_ping c=32 load: perf-record sockwarden
#              (top symbols, self time) and count syscalls per request of
#              sockwarden and haproxy (strace -c); appended to the output
#   env: SOCKWARDEN=path (default build/daemon/sockwarden),
#        SWBENCH=path (default build/tests/bench/swbench, else compiled here),
#        SW_EXTRA_ARGS="..." extra sockwarden arguments (e.g. --policy FILE),
#        SW_BENCH_ENGINE=fallback: use tests/bench/engine.sh even if lib.sh exists.
set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

OUT=
ROUNDS=4
SECS=3
WARM=0.5
MB=200
NSTREAMS=1000
WITH_SW=1
KEEP=0
QUICK=0
CYCLES=10
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
B_SW_PID=
B_HAP_PID=

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
trap b_cleanup EXIT

# load generator
SWBENCH=${SWBENCH:-$ROOT/build/tests/bench/swbench}
if [ ! -x "$SWBENCH" ] || [ "$HERE/swbench.c" -nt "$SWBENCH" ]; then
	blog "compiling swbench"
	cc -O2 -Wall -o "$W/swbench" "$HERE/swbench.c" || exit 1
	SWBENCH=$W/swbench
fi

# engine
if [ -f "$ROOT/tests/integration/lib.sh" ] && [ "${SW_BENCH_ENGINE:-}" != fallback ]; then
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
# dockerd's pid, for its CPU and RSS figures (lib.sh exports ENGINE_PID,
# engine.sh SW_ENGINE_PID; else find the dockerd serving ENGINE_SOCK)
B_ENGINE_PID=${ENGINE_PID:-${SW_ENGINE_PID:-}}
if [ -z "$B_ENGINE_PID" ] || ! kill -0 "$B_ENGINE_PID" 2>/dev/null; then
	B_ENGINE_PID=
	for p in $(pgrep -x dockerd); do
		if tr '\0' ' ' <"/proc/$p/cmdline" | grep -qF -- "$ENGINE_SOCK"; then B_ENGINE_PID=$p; fi
	done
fi
blog "engine: $ENGINE_SOCK (dockerd pid ${B_ENGINE_PID:-?})"

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
		# run a private copy: a rebuild during the run must not pull the
		# binary from under perf (symbols of a "(deleted)" file are lost)
		cp "$SOCKWARDEN" "$W/sockwarden" && touch -r "$SOCKWARDEN" "$W/sockwarden"
		SOCKWARDEN=$W/sockwarden
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
pid_of() { case $1 in direct) echo "${B_ENGINE_PID:-0}" ;; sockwarden) echo "${B_SW_PID:-0}" ;; haproxy) echo "$B_HAP_PID" ;; esac; }

# test data: a tar to PUT, a file to GET, a container that logged MB bytes
BYTES=$((MB * 1000000))
blog "preparing data: ${MB} MB archive + logs"
mkdir -p "$W/src/up" "$W/src/dl"
head -c "$BYTES" /dev/urandom >"$W/src/up/big.bin"
ln "$W/src/up/big.bin" "$W/src/dl/big.bin"
tar -C "$W/src" -cf "$W/up.tar" up && tar -C "$W/src" -cf "$W/dl.tar" dl && rm -rf "$W/src"
# Made through sockwarden when it runs: under ci's ownership a job acts
# only on its own containers (direct and haproxy do not care).
MAKER=$DOCKER
[ "$WITH_SW" = 1 ] && MAKER="/usr/bin/docker -H unix://$B_SW_SOCK"
ARCH_ID=$($MAKER create swtest/busybox:latest sleep 1d) || { echo "bench.sh: docker create failed" >&2; exit 1; }
"$SWBENCH" put -s "$ENGINE_SOCK" -u "/containers/$ARCH_ID/archive?path=/" -f "$W/dl.tar" >/dev/null ||
	{ echo "bench.sh: seeding archive failed" >&2; exit 1; }
LOGS_ID=$($MAKER run -d swtest/busybox:latest sh -c "head -c $BYTES /dev/zero | tr '\\0' a") ||
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

# A container's life, CYCLES times: create, start, remove (force), each
# by its own curl on the target's socket; cycles per second and ms each.
lifecycle() { # TARGET ROUND
	local t=$1 r=$2 s id i t0 t1 n=0 body='{"Image":"swtest/busybox:latest","Cmd":["true"]}'
	s=$(sock_of "$t")
	t0=$(date +%s%N)
	for i in $(seq 1 "$CYCLES"); do
		id=$(curl -sf --unix-socket "$s" -H 'Content-Type: application/json' \
		    -d "$body" http://d/v1.41/containers/create | sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
		[ -n "$id" ] || break
		curl -sf --unix-socket "$s" -X POST "http://d/v1.41/containers/$id/start" >/dev/null || break
		curl -sf --unix-socket "$s" -X DELETE "http://d/v1.41/containers/$id?force=1" >/dev/null || break
		n=$((n + 1))
	done
	t1=$(date +%s%N)
	if [ "$n" != "$CYCLES" ]; then
		FAILS=$((FAILS + 1))
		note "$t round $r cycle: failed after $n of $CYCLES cycles"
		echo "target=$t round=$r test=cycle rc=1" >>"$RES"
		return
	fi
	awk -v t="$t" -v r="$r" -v n="$n" -v ns=$((t1 - t0)) 'BEGIN {
		printf "target=%s round=%s test=cycle cps=%.3f ms=%.1f rc=0\n", t, r, n / (ns / 1e9), ns / 1e6 / n }' >>"$RES"
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
	# test-major order: the three targets' runs of one test are adjacent
	# in time, so a burst of outside load hits them alike
	for test in $(for c in $CONCS; do echo "ping$c"; done) inspect cycle put get logs; do
		for t in $order; do
			s=$(sock_of "$t") p=$(pid_of "$t")
			case $test in
			ping*) run "$t" "$r" "$test" ping -s "$s" -c "${test#ping}" -d "$SECS" -w "$WARM" -P "$p" ;;
			inspect) run "$t" "$r" inspect ping -s "$s" -u "/v1.41/containers/$ARCH_ID/json" -c 1 -d "$SECS" -w "$WARM" -P "$p" ;;
			cycle) lifecycle "$t" "$r" ;;
			put) run "$t" "$r" put put -s "$s" -u "/containers/$ARCH_ID/archive?path=/" -f "$W/up.tar" -P "$p" ;;
			get) run "$t" "$r" get get -s "$s" -u "/containers/$ARCH_ID/archive?path=/dl/big.bin" -P "$p" ;;
			logs) run "$t" "$r" logs get -s "$s" -u "/containers/$LOGS_ID/logs?stdout=1" -P "$p" ;;
			esac
		done
	done
done

# 3. optional: where does sockwarden spend its time under /_ping load?
#    perf (sampling; in a VM without a PMU this is cpu-clock, so kernel time
#    piles up at irq-enable points such as finish_task_switch) and strace -c
#    (syscalls per request, sockwarden vs haproxy: exact, whatever the noise).
PERF_TXT=
syscalls_per_req() { # TARGET -> "name calls/req" lines, plus a total
	local t=$1 s p st reqs
	s=$(sock_of "$t") p=$(pid_of "$t")
	strace -c -f -p "$p" -o "$W/strace.$t" 2>/dev/null &
	st=$!
	sleep 0.5
	reqs=$("$SWBENCH" ping -s "$s" -c 32 -d 2 -w 0 2>/dev/null | sed -n 's/.* reqs=\([0-9]*\).*/\1/p')
	sleep 0.2
	kill -INT "$st" 2>/dev/null
	wait "$st" 2>/dev/null
	awk -v n="${reqs:-0}" -v t="$t" '
		$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" && n > 0 { printf "%s %s %.2f\n", t, $NF, $4 / n }
		' "$W/strace.$t"
	echo "$t requests ${reqs:-0}"
}
if [ "$PROFILE" = 1 ] && has sockwarden && command -v perf >/dev/null; then
	blog "profiling sockwarden (perf record, /_ping c=32, 4 s)"
	"$SWBENCH" ping -s "$B_SW_SOCK" -c 32 -d 5 -w 0.5 -P "$B_SW_PID" >"$W/perf-ping.txt" 2>&1 &
	lg=$!
	sleep 0.7
	perf record -q -F 1999 -g -o "$W/perf.data" -p "$B_SW_PID" -- sleep 4 \
		>/dev/null 2>"$W/perf-record.err"
	wait "$lg"
	PERF_TXT=$W/perf.txt
	{
		echo "### sockwarden profile under /_ping c=32"
		echo
		echo '```'
		echo "# load during the profile (perf itself costs a little):"
		cat "$W/perf-ping.txt"
		echo "# self time by DSO"
		perf report -i "$W/perf.data" --no-children --stdio --sort dso -g none 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -8
		echo "# self time by symbol (% of all samples)"
		perf report -i "$W/perf.data" --no-children --stdio --sort dso,symbol -g none \
			--percent-limit 0.8 2>/dev/null | grep -v '^#' | grep -v '^$' | sed 's/ *- *- *$//' | head -25
		echo "# user-space symbols only (% of all samples)"
		perf report -i "$W/perf.data" --no-children --stdio --sort dso,symbol -g none \
			2>/dev/null | grep -v '^#' | grep -v '^$' | grep -v '\[k\]' | sed 's/ *- *- *$//' | head -25
		echo '```'
		echo
		if command -v strace >/dev/null; then
			blog "counting syscalls per request (strace -c, /_ping c=32, 2 s each)"
			for t in sockwarden haproxy; do syscalls_per_req "$t"; done >"$W/syscalls.txt"
			echo "### syscalls per /_ping request (strace -c -f, c=32)"
			echo
			echo "| syscall | sockwarden | haproxy |"
			echo "|---|---:|---:|"
			awk '$2 != "requests" { v[$1 " " $2] = $3; names[$2] = 1 }
			     END { for (n in names) { a = v["sockwarden " n]; b = v["haproxy " n]
					if (a + 0 < 0.02 && b + 0 < 0.02) continue
					printf "| %s | %s | %s |\n", n, a == "" ? "0" : a, b == "" ? "0" : b } }' \
				"$W/syscalls.txt" | sort -t'|' -k3 -gr
			awk '$2 != "requests" { s[$1] += $3 } $2 == "requests" { r[$1] = $3 }
			     END { printf "| **total** | **%.2f** | **%.2f** |\n", s["sockwarden"], s["haproxy"]
				printf "| (requests while traced) | %s | %s |\n", r["sockwarden"], r["haproxy"] }' \
				"$W/syscalls.txt"
			echo
			echo "Calls per request over a 2 s c=32 run under strace (rows under 0.02 for both omitted)."
			echo
		fi
	} >"$PERF_TXT"
fi

# anything sockwarden logged at warn level or above
# (audit records, one JSON line per exchange, go to the same file unless
# SW_EXTRA_ARGS says --audit-log off|PATH: they are part of the measured cost)
if has sockwarden && [ -s "$W/sockwarden.log" ]; then
	n_audit=$(grep -c '^{"type":"audit"' "$W/sockwarden.log")
	n_other=$(grep -vc '^{"type":"audit"' "$W/sockwarden.log")
	[ "$n_audit" -gt 0 ] && note "sockwarden wrote $n_audit audit records to its stderr (a file); pass SW_EXTRA_ARGS='--audit-log off' to measure without"
	[ "$n_other" -gt 0 ] && note "sockwarden logged $n_other non-audit line(s) at --log-level warn; first: $(grep -v '^{"type":"audit"' "$W/sockwarden.log" | head -3 | cut -c1-200 | tr '\n' ' ')"
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
	echo "Settings: $ROUNDS rounds x ${SECS}s per /_ping run (+${WARM}s warm-up), ${MB} MB transfers, $NSTREAMS idle streams$([ $QUICK = 1 ] && echo ' (--quick)'). Median over rounds; each test runs on the three targets back to back, in an order rotated each round."
	[ "$WITH_SW" = 1 ] && echo "sockwarden: $("$SOCKWARDEN" --version 2>&1 | head -1) (binary built $(date -u -r "$SOCKWARDEN" '+%H:%M UTC'))${SW_EXTRA_ARGS:+, extra args: $SW_EXTRA_ARGS}"
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
	row "inspect req/s, c=1 (ownership look-up)" inspect rps 0
	row "p50 inspect latency (µs)" inspect p50_us 1
	row "create+start+remove cycles/s" cycle cps 2
	row "ms per create+start+remove" cycle ms 1
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
	est() { if [ "$1" = na ]; then echo "n/a"; else echo "$(fmt "$1" 0)/$NSTREAMS"; fi; }
	echo "| idle streams established | $(est "$d") | $(est "$s") | | $(est "$h") | | |"
	echo
	# how noisy was it? max/min over rounds of the throughput figures
	spread() { # TARGET TEST KEY
		has "$1" || { echo "–"; return; }
		awk -v t="target=$1" -v s="test=$2" -v k="$3" '
			$1 == t && $3 == s { for (i = 4; i <= NF; i++) { n = index($i, "=");
				if (substr($i, 1, n - 1) == k) { v = substr($i, n + 1) + 0;
					if (!c++ || v < lo) lo = v; if (v > hi) hi = v } } }
			END { if (c < 2 || lo <= 0) print "–"; else printf "%.2fx\n", hi / lo }' "$RES"
	}
	printf "Round-to-round spread (max/min) —"
	for x in "ping1 rps c=1" "ping32 rps c=32" "put mbps PUT" "get mbps GET" "logs mbps logs"; do
		set -- $x
		printf " %s: %s / %s / %s;" "$3" "$(spread direct "$1" "$2")" "$(spread sockwarden "$1" "$2")" "$(spread haproxy "$1" "$2")"
	done
	echo " (direct / sockwarden / haproxy; large values mean outside load during the run)."
	echo
	echo "Ratios are target/direct (or sockwarden/haproxy): higher is better for req/s and MB/s, lower is better for latency, CPU and RSS."
	echo "CPU = utime+stime of the proxy process (/proc/PID/stat) over the measured window (10 ms ticks); the direct column shows dockerd's own figure (archive PUT/GET run partly in dockerd's docker-untar/tar children, not counted)."
	echo "RSS per idle stream = (VmRSS after N idle GET /events streams are established + 1 s) - (VmRSS before), / N, measured first on fresh proxies."
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
