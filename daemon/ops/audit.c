/*
 * audit.c - the audit trail: one JSON line per exchange, built from the
 * record conn.c hands over when the exchange ends (struct exchange: after
 * a relayed response, after sockwarden's own answer, or when the
 * connection dies mid-exchange).  A record names the time, the listener,
 * the caller (uid/gid/pid from SO_PEERCRED and its container), the
 * request, the policy's operation/image/decision/rule/reason and the
 * generation of the policy that decided, the status, the
 * bytes each way and the duration.  Every string from the request is
 * JSON-escaped with non-ASCII and control bytes as \u00XX, so a hostile
 * path can not forge a record.  Output goes to stderr (journald) or to a
 * file that SIGUSR1 reopens for logrotate.  It neither decides nor counts
 * (metrics.c gets the same record).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

#define AUDIT_LINE_MAX		(24 * 1024)
#define AUDIT_TARGET_MAX	2048	/* bytes of the request-target kept */

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
static struct event_base *audit_base;
static struct event *audit_flush_ev;
static char *audit_path;		/* NULL: stderr or off */

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
	if (audit_flush_ev == NULL && audit_base != NULL)
		audit_flush_ev = event_new(audit_base, -1, 0, audit_flush_cb,
		    NULL);
	if (audit_flush_ev == NULL)
		audit_flush();
	else if (!event_pending(audit_flush_ev, EV_TIMEOUT, NULL))
		event_active(audit_flush_ev, EV_TIMEOUT, 1);
}

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
audit_open(struct event_base *base, const char *spec)
{
	audit_base = base;
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
audit_record(const struct exchange *x)
{
	char line[AUDIT_LINE_MAX];
	struct abuf b = { line, 0, sizeof(line) };
	static time_t when_sec = -1;	/* strftime once per second */
	static char when_prefix[32];
	struct timespec now;
	struct tm tm;
	size_t tlen = x->target_len;
	const char *cid = x->peer->container;

	if (audit_fd == -1)
		return;
	if (tlen > AUDIT_TARGET_MAX)
		tlen = AUDIT_TARGET_MAX;
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
	ab_esc(&b, x->listener, strlen(x->listener));
	ab_lit(&b, "\",\"job\":");
	if (x->job != NULL) {
		ab_lit(&b, "\"");
		ab_esc(&b, x->job, strlen(x->job));
		ab_lit(&b, "\"");
	} else
		ab_lit(&b, "null");
	ab_lit(&b, ",\"conn\":");
	ab_num(&b, (long long)x->conn_id);
	ab_lit(&b, ",\"peer_uid\":");
	ab_num(&b, (int)x->peer->uid);
	ab_lit(&b, ",\"peer_gid\":");
	ab_num(&b, (int)x->peer->gid);
	ab_lit(&b, ",\"peer_pid\":");
	ab_num(&b, (int)x->peer->pid);
	ab_lit(&b, ",\"container\":");
	if (cid[0] != '\0') {
		ab_lit(&b, "\"");
		ab_esc(&b, cid, strlen(cid));
		ab_lit(&b, "\"");
	} else
		ab_lit(&b, "null");
	ab_lit(&b, ",\"method\":\"");
	ab_esc(&b, x->method, strlen(x->method));
	ab_lit(&b, "\",\"path\":\"");
	ab_esc(&b, x->target, tlen);
	ab_lit(&b, "\",\"operation\":\"");
	ab_esc(&b, x->operation, strlen(x->operation));
	ab_lit(&b, "\",\"image\":");
	if (x->image != NULL && x->image[0] != '\0') {
		ab_lit(&b, "\"");
		ab_esc(&b, x->image, strlen(x->image));
		ab_lit(&b, "\"");
	} else
		ab_lit(&b, "null");
	ab_lit(&b, ",\"policy_generation\":");
	if (x->policy_generation > 0)
		ab_num(&b, (long long)x->policy_generation);
	else
		ab_lit(&b, "null");
	ab_lit(&b, ",\"decision\":\"");
	ab_lit(&b, x->decision);
	ab_lit(&b, x->audit_only ? "\",\"audit_only\":true,\"rule\":\"" :
	    "\",\"audit_only\":false,\"rule\":\"");
	ab_esc(&b, x->rule, strlen(x->rule));
	ab_lit(&b, "\",\"reason\":\"");
	ab_esc(&b, x->reason, strlen(x->reason));
	ab_lit(&b, "\",\"status\":");
	ab_num(&b, x->status);
	ab_lit(&b, ",\"bytes_in\":");
	ab_num(&b, (long long)x->bytes_in);
	ab_lit(&b, ",\"bytes_out\":");
	ab_num(&b, (long long)x->bytes_out);
	ab_lit(&b, ",\"duration_ms\":");
	ab_num(&b, (long long)(x->duration_us / 1000));
	ab_lit(&b, ".");
	ab_num3(&b, (int)(x->duration_us % 1000));
	ab_lit(&b, "}\n");
	if (b.len >= b.cap) {
		/* Cannot happen with the caps above; never emit half JSON. */
		log_warnx("audit record too long; dropped");
		return;
	}
	audit_queue(line, b.len);
}
