/*
 * audit.c - the audit trail: one JSON line per decision, written when the
 * exchange ends (conn.c calls audit_exchange_end() once per exchange: after
 * a relayed response, after sockwarden's own error or denial, or when the
 * connection dies mid-exchange).  A record names the time, the listener,
 * the peer's uid/gid/pid (SO_PEERCRED) and, when the peer runs in a
 * container, that container's id (from /proc/PID/cgroup), the request,
 * the policy's operation/decision/rule/reason, the status, the bytes each
 * way and the duration.  Every string from the request is JSON-escaped
 * with non-ASCII and control bytes as \u00XX, so a hostile path can not
 * forge a record.  Output goes to stderr (journald) or to a file that
 * SIGUSR1 reopens for logrotate.  It does not decide anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service.h"

#define AUDIT_LINE_MAX		(24 * 1024)
#define AUDIT_TARGET_MAX	2048	/* bytes of the request-target kept */
#define AUDIT_CACHE		256	/* container ids cached per conn id */

#define AUDIT_BATCH		(64 * 1024)

static int audit_fd = STDERR_FILENO;	/* -1: off */
/*
 * Records of one event-loop pass are written together: they are queued
 * here and flushed by an event made active on the first one, which runs
 * before the loop sleeps again.  Under load that is one write for many
 * requests instead of one each.
 */
static char audit_batch[AUDIT_BATCH];
static size_t audit_batch_len;
static struct event *audit_flush_ev;
static char *audit_path;		/* NULL: stderr or off */
static char audit_listener[128] = "";
static char audit_own_cgroup[4096];

static void
audit_flush(void)
{
	size_t off = 0;

	while (off < audit_batch_len && audit_fd >= 0) {
		ssize_t n = write(audit_fd, audit_batch + off,
		    audit_batch_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("audit log write");
			break;
		}
		off += (size_t)n;
	}
	audit_batch_len = 0;
}

static void
audit_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	audit_flush();
}

static void
audit_queue(const char *line, size_t n)
{
	if (audit_batch_len + n > sizeof(audit_batch))
		audit_flush();
	if (n > sizeof(audit_batch)) {
		audit_batch_len = 0;
		return;
	}
	memcpy(audit_batch + audit_batch_len, line, n);
	audit_batch_len += n;
	if (audit_flush_ev == NULL && server.base != NULL)
		audit_flush_ev = event_new(server.base, -1, 0, audit_flush_cb,
		    NULL);
	if (audit_flush_ev == NULL)
		audit_flush();
	else if (!event_pending(audit_flush_ev, EV_TIMEOUT, NULL))
		event_active(audit_flush_ev, EV_TIMEOUT, 1);
}

static struct {
	uint64_t	 conn_id;
	char		 id[65];	/* "" when not in a container */
} audit_cache[AUDIT_CACHE];

size_t
audit_json_escape(const void *data, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t o = 0;

	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			if (o + 2 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 6 >= outlen)
				break;
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[c >> 4];
			out[o + 5] = hex[c & 15];
			o += 6;
		}
	}
	out[o] = '\0';
	return o;
}

static int
audit_ishex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/*
 * The container id in a cgroup file: the last run of exactly 64 lowercase
 * hex digits in any cgroup path ("/docker/<id>", "docker-<id>.scope",
 * ".../<id>") that does not also appear in our own cgroup (when the daemon
 * itself runs in a container, its id is no caller's).
 */
int
audit_container_id(const char *cg, const char *own, char id[65])
{
	const char *p = cg, *found = NULL;

	while (*p != '\0') {
		if (audit_ishex((unsigned char)*p) &&
		    (p == cg || !audit_ishex((unsigned char)p[-1]))) {
			size_t n = 0;
			while (audit_ishex((unsigned char)p[n]))
				n++;
			if (n == 64) {
				char cand[65];
				memcpy(cand, p, 64);
				cand[64] = '\0';
				if (own == NULL || strstr(own, cand) == NULL)
					found = p;
			}
			p += n;
			continue;
		}
		p++;
	}
	if (found == NULL)
		return -1;
	memcpy(id, found, 64);
	id[64] = '\0';
	return 0;
}

static ssize_t
audit_read_small(const char *path, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd == -1)
		return -1;
	while ((size_t)got < len - 1) {
		n = read(fd, buf + got, len - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

static const char *
audit_container(const struct conn *c)
{
	unsigned slot = (unsigned)(c->c_id % AUDIT_CACHE);
	char path[64], cg[4096];

	if (audit_cache[slot].conn_id == c->c_id)
		return audit_cache[slot].id;
	audit_cache[slot].conn_id = c->c_id;
	audit_cache[slot].id[0] = '\0';
	if (c->c_peer_pid <= 0)
		return audit_cache[slot].id;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)c->c_peer_pid);
	if (audit_read_small(path, cg, sizeof(cg)) > 0 &&
	    audit_container_id(cg, audit_own_cgroup, audit_cache[slot].id) != 0)
		audit_cache[slot].id[0] = '\0';
	return audit_cache[slot].id;
}

static int
audit_open_file(void)
{
	int fd;

	if (privdrop_helper_active())
		return privdrop_helper_open_audit();
	fd = open(audit_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY, 0640);
	return fd;
}

/* spec: NULL or "stderr", "off", or an absolute path. */
int
audit_open(const char *spec, const char *listener)
{
	snprintf(audit_listener, sizeof(audit_listener), "%s",
	    listener ? listener : "");
	if (audit_read_small("/proc/self/cgroup", audit_own_cgroup,
	    sizeof(audit_own_cgroup)) < 0)
		audit_own_cgroup[0] = '\0';
	free(audit_path);
	audit_path = NULL;
	if (spec == NULL || strcmp(spec, "stderr") == 0) {
		audit_fd = STDERR_FILENO;
		return 0;
	}
	if (strcmp(spec, "off") == 0) {
		audit_fd = -1;
		return 0;
	}
	if ((audit_path = strdup(spec)) == NULL)
		return -1;
	if ((audit_fd = audit_open_file()) == -1) {
		log_warn("audit log %s", audit_path);
		return -1;
	}
	return 0;
}

int
audit_reopen(void)
{
	int fd;

	if (audit_path == NULL)
		return 0;
	if ((fd = audit_open_file()) == -1) {
		log_warn("SIGUSR1: cannot reopen audit log %s; still writing "
		    "to the old file", audit_path);
		return -1;
	}
	audit_flush();			/* queued records go to the old file */
	if (audit_fd > STDERR_FILENO)
		close(audit_fd);
	audit_fd = fd;
	log_info("SIGUSR1: audit log %s reopened", audit_path);
	return 0;
}

void
audit_close(void)
{
	audit_flush();
	if (audit_flush_ev != NULL) {
		event_free(audit_flush_ev);
		audit_flush_ev = NULL;
	}
	if (audit_fd > STDERR_FILENO)
		close(audit_fd);
	audit_fd = STDERR_FILENO;
	free(audit_path);
	audit_path = NULL;
}

static const char *
audit_decision(const struct policy_decision *d)
{
	switch (d->verdict) {
	case POLICY_ALLOW:
		return "allow";
	case POLICY_DENY:
		return "deny";
	case POLICY_REJECT:
		return "reject";
	case POLICY_NEED_BODY:
		return "incomplete";	/* ended before the body decision */
	}
	return "?";
}

/* A bounded line builder; on overflow len reaches cap and stays there. */
struct abuf {
	char	*p;
	size_t	 len, cap;
};

static void
ab_lit(struct abuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n >= b->cap) {
		b->len = b->cap;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
ab_esc(struct abuf *b, const void *data, size_t len)
{
	if (b->len >= b->cap)
		return;
	b->len += audit_json_escape(data, len, b->p + b->len, b->cap - b->len);
}

/* Three digits, zero-padded: milliseconds after a point. */
static void
ab_num3(struct abuf *b, int v)
{
	if (b->len + 3 >= b->cap) {
		b->len = b->cap;
		return;
	}
	b->p[b->len++] = (char)('0' + v / 100 % 10);
	b->p[b->len++] = (char)('0' + v / 10 % 10);
	b->p[b->len++] = (char)('0' + v % 10);
}

static void
ab_num(struct abuf *b, long long v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		tmp[--i] = '-';
	if (b->len + (sizeof(tmp) - i) >= b->cap) {
		b->len = b->cap;
		return;
	}
	memcpy(b->p + b->len, tmp + i, sizeof(tmp) - i);
	b->len += sizeof(tmp) - i;
}

void
audit_exchange_end(struct conn *c)
{
	const struct http_request *req;
	const struct policy_decision *d = &c->c_dec;
	char line[AUDIT_LINE_MAX];
	struct abuf b = { line, 0, sizeof(line) };
	const char *decision = audit_decision(d), *cid, *target = "";
	static time_t when_sec = -1;	/* strftime once per second */
	static char when_prefix[32];
	struct timespec now, mono;
	struct tm tm;
	long long us;
	size_t tlen = 0;

	c->c_audited = 1;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	us = (long long)(mono.tv_sec - c->c_t0.tv_sec) * 1000000 +
	    (mono.tv_nsec - c->c_t0.tv_nsec) / 1000;
	if (us < 0)
		us = 0;
	metrics_observe(c, decision);
	if (audit_fd == -1)
		return;
	req = c->c_reqp != NULL ? http_reqp_request(c->c_reqp) : NULL;
	/* conn.c releases the raw head once forwarded: then the path is the
	 * canonical target the policy let through. */
	if (req != NULL && req->target != NULL) {
		target = req->target;
		tlen = req->target_len;
	} else if (d->target != NULL) {
		target = d->target;
		tlen = strnlen(d->target, AUDIT_TARGET_MAX);
	}
	if (tlen > AUDIT_TARGET_MAX)
		tlen = AUDIT_TARGET_MAX;
	cid = audit_container(c);
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec != when_sec) {
		gmtime_r(&now.tv_sec, &tm);
		strftime(when_prefix, sizeof(when_prefix), "%Y-%m-%dT%H:%M:%S",
		    &tm);
		when_sec = now.tv_sec;
	}

	/* Built by hand, not snprintf: this runs for every request. */
	ab_lit(&b, "{\"type\":\"audit\",\"time\":\"");
	ab_lit(&b, when_prefix);
	ab_lit(&b, ".");
	ab_num3(&b, (int)(now.tv_nsec / 1000000));
	ab_lit(&b, "Z\",\"listener\":\"");
	ab_esc(&b, audit_listener, strlen(audit_listener));
	ab_lit(&b, "\",\"conn\":");
	ab_num(&b, (long long)c->c_id);
	ab_lit(&b, ",\"peer_uid\":");
	ab_num(&b, (int)c->c_peer_uid);
	ab_lit(&b, ",\"peer_gid\":");
	ab_num(&b, (int)c->c_peer_gid);
	ab_lit(&b, ",\"peer_pid\":");
	ab_num(&b, (int)c->c_peer_pid);
	ab_lit(&b, ",\"container\":");
	if (cid[0] != '\0') {
		ab_lit(&b, "\"");
		ab_esc(&b, cid, strlen(cid));
		ab_lit(&b, "\"");
	} else
		ab_lit(&b, "null");
	ab_lit(&b, ",\"method\":\"");
	if (req != NULL)
		ab_esc(&b, req->method, strlen(req->method));
	ab_lit(&b, "\",\"path\":\"");
	ab_esc(&b, target, tlen);
	ab_lit(&b, "\",\"operation\":\"");
	ab_esc(&b, d->operation, strnlen(d->operation, sizeof(d->operation)));
	ab_lit(&b, "\",\"decision\":\"");
	ab_lit(&b, decision);
	ab_lit(&b, d->verdict == POLICY_ALLOW && d->audit ?
	    "\",\"audit_only\":true,\"rule\":\"" :
	    "\",\"audit_only\":false,\"rule\":\"");
	ab_esc(&b, d->rule, strnlen(d->rule, sizeof(d->rule)));
	ab_lit(&b, "\",\"reason\":\"");
	ab_esc(&b, d->reason, strnlen(d->reason, sizeof(d->reason)));
	ab_lit(&b, "\",\"status\":");
	ab_num(&b, c->c_status);
	ab_lit(&b, ",\"bytes_in\":");
	ab_num(&b, (long long)c->c_bytes_in);
	ab_lit(&b, ",\"bytes_out\":");
	ab_num(&b, (long long)c->c_bytes_out);
	ab_lit(&b, ",\"duration_ms\":");
	ab_num(&b, us / 1000);
	ab_lit(&b, ".");
	ab_num3(&b, (int)(us % 1000));
	ab_lit(&b, "}\n");
	if (b.len >= b.cap) {
		/* Cannot happen with the caps above; never emit half JSON. */
		log_warnx("audit record too long; dropped");
		return;
	}
	audit_queue(line, b.len);
}
