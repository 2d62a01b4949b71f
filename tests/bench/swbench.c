/*
 * swbench.c - a small, efficient HTTP/1.1-over-Unix-socket load generator
 * for the sockwarden benchmark (tests/bench/bench.sh).  libc + epoll only.
 *
 *   swbench ping    -s SOCK [-c CONC] [-d SECS] [-w WARMUP] [-u PATH] [-P PID]
 *       CONC keep-alive connections, exactly one request in flight on each
 *       (no pipelining).  Prints requests/s, p50/p99/p999 latency, and, with
 *       -P, the CPU (utime+stime) PID used during the measured window.
 *   swbench streams -s SOCK [-n N] [-t SETTLE] [-u PATH] [-P PID]
 *       Opens N idle GET /events streams, waits until every one has its
 *       response head, lets things settle, and prints VmRSS of PID before
 *       and after (KiB per stream).
 *   swbench get     -s SOCK -u PATH [-P PID]
 *       One GET; reads the whole body (Content-Length, chunked or EOF) and
 *       prints bytes and MB/s (1 MB = 10^6 bytes).
 *   swbench put     -s SOCK -u PATH -f FILE [-T CTYPE] [-P PID]
 *       One PUT of FILE (Content-Length framing, sendfile) and prints MB/s.
 *
 * Output is one line of key=value pairs on stdout; diagnostics on stderr.
 * Exit status is non-zero when anything went wrong (errors > 0, bad status).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
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
static int opt_n = 1000;
static int opt_pid;
static int opt_lat_file_fd = -1;

/* --------------------------------------------------------------- ping */

struct conn {
	int		fd;
	uint64_t	sent_ns;
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

static int run_ping(void)
{
	struct conn *conns;
	struct epoll_event *evs;
	int ep, i, stopping = 0, inflight;
	unsigned long long done_meas = 0, done_all = 0, errors = 0, reconnects = 0;
	double t_start, t_meas0, t_meas1, t_end;
	uint64_t meas0_ns, meas1_ns;
	long long cpu0 = -1, cpu1 = -1;
	static char rbuf[65536];

	req_len = snprintf(req_buf, sizeof req_buf,
			   "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: swbench\r\n\r\n",
			   opt_path ? opt_path : "/_ping");
	raise_nofile(opt_conc + 64);
	ep = epoll_create1(EPOLL_CLOEXEC);
	conns = calloc(opt_conc, sizeof *conns);
	evs = calloc(opt_conc, sizeof *evs);
	if (ep < 0 || !conns || !evs)
		die("setup");
	for (i = 0; i < opt_conc; i++)
		if (conn_open(&conns[i], ep) < 0)
			die("connect");

	t_start = now_s();
	t_meas0 = t_start + opt_warm;
	t_meas1 = t_meas0 + opt_dur;
	meas0_ns = (uint64_t)(t_meas0 * 1e9);
	meas1_ns = (uint64_t)(t_meas1 * 1e9);
	for (i = 0; i < opt_conc; i++)
		conn_send(&conns[i]);
	inflight = opt_conc;

	while (inflight > 0) {
		int n, k;
		double t = now_s();

		if (cpu0 < 0 && t >= t_meas0)
			cpu0 = proc_cpu_ticks(opt_pid), cpu0 = cpu0 < 0 ? -2 : cpu0;
		if (!stopping && t >= t_meas1) {
			cpu1 = proc_cpu_ticks(opt_pid);
			stopping = 1;
		}
		if (t > t_meas1 + 10) {
			fprintf(stderr, "swbench: %d requests stuck at end\n", inflight);
			errors += inflight;
			break;
		}
		n = epoll_wait(ep, evs, opt_conc, 100);
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
					if (errors < 5)
						fprintf(stderr, "swbench: status %d\n", c->r.status);
					errors++;
				} else if (tn >= meas0_ns && tn < meas1_ns) {
					done_meas++;
					lat_push(tn - c->sent_ns);
				}
				if (c->r.conn_close || stopping) {
					epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
					close(c->fd);
					c->fd = -1;
					if (stopping) {
						inflight--;
						continue;
					}
					reconnects++;
					if (conn_open(c, ep) < 0)
						die("reconnect");
				}
				if (conn_send(c) < 0)
					failed = 1;
				else
					continue;
			}
			if (failed) {
				if (errors < 5)
					fprintf(stderr, "swbench: connection failed (state %d): %s\n",
						c->r.state, strerror(errno));
				errors++;
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->fd = -1;
				reconnects++;
				if (!stopping && conn_open(c, ep) == 0) {
					conn_send(c);
				} else {
					inflight--;
				}
			}
		}
	}
	t_end = now_s();
	if (cpu1 < 0 && !stopping)
		cpu1 = proc_cpu_ticks(opt_pid);
	qsort(lat, nlat, sizeof *lat, cmp_u64);
	{
		double rps = done_meas / opt_dur;
		long tck = sysconf(_SC_CLK_TCK);
		printf("mode=ping conc=%d secs=%.3f reqs=%llu rps=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f errors=%llu reconnects=%llu",
		       opt_conc, opt_dur, done_meas, rps, pct_us(0.50), pct_us(0.90),
		       pct_us(0.99), pct_us(0.999), pct_us(1.0), errors, reconnects);
		if (opt_pid > 0 && cpu0 >= 0 && cpu1 >= 0) {
			double cpu_ms = (cpu1 - cpu0) * 1000.0 / tck;
			printf(" cpu_ms=%.0f cpu_ms_per_10k=%.1f cpu_pct=%.1f",
			       cpu_ms, done_meas ? cpu_ms * 10000.0 / done_meas : 0,
			       cpu_ms / (opt_dur * 10));
		} else {
			printf(" cpu_ms=na cpu_ms_per_10k=na cpu_pct=na");
		}
		printf(" total_secs=%.2f\n", t_end - t_start);
	}
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
	return errors ? 1 : 0;
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

/* ---------------------------------------------------------------- main */

static void usage(void)
{
	fprintf(stderr,
		"usage: swbench ping    -s SOCK [-c CONC] [-d SECS] [-w WARMUP] [-u PATH] [-P PID] [-L FD]\n"
		"       swbench streams -s SOCK [-n N] [-t SETTLE] [-u PATH] [-P PID]\n"
		"       swbench get     -s SOCK -u PATH [-P PID]\n"
		"       swbench put     -s SOCK -u PATH -f FILE [-T CTYPE] [-P PID]\n");
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
	while ((c = getopt(argc, argv, "s:c:d:w:u:P:n:t:f:T:L:")) != -1) {
		switch (c) {
		case 's': opt_sock = optarg; break;
		case 'c': opt_conc = atoi(optarg); break;
		case 'd': opt_dur = atof(optarg); break;
		case 'w': opt_warm = atof(optarg); break;
		case 'u': opt_path = optarg; break;
		case 'P': opt_pid = atoi(optarg); break;
		case 'n': opt_n = atoi(optarg); break;
		case 't': opt_settle = atof(optarg); break;
		case 'f': opt_file = optarg; break;
		case 'T': opt_ctype = optarg; break;
		case 'L': opt_lat_file_fd = atoi(optarg); break;
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
	usage();
	return 2;
}
