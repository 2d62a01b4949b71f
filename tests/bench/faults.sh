#!/usr/bin/env bash
# tests/bench/faults.sh - sockwarden under faults and load (issue 11's
# "evidence under load and faults").  A benchmark-style run, not a test:
# nothing is registered with CTest; it measures and reports, in markdown.
#
#   kill   the engine is SIGKILLed and restarted while 100 long-lived
#          streams (50 `logs?follow=1` of a container that prints a line a
#          second, 50 `events`) and a paced /_ping load run through
#          sockwarden: how each stream ended (never a hang), when the load
#          failed (only during the outage?), the time from engine ready to
#          the first success, and sockwarden's fd count and RSS against the
#          baseline once the streams are gone (repeated --kills times)
#   idle   10,000 keep-alive connections that made one /_ping each and
#          stay idle: RSS per connection, and a new client's /_ping latency
#          (fresh connection each) before and while they are open
#   hup    SIGHUP every 100 ms for 60 s under /_ping c=8 plus container
#          create/inspect/remove cycles (ci policy, from a settings file):
#          failed requests, reloads logged and counted
#   soak   --soak MINUTES of a moderate mixed load (pings, inspects, a
#          create/start/remove cycle every 5 s, streams opened and closed):
#          RSS and fd count every 30 s
#   fuzz   tests/fuzz/smoke.sh SECS: per target executions, coverage,
#          corpus, findings
#
# The engine is a private dockerd in its own network namespace, started by
# tests/integration/lib.sh exactly as for bench.sh; each part runs its own
# sockwarden (a private copy of the binary) under a private /tmp/swfault.*
# directory.  Everything is torn down at the end (--keep keeps the files)
# and the host's links and routes are compared before and after.
#
# usage: tests/bench/faults.sh [-o FILE] [--only kill,idle,hup,soak,fuzz]
#            [--soak MINUTES] [--fuzz SECS] [--kills N] [--idle N]
#            [--hup-secs S] [--keep]
#   defaults: all parts, --soak 20, --fuzz 180, --kills 3, --idle 10000,
#             --hup-secs 60 (about 20 + 5 x 3 + 8 minutes in all)
#   env: SOCKWARDEN=path (default build/daemon/sockwarden),
#        SWBENCH=path (default build/tests/bench/swbench, else compiled here)
set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

OUT=
PARTS="kill idle hup soak fuzz"
SOAK_MIN=20
FUZZ_SECS=180
KILLS=3
NIDLE=10000
HUP_SECS=60
KEEP=0
NLOGS=50		# logs?follow=1 streams per kill round
NEVENTS=50		# events streams per kill round

while [ $# -gt 0 ]; do
	case $1 in
	-o) OUT=$2; shift ;;
	--only) PARTS=$(echo "$2" | tr ',' ' '); shift ;;
	--soak) SOAK_MIN=$2; shift ;;
	--fuzz) FUZZ_SECS=$2; shift ;;
	--kills) KILLS=$2; shift ;;
	--idle) NIDLE=$2; shift ;;
	--hup-secs) HUP_SECS=$2; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;/^set -u/d'; exit 0 ;;
	*) echo "faults.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

flog() { printf '[faults %s] %s\n' "$(date +%T)" "$*" >&2; }
NOTES=()
note() { NOTES+=("$*"); flog "NOTE: $*"; }
DEFECTS=()
defect() { DEFECTS+=("$*"); flog "DEFECT: $*"; }

# ------------------------------------------------------------- set up
[ "$(id -u)" = 0 ] || { echo "faults.sh: needs root (private dockerd, netns)" >&2; exit 1; }
# 10,000 idle client connections: the client and sockwarden (which raises
# its soft limit to the hard one) each need that many descriptors.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" -lt $((NIDLE + 1024)) ]; then
	NIDLE=$(( $(ulimit -n) - 1024 ))
	note "ulimit -n is only $(ulimit -n): idle connections reduced to $NIDLE"
fi

host_net() { ip -br link; ip route; ip -6 route; }
HOST_BEFORE=$(host_net 2>&1)

W=$(mktemp -d /tmp/swfault.XXXXXX)
# the daemon may drop to its own user: it re-reads settings and policy
# files here on SIGHUP
chmod 755 "$W"
REPORT=$W/report.md
RAW=$W/raw.txt
: >"$RAW"
F_SW_PID=
F_BG=()			# background helpers (load, loops), killed at exit

f_cleanup() {
	local p
	set +e
	for p in "${F_BG[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$F_SW_PID" ] && kill -KILL "$F_SW_PID" 2>/dev/null
	wait 2>/dev/null
	if declare -F sw_engine_stop >/dev/null; then sw_engine_stop >/dev/null 2>&1; fi
	if [ "$KEEP" = 1 ]; then
		flog "kept $W${TEST_DIR:+ and $TEST_DIR}"
	else
		rm -rf --one-file-system "$W"
		case ${TEST_DIR:-} in /tmp/swit.*) rm -rf --one-file-system "$TEST_DIR" ;; esac
	fi
}
trap f_cleanup EXIT

SWBENCH=${SWBENCH:-$ROOT/build/tests/bench/swbench}
if [ ! -x "$SWBENCH" ] || [ "$HERE/swbench.c" -nt "$SWBENCH" ]; then
	flog "compiling swbench"
	cc -O2 -Wall -o "$W/swbench" "$HERE/swbench.c" || exit 1
	SWBENCH=$W/swbench
fi
SOCKWARDEN=${SOCKWARDEN:-$ROOT/build/daemon/sockwarden}
[ -x "$SOCKWARDEN" ] || { echo "faults.sh: no sockwarden at $SOCKWARDEN (scripts/build.sh)" >&2; exit 1; }
# a private copy: a rebuild during the run does not change what runs
cp "$SOCKWARDEN" "$W/sockwarden" && touch -r "$SOCKWARDEN" "$W/sockwarden"
SOCKWARDEN=$W/sockwarden

# other engines on this machine (other sessions' tests): the contention
others_dockerd() { pgrep -x dockerd | grep -vx "${ENGINE_PID:-0}" | wc -l; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
CONTENTION=()
contention() { CONTENTION+=("$1: load average $(loadavg), $(others_dockerd) other dockerd(s) running"); }

engine_needed() { want kill || want idle || want hup || want soak; }
if engine_needed; then
	# shellcheck source=/dev/null
	. "$ROOT/tests/integration/lib.sh"
	set +e
	set -u
	# lib.sh installs its own EXIT trap; ours replaces it
	trap f_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	flog "starting private engine (tests/integration/lib.sh) under $W/engine"
	mkdir -p "$W/engine"
	sw_engine_start "$W/engine" || { echo "faults.sh: engine failed to start" >&2; exit 1; }
	flog "engine: $ENGINE_SOCK (dockerd pid $ENGINE_PID, netns $ENGINE_NETNS)"
	DK="/usr/bin/docker -H unix://$ENGINE_SOCK"
fi

# ------------------------------------------------------------- helpers
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo na; }
fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# kinds of sockwarden's descriptors: "clients N engine N other N".  An
# accepted Unix socket belongs to the connecting side's network namespace,
# so both ends of every connection are listed here: client connections are
# sockwarden's ends of its listening socket, engine ones are the peers of
# the engine's socket
fd_kinds() { # PID SWSOCK
	local pid=$1 inodes n_cl n_up n_all
	inodes=$(for f in /proc/"$pid"/fd/*; do readlink "$f"; done 2>/dev/null |
		sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | sort -u)
	n_all=$(fds_of "$pid")
	ss -xH >"$W/ss.txt" 2>/dev/null
	n_up=$(awk -v s="$ENGINE_SOCK" '$5 == s && $2 == "ESTAB" { print $8 }' "$W/ss.txt" |
		sort -u | comm -12 - <(echo "$inodes") | wc -l)
	n_cl=$(awk -v s="$2" '$5 == s && $2 == "ESTAB" { print $6 }' "$W/ss.txt" |
		sort -u | comm -12 - <(echo "$inodes") | wc -l)
	echo "clients $n_cl engine $n_up other $((n_all - n_cl - n_up))"
}

# f_sw_start NAME [sockwarden args...]: a sockwarden for one part;
# sets F_SW_PID F_SW_SOCK F_SW_LOG F_SW_AUDIT
f_sw_start() {
	local name=$1
	shift
	F_SW_SOCK=$W/$name.sock F_SW_LOG=$W/$name.log F_SW_AUDIT=$W/$name.audit
	"$SOCKWARDEN" --listen "$F_SW_SOCK" --upstream "unix:$ENGINE_SOCK" \
		--foreground --log-level info --audit-log "$F_SW_AUDIT" "$@" >"$F_SW_LOG" 2>&1 &
	F_SW_PID=$!
	for _ in $(seq 1 100); do
		[ "$(curl -s --max-time 2 --unix-socket "$F_SW_SOCK" http://d/_ping 2>/dev/null)" = OK ] && return 0
		kill -0 "$F_SW_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -5 "$F_SW_LOG" >&2
	echo "faults.sh: sockwarden ($name) did not come up" >&2
	exit 1
}

# f_sw_stop NAME: SIGTERM; a crash, a hang or a non-zero exit is a defect
f_sw_stop() {
	local name=$1 rc=0
	[ -n "$F_SW_PID" ] || return 0
	kill -TERM "$F_SW_PID" 2>/dev/null
	for _ in $(seq 1 200); do
		kill -0 "$F_SW_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$F_SW_PID" 2>/dev/null; then
		defect "$name: sockwarden did not exit within 20 s of SIGTERM"
		kill -KILL "$F_SW_PID" 2>/dev/null
	fi
	wait "$F_SW_PID" 2>/dev/null || rc=$?
	[ $rc = 0 ] || defect "$name: sockwarden exited with status $rc (log: $(tail -3 "$F_SW_LOG" | tr '\n' ' '))"
	# a sanitizer build (SOCKWARDEN=build-asan/...) reports leaks at exit
	if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$F_SW_LOG"; then
		defect "$name: sanitizer report: $(grep -E -A3 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$F_SW_LOG" | head -8 | tr '\n' ' ')"
	fi
	F_SW_PID=
}

# kv KEY LINE: the value of key=value in LINE
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
sw_curl_code() { # METHOD PATH [curl args...]
	local m=$1 p=$2
	shift 2
	curl -s -o /dev/null -w '%{http_code}' --max-time 30 --unix-socket "$F_SW_SOCK" -X "$m" "$@" "http://d$p" 2>/dev/null
}
# the ticker: a container made through sockwarden (so the caller owns it
# under ci) that prints a line a second
ticker_new() {
	curl -s --max-time 30 --unix-socket "$F_SW_SOCK" -H 'Content-Type: application/json' \
		-d '{"Image":"swtest/busybox:latest","Cmd":["sh","-c","while :; do echo tick; sleep 1; done"]}' \
		http://d/v1.41/containers/create | sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p'
}
ticker_running() { [ "$($DK inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
ticker_ensure() { # ID: start it (through sockwarden) unless it runs
	ticker_running "$1" && return 0
	[ "$(sw_curl_code POST "/v1.41/containers/$1/start")" = 204 ] || return 1
	ticker_running "$1"
}
# a create / start / remove cycle through sockwarden: the statuses, one line
cycle_once() { # [start]
	local id c1 c2=- c3 body='{"Image":"swtest/busybox:latest","Cmd":["true"]}' out
	out=$(curl -s --max-time 30 -w ' %{http_code}' --unix-socket "$F_SW_SOCK" \
		-H 'Content-Type: application/json' -d "$body" http://d/v1.41/containers/create 2>/dev/null)
	c1=${out##* }
	id=$(printf '%s' "$out" | sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
	if [ -z "$id" ]; then echo "create=${c1:-000}"; return; fi
	if [ "${1:-}" = start ]; then
		c2=$(sw_curl_code POST "/v1.41/containers/$id/start")
	else
		c2=$(sw_curl_code GET "/v1.41/containers/$id/json")
	fi
	c3=$(sw_curl_code DELETE "/v1.41/containers/$id?force=1")
	echo "create=$c1 ${1:-inspect}=$c2 remove=$c3"
}
# non-2xx statuses in a file of cycle_once lines: "N of M"
cycle_bad() {
	awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); n++; if (kv[2] !~ /^2/) b++ } }
	     END { printf "%d of %d", b, n }' "$1"
}

# restart the engine exactly as it was started: same argv (read from
# /proc before the kill), same network namespace, same files
ENGINE_ARGV=()
engine_argv_save() {
	mapfile -d '' -t ENGINE_ARGV <"/proc/$ENGINE_PID/cmdline"
	[ "${ENGINE_ARGV[0]##*/}" = dockerd ] ||
		{ echo "faults.sh: pid $ENGINE_PID is not dockerd: ${ENGINE_ARGV[*]}" >&2; exit 1; }
}
engine_restart() {
	nsenter --net="/run/netns/$ENGINE_NETNS" -- "${ENGINE_ARGV[@]}" >>"$ENGINE_LOG" 2>&1 &
	ENGINE_PID=$!
	export ENGINE_PID
}
engine_ready() { [ "$(curl -s --max-time 1 --unix-socket "$ENGINE_SOCK" http://d/_ping 2>/dev/null)" = OK ]; }

# ------------------------------------------------------------- 1. kill
KILL_MD=$W/kill.md
part_kill() {
	local r tick base_rss base_fds base_kinds pl pe pload t_kill t_start t_ready t_sw t_insp
	local lo ev ld nf early late first_ok rss_mid fds_mid rss_after fds_after kinds_after
	local up_logs up_events
	flog "kill: sockwarden with $NLOGS logs + $NEVENTS events streams, engine SIGKILLed $KILLS time(s)"
	contention kill
	f_sw_start kill
	tick=$(ticker_new)
	[ -n "$tick" ] && ticker_ensure "$tick" || { note "kill: cannot start the ticker container"; return; }
	engine_argv_save
	# warm up: the pool and the engine watch are open, as in service
	warm() {
		"$SWBENCH" ping -s "$F_SW_SOCK" -c 4 -r 200 -d 2 -w 0 >/dev/null 2>&1
		"$SWBENCH" ping -s "$F_SW_SOCK" -c 4 -u "/v1.41/containers/$tick/json" -r 100 -d 1 -w 0 >/dev/null 2>&1
		sleep 2
	}
	warm
	base_rss=$(rss_of "$F_SW_PID") base_fds=$(fds_of "$F_SW_PID") base_kinds=$(fd_kinds "$F_SW_PID" "$F_SW_SOCK")
	echo "kill baseline rss=$base_rss fds=$base_fds $base_kinds" >>"$RAW"
	{
		echo "| round | streams headed (logs+events) | ended: complete / cut (EOF) / error status (502) / reset / **hung** | all ended within (s of SIGKILL) | outage: kill → engine ready (s) | engine ready → first sockwarden /_ping 200 (ms) | → first inspect 200 (ms) | load: requests / failed / failed before kill / **failed after ready** | first load success after the outage (ms after ready; < 0: before the 50 ms ready poll saw it) | fds with streams | fds after (baseline $base_fds) | RSS KiB with streams | RSS KiB after (baseline $base_rss) |"
		echo "|---:|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"
	} >"$KILL_MD"
	for r in $(seq 1 "$KILLS"); do
		ticker_ensure "$tick" || { note "kill round $r: the ticker does not run"; }
		"$SWBENCH" follow -s "$F_SW_SOCK" -n "$NLOGS" -d 90 \
			-u "/v1.41/containers/$tick/logs?follow=1&stdout=1&stderr=1&tail=1" >"$W/kill.$r.logs" 2>"$W/kill.$r.logs.err" &
		pl=$!
		"$SWBENCH" follow -s "$F_SW_SOCK" -n "$NEVENTS" -d 90 -u "/v1.41/events" \
			>"$W/kill.$r.events" 2>"$W/kill.$r.events.err" &
		pe=$!
		F_BG+=("$pl" "$pe")
		for _ in $(seq 1 350); do
			grep -q phase=open "$W/kill.$r.logs" && grep -q phase=open "$W/kill.$r.events" && break
			sleep 0.1
		done
		up_logs=$(kv headed "$(grep phase=open "$W/kill.$r.logs")")
		up_events=$(kv headed "$(grep phase=open "$W/kill.$r.events")")
		"$SWBENCH" ping -s "$F_SW_SOCK" -c 4 -r 200 -d 600 -w 0 -e 3 \
			3>"$W/kill.$r.fails" >"$W/kill.$r.load" 2>"$W/kill.$r.load.err" &
		pload=$!
		F_BG+=("$pload")
		sleep 3	# the logs streams get a few lines; the load runs
		rss_mid=$(rss_of "$F_SW_PID") fds_mid=$(fds_of "$F_SW_PID")
		t_kill=$(now)
		kill -KILL "$ENGINE_PID"
		wait "$ENGINE_PID" 2>/dev/null
		sleep 2	# an outage the load notices
		t_start=$(now)
		engine_restart
		t_ready=
		for _ in $(seq 1 1200); do
			if engine_ready; then t_ready=$(now); break; fi
			sleep 0.05
		done
		[ -n "$t_ready" ] || { defect "kill round $r: the engine did not come back within 60 s (test environment)"; break; }
		t_sw='' t_insp=''
		for _ in $(seq 1 600); do
			if [ "$(curl -s --max-time 5 --unix-socket "$F_SW_SOCK" http://d/_ping 2>/dev/null)" = OK ]; then
				t_sw=$(now); break
			fi
			sleep 0.02
		done
		for _ in $(seq 1 600); do
			if [ "$(sw_curl_code GET "/v1.41/containers/$tick/json")" = 200 ]; then
				t_insp=$(now); break
			fi
			sleep 0.02
		done
		# the streams: every one must have ended (the follow clients
		# give up 90 s after their heads: those would be hung)
		wait "$pl" "$pe"
		sleep 3
		kill -INT "$pload"
		wait "$pload"
		lo=$(tail -1 "$W/kill.$r.logs") ev=$(tail -1 "$W/kill.$r.events") ld=$(tail -1 "$W/kill.$r.load")
		echo "kill round $r logs: $lo" >>"$RAW"
		echo "kill round $r events: $ev" >>"$RAW"
		echo "kill round $r load: $ld" >>"$RAW"
		echo "kill round $r t_kill=$t_kill t_start=$t_start t_ready=$t_ready t_sw=$t_sw t_insp=$t_insp" >>"$RAW"
		sed 's/^/kill round '"$r"' load-log: /' "$W/kill.$r.fails" | head -5 >>"$RAW"
		# failures: sent before the kill / sent after the engine was ready
		nf=$(grep -c '^fail' "$W/kill.$r.fails")
		early=$(awk -v t="$t_kill" '$1 == "fail" && $3 < t' "$W/kill.$r.fails" | wc -l)
		late=$(awk -v t="$t_ready" '$1 == "fail" && $2 >= t' "$W/kill.$r.fails" | wc -l)
		first_ok=$(awk -v t="$t_ready" '$1 == "ok" && $3 >= t { print $3; exit }' "$W/kill.$r.fails")
		[ -n "$first_ok" ] || first_ok=$(awk -v t="$t_kill" '$1 == "ok" && $3 >= t { print $3; exit }' "$W/kill.$r.fails")
		# leak check once the streams are gone: the same warm-up as
		# before the baseline, then the watch (backoff <= 5 s) is back
		warm
		sleep 4
		rss_after=$(rss_of "$F_SW_PID") fds_after=$(fds_of "$F_SW_PID") kinds_after=$(fd_kinds "$F_SW_PID" "$F_SW_SOCK")
		echo "kill round $r after rss=$rss_after fds=$fds_after $kinds_after" >>"$RAW"
		local hung lastend
		hung=$(( $(kv hung "$lo") + $(kv hung "$ev") ))
		lastend=$(awk -v a="$(kv last_end "$lo")" -v b="$(kv last_end "$ev")" 'BEGIN { print (a > b ? a : b) }')
		printf '| %s | %s+%s | %s / %s / %s (%s) / %s / **%s** | %s | %s | %s | %s | %s / %s / %s / **%s** | %s | %s | %s | %s | %s |\n' \
			"$r" "$up_logs" "$up_events" \
			"$(( $(kv complete "$lo") + $(kv complete "$ev") ))" \
			"$(( $(kv cut "$lo") + $(kv cut "$ev") ))" \
			"$(( $(kv status "$lo") + $(kv status "$ev") ))" \
			"$(( $(kv status_502 "$lo") + $(kv status_502 "$ev") ))" \
			"$(( $(kv reset "$lo") + $(kv reset "$ev") ))" "$hung" \
			"$(awk -v a="$t_kill" -v b="$lastend" 'BEGIN { printf "%.2f", b - a }')" \
			"$(awk -v a="$t_kill" -v b="$t_ready" 'BEGIN { printf "%.1f", b - a }')" \
			"$( [ -n "$t_sw" ] && ms "$t_ready" "$t_sw" || echo never)" \
			"$( [ -n "$t_insp" ] && ms "$t_ready" "$t_insp" || echo never)" \
			"$(kv all_reqs "$ld")" "$nf" "$early" "$late" \
			"$( [ -n "$first_ok" ] && ms "$t_ready" "$first_ok" || echo -)" \
			"$fds_mid" "$fds_after" "$rss_mid" "$rss_after" >>"$KILL_MD"
		[ "$hung" = 0 ] || defect "kill round $r: $hung stream(s) still open 90 s after their heads (hang)"
		[ "$late" = 0 ] || defect "kill round $r: $late request(s) sent after the engine was ready failed"
		[ "$early" = 0 ] || defect "kill round $r: $early request(s) failed before the engine was killed"
		[ -n "$t_sw" ] || defect "kill round $r: no /_ping through sockwarden succeeded within 12 s of the engine being ready"
		[ "$((up_logs + up_events))" = $((NLOGS + NEVENTS)) ] ||
			note "kill round $r: only $up_logs+$up_events of $NLOGS+$NEVENTS streams had their heads"
		[ "$(kv with_data "$lo")" = "$NLOGS" ] ||
			note "kill round $r: $(kv with_data "$lo") of $NLOGS logs streams received data before the kill"
		F_BG=()
	done
	{
		echo
		echo "Baseline (after a warm-up, no streams): $base_fds descriptors ($base_kinds), VmRSS $base_rss KiB. The engine connections are sockwarden's own: the /events watch (daemon/engine/watch.c) and its pool of engine client connections (up to 4, opened on demand); \"after\" is measured after the same warm-up and 4 s for the watch to reconnect (its backoff is at most 5 s): $kinds_after."
		echo
		echo "Streams: $NLOGS \`GET /v1.41/containers/ID/logs?follow=1&stdout=1&stderr=1&tail=1\` of a container printing a line a second (made through sockwarden: the caller owns it under \`ci\`) and $NEVENTS \`GET /v1.41/events\`, each its own connection (\`swbench follow\`). *complete*: the body ended properly (terminal chunk); *cut*: the connection closed mid-body (EOF: how a proxy says the engine went away; a direct client of a killed engine sees the same); *error status*: a non-200 answer; *hung*: still open when the client gave up, 90 s after the heads. Load: \`swbench ping -c 4 -r 200\` (keep-alive, paced to 200 req/s in all) from 3 s before the kill until 3 s after the streams ended; a failure is a non-200 status or a connection that failed; *failed after ready* counts requests **sent** after the engine answered its own /_ping. The engine is restarted 2 s after the SIGKILL, with the same arguments in the same network namespace; \"ready\" is its first /_ping answer, polled every 50 ms directly; the sockwarden probes are fresh \`curl\` connections polled every 20 ms after that."
	} >>"$KILL_MD"
	f_sw_stop kill
}

# ------------------------------------------------------------- 2. idle
IDLE_MD=$W/idle.md
# idle_rows LABEL OUT RSS_CLOSED FDS_CLOSED: the table rows of one swbench idle run
idle_rows() {
	local l=$1 o=$2
	echo "| $l: connections open and idle when measured | $(( $(kv ok "$o") - $(kv closed_after "$o") )) of $(kv n "$o") (not answered 200: $(kv bad "$o"); closed early: $(kv closed_after "$o")) |"
	echo "| $l: time to open them | $(kv open_secs "$o") s |"
	echo "| $l: sockwarden VmRSS before / with them | $(kv rss_before_kib "$o") / $(kv rss_after_kib "$o") KiB |"
	echo "| **$l: RSS per idle connection** | **$(kv kib_per_conn "$o") KiB** |"
	echo "| $l: descriptors before / with them | $(kv fds_before "$o") / $(kv fds_after "$o") |"
	echo "| $l: VmRSS / descriptors once they closed | $3 KiB / $4 |"
	echo "| $l: new client /_ping p50 / p90 / p99, before | $(kv probe_before_p50_us "$o") / $(kv probe_before_p90_us "$o") / $(kv probe_before_p99_us "$o") µs |"
	echo "| **$l: same, while they are open** | **$(kv probe_during_p50_us "$o") / $(kv probe_during_p90_us "$o") / $(kv probe_during_p99_us "$o") µs** |"
	echo "| $l: same, 1 s after they closed | $(kv probe_after_p50_us "$o") / $(kv probe_after_p90_us "$o") / $(kv probe_after_p99_us "$o") µs |"
	echo "| $l: p50 ratio during / before, during / after | $(awk -v a="$(kv probe_during_p50_us "$o")" -v b="$(kv probe_before_p50_us "$o")" -v c="$(kv probe_after_p50_us "$o")" 'BEGIN { if (b > 0 && c > 0) printf "%.2fx, %.2fx", a / b, a / c; else print "-" }') |"
	echo "| $l: failed probes before / during / after | $(kv probe_before_failed "$o") / $(kv probe_during_failed "$o") / $(kv probe_after_failed "$o") |"
}
# idle_check LABEL OUT N: a defect when connections were lost or probes failed
idle_check() {
	[ "$(kv ok "$2")" = "$3" ] || defect "idle ($1): only $(kv ok "$2") of $3 idle connections got their /_ping answered"
	[ "$(kv closed_after "$2")" = 0 ] || defect "idle ($1): $(kv closed_after "$2") idle connections were closed early"
	[ "$(kv probe_during_failed "$2")" = 0 ] || defect "idle ($1): $(kv probe_during_failed "$2") new-client probes failed while the idle connections were open"
}
part_idle() {
	local conf=$W/idle.conf quiet again pinged burst direct why n2 rq fq rq2 fq2 rp fp bok bbad
	# a /_ping that was answered keeps its engine connection: 2 descriptors
	# each, and the hard limit here may not be raised (no CAP_SYS_RESOURCE
	# in a container)
	n2=$(( ($(ulimit -Hn) - 256) / 2 ))
	[ "$n2" -lt "$NIDLE" ] || n2=$NIDLE
	flog "idle: $NIDLE silent and $n2 pinged idle keep-alive connections"
	contention idle
	printf 'max_connections %d\nmax_connections_per_caller %d\nidle_timeout 900s\nheader_timeout 900s\n' \
		$((NIDLE + 2048)) $((NIDLE + 2048)) >"$conf"
	# a. connections that send nothing (no engine connection behind them)
	f_sw_start idle --config "$conf"
	sleep 1
	quiet=$("$SWBENCH" idle -q -s "$F_SW_SOCK" -n "$NIDLE" -k 200 -t 2 -P "$F_SW_PID" 2>"$W/idle-q.err")
	echo "idle, silent: $quiet" >>"$RAW"
	sleep 3
	rq=$(rss_of "$F_SW_PID") fq=$(fds_of "$F_SW_PID")
	echo "idle, silent, after close: rss=$rq fds=$fq" >>"$RAW"
	# again on the same sockwarden: freed memory is reused, not leaked
	again=$("$SWBENCH" idle -q -s "$F_SW_SOCK" -n "$NIDLE" -k 20 -t 2 -P "$F_SW_PID" 2>>"$W/idle-q.err")
	echo "idle, silent, again: $again" >>"$RAW"
	sleep 3
	rq2=$(rss_of "$F_SW_PID") fq2=$(fds_of "$F_SW_PID")
	echo "idle, silent, again, after close: rss=$rq2 fds=$fq2" >>"$RAW"
	f_sw_stop idle
	# b. one /_ping each, then idle; opened 500 at a time (each batch
	#    answered before the next), as idle connections pile up in service
	f_sw_start idle2 --config "$conf"
	sleep 1
	pinged=$("$SWBENCH" idle -s "$F_SW_SOCK" -n "$n2" -b 500 -k 200 -t 2 -P "$F_SW_PID" 2>"$W/idle.err")
	echo "idle, pinged: $pinged" >>"$RAW"
	sleep 3
	rp=$(rss_of "$F_SW_PID") fp=$(fds_of "$F_SW_PID")
	echo "idle, pinged, after close: rss=$rp fds=$fp" >>"$RAW"
	f_sw_stop idle2
	# c. the same number all at once, through a fresh sockwarden and,
	#    for comparison, straight to the engine
	f_sw_start burst --config "$conf"
	sleep 1
	# three bursts: whether the engine's backlog overflows is a race
	bok=0 bbad=0
	for _ in 1 2 3; do
		burst=$("$SWBENCH" idle -s "$F_SW_SOCK" -n "$n2" -k 20 -t 1 -P "$F_SW_PID" 2>>"$W/burst.err")
		echo "burst via sockwarden: $burst" >>"$RAW"
		bok=$((bok + $(kv ok "$burst"))) bbad=$((bbad + $(kv bad "$burst") + $(kv unanswered "$burst")))
		sleep 2
	done
	why=$(grep -v '"type":"audit"' "$F_SW_LOG" | sed -n 's/.*: GET \/_ping: //p' | sort | uniq -c | sort -rn | head -3 | sed 's/^ *//' | tr '\n' ';')
	echo "burst via sockwarden, refusals: $why" >>"$RAW"
	f_sw_stop burst
	sleep 2
	direct=$("$SWBENCH" idle -s "$ENGINE_SOCK" -n "$n2" -k 20 -t 1 -P "$ENGINE_PID" 2>"$W/direct.err")
	echo "burst direct: $direct" >>"$RAW"
	sleep 3
	{
		echo "| figure | value |"
		echo "|---|---:|"
		idle_rows "silent" "$quiet" "$rq" "$fq"
		idle_rows "pinged" "$pinged" "$rp" "$fp"
		echo "| silent, a second time on the same sockwarden: VmRSS with them / once they closed | $(kv rss_after_kib "$again") / $rq2 KiB (first time: $(kv rss_after_kib "$quiet") / $rq); still open $(( $(kv ok "$again") - $(kv closed_after "$again") )) of $NIDLE |"
		echo "| **burst**: $n2 connections opened at once, each sending /_ping, through sockwarden, 3 times: answered 200 | **$bok of $((3 * n2))** (not 200: $bbad; last burst $(kv open_secs "$burst") s) |"
		echo "| burst: sockwarden's answers other than 200 | ${why:-none} |"
		echo "| burst straight to the engine (same client): answered 200 | $(kv ok "$direct") of $n2 ($(kv open_secs "$direct") s) |"
		echo
		echo "*silent*: $NIDLE connections that send nothing (\`swbench idle -q\`): only the client side exists, no engine connection. *pinged*: $n2 connections that each send \`GET /_ping\`, read the answer and stay open (\`swbench idle -b 500\`: 500 at a time, each batch answered before the next); sockwarden keeps each one's engine connection, so each costs it two descriptors, and the hard limit on descriptors on this machine is $(ulimit -Hn) and cannot be raised (no CAP_SYS_RESOURCE): hence $n2, not $NIDLE. A probe is a new client: connect + \`GET /_ping\` + whole answer + close, 200 in a row (20 for the bursts). RSS per connection = (VmRSS with them, 2 s after the last was opened or answered) − (VmRSS before), / connections: user-space memory (socket buffers are kernel memory, not in VmRSS). \"Once they closed\" is 3 s after the client exited: glibc keeps the freed heap."
		echo
		echo "Settings (a settings file): \`max_connections $((NIDLE + 2048))\`, \`max_connections_per_caller $((NIDLE + 2048))\` (raised: every connection comes from one caller, uid 0 outside any container; the default 1024 per caller would answer the 1025th with 503), \`idle_timeout 900s\`, \`header_timeout 900s\` (a silent connection is otherwise closed with 408 after 30 s); \`ulimit -n $(ulimit -n)\` set by the script (sockwarden raises its soft limit to the hard one). The engine's listen backlog is \`net.core.somaxconn\` = $(cat /proc/sys/net/core/somaxconn)."
	} >"$IDLE_MD"
	idle_check silent "$quiet" "$NIDLE"
	idle_check pinged "$pinged" "$n2"
	if [ "$bok" != $((3 * n2)) ] && [ "$(kv ok "$direct")" = "$n2" ]; then
		defect "idle burst: $bbad of $((3 * n2)) simultaneous requests (3 bursts of $n2) got an error from sockwarden ($why) where the engine itself, asked directly by the same client, answered all $n2"
	fi
}

# ------------------------------------------------------------- 3. hup
HUP_MD=$W/hup.md
part_hup() {
	local conf=$W/hup.conf policy=$W/hup-policy.json pload pcyc sent=0 t_end out cyc_bad
	local ok_log fail_log met_ok met_fail gen
	flog "hup: SIGHUP every 100 ms for ${HUP_SECS}s under load"
	contention hup
	echo '{ "extends": "ci" }' >"$policy"
	printf 'policy %s\nlog_level info\n' "$policy" >"$conf"
	chmod 644 "$policy" "$conf"
	f_sw_start hup --config "$conf" --metrics-listen "unix:$W/hup-metrics.sock"
	"$SWBENCH" ping -s "$F_SW_SOCK" -c 8 -r 800 -d $((HUP_SECS + 4)) -w 0 -e 3 \
		3>"$W/hup.fails" >"$W/hup.load" 2>"$W/hup.load.err" &
	pload=$!
	(
		while [ ! -e "$W/hup.stop" ]; do
			cycle_once
			cycle_once start
			sleep 0.2
		done
	) >"$W/hup.cycles" &
	pcyc=$!
	F_BG+=("$pload" "$pcyc")
	sleep 2
	t_end=$(( $(date +%s%N) + HUP_SECS * 1000000000 ))
	# paced by the clock, not by sleep alone: 10 signals a second
	local next d
	next=$(date +%s%N)
	while [ "$next" -lt "$t_end" ]; do
		kill -HUP "$F_SW_PID" && sent=$((sent + 1))
		next=$((next + 100000000))
		d=$(( next - $(date +%s%N) ))
		[ $d -gt 0 ] && sleep "$(awk -v d=$d 'BEGIN { printf "%.3f", d / 1e9 }')"
	done
	sleep 1
	touch "$W/hup.stop"
	wait "$pcyc"
	wait "$pload"
	out=$(tail -1 "$W/hup.load")
	echo "hup load: $out" >>"$RAW"
	ok_log=$(grep -c 'SIGHUP: reloaded' "$F_SW_LOG")
	fail_log=$(grep -c 'SIGHUP: .*invalid' "$F_SW_LOG")
	met_ok=$(curl -s --max-time 5 --unix-socket "$W/hup-metrics.sock" http://d/metrics | awk '/^sockwarden_reloads_total\{result="ok"\}/ { print $2 }')
	met_fail=$(curl -s --max-time 5 --unix-socket "$W/hup-metrics.sock" http://d/metrics | awk '/^sockwarden_reloads_total\{result="failed"\}/ { print $2 }')
	gen=$(curl -s --max-time 5 --unix-socket "$W/hup-metrics.sock" http://d/metrics | awk '/^sockwarden_policy_generation/ { print $2 }')
	cyc_bad=$(cycle_bad "$W/hup.cycles")
	local audit_bad
	audit_bad=$(grep -c '^{"type":"audit"' "$F_SW_AUDIT")
	audit_bad="$(jq -r 'select(.status >= 400) | .status' "$F_SW_AUDIT" 2>/dev/null | wc -l) of $audit_bad"
	echo "hup: sent=$sent reloaded_log=$ok_log failed_log=$fail_log metrics_ok=$met_ok metrics_failed=$met_fail generation=$gen cycles_bad=$cyc_bad audit_bad=$audit_bad" >>"$RAW"
	{
		echo "| figure | value |"
		echo "|---|---:|"
		echo "| SIGHUPs sent (every 100 ms for ${HUP_SECS} s) | $sent |"
		echo "| reloads logged as taken (\`SIGHUP: reloaded\`) / failed | $ok_log / $fail_log |"
		echo "| \`sockwarden_reloads_total\` ok / failed; \`sockwarden_policy_generation\` | $met_ok / $met_fail; $gen |"
		echo "| /_ping load (c=8, keep-alive, paced to 800 req/s): requests | $(kv all_reqs "$out") |"
		echo "| **/_ping failed (non-200 or connection error)** | **$(kv errors "$out")** |"
		echo "| /_ping p50 / p99 / max latency | $(kv p50_us "$out") / $(kv p99_us "$out") / $(kv max_us "$out") µs |"
		echo "| container cycles (create, inspect or start, remove; curl, a fresh connection each) | $(wc -l <"$W/hup.cycles") |"
		echo "| **cycle requests not 2xx (incl. no answer)** | **$cyc_bad** |"
		echo "| audit records with status ≥ 400 | $audit_bad |"
		echo
		echo "sockwarden ran with \`--config\` (\`policy\` = a file that says \`{ \"extends\": \"ci\" }\`, \`log_level info\`): each SIGHUP re-reads both files and swaps the policy. The load ran from 2 s before the first signal to 3 s after the last (\`swbench ping -c 8 -r 800\`), the cycles in a loop (each pair: create + inspect + remove, then create + start + remove, 0.2 s pause)."
	} >"$HUP_MD"
	[ "$(kv errors "$out")" = 0 ] || defect "hup: $(kv errors "$out") /_ping request(s) failed under SIGHUP (see the raw fail log)"
	case $cyc_bad in 0\ of*) ;; *) defect "hup: cycle requests failed: $cyc_bad (raw: $(grep -v 'create=201 inspect=200 remove=204' "$W/hup.cycles" | grep -v 'create=201 start=204 remove=204' | head -3 | tr '\n' ';'))" ;; esac
	[ "$ok_log" = "$sent" ] || note "hup: $sent SIGHUPs sent, $ok_log reloads logged (signals that arrive while one is pending merge: POSIX)"
	sed 's/^/hup fail-log: /' "$W/hup.fails" | head -20 >>"$RAW"
	f_sw_stop hup
	F_BG=()
}

# ------------------------------------------------------------- 4. soak
SOAK_MD=$W/soak.md
part_soak() {
	local secs=$((SOAK_MIN * 60)) tick pp pi pc ps t0 s out_p out_i
	flog "soak: ${SOAK_MIN} min of mixed load"
	contention soak
	f_sw_start soak
	tick=$(ticker_new)
	[ -n "$tick" ] && ticker_ensure "$tick" || { note "soak: cannot start the ticker container"; return; }
	"$SWBENCH" ping -s "$F_SW_SOCK" -c 2 -r 40 -d "$secs" -w 0 -e 3 \
		3>"$W/soak.ping.fails" >"$W/soak.ping" 2>"$W/soak.ping.err" &
	pp=$!
	"$SWBENCH" ping -s "$F_SW_SOCK" -c 1 -r 10 -d "$secs" -w 0 -e 3 -u "/v1.41/containers/$tick/json" \
		3>"$W/soak.insp.fails" >"$W/soak.insp" 2>"$W/soak.insp.err" &
	pi=$!
	(	# a create/start/remove cycle every 5 s
		while [ ! -e "$W/soak.stop" ]; do cycle_once start; sleep 5; done
	) >"$W/soak.cycles" &
	pc=$!
	(	# two streams opened every 15 s, closed by the client after 10 s
		while [ ! -e "$W/soak.stop" ]; do
			for u in "/v1.41/events" "/v1.41/containers/$tick/logs?follow=1&stdout=1&tail=1"; do
				curl -s -N -o /dev/null -w '%{http_code}\n' --max-time 10 \
					--unix-socket "$F_SW_SOCK" "http://d$u" &
			done
			wait
			sleep 5
		done
	) >"$W/soak.streams" 2>/dev/null &
	ps=$!
	F_BG+=("$pp" "$pi" "$pc" "$ps")
	t0=$(date +%s)
	echo "t_s rss_kib fds" >"$W/soak.series"
	for s in $(seq 0 30 "$secs"); do
		while [ $(( $(date +%s) - t0 )) -lt "$s" ]; do sleep 1; done
		echo "$s $(rss_of "$F_SW_PID") $(fds_of "$F_SW_PID")" >>"$W/soak.series"
	done
	touch "$W/soak.stop"
	wait "$pp" "$pi" "$pc" "$ps"
	sleep 5
	echo "idle $(rss_of "$F_SW_PID") $(fds_of "$F_SW_PID")" >>"$W/soak.series"
	out_p=$(tail -1 "$W/soak.ping") out_i=$(tail -1 "$W/soak.insp")
	echo "soak ping: $out_p" >>"$RAW"
	echo "soak inspect: $out_i" >>"$RAW"
	local streams_ok streams_all
	streams_all=$(wc -l <"$W/soak.streams")
	streams_ok=$(grep -c '^200$' "$W/soak.streams")
	{
		awk 'NR > 1 && $1 != "idle" { if (!n++) { f = $2; ff = $3 } l = $2; lf = $3
			if ($2 > m) m = $2; if ($3 > mf) mf = $3; if ($1 == 60) { r1 = $2; f1 = $3 } }
		     $1 == "idle" { ir = $2; ifd = $3 }
		     END {
			print "| | first (t=0) | at 1 min | last (under load) | max | idle, 5 s after the load |"
			print "|---|---:|---:|---:|---:|---:|"
			printf "| VmRSS KiB | %d | %s | %d | %d | %d |\n", f, r1 == "" ? "-" : r1, l, m, ir
			printf "| descriptors | %d | %s | %d | %d | %d |\n", ff, f1 == "" ? "-" : f1, lf, mf, ifd }' "$W/soak.series"
		echo
		echo "Load over ${SOAK_MIN} min: /_ping $(kv all_reqs "$out_p") requests ($(kv errors "$out_p") failed; c=2 paced to 40 req/s), container inspects $(kv all_reqs "$out_i") ($(kv errors "$out_i") failed; paced to 10 req/s, each resolved for ownership), create/start/remove cycles $(wc -l <"$W/soak.cycles") (requests not 2xx: $(cycle_bad "$W/soak.cycles")), streams $streams_all opened (\`events\` and \`logs?follow=1\`, two every 15 s, each closed by the client after 10 s; answered 200: $streams_ok)."
		echo
		echo "<details><summary>series (every 30 s)</summary>"
		echo
		echo "| t (s) | VmRSS KiB | descriptors |"
		echo "|---:|---:|---:|"
		awk 'NR > 1 { printf "| %s | %s | %s |\n", $1, $2, $3 }' "$W/soak.series"
		echo
		echo "</details>"
	} >"$SOAK_MD"
	cat "$W/soak.series" | sed 's/^/soak series: /' >>"$RAW"
	[ "$(kv errors "$out_p")" = 0 ] || note "soak: $(kv errors "$out_p") /_ping request(s) failed"
	[ "$(kv errors "$out_i")" = 0 ] || note "soak: $(kv errors "$out_i") inspect request(s) failed"
	f_sw_stop soak
	F_BG=()
}

# ------------------------------------------------------------- 5. fuzz
FUZZ_MD=$W/fuzz.md
part_fuzz() {
	local rc=0
	flog "fuzz: tests/fuzz/smoke.sh $FUZZ_SECS (each target)"
	contention fuzz
	"$ROOT/tests/fuzz/smoke.sh" "$FUZZ_SECS" >"$W/fuzz.out" 2>"$W/fuzz.err" || rc=$?
	sed 's/^/fuzz: /' "$W/fuzz.out" >>"$RAW"
	{
		echo "| target | executions | exec/s | final cov / ft | corpus (units / size), start → end | new units | peak RSS MB | findings |"
		echo "|---|---:|---:|---:|---:|---:|---:|---|"
		awk -v errf="$W/fuzz.err" '
			function flush(   l, in_t) {
				if (t == "") return
				# smoke.sh says "smoke.sh: T FAILED; ..." on stderr, then
				# the tail of the target log: its SUMMARY and input path
				find = "none"
				while ((getline l < errf) > 0) {
					if (l ~ /^smoke\.sh: /) in_t = index(l, "smoke.sh: " t " FAILED") > 0
					if (!in_t) continue
					if (find == "none") find = "**FAILED**"
					if (l ~ /SUMMARY|Test unit written to|ERROR: libFuzzer/) find = find "<br>" l
				}
				close(errf)
				printf "| %s | %s | %s | %s / %s | %s → %s | %s | %s | %s |\n", t, ex, eps, cov, ft, c0, c1, nu, rss, find
				t = ""
			}
			/^== / { flush(); t = $2; ex = eps = cov = ft = c0 = c1 = nu = rss = "-" }
			/INITED/ { for (i = 1; i <= NF; i++) if ($i == "corp:") c0 = $(i + 1) }
			/DONE/ { for (i = 1; i <= NF; i++) { if ($i == "cov:") cov = $(i + 1); if ($i == "ft:") ft = $(i + 1); if ($i == "corp:") c1 = $(i + 1) } }
			/^stat::number_of_executed_units:/ { ex = $2 }
			/^stat::average_exec_per_sec:/ { eps = $2 }
			/^stat::new_units_added:/ { nu = $2 }
			/^stat::peak_rss_mb:/ { rss = $2 }
			END { flush() }' "$W/fuzz.out"
		echo
		echo "\`tests/fuzz/smoke.sh $FUZZ_SECS\`: each libFuzzer target (clang, build-fuzz/) for $FUZZ_SECS s on one core, from its seed corpus and regression inputs, with its dictionary if any; coverage and corpus from libFuzzer's INITED and DONE lines (cov: edges, ft: features). Exit status of smoke.sh: $rc."
	} >"$FUZZ_MD"
	if [ $rc != 0 ]; then
		defect "fuzz: smoke.sh failed (status $rc): $(grep -E 'FAILED|SUMMARY|ERROR|error:|Test unit written' "$W/fuzz.err" | head -8 | tr '\n' ' ')"
		cp "$W/fuzz.err" "$W/fuzz.failure.txt"
	fi
}

# ------------------------------------------------------------- run
T_ALL=$(date +%s)
want kill && part_kill
want idle && part_idle
want hup && part_hup
want soak && part_soak
# the engine is not needed for fuzzing: free the machine first
engine_needed && sw_engine_stop >/dev/null 2>&1
want fuzz && part_fuzz

# leave the host as found: our namespace, processes and mounts gone; links
# and routes unchanged (other sessions' engines live in their own
# namespaces, so these should not move either)
HOST_AFTER=$(host_net 2>&1)
HOSTCHK="links and routes unchanged"
if [ "$HOST_BEFORE" != "$HOST_AFTER" ]; then
	HOSTCHK="**links or routes changed**: $(diff <(echo "$HOST_BEFORE") <(echo "$HOST_AFTER") | grep '^[<>]' | head -5 | tr '\n' ' ')"
	defect "host network changed during the run: $HOSTCHK"
fi
LEFTOVER=
[ -n "${ENGINE_NETNS:-}" ] && [ -e "/run/netns/$ENGINE_NETNS" ] && LEFTOVER="$LEFTOVER netns $ENGINE_NETNS;"
[ "$(pgrep -f -- "$W/" | grep -vx $$ | wc -l)" = 0 ] || LEFTOVER="$LEFTOVER processes: $(pgrep -af -- "$W/" | cut -c1-80 | tr '\n' ' ');"
grep -q " $W/" /proc/self/mounts && LEFTOVER="$LEFTOVER mounts under $W;"
[ -z "$LEFTOVER" ] || defect "left behind after teardown:$LEFTOVER"

{
	echo "## sockwarden under faults and load ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo
	echo "$(nproc) CPUs, $(uname -r), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); engine $(dockerd --version 2>/dev/null | sed 's/Docker version //'); sockwarden $("$SOCKWARDEN" --version 2>&1 | head -1) ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null)$(cd "$ROOT" && git diff --quiet HEAD 2>/dev/null || echo '+changes')), $(ldd "$SOCKWARDEN" 2>/dev/null | grep -q libasan && echo 'ASan+UBSan build (RSS figures not comparable)' || echo "$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$ROOT/build/CMakeCache.txt" 2>/dev/null) build"); \`tests/bench/faults.sh$([ "$PARTS" = "kill idle hup soak fuzz" ] || echo " --only $(echo $PARTS | tr ' ' ',')") --soak $SOAK_MIN --fuzz $FUZZ_SECS --kills $KILLS --idle $NIDLE --hup-secs $HUP_SECS\`, $(( ($(date +%s) - T_ALL) / 60 )) min."
	echo
	echo "**Shared machine.** Other sessions ran their own engines and tests at the same time; absolute times and rates move with that load, so the figures that matter are counts (failed, hung, leaked) and ratios. Load when each part started:"
	for c in "${CONTENTION[@]}"; do echo "- $c"; done
	echo
	if want kill; then echo "### 1. Engine SIGKILLed and restarted under streams and load"; echo; cat "$KILL_MD"; echo; fi
	if want idle; then echo "### 2. $NIDLE idle connections"; echo; cat "$IDLE_MD"; echo; fi
	if want hup; then echo "### 3. SIGHUP every 100 ms for ${HUP_SECS} s under load"; echo; cat "$HUP_MD"; echo; fi
	if want soak; then echo "### 4. Soak, ${SOAK_MIN} min"; echo; cat "$SOAK_MD"; echo; fi
	if want fuzz; then echo "### 5. Fuzz campaign, ${FUZZ_SECS} s per target"; echo; cat "$FUZZ_MD"; echo; fi
	echo "### Host"
	echo
	echo "Private engine in network namespace ${ENGINE_NETNS:-none}, torn down at the end; host $HOSTCHK (\`ip -br link\`, \`ip route\`, \`ip -6 route\` before and after)${LEFTOVER:+; left behind:$LEFTOVER}."
	echo
	echo "### Defects"
	echo
	if [ ${#DEFECTS[@]} -eq 0 ]; then echo "None seen in this run."; else for d in "${DEFECTS[@]}"; do echo "- $d"; done; fi
	echo
	if [ ${#NOTES[@]} -gt 0 ]; then
		echo "### Notes"
		echo
		for n in "${NOTES[@]}"; do echo "- $n"; done
		echo
	fi
	echo "<details><summary>raw results</summary>"
	echo
	echo '```'
	cat "$RAW"
	echo '```'
	echo "</details>"
} >"$REPORT"

cat "$REPORT"
if [ -n "$OUT" ]; then
	cp "$REPORT" "$OUT"
	flog "wrote $OUT"
fi
[ ${#DEFECTS[@]} -eq 0 ]
