/*
 * metrics.c - Prometheus text exposition (format 0.0.4) on a listener of
 * its own, a Unix socket or a loopback TCP port, never the API socket:
 * requests by operation and decision, denials by rule (enforced, or only
 * audited), a latency histogram, open connections and streams, bytes each
 * way, reloads and their result, the policy generation in force.
 * It answers GET /metrics with Connection: close and nothing else; the
 * counters are fed by conn.c (one record per exchange, the same one the
 * audit log gets) and reload.c (reloads); the gauges come from
 * conn_stats() at scrape time.  A scrape has MET_TIMEOUT_S in all to send
 * its request and read the answer, then its slot is freed, so a scraper
 * that trickles or stops reading cannot hold one of the MET_MAX_CONNS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "daemon.h"

#define MET_MAX_SERIES	256		/* (operation, decision) pairs */
#define MET_MAX_RULES	64		/* (rule, mode) pairs */
#define MET_MAX_CONNS	16
#define MET_HEAD_MAX	4096
#define MET_TIMEOUT_S	5

static const double met_bounds[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1, 2.5, 5, 10, 30 };
#define MET_NB	(sizeof(met_bounds) / sizeof(met_bounds[0]))

/*
 * A counter for each pair of label values, found or added; once the table
 * is full, further pairs count in one "other" series.
 */
struct met_pair {
	char		 a[48];		/* operation, rule */
	char		 b[16];		/* decision, mode */
	uint64_t	 count;
};
struct met_pairs {
	const char	*name, *la, *lb;	/* metric and label names */
	struct met_pair	*v;
	size_t		 n, max;
	uint64_t	 other;
};
static struct met_pair met_ops_v[MET_MAX_SERIES], met_rules_v[MET_MAX_RULES];
static struct met_pairs met_ops = { "sockwarden_requests_total",
    "operation", "decision", met_ops_v, 0, MET_MAX_SERIES, 0 };
/* Denials by rule: enforced (403) or audited (let through, logged). */
static struct met_pairs met_rules = { "sockwarden_policy_denials_total",
    "rule", "mode", met_rules_v, 0, MET_MAX_RULES, 0 };
static uint64_t met_buckets[MET_NB + 1];
static double met_sum;
static uint64_t met_count;
static uint64_t met_bytes_in, met_bytes_out;
static uint64_t met_reload_ok, met_reload_fail;
static struct evconnlistener *met_listener;
static char *met_path;			/* unix socket we created */
/* A scrape: its connection and the deadline that frees it whatever it
 * does (trickles its request, never reads the answer). */
static struct met_conn {
	struct bufferevent	*bev;
	struct event		*deadline;
} met_conns[MET_MAX_CONNS];

static void
metrics_count(struct met_pairs *t, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].a, a) == 0 && strcmp(t->v[i].b, b) == 0)
			break;
	if (i == t->n) {
		if (t->n == t->max) {
			t->other++;
			return;
		}
		snprintf(t->v[i].a, sizeof(t->v[i].a), "%s", a);
		snprintf(t->v[i].b, sizeof(t->v[i].b), "%s", b);
		t->n++;
	}
	t->v[i].count++;
}

void
metrics_record(const struct exchange *x)
{
	double secs = (double)x->duration_us / 1e6;
	size_t i;

	for (i = 0; i < MET_NB && secs > met_bounds[i]; i++)
		;
	met_buckets[i]++;
	met_sum += secs;
	met_count++;
	met_bytes_in += x->bytes_in;
	met_bytes_out += x->bytes_out;
	metrics_count(&met_ops, x->operation, x->decision);
	if (x->rule[0] != '\0' && strcmp(x->decision, "deny") == 0)
		metrics_count(&met_rules, x->rule, "enforce");
	else if (x->rule[0] != '\0' && x->audit_only)
		metrics_count(&met_rules, x->rule, "audit");
}

void
metrics_reload(int ok)
{
	if (ok)
		met_reload_ok++;
	else
		met_reload_fail++;
}

/* Label values come from the policy's operation names; escape anyway. */
static void
metrics_label(struct evbuffer *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			evbuffer_add_printf(b, "\\%c", *s);
		else if (*s == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, s, 1);
	}
}

static void
metrics_render_pairs(struct evbuffer *b, const struct met_pairs *t,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s counter\n", t->name,
	    help, t->name);
	for (size_t i = 0; i < t->n; i++) {
		evbuffer_add_printf(b, "%s{%s=\"", t->name, t->la);
		metrics_label(b, t->v[i].a);
		evbuffer_add_printf(b, "\",%s=\"", t->lb);
		metrics_label(b, t->v[i].b);
		evbuffer_add_printf(b, "\"} %" PRIu64 "\n", t->v[i].count);
	}
	if (t->other > 0)
		evbuffer_add_printf(b, "%s{%s=\"other\",%s=\"other\"} %" PRIu64
		    "\n", t->name, t->la, t->lb, t->other);
}

static void
metrics_render(struct evbuffer *b)
{
	struct conn_stats cs;
	uint64_t cum = 0;

	conn_stats(&cs);
	metrics_render_pairs(b, &met_ops, "Requests decided, by operation and "
	    "decision.");
	metrics_render_pairs(b, &met_rules, "Requests a policy rule denied "
	    "(mode enforce) or let through only because it audits (mode "
	    "audit), by rule.");
	evbuffer_add_printf(b,
	    "# HELP sockwarden_request_duration_seconds Time from request head "
	    "to the end of the exchange.\n"
	    "# TYPE sockwarden_request_duration_seconds histogram\n");
	for (size_t i = 0; i < MET_NB; i++) {
		cum += met_buckets[i];
		evbuffer_add_printf(b, "sockwarden_request_duration_seconds_bucket"
		    "{le=\"%g\"} %" PRIu64 "\n", met_bounds[i], cum);
	}
	cum += met_buckets[MET_NB];
	evbuffer_add_printf(b,
	    "sockwarden_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n"
	    "sockwarden_request_duration_seconds_sum %.6f\n"
	    "sockwarden_request_duration_seconds_count %" PRIu64 "\n",
	    cum, met_sum, met_count);
	evbuffer_add_printf(b,
	    "# HELP sockwarden_connections_open Client connections open.\n"
	    "# TYPE sockwarden_connections_open gauge\n"
	    "sockwarden_connections_open %u\n"
	    "# HELP sockwarden_connections_accepted_total Client connections "
	    "accepted.\n# TYPE sockwarden_connections_accepted_total counter\n"
	    "sockwarden_connections_accepted_total %" PRIu64 "\n"
	    "# HELP sockwarden_streams_open Responses being streamed (events, "
	    "logs, ...).\n# TYPE sockwarden_streams_open gauge\n"
	    "sockwarden_streams_open %u\n"
	    "# HELP sockwarden_tunnels_open Hijacked sessions (attach, exec).\n"
	    "# TYPE sockwarden_tunnels_open gauge\n"
	    "sockwarden_tunnels_open %u\n"
	    "# HELP sockwarden_bytes_total Bytes relayed, by direction (in: "
	    "client to engine).\n# TYPE sockwarden_bytes_total counter\n"
	    "sockwarden_bytes_total{direction=\"in\"} %" PRIu64 "\n"
	    "sockwarden_bytes_total{direction=\"out\"} %" PRIu64 "\n"
	    "# HELP sockwarden_reloads_total Reloads (SIGHUP), by result.\n"
	    "# TYPE sockwarden_reloads_total counter\n"
	    "sockwarden_reloads_total{result=\"ok\"} %" PRIu64 "\n"
	    "sockwarden_reloads_total{result=\"failed\"} %" PRIu64 "\n"
	    "# HELP sockwarden_policy_generation The policy in force: 1 at "
	    "start-up, one more per reload that took (audit records name "
	    "it).\n# TYPE sockwarden_policy_generation gauge\n"
	    "sockwarden_policy_generation %" PRIu64 "\n"
	    "# HELP sockwarden_output_queued_bytes Output waiting in "
	    "sockwarden for slow readers (bounded by stream_memory).\n"
	    "# TYPE sockwarden_output_queued_bytes gauge\n"
	    "sockwarden_output_queued_bytes %zu\n",
	    cs.open, cs.accepted, cs.streams, cs.tunnels, met_bytes_in,
	    met_bytes_out, met_reload_ok, met_reload_fail,
	    srv->policy_generation, cs.queued);
	if (jobs_enabled())
		jobs_metrics(b);
}

static void
metrics_conn_free(struct bufferevent *bev)
{
	for (size_t i = 0; i < MET_MAX_CONNS; i++)
		if (met_conns[i].bev == bev) {
			event_free(met_conns[i].deadline);
			met_conns[i].bev = NULL;
			met_conns[i].deadline = NULL;
		}
	bufferevent_free(bev);
}

static void
metrics_write_done(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		metrics_conn_free(bev);
}

static void
metrics_event(struct bufferevent *bev, short what, void *arg)
{
	metrics_conn_free(bev);
}

static void
metrics_reply(struct bufferevent *bev, int status, const char *ctype,
    struct evbuffer *body)
{
	struct evbuffer *out = bufferevent_get_output(bev);

	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
	    status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request",
	    ctype, body ? evbuffer_get_length(body) : 0);
	if (body != NULL)
		evbuffer_add_buffer(out, body);
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, metrics_write_done, metrics_event, NULL);
	bufferevent_enable(bev, EV_WRITE);
}

static void
metrics_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev), *body;
	struct evbuffer_ptr end;
	char line[128];
	size_t n;

	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos < 0) {
		if (evbuffer_get_length(in) > MET_HEAD_MAX)
			metrics_reply(bev, 400, "text/plain", NULL);
		return;
	}
	n = evbuffer_copyout(in, line, sizeof(line) - 1);
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, "GET /metrics HTTP/1.1") != 0 &&
	    strcmp(line, "GET /metrics HTTP/1.0") != 0) {
		metrics_reply(bev, 404, "text/plain", NULL);
		return;
	}
	if ((body = evbuffer_new()) == NULL) {
		metrics_conn_free(bev);
		return;
	}
	metrics_render(body);
	metrics_reply(bev, 200, "text/plain; version=0.0.4; charset=utf-8", body);
	evbuffer_free(body);
}

static void
metrics_deadline(evutil_socket_t fd, short ev, void *arg)
{
	metrics_conn_free(arg);
}

static void
metrics_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct event_base *base = evconnlistener_get_base(l);
	struct timeval tv = { MET_TIMEOUT_S, 0 };
	struct met_conn *mc = NULL;

	for (size_t i = 0; i < MET_MAX_CONNS && mc == NULL; i++)
		if (met_conns[i].bev == NULL)
			mc = &met_conns[i];
	if (mc == NULL ||
	    (mc->bev = bufferevent_socket_new(base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		return;
	}
	if ((mc->deadline = evtimer_new(base, metrics_deadline,
	    mc->bev)) == NULL) {
		bufferevent_free(mc->bev);
		mc->bev = NULL;
		return;
	}
	evtimer_add(mc->deadline, &tv);
	bufferevent_setcb(mc->bev, metrics_read, NULL, metrics_event, NULL);
	bufferevent_set_timeouts(mc->bev, &tv, &tv);
	bufferevent_enable(mc->bev, EV_READ);
}

static int
metrics_bind_unix(const char *path)
{
	int fd;

	/* Like the API socket: only a stale socket file is replaced. */
	if ((fd = listener_bind_unix(path, (uid_t)-1, (gid_t)-1, 0660, 16)) == -1)
		return -1;
	if ((met_path = strdup(path)) == NULL) {
		close(fd);
		return -1;
	}
	return fd;
}

/* "tcp:127.0.0.1:9323", "tcp:[::1]:9323", "tcp:localhost:9323" only. */
static int
metrics_bind_tcp(const char *spec)
{
	char host[128];
	const char *port;
	struct addrinfo hints, *res = NULL;
	int fd = -1, one = 1, rc;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (rb == NULL || rb[1] != ':' || (size_t)(rb - spec) >= sizeof(host))
			goto bad;
		memcpy(host, spec + 1, (size_t)(rb - spec - 1));
		host[rb - spec - 1] = '\0';
		port = rb + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
			goto bad;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		port = colon + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0 || res == NULL) {
		log_warnx("metrics_listen tcp:%s: %s", spec, gai_strerror(rc));
		return -1;
	}
	if (!((res->ai_family == AF_INET &&
	    (ntohl(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr) >> 24)
	    == 127) || (res->ai_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(
	    &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr)))) {
		log_warnx("metrics_listen tcp:%s: only loopback addresses", spec);
		freeaddrinfo(res);
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 || bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 16) == -1) {
		log_warn("metrics_listen tcp:%s", spec);
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
bad:
	log_warnx("metrics_listen tcp:%s: expected HOST:PORT", spec);
	return -1;
}

/* spec NULL/"off": no metrics unless systemd passed a "metrics" fd. */
int
metrics_open(struct event_base *base, const char *spec, int activated_fd)
{
	int fd = activated_fd;

	if (fd == -1) {
		if (spec == NULL || strcmp(spec, "off") == 0)
			return 0;
		if (strncmp(spec, "unix:", 5) == 0)
			fd = metrics_bind_unix(spec + 5);
		else if (strncmp(spec, "tcp:", 4) == 0)
			fd = metrics_bind_tcp(spec + 4);
		if (fd == -1)
			return -1;
	}
	met_listener = evconnlistener_new(base, metrics_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (met_listener == NULL) {
		log_warn("metrics listener");
		close(fd);
		return -1;
	}
	log_info("metrics on %s", activated_fd != -1 ? "the activated socket "
	    "\"metrics\"" : spec);
	return 0;
}

const char *
metrics_unix_path(void)
{
	return met_path;
}

/* remove: unlink our socket file (not when the root helper does it). */
void
metrics_stop(int remove)
{
	if (met_listener != NULL) {
		evconnlistener_free(met_listener);
		met_listener = NULL;
	}
	for (size_t i = 0; i < MET_MAX_CONNS; i++)
		if (met_conns[i].bev != NULL)
			metrics_conn_free(met_conns[i].bev);
	if (remove && met_path != NULL)
		(void)unlink(met_path);
	free(met_path);
	met_path = NULL;
}
