/*
 * swbench.c - a small, efficient HTTP/1.1-over-Unix-socket load generator
 * for the sockwarden benchmark (tests/bench/bench.sh).  libc + epoll only.
 *
 *   swbench ping    -s SOCK [-c CONC] [-d SECS] [-w WARMUP] [-u PATH] [-P PID]
 *                   [-r RATE] [-e FD]
 *       CONC keep-alive connections, exactly one request in flight on each
 *       (no pipelining).  Prints requests/s, p50/p99/p999 latency, and, with
 *       -P, the CPU (utime+stime) PID used during the measured window.
 *       -r paces the load to RATE requests/s in all (0: as fast as it goes);
 *       -e writes one line per failed request to FD, and one for the first
 *       success after failures ("fail|ok SENT DONE STATUS", epoch seconds).
 *       SIGINT/SIGTERM end the measured window early.
 *   swbench streams -s SOCK [-n N] [-t SETTLE] [-u PATH] [-P PID]
 *       Opens N idle GET /events streams, waits until every one has its
 *       response head, lets things settle, and prints VmRSS of PID before
 *       and after (KiB per stream).
 *   swbench get     -s SOCK -u PATH [-P PID]
 *       One GET; reads the whole body (Content-Length, chunked or EOF) and
 *       prints bytes and MB/s (1 MB = 10^6 bytes).
 *   swbench put     -s SOCK -u PATH -f FILE [-T CTYPE] [-P PID]
 *       One PUT of FILE (Content-Length framing, sendfile) and prints MB/s.
 *   swbench follow  -s SOCK -n N -u PATH [-d MAXSECS]
 *       Opens N streams of PATH (logs?follow=1, events), prints a first line
 *       (phase=open) once every response head came, then waits until each
 *       stream has ended, at most MAXSECS (120), and says how each ended: a
 *       complete body, a cut one (EOF), an error status, a reset, or not at
 *       all (hung).
 *   swbench idle    -s SOCK -n N [-b BATCH] [-q] [-k PROBES] [-t SETTLE] [-P PID]
 *       Opens N keep-alive connections that each make one /_ping and then
 *       stay idle (BATCH at a time, each batch answered before the next
 *       opens; default all at once; -q: they send nothing at all); prints
 *       VmRSS and open descriptors of PID before and after, and the latency
 *       of PROBES /_ping requests of a new client (one fresh connection
 *       each) before, while and after the N are open.
 *
 * Output is one line of key=value pairs on stdout; diagnostics on stderr.
 * Exit status is non-zero when anything went wrong (errors > 0, bad status).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- util */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Wall-clock seconds of a CLOCK_MONOTONIC time in ns, for logs that the
 * calling script lines up with its own `date +%s.%N`. */
static double epoch_of_ns(uint64_t mono_ns)
{
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	return rt.tv_sec + rt.tv_nsec / 1e9 - (double)(now_ns() - mono_ns) / 1e9;
}

static void die(const char *msg)
{
	fprintf(stderr, "swbench: %s: %s\n", msg, strerror(errno));
	exit(2);
}

static int unix_connect(const char *path, int nonblock)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	{
		/* Bounds a connect stuck on a full backlog and, for the blocking
		 * modes, any read or write that never completes. */
		struct timeval tv = { 60, 0 };
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
	/* Blocking connect: with a full listen backlog a Unix-socket connect
	 * waits for accept() instead of failing with EAGAIN. */
	for (;;) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			break;
		if (errno == EINTR)
			continue;
		close(fd);
		return -1;
	}
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* utime+stime of a process, in clock ticks; -1 when unreadable. */
static long long proc_cpu_ticks(int pid)
{
	char path[64], buf[4096], *p;
	unsigned long long ut, st;
	ssize_t n;
	int fd, i;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');		/* comm may contain spaces */
	if (!p)
		return -1;
	p += 2;				/* now at field 3 (state) */
	for (i = 3; i < 14 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static long proc_rss_kib(int pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Open descriptors of a process (entries of /proc/PID/fd); -1 when unreadable. */
static long proc_fd_count(int pid)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *d;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* ------------------------------------------------------- response parser */

enum rp_state {
	RP_HEAD = 0, RP_BODY_CL, RP_BODY_EOF, RP_CHUNK_SIZE, RP_CHUNK_DATA,
	RP_CHUNK_CRLF, RP_TRAILER, RP_DONE, RP_ERROR
};

struct resp {
	enum rp_state	state;
	int		status;
	int		conn_close;
	int		head_only;	/* response to HEAD: no body */
	unsigned long long remaining;	/* CL body or current chunk */
	unsigned long long body_bytes;
	size_t		hlen;
	char		head[16384];	/* response head, then line buffer */
	size_t		llen;		/* chunk-size / trailer line length */
};

static void resp_reset(struct resp *r)
{
	r->state = RP_HEAD;
	r->status = 0;
	r->conn_close = 0;
	r->remaining = 0;
	r->body_bytes = 0;
	r->hlen = 0;
	r->llen = 0;
}

static int hdr_is(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	return len > nl && line[nl] == ':' && strncasecmp(line, name, nl) == 0;
}

static int hdr_has_token(const char *v, size_t len, const char *tok)
{
	size_t tl = strlen(tok), i;
	for (i = 0; i + tl <= len; i++)
		if (strncasecmp(v + i, tok, tl) == 0)
			return 1;
	return 0;
}

/* Parse the complete head in r->head[0..hlen); set the body state. */
static int resp_parse_head(struct resp *r)
{
	char *p = r->head, *end = r->head + r->hlen, *eol;
	int chunked = 0, have_cl = 0, minor = 1;
	unsigned long long cl = 0;

	if (sscanf(p, "HTTP/1.%d %d", &minor, &r->status) != 2)
		return -1;
	if (minor == 0)
		r->conn_close = 1;	/* until told keep-alive (rare) */
	eol = memchr(p, '\n', end - p);
	while (eol && eol + 1 < end) {
		char *line = eol + 1, *v;
		size_t len;
		eol = memchr(line, '\n', end - line);
		if (!eol)
			break;
		len = eol - line;
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0)
			break;
		v = memchr(line, ':', len);
		if (!v)
			continue;
		v++;
		while (v < line + len && (*v == ' ' || *v == '\t'))
			v++;
		if (hdr_is(line, len, "content-length")) {
			cl = strtoull(v, NULL, 10);
			have_cl = 1;
		} else if (hdr_is(line, len, "transfer-encoding")) {
			chunked = hdr_has_token(v, line + len - v, "chunked");
		} else if (hdr_is(line, len, "connection")) {
			if (hdr_has_token(v, line + len - v, "close"))
				r->conn_close = 1;
			else if (hdr_has_token(v, line + len - v, "keep-alive"))
				r->conn_close = 0;
		}
	}
	if (r->head_only || r->status / 100 == 1 || r->status == 204 ||
	    r->status == 304) {
		r->state = RP_DONE;
	} else if (chunked) {
		r->state = RP_CHUNK_SIZE;
		r->llen = 0;
	} else if (have_cl) {
		r->remaining = cl;
		r->state = cl ? RP_BODY_CL : RP_DONE;
	} else {
		r->state = RP_BODY_EOF;
		r->conn_close = 1;
	}
	return 0;
}

/*
 * Feed n bytes.  Returns the number of bytes consumed; when the response is
 * complete r->state == RP_DONE and the remainder (if any) is unconsumed.
 */
static size_t resp_feed(struct resp *r, const char *buf, size_t n)
{
	size_t i = 0;

	while (i < n && r->state != RP_DONE && r->state != RP_ERROR) {
		switch (r->state) {
		case RP_HEAD: {
			/* copy until \r\n\r\n (or \n\n) */
			while (i < n) {
				char c = buf[i++];
				if (r->hlen >= sizeof r->head - 1) {
					r->state = RP_ERROR;
					break;
				}
				r->head[r->hlen++] = c;
				if (c == '\n' &&
				    ((r->hlen >= 4 && memcmp(r->head + r->hlen - 4, "\r\n\r\n", 4) == 0) ||
				     (r->hlen >= 2 && r->head[r->hlen - 2] == '\n'))) {
					r->head[r->hlen] = 0;
					if (resp_parse_head(r) < 0)
						r->state = RP_ERROR;
					break;
				}
			}
			break;
		}
		case RP_BODY_CL: {
			size_t take = n - i;
			if (take > r->remaining)
				take = r->remaining;
			r->remaining -= take;
			r->body_bytes += take;
			i += take;
			if (r->remaining == 0)
				r->state = RP_DONE;
			break;
		}
		case RP_BODY_EOF:
			r->body_bytes += n - i;
			i = n;
			break;
		case RP_CHUNK_SIZE:
		case RP_TRAILER: {
			char c = buf[i++];
			if (c != '\n') {
				if (r->llen < 256)
					r->head[r->llen++] = c;
				else
					r->state = RP_ERROR;
				break;
			}
			if (r->llen && r->head[r->llen - 1] == '\r')
				r->llen--;
			r->head[r->llen] = 0;
			if (r->state == RP_TRAILER) {
				if (r->llen == 0)
					r->state = RP_DONE;
				r->llen = 0;
				break;
			}
			{
				char *e;
				unsigned long long sz = strtoull(r->head, &e, 16);
				if (e == r->head) {
					r->state = RP_ERROR;
					break;
				}
				r->llen = 0;
				if (sz == 0) {
					r->state = RP_TRAILER;
				} else {
					r->remaining = sz;
					r->state = RP_CHUNK_DATA;
				}
			}
			break;
		}
		case RP_CHUNK_DATA: {
			size_t take = n - i;
			if (take > r->remaining)
				take = r->remaining;
			r->remaining -= take;
			r->body_bytes += take;
			i += take;
			if (r->remaining == 0) {
				r->state = RP_CHUNK_CRLF;
				r->llen = 0;
			}
			break;
		}
		case RP_CHUNK_CRLF: {
			char c = buf[i++];
			if (c == '\n')
				r->state = RP_CHUNK_SIZE;
			else if (c != '\r')
				r->state = RP_ERROR;
			break;
		}
		default:
			break;
		}
	}
	return i;
}

/* ------------------------------------------------------------ options */

static const char *opt_sock;
static const char *opt_path;
static const char *opt_file;
static const char *opt_ctype = "application/x-tar";
static int opt_conc = 1;
static double opt_dur = 3.0;
static double opt_warm = 0.5;
static double opt_settle = 1.0;
static int opt_dur_set;
static int opt_n = 1000;
static int opt_pid;
static int opt_lat_file_fd = -1;
static int opt_fail_fd = -1;
static double opt_rate;
static int opt_probes = 200;
static int opt_batch;
static int opt_silent;

/* --------------------------------------------------------------- ping */

struct conn {
	int		fd;		/* -1: none (paced: opened when due) */
	uint64_t	sent_ns;
	uint64_t	due_ns;		/* waiting: when the next request goes */
	int		waiting;	/* paced, or retrying after a failure */
	size_t		out_off;
	struct resp	r;
};

static char req_buf[1024];
static size_t req_len;

static uint64_t *lat;			/* ns, measured window only */
static size_t nlat, caplat;

static void lat_push(uint64_t v)
{
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 1 << 16;
		lat = realloc(lat, caplat * sizeof *lat);
		if (!lat)
			die("realloc");
	}
	lat[nlat++] = v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static double pct_us(double p)
{
	size_t idx;
	if (!nlat)
		return 0;
	idx = (size_t)(p * (nlat - 1) + 0.5);
	return lat[idx] / 1000.0;
}

static int conn_open(struct conn *c, int ep)
{
	struct epoll_event ev;

	c->fd = unix_connect(opt_sock, 1);
	if (c->fd < 0)
		return -1;
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl");
	return 0;
}

/* Write what is left of the request; 0 when done or EAGAIN, -1 on error. */
static int conn_flush(struct conn *c)
{
	while (c->out_off < req_len) {
		ssize_t w = write(c->fd, req_buf + c->out_off, req_len - c->out_off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1; /* EPOLLOUT (ET) resumes */
		}
		c->out_off += w;
	}
	return 0;
}

static int conn_send(struct conn *c)
{
	resp_reset(&c->r);
	c->out_off = 0;
	c->sent_ns = now_ns();
	return conn_flush(c);
}

/* State of one ping run, shared by its helpers. */
static struct {
	int		ep;
	int		stopping;
	int		inflight;	/* connections still taking part */
	int		failing;	/* the last request that ended failed */
	uint64_t	gap_ns;		/* -r: between requests of one connection */
	unsigned long long errors, reconnects;
	FILE		*flog;		/* -e */
} pg;

static volatile sig_atomic_t stop_req;

static void on_stop(int sig)
{
	(void)sig;
	stop_req = 1;
}

static void ping_log(const char *what, const struct conn *c, int status)
{
	if (pg.flog)
		fprintf(pg.flog, "%s %.3f %.3f %d\n", what, epoch_of_ns(c->sent_ns),
			epoch_of_ns(now_ns()), status);
}

static void ping_drop(struct conn *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(pg.ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

/*
 * A request got no response (connect, write or read failed, or the
 * connection closed early): count it, drop the connection and retry from
 * the loop on a new one -- at the pace, and not faster than every 10 ms
 * while connecting fails, so a proxy that is down is not spun against.
 */
static void ping_conn_failed(struct conn *c, int connect_failed)
{
	uint64_t due = c->sent_ns + pg.gap_ns, tn = now_ns();

	if (pg.errors < 5)
		fprintf(stderr, "swbench: connection failed (state %d): %s\n",
			c->r.state, strerror(errno));
	pg.errors++;
	pg.failing = 1;
	ping_log("fail", c, 0);
	ping_drop(c);
	if (pg.stopping) {
		pg.inflight--;
		return;
	}
	pg.reconnects++;
	if (connect_failed && due < tn + 10000000ull)
		due = tn + 10000000ull;
	c->due_ns = due;
	c->waiting = 1;
}

/* Send c's next request now, on a new connection if it has none. */
static void ping_go(struct conn *c)
{
	c->waiting = 0;
	if (c->fd < 0 && conn_open(c, pg.ep) < 0) {
		c->sent_ns = now_ns();
		ping_conn_failed(c, 1);
		return;
	}
	if (conn_send(c) < 0)
		ping_conn_failed(c, 0);
}

/* The next request on c: now, or (paced) one gap after the last one went. */
static void ping_next(struct conn *c)
{
	if (pg.gap_ns && c->sent_ns + pg.gap_ns > now_ns()) {
		c->due_ns = c->sent_ns + pg.gap_ns;
		c->waiting = 1;
		return;
	}
	ping_go(c);
}

/*
 * Paced connections whose time has come send; returns the epoll time-out
 * (ms) until the next one is due.  Once stopping, waiting ones are done.
 */
static int ping_due(struct conn *conns)
{
	uint64_t tn = now_ns();
	int i, timeout = 100;

	for (i = 0; i < opt_conc; i++) {
		struct conn *c = &conns[i];

		if (!c->waiting)
			continue;
		if (pg.stopping) {
			ping_drop(c);
			c->waiting = 0;
			pg.inflight--;
		} else if (c->due_ns <= tn) {
			ping_go(c);
		} else if ((c->due_ns - tn) / 1000000 < (uint64_t)timeout) {
			timeout = (int)((c->due_ns - tn) / 1000000) + 1;
		}
	}
	return timeout;
}

static int run_ping(void)
{
	struct conn *conns;
	struct epoll_event *evs;
	struct sigaction sa;
	int i;
	unsigned long long done_meas = 0, done_all = 0;
	double t_start, t_meas0, t_meas1, t_end, meas_secs;
	uint64_t meas0_ns, meas1_ns;
	long long cpu0 = -1, cpu1 = -1;
	static char rbuf[65536];

	req_len = snprintf(req_buf, sizeof req_buf,
			   "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: swbench\r\n\r\n",
			   opt_path ? opt_path : "/_ping");
	raise_nofile(opt_conc + 64);
	/* no SA_RESTART: epoll_wait returns and the loop sees the request */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (opt_fail_fd >= 0 && !(pg.flog = fdopen(opt_fail_fd, "w")))
		die("-e");
	pg.gap_ns = opt_rate > 0 ? (uint64_t)(opt_conc * 1e9 / opt_rate) : 0;
	pg.ep = epoll_create1(EPOLL_CLOEXEC);
	conns = calloc(opt_conc, sizeof *conns);
	evs = calloc(opt_conc, sizeof *evs);
	if (pg.ep < 0 || !conns || !evs)
		die("setup");
	for (i = 0; i < opt_conc; i++)
		if (conn_open(&conns[i], pg.ep) < 0)
			die("connect");

	t_start = now_s();
	t_meas0 = t_start + opt_warm;
	t_meas1 = t_meas0 + opt_dur;
	meas0_ns = (uint64_t)(t_meas0 * 1e9);
	meas1_ns = (uint64_t)(t_meas1 * 1e9);
	pg.inflight = opt_conc;
	for (i = 0; i < opt_conc; i++) {
		/* paced: spread the connections' first requests over one gap */
		conns[i].sent_ns = now_ns() - pg.gap_ns + pg.gap_ns * i / opt_conc;
		ping_next(&conns[i]);
	}

	while (pg.inflight > 0) {
		int n, k, timeout;
		double t = now_s();

		if (cpu0 < 0 && t >= t_meas0)
			cpu0 = proc_cpu_ticks(opt_pid), cpu0 = cpu0 < 0 ? -2 : cpu0;
		if (!pg.stopping && (t >= t_meas1 || stop_req)) {
			if (t < t_meas1) {		/* asked to stop early */
				t_meas1 = t > t_meas0 ? t : t_meas0;
				meas1_ns = (uint64_t)(t_meas1 * 1e9);
			}
			cpu1 = proc_cpu_ticks(opt_pid);
			pg.stopping = 1;
		}
		if (t > t_meas1 + 10) {
			fprintf(stderr, "swbench: %d requests stuck at end\n", pg.inflight);
			pg.errors += pg.inflight;
			break;
		}
		timeout = ping_due(conns);
		if (pg.inflight == 0)
			break;
		n = epoll_wait(pg.ep, evs, opt_conc, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			int failed = 0, complete = 0;

			if (c->fd < 0)
				continue;
			if (c->waiting) {
				/* nothing in flight: an EOF or an error only
				 * means the next request needs a new connection */
				ssize_t r = read(c->fd, rbuf, sizeof rbuf);
				if (r >= 0 || errno != EAGAIN)
					ping_drop(c);
				continue;
			}
			if ((evs[k].events & (EPOLLOUT | EPOLLERR)) && c->out_off < req_len &&
			    conn_flush(c) < 0)
				failed = 1;
			if (!failed && (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
				for (;;) {
					ssize_t r = read(c->fd, rbuf, sizeof rbuf);
					size_t used;
					if (r < 0) {
						if (errno == EINTR)
							continue;
						if (errno != EAGAIN)
							failed = 1;
						break;
					}
					if (r == 0) {
						if (c->r.state == RP_BODY_EOF)
							c->r.state = RP_DONE, complete = 1;
						else
							failed = 1;
						break;
					}
					used = resp_feed(&c->r, rbuf, r);
					if (c->r.state == RP_ERROR) {
						failed = 1;
						break;
					}
					if (c->r.state == RP_DONE) {
						if (used != (size_t)r) {
							fprintf(stderr, "swbench: unexpected bytes after response\n");
							failed = 1;
						}
						complete = 1;
						break;
					}
				}
			}
			if (complete) {
				uint64_t tn = now_ns();
				done_all++;
				if (c->r.status != 200) {
					if (pg.errors < 5)
						fprintf(stderr, "swbench: status %d\n", c->r.status);
					pg.errors++;
					pg.failing = 1;
					ping_log("fail", c, c->r.status);
				} else {
					if (pg.failing)
						ping_log("ok", c, 200);
					pg.failing = 0;
					if (tn >= meas0_ns && tn < meas1_ns) {
						done_meas++;
						lat_push(tn - c->sent_ns);
					}
				}
				if (c->r.conn_close || pg.stopping) {
					ping_drop(c);
					if (pg.stopping) {
						pg.inflight--;
						continue;
					}
					pg.reconnects++;
				}
				ping_next(c);
				continue;
			}
			if (failed)
				ping_conn_failed(c, 0);
		}
	}
	t_end = now_s();
	if (cpu1 < 0 && !pg.stopping)
		cpu1 = proc_cpu_ticks(opt_pid);
	qsort(lat, nlat, sizeof *lat, cmp_u64);
	meas_secs = t_meas1 - t_meas0;
	{
		double rps = meas_secs > 0 ? done_meas / meas_secs : 0;
		long tck = sysconf(_SC_CLK_TCK);
		printf("mode=ping conc=%d secs=%.3f reqs=%llu rps=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f errors=%llu reconnects=%llu",
		       opt_conc, meas_secs, done_meas, rps, pct_us(0.50), pct_us(0.90),
		       pct_us(0.99), pct_us(0.999), pct_us(1.0), pg.errors, pg.reconnects);
		if (opt_pid > 0 && cpu0 >= 0 && cpu1 >= 0) {
			double cpu_ms = (cpu1 - cpu0) * 1000.0 / tck;
			printf(" cpu_ms=%.0f cpu_ms_per_10k=%.1f cpu_pct=%.1f",
			       cpu_ms, done_meas ? cpu_ms * 10000.0 / done_meas : 0,
			       meas_secs > 0 ? cpu_ms / (meas_secs * 10) : 0);
		} else {
			printf(" cpu_ms=na cpu_ms_per_10k=na cpu_pct=na");
		}
		printf(" total_secs=%.2f all_reqs=%llu\n", t_end - t_start, done_all);
	}
	if (pg.flog)
		fclose(pg.flog);
	if (opt_lat_file_fd >= 0) {
		FILE *f = fdopen(opt_lat_file_fd, "w");
		size_t j;
		for (j = 0; f && j < nlat; j++)
			fprintf(f, "%.1f\n", lat[j] / 1000.0);
		if (f)
			fclose(f);
	}
	for (i = 0; i < opt_conc; i++)
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	return pg.errors ? 1 : 0;
}

/* ------------------------------------------------------------ streams */

static int run_streams(void)
{
	int *fds, i, opened = 0, headed = 0, bad = 0, closed_after = 0;
	struct resp *rs;
	struct pollfd *pfd;
	long rss0, rss1;
	char req[256];
	size_t rl;
	double t0, deadline;
	static char rbuf[16384];

	rl = snprintf(req, sizeof req,
		      "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: swbench\r\n\r\n",
		      opt_path ? opt_path : "/events");
	raise_nofile(opt_n + 64);
	fds = calloc(opt_n, sizeof *fds);
	rs = calloc(opt_n, sizeof *rs);
	pfd = calloc(opt_n, sizeof *pfd);
	if (!fds || !rs || !pfd)
		die("calloc");

	rss0 = proc_rss_kib(opt_pid);
	t0 = now_s();
	for (i = 0; i < opt_n; i++) {
		fds[i] = unix_connect(opt_sock, 0);
		if (fds[i] < 0) {
			fprintf(stderr, "swbench: connect #%d: %s\n", i, strerror(errno));
			break;
		}
		if (write(fds[i], req, rl) != (ssize_t)rl) {
			fprintf(stderr, "swbench: write #%d: %s\n", i, strerror(errno));
			close(fds[i]);
			break;
		}
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
		resp_reset(&rs[i]);
		opened++;
	}
	/* Wait for every response head. */
	deadline = now_s() + 30;
	while (headed + bad < opened && now_s() < deadline) {
		int np = 0, n;
		int map_cap = opened;
		int *map = malloc(map_cap * sizeof *map);
		for (i = 0; i < opened; i++) {
			if (fds[i] < 0 || rs[i].state != RP_HEAD)
				continue;
			pfd[np].fd = fds[i];
			pfd[np].events = POLLIN;
			map[np++] = i;
		}
		n = poll(pfd, np, 1000);
		for (i = 0; n > 0 && i < np; i++) {
			int j = map[i];
			ssize_t r;
			if (!pfd[i].revents)
				continue;
			r = read(fds[j], rbuf, sizeof rbuf);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				bad++;
				close(fds[j]);
				fds[j] = -1;
				continue;
			}
			resp_feed(&rs[j], rbuf, r);
			if (rs[j].state == RP_ERROR || (rs[j].state != RP_HEAD && rs[j].status != 200)) {
				if (bad < 3)
					fprintf(stderr, "swbench: stream #%d status %d\n", j, rs[j].status);
				bad++;
			} else if (rs[j].state != RP_HEAD) {
				headed++;
			}
		}
		free(map);
	}
	/* settle, then measure */
	{
		struct timespec ts = { (time_t)opt_settle,
			(long)((opt_settle - (time_t)opt_settle) * 1e9) };
		nanosleep(&ts, NULL);
	}
	rss1 = proc_rss_kib(opt_pid);
	/* are they all still open? (nothing should arrive on idle streams) */
	for (i = 0; i < opened; i++) {
		char b[4096];
		ssize_t r;
		if (fds[i] < 0)
			continue;
		r = read(fds[i], b, sizeof b);
		if (r == 0 || (r < 0 && errno != EAGAIN))
			closed_after++;
	}
	printf("mode=streams n=%d opened=%d headed=%d bad=%d closed_after=%d open_secs=%.2f",
	       opt_n, opened, headed, bad, closed_after, now_s() - t0 - opt_settle);
	if (opt_pid > 0 && rss0 >= 0 && rss1 >= 0)
		printf(" rss_before_kib=%ld rss_after_kib=%ld kib_per_stream=%.2f\n",
		       rss0, rss1, headed ? (double)(rss1 - rss0) / headed : 0.0);
	else
		printf(" rss_before_kib=na rss_after_kib=na kib_per_stream=na\n");
	for (i = 0; i < opened; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return (headed == opt_n && closed_after == 0) ? 0 : 1;
}

/* -------------------------------------------------------- get / put */

static int read_response_blocking(int fd, struct resp *r, double *t_first)
{
	static char buf[1 << 20];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			if (r->state == RP_BODY_EOF) {
				r->state = RP_DONE;
				return 0;
			}
			errno = ECONNRESET;
			return -1;
		}
		if (t_first && *t_first == 0)
			*t_first = now_s();
		resp_feed(r, buf, n);
		if (r->state == RP_ERROR) {
			errno = EPROTO;
			return -1;
		}
		if (r->state == RP_DONE)
			return 0;
	}
}

static void print_xfer(const char *mode, unsigned long long bytes, double secs,
		       long long cpu0, int status, double ttfb)
{
	long long cpu1 = proc_cpu_ticks(opt_pid);
	printf("mode=%s status=%d bytes=%llu secs=%.3f mbps=%.1f ttfb_ms=%.1f",
	       mode, status, bytes, secs, secs > 0 ? bytes / secs / 1e6 : 0, ttfb * 1000);
	if (opt_pid > 0 && cpu0 >= 0 && cpu1 >= 0)
		printf(" cpu_ms=%.0f\n", (cpu1 - cpu0) * 1000.0 / sysconf(_SC_CLK_TCK));
	else
		printf(" cpu_ms=na\n");
}

static int run_get(void)
{
	struct resp *r = calloc(1, sizeof *r);
	char req[2048];
	int fd, len;
	double t0, tf = 0;
	long long cpu0;

	len = snprintf(req, sizeof req,
		       "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: swbench\r\n\r\n", opt_path);
	cpu0 = proc_cpu_ticks(opt_pid);
	t0 = now_s();
	fd = unix_connect(opt_sock, 0);
	if (fd < 0)
		die("connect");
	if (write(fd, req, len) != len)
		die("write");
	resp_reset(r);
	if (read_response_blocking(fd, r, &tf) < 0) {
		fprintf(stderr, "swbench: get: %s after %llu bytes\n", strerror(errno), r->body_bytes);
		print_xfer("get", r->body_bytes, now_s() - t0, cpu0, r->status, tf ? tf - t0 : 0);
		return 1;
	}
	print_xfer("get", r->body_bytes, now_s() - t0, cpu0, r->status, tf - t0);
	close(fd);
	return r->status == 200 ? 0 : 1;
}

static int run_put(void)
{
	struct resp *r = calloc(1, sizeof *r);
	struct stat st;
	char req[2048];
	int fd, ffd, len;
	off_t off = 0;
	double t0, tf = 0;
	long long cpu0;

	ffd = open(opt_file, O_RDONLY | O_CLOEXEC);
	if (ffd < 0 || fstat(ffd, &st) < 0)
		die(opt_file);
	len = snprintf(req, sizeof req,
		       "PUT %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: swbench\r\n"
		       "Content-Type: %s\r\nContent-Length: %lld\r\n\r\n",
		       opt_path, opt_ctype, (long long)st.st_size);
	cpu0 = proc_cpu_ticks(opt_pid);
	t0 = now_s();
	fd = unix_connect(opt_sock, 0);
	if (fd < 0)
		die("connect");
	if (write(fd, req, len) != len)
		die("write");
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, ffd, &off, st.st_size - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "swbench: put: sendfile: %s at %lld\n", strerror(errno),
				(long long)off);
			break;
		}
		if (n == 0)
			break;
	}
	resp_reset(r);
	if (read_response_blocking(fd, r, &tf) < 0) {
		fprintf(stderr, "swbench: put: reading response: %s\n", strerror(errno));
		print_xfer("put", off, now_s() - t0, cpu0, r->status, 0);
		return 1;
	}
	print_xfer("put", off, now_s() - t0, cpu0, r->status, 0);
	close(fd);
	close(ffd);
	return (r->status == 200 && off == st.st_size) ? 0 : 1;
}

/* ------------------------------------------------------------ follow */

/* How a followed stream ended. */
enum fend { FE_OPEN = 0, FE_COMPLETE, FE_CUT, FE_STATUS, FE_RESET };

struct fstream {
	int		fd;
	enum fend	end;
	double		end_at;		/* epoch seconds */
	struct resp	r;
};

static void follow_end(struct fstream *f, int ep, enum fend how)
{
	f->end = how;
	f->end_at = epoch_of_ns(now_ns());
	epoll_ctl(ep, EPOLL_CTL_DEL, f->fd, NULL);
	close(f->fd);
	f->fd = -1;
}

static int run_follow(void)
{
	struct fstream *fs;
	struct epoll_event *evs;
	int ep, i, opened = 0, headed = 0, headless = 0, with_data = 0, left;
	int n_end[FE_RESET + 1] = { 0 }, st502 = 0;
	unsigned long long bytes = 0;
	double deadline, t_open, first_end = 0, last_end = 0;
	char req[2048];
	size_t rl;
	static char rbuf[65536];

	rl = snprintf(req, sizeof req,
		      "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: swbench\r\n\r\n", opt_path);
	raise_nofile(opt_n + 64);
	fs = calloc(opt_n, sizeof *fs);
	evs = calloc(opt_n, sizeof *evs);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!fs || !evs || ep < 0)
		die("setup");
	for (i = 0; i < opt_n; i++) {
		struct epoll_event ev;

		fs[i].fd = unix_connect(opt_sock, 0);
		if (fs[i].fd < 0) {
			fprintf(stderr, "swbench: connect #%d: %s\n", i, strerror(errno));
			break;
		}
		if (write(fs[i].fd, req, rl) != (ssize_t)rl) {
			fprintf(stderr, "swbench: write #%d: %s\n", i, strerror(errno));
			close(fs[i].fd);
			break;
		}
		fcntl(fs[i].fd, F_SETFL, fcntl(fs[i].fd, F_GETFL) | O_NONBLOCK);
		resp_reset(&fs[i].r);
		ev.events = EPOLLIN;
		ev.data.ptr = &fs[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fs[i].fd, &ev) < 0)
			die("epoll_ctl");
		opened++;
	}
	left = opened;
	t_open = 0;
	deadline = now_s() + 30;	/* for the heads; then for the ends */
	while (left > 0) {
		int n, k;
		double t = now_s();

		if (!t_open && (headed + headless >= opened || t >= deadline)) {
			/* every head came (or never will): the caller may go on */
			printf("mode=follow phase=open n=%d opened=%d headed=%d\n",
			       opt_n, opened, headed);
			t_open = t;
			deadline = t + opt_dur;
		}
		if (t_open && t >= deadline)
			break;
		n = epoll_wait(ep, evs, opt_n, 200);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (k = 0; k < n; k++) {
			struct fstream *f = evs[k].data.ptr;
			int was_head = f->r.state == RP_HEAD;
			unsigned long long before = f->r.body_bytes;
			ssize_t r;

			if (f->fd < 0)
				continue;
			r = read(f->fd, rbuf, sizeof rbuf);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r < 0) {
				follow_end(f, ep, FE_RESET);
			} else if (r == 0) {
				follow_end(f, ep, f->r.state == RP_BODY_EOF ?
					   (f->r.status == 200 ? FE_COMPLETE : FE_STATUS) :
					   FE_CUT);
			} else {
				resp_feed(&f->r, rbuf, r);
				if (f->r.state == RP_ERROR)
					follow_end(f, ep, FE_CUT);
				else if (f->r.state == RP_DONE)
					follow_end(f, ep, f->r.status == 200 ? FE_COMPLETE : FE_STATUS);
			}
			if (was_head && f->r.state != RP_HEAD && f->r.status == 200)
				headed++;
			if (before == 0 && f->r.body_bytes > 0 && f->r.status == 200)
				with_data++;
			bytes += f->r.body_bytes - before;
			if (f->fd < 0) {
				left--;
				if (f->r.status != 200)	/* never counted in headed */
					headless++;
				n_end[f->end]++;
				if (f->end == FE_STATUS && f->r.status == 502)
					st502++;
				if (f->end == FE_STATUS && n_end[FE_STATUS] <= 3)
					fprintf(stderr, "swbench: stream #%d status %d\n",
						(int)(f - fs), f->r.status);
				if (!first_end || f->end_at < first_end)
					first_end = f->end_at;
				if (f->end_at > last_end)
					last_end = f->end_at;
			}
		}
	}
	printf("mode=follow n=%d opened=%d headed=%d with_data=%d bytes=%llu complete=%d cut=%d status=%d status_502=%d reset=%d hung=%d first_end=%.3f last_end=%.3f\n",
	       opt_n, opened, headed, with_data, bytes, n_end[FE_COMPLETE], n_end[FE_CUT],
	       n_end[FE_STATUS], st502, n_end[FE_RESET], left, first_end, last_end);
	for (i = 0; i < opened; i++)
		if (fs[i].fd >= 0)
			close(fs[i].fd);
	return (opened == opt_n && headed == opened && left == 0) ? 0 : 1;
}

/* -------------------------------------------------------------- idle */

/*
 * PROBES requests of a new client, each on a fresh connection (connect,
 * GET /_ping, the whole response, close), one after the other; the
 * latencies are left sorted in lat[0..nlat).  Returns the failures.
 */
static int idle_probe(int probes)
{
	static const char req[] =
		"GET /_ping HTTP/1.1\r\nHost: docker\r\nUser-Agent: swbench\r\n\r\n";
	struct resp *r = calloc(1, sizeof *r);
	int i, bad = 0;

	if (!r)
		die("calloc");
	nlat = 0;
	for (i = 0; i < probes; i++) {
		uint64_t t0 = now_ns();
		int fd = unix_connect(opt_sock, 0);

		if (fd < 0) {
			bad++;
			continue;
		}
		resp_reset(r);
		if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1) ||
		    read_response_blocking(fd, r, NULL) < 0 || r->status != 200)
			bad++;
		else
			lat_push(now_ns() - t0);
		close(fd);
	}
	free(r);
	qsort(lat, nlat, sizeof *lat, cmp_u64);
	return bad;
}

static int run_idle(void)
{
	static const char req[] =
		"GET /_ping HTTP/1.1\r\nHost: docker\r\nUser-Agent: swbench\r\n\r\n";
	struct resp *rs;
	struct epoll_event *evs;
	int *fds, ep, i, opened = 0, ok = 0, bad = 0, left, closed_after = 0;
	int bad_before, bad_during, bad_after, open_failed = 0;
	double p50_0, p90_0, p99_0, p50_1, p90_1, p99_1, t0, t_open, deadline;
	long rss0, rss1, fd0, fd1;
	static char rbuf[16384];

	raise_nofile(opt_n + 64);
	fds = calloc(opt_n, sizeof *fds);
	rs = calloc(opt_n, sizeof *rs);
	evs = calloc(opt_n, sizeof *evs);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!fds || !rs || !evs || ep < 0)
		die("setup");

	bad_before = idle_probe(opt_probes);
	p50_0 = pct_us(0.50), p90_0 = pct_us(0.90), p99_0 = pct_us(0.99);
	rss0 = proc_rss_kib(opt_pid);
	fd0 = proc_fd_count(opt_pid);

	/* -b: a batch at a time, each answered before the next is opened
	 * (0: all at once, a burst) */
	t0 = now_s();
	left = 0;
	deadline = now_s() + 120;
	for (;;) {
		int n, k;

		if (left == 0 && opened < opt_n && !open_failed) {
			int end = opt_batch > 0 && opened + opt_batch < opt_n ?
				opened + opt_batch : opt_n;

			while (opened < end) {
				struct epoll_event ev;

				i = opened;
				fds[i] = unix_connect(opt_sock, 0);
				if (fds[i] < 0) {
					fprintf(stderr, "swbench: connect #%d: %s\n", i, strerror(errno));
					open_failed = 1;
					break;
				}
				if (!opt_silent &&
				    write(fds[i], req, sizeof req - 1) != (ssize_t)(sizeof req - 1)) {
					fprintf(stderr, "swbench: write #%d: %s\n", i, strerror(errno));
					close(fds[i]);
					open_failed = 1;
					break;
				}
				fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
				resp_reset(&rs[i]);
				opened++;
				if (opt_silent) {
					/* nothing to wait for: the check below
					 * finds the ones closed meanwhile */
					rs[i].state = RP_DONE;
					rs[i].status = 200;
					ok++;
					continue;
				}
				ev.events = EPOLLIN;
				ev.data.u32 = i;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0)
					die("epoll_ctl");
				left++;
			}
		}
		if (left == 0 || now_s() >= deadline)
			break;
		/* every /_ping answered; the connection then stays, idle */
		n = epoll_wait(ep, evs, opt_n, 500);
		for (k = 0; k < n; k++) {
			int j = evs[k].data.u32;
			ssize_t r = read(fds[j], rbuf, sizeof rbuf);

			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r > 0)
				resp_feed(&rs[j], rbuf, r);
			if (r <= 0 || rs[j].state == RP_ERROR || rs[j].state == RP_DONE) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fds[j], NULL);
				left--;
				if (r > 0 && rs[j].state == RP_DONE && rs[j].status == 200 &&
				    !rs[j].conn_close) {
					ok++;
				} else {
					if (bad < 3)
						fprintf(stderr, "swbench: idle #%d: status %d\n",
							j, rs[j].status);
					bad++;
				}
			}
		}
	}
	t_open = now_s() - t0;
	{
		struct timespec ts = { (time_t)opt_settle,
			(long)((opt_settle - (time_t)opt_settle) * 1e9) };
		nanosleep(&ts, NULL);
	}
	rss1 = proc_rss_kib(opt_pid);
	fd1 = proc_fd_count(opt_pid);

	bad_during = idle_probe(opt_probes);
	p50_1 = pct_us(0.50), p90_1 = pct_us(0.90), p99_1 = pct_us(0.99);

	/* the idle ones must still be open: nothing to read, no EOF */
	for (i = 0; i < opened; i++) {
		char b[256];
		ssize_t r;

		if (rs[i].state != RP_DONE || rs[i].status != 200 || rs[i].conn_close)
			continue;	/* counted as bad */
		r = recv(fds[i], b, sizeof b, MSG_DONTWAIT | MSG_PEEK);
		if (r >= 0 || errno != EAGAIN)
			closed_after++;
	}
	for (i = 0; i < opened; i++)
		close(fds[i]);
	/* and once they are gone: tells their cost from the machine's noise */
	sleep(1);
	bad_after = idle_probe(opt_probes);
	printf("mode=idle n=%d opened=%d ok=%d bad=%d unanswered=%d closed_after=%d open_secs=%.2f",
	       opt_n, opened, ok, bad, left, closed_after, t_open);
	if (opt_pid > 0 && rss0 >= 0 && rss1 >= 0)
		printf(" rss_before_kib=%ld rss_after_kib=%ld kib_per_conn=%.3f fds_before=%ld fds_after=%ld",
		       rss0, rss1, ok ? (double)(rss1 - rss0) / ok : 0.0, fd0, fd1);
	printf(" probes=%d probe_before_p50_us=%.1f probe_before_p90_us=%.1f probe_before_p99_us=%.1f probe_before_failed=%d"
	       " probe_during_p50_us=%.1f probe_during_p90_us=%.1f probe_during_p99_us=%.1f probe_during_failed=%d"
	       " probe_after_p50_us=%.1f probe_after_p90_us=%.1f probe_after_p99_us=%.1f probe_after_failed=%d\n",
	       opt_probes, p50_0, p90_0, p99_0, bad_before, p50_1, p90_1, p99_1, bad_during,
	       pct_us(0.50), pct_us(0.90), pct_us(0.99), bad_after);
	return (ok == opt_n && closed_after == 0 && !bad_before && !bad_during && !bad_after) ? 0 : 1;
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
	fprintf(stderr,
		"usage: swbench ping    -s SOCK [-c CONC] [-d SECS] [-w WARMUP] [-u PATH] [-P PID] [-L FD]\n"
		"                       [-r RATE] [-e FD]\n"
		"       swbench streams -s SOCK [-n N] [-t SETTLE] [-u PATH] [-P PID]\n"
		"       swbench get     -s SOCK -u PATH [-P PID]\n"
		"       swbench put     -s SOCK -u PATH -f FILE [-T CTYPE] [-P PID]\n"
		"       swbench follow  -s SOCK -n N -u PATH [-d MAXSECS]\n"
		"       swbench idle    -s SOCK -n N [-b BATCH] [-q] [-k PROBES] [-t SETTLE] [-P PID]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode;
	int c;

	if (argc < 2)
		usage();
	mode = argv[1];
	argv++, argc--;
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt(argc, argv, "s:c:d:w:u:P:n:t:f:T:L:r:e:k:b:q")) != -1) {
		switch (c) {
		case 's': opt_sock = optarg; break;
		case 'c': opt_conc = atoi(optarg); break;
		case 'd': opt_dur = atof(optarg), opt_dur_set = 1; break;
		case 'w': opt_warm = atof(optarg); break;
		case 'u': opt_path = optarg; break;
		case 'P': opt_pid = atoi(optarg); break;
		case 'n': opt_n = atoi(optarg); break;
		case 't': opt_settle = atof(optarg); break;
		case 'f': opt_file = optarg; break;
		case 'T': opt_ctype = optarg; break;
		case 'L': opt_lat_file_fd = atoi(optarg); break;
		case 'r': opt_rate = atof(optarg); break;
		case 'e': opt_fail_fd = atoi(optarg); break;
		case 'k': opt_probes = atoi(optarg); break;
		case 'b': opt_batch = atoi(optarg); break;
		case 'q': opt_silent = 1; break;
		default: usage();
		}
	}
	if (!opt_sock || opt_conc < 1 || opt_dur <= 0 || opt_n < 1)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "ping"))
		return run_ping();
	if (!strcmp(mode, "streams"))
		return run_streams();
	if (!strcmp(mode, "get") && opt_path)
		return run_get();
	if (!strcmp(mode, "put") && opt_path && opt_file)
		return run_put();
	if (!strcmp(mode, "follow") && opt_path) {
		if (!opt_dur_set)
			opt_dur = 120;
		return run_follow();
	}
	if (!strcmp(mode, "idle") && opt_probes > 0)
		return run_idle();
	usage();
	return 2;
}
