/*
 * conn.c - one client connection: the request/response state machine.
 *
 *   HEAD --head parsed--> decide --+--> BODY_WAIT (body held for policy)
 *    ^                             |         |
 *    |                             +---------+--> FORWARD --both done--+
 *    +-------------------- keep-alive ---------------------------------+
 *   FORWARD --hijack proven by the engine's response head--> TUNNEL
 *   any --error/deny with close, EOF, time-out--> CLOSING --> freed
 *
 * The request head goes upstream re-serialized from what was parsed
 * (http_write.c), only after the policy allowed it; bodies are moved with
 * their framing checked and redone; response bytes are relayed unchanged,
 * their parser only finds message boundaries.  After a hijack-capable
 * request no client byte is read until the engine's response head shows
 * whether the connection was really hijacked.
 *
 * Memory is bounded by watermarks: a side stops being read while its peer's
 * output holds SW_RELAY_HIGH_WATER bytes and resumes once that drains.
 * Only conn_close() frees; it defers the free to the reaper event so no
 * callback ever runs on a freed conn.  This file does not listen, resolve
 * the upstream or decide policy.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "daemon.h"

struct server server;

static void conn_client_read(struct sock *, void *);
static void conn_client_write(struct sock *, void *);
static void conn_client_event(struct sock *, short, void *);
static void conn_up_read(struct sock *, void *);
static void conn_up_write(struct sock *, void *);
static void conn_up_event(struct sock *, short, void *);
static void conn_process_client(struct conn *);
static void conn_process_upstream(struct conn *);
static void conn_timer_cb(evutil_socket_t, short, void *);

#define CHECK_CONN(c) do { \
	if ((c)->c_magic != CONN_MAGIC) \
		fatalx("%s: bad conn magic %08x", __func__, (c)->c_magic); \
} while (0)

void
conn_reap(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&server.dead)) != NULL) {
		TAILQ_REMOVE(&server.dead, c, c_entry);
		c->c_magic = 0;
		free(c);
	}
	if (server.draining && server.nconns == 0)
		event_base_loopexit(server.base, NULL);
}

void
conn_init(void)
{
	TAILQ_INIT(&server.conns);
	TAILQ_INIT(&server.dead);
	server.reaper = event_new(server.base, -1, 0, conn_reap, NULL);
	if (server.reaper == NULL)
		fatalx("event_new failed");
}

static void
conn_timer_set(struct conn *c, enum conn_timer kind, unsigned ms)
{
	struct timeval tv;

	c->c_timer_kind = kind;
	if (kind == TIMER_NONE || ms == 0) {
		c->c_timer_kind = TIMER_NONE;
		evtimer_del(c->c_timer);
		return;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->c_timer, &tv);
}

static void
conn_free_upstream(struct conn *c)
{
	if (c->c_up != NULL) {
		sock_free(c->c_up);
		c->c_up = NULL;
	}
	c->c_up_eof = 0;
	c->c_up_shut = 0;
}

/*
 * The only teardown: frees both sides at once and queues the struct for the
 * reaper, so callbacks already dispatched for this conn in this loop turn
 * see c_closing and return.
 */
void
conn_close(struct conn *c, const char *reason)
{
	CHECK_CONN(c);
	if (c->c_closing) {
		log_warnx("conn %" PRIu64 ": closed twice (%s)", c->c_id, reason);
		return;
	}
	c->c_closing = 1;
	log_debug("conn %" PRIu64 ": close: %s", c->c_id, reason);
	if (c->c_nreq > 0 && !c->c_audited)
		audit_exchange_end(c);
	conn_free_upstream(c);
	if (c->c_bev != NULL)
		sock_free(c->c_bev);
	c->c_bev = NULL;
	if (c->c_timer != NULL)
		event_free(c->c_timer);
	c->c_timer = NULL;
	if (c->c_body != NULL)
		evbuffer_free(c->c_body);
	c->c_body = NULL;
	http_reqp_free(c->c_reqp);
	http_respp_free(c->c_respp);
	c->c_reqp = NULL;
	c->c_respp = NULL;
	policy_decision_clear(&c->c_dec);
	TAILQ_REMOVE(&server.conns, c, c_entry);
	TAILQ_INSERT_TAIL(&server.dead, c, c_entry);
	server.nconns--;
	event_active(server.reaper, 0, 0);
}

/*
 * Our last bytes are out: half-close and linger, reading and discarding
 * what the client still sends (the rest of a body we answered early), so
 * it gets to read our answer instead of a reset (RFC 9112 section 9.6).
 */
static void
conn_linger(struct conn *c)
{
	if (c->c_client_eof) {
		conn_close(c, "done");
		return;
	}
	c->c_client_shut = 1;
	(void)shutdown(sock_fd(c->c_bev), SHUT_WR);
	evbuffer_drain(sock_input(c->c_bev),
	    evbuffer_get_length(sock_input(c->c_bev)));
	sock_read(c->c_bev, 1);
	conn_timer_set(c, TIMER_IDLE, SW_LINGER_MS < server.conf->header_timeout_ms ?
	    SW_LINGER_MS : server.conf->header_timeout_ms);
}

/* Close once the client has received everything queued for it. */
static void
conn_close_after_flush(struct conn *c)
{
	c->c_state = CONN_CLOSING;
	/* A client that never reads must not pin the conn forever. */
	conn_timer_set(c, TIMER_IDLE, server.conf->header_timeout_ms);
	conn_free_upstream(c);
	if (evbuffer_get_length(sock_output(c->c_bev)) == 0)
		conn_linger(c);
	/* else: the write callback lingers once the output drains */
}

/* Answer with sockwarden's own JSON error. */
static void
conn_error(struct conn *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
conn_error(struct conn *c, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->c_resp_started) {
		/* Part of an engine response already went out: the only
		 * honest signal left is closing the connection. */
		conn_close(c, msg);
		return;
	}
	log_info("conn %" PRIu64 ": %d %s", c->c_id, status, msg);
	c->c_status = status;
	(void)http_write_error(sock_output(c->c_bev), status, msg, 1);
	if (c->c_nreq > 0 && !c->c_audited)
		audit_exchange_end(c);
	conn_close_after_flush(c);
}

void
conn_accept(int fd)
{
	struct conn *c;
	struct ucred cred;
	socklen_t clen = sizeof(cred);

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->c_magic = CONN_MAGIC;
	c->c_id = ++server.next_id;
	c->c_bev = sock_new(server.base, fd, 0);
	c->c_timer = evtimer_new(server.base, conn_timer_cb, c);
	c->c_reqp = http_reqp_new(server.conf->max_header_bytes);
	c->c_respp = http_respp_new();
	if (c->c_bev == NULL || c->c_timer == NULL || c->c_reqp == NULL ||
	    c->c_respp == NULL) {
		if (c->c_bev != NULL)
			sock_free(c->c_bev);
		else
			close(fd);
		if (c->c_timer != NULL)
			event_free(c->c_timer);
		http_reqp_free(c->c_reqp);
		http_respp_free(c->c_respp);
		free(c);
		log_warnx("accept: out of memory");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		c->c_peer_pid = cred.pid;
		c->c_peer_uid = cred.uid;
		c->c_peer_gid = cred.gid;
	}
	TAILQ_INSERT_TAIL(&server.conns, c, c_entry);
	server.nconns++;
	c->c_state = CONN_HEAD;
	c->c_keepalive = 1;
	sock_setcb(c->c_bev, conn_client_read, conn_client_write,
	    conn_client_event, c);
	sock_set_read_high(c->c_bev, SW_RELAY_HIGH_WATER);
	sock_set_write_low(c->c_bev, SW_RELAY_HIGH_WATER / 2);
	sock_read(c->c_bev, 1);
	conn_timer_set(c, TIMER_HEADER, server.conf->header_timeout_ms);
	log_debug("conn %" PRIu64 ": accepted, peer pid %d uid %d", c->c_id,
	    (int)c->c_peer_pid, (int)c->c_peer_uid);
	return;
fail:
	close(fd);
}

static void
conn_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	switch (c->c_timer_kind) {
	case TIMER_HEADER:
		if (http_reqp_head_bytes(c->c_reqp) == 0 && c->c_nreq == 0)
			conn_close(c, "no request before header time-out");
		else
			conn_error(c, 408, "sockwarden: timed out reading "
			    "the request head");
		break;
	case TIMER_IDLE:
		conn_close(c, "idle time-out");
		break;
	case TIMER_RESPONSE:
		conn_error(c, 504, "sockwarden: engine at %s did not "
		    "answer in time", server.up.name);
		break;
	case TIMER_NONE:
		break;
	}
}

/* Back to HEAD for the next request on a keep-alive connection. */
static void
conn_next_request(struct conn *c)
{
	http_reqp_reset(c->c_reqp);
	policy_decision_clear(&c->c_dec);
	if (c->c_body != NULL) {
		evbuffer_free(c->c_body);
		c->c_body = NULL;
	}
	c->c_req_done = c->c_resp_done = c->c_resp_started = 0;
	c->c_hijack = 0;
	c->c_req_body = BODY_NONE;
	c->c_body_left = 0;
	if (!c->c_keepalive || c->c_client_eof || server.draining) {
		conn_close_after_flush(c);
		return;
	}
	c->c_state = CONN_HEAD;
	if (evbuffer_get_length(sock_input(c->c_bev)) > 0)
		conn_timer_set(c, TIMER_HEADER, server.conf->header_timeout_ms);
	else
		conn_timer_set(c, TIMER_IDLE, server.conf->idle_timeout_ms);
	sock_read(c->c_bev, 1);
	conn_process_client(c);		/* pipelined bytes already here */
}

/* Both halves of the exchange are complete (or the caller gave up). */
static void
conn_exchange_done(struct conn *c)
{
	const struct http_response_info *ri = http_respp_info(c->c_respp);

	if (!c->c_audited)
		audit_exchange_end(c);
	if (!ri->keepalive || c->c_up_eof)
		conn_free_upstream(c);
	conn_next_request(c);
}

static int
conn_upstream_ensure(struct conn *c)
{
	int err = 0;

	if (c->c_up != NULL && !c->c_up_eof)
		return 0;
	conn_free_upstream(c);
	c->c_up = upstream_connect(server.base, &server.up,
	    server.conf->connect_timeout_ms, &err);
	if (c->c_up == NULL) {
		conn_error(c, 502, "sockwarden: cannot reach engine at %s: %s",
		    server.up.name, strerror(err));
		return -1;
	}
	sock_setcb(c->c_up, conn_up_read, conn_up_write, conn_up_event, c);
	sock_set_read_high(c->c_up, SW_RELAY_HIGH_WATER);
	sock_set_write_low(c->c_up, SW_RELAY_HIGH_WATER / 2);
	sock_read(c->c_up, 1);
	return 0;
}

/* Body bytes of a chunked request: re-chunk them upstream. */
static void
conn_chunk_out(void *arg, const char *data, size_t len)
{
	struct conn *c = arg;
	struct evbuffer *out = sock_output(c->c_up);

	if (len == 0)
		return;
	c->c_bytes_in += len;
	evbuffer_add_printf(out, "%zx\r\n", len);
	evbuffer_add(out, data, len);
	evbuffer_add(out, "\r\n", 2);
}

/* Body bytes of a chunked request held for inspection. */
static void
conn_chunk_hold(void *arg, const char *data, size_t len)
{
	evbuffer_add(arg, data, len);
}

/* Send the allowed request upstream and start relaying. */
static void
conn_forward(struct conn *c)
{
	const struct http_request *req = http_reqp_request(c->c_reqp);
	struct evbuffer *out;
	enum body_framing framing = c->c_req_body;
	size_t length = 0;

	if (conn_upstream_ensure(c) != 0)
		return;
	out = sock_output(c->c_up);
	if (c->c_body != NULL) {		/* inspected and held */
		framing = BODY_LENGTH;
		length = evbuffer_get_length(c->c_body);
	} else if (framing == BODY_LENGTH) {
		length = (size_t)c->c_body_left;
	}
	if (http_write_request(out, req, c->c_dec.target, framing, length,
	    c->c_hijack) != 0) {
		conn_error(c, 500, "sockwarden: out of memory");
		return;
	}
	if (c->c_body != NULL) {
		c->c_bytes_in += evbuffer_get_length(c->c_body);
		evbuffer_add_buffer(out, c->c_body);
		c->c_req_done = 1;
	} else if (framing == BODY_NONE) {
		c->c_req_done = 1;
	}
	http_respp_reset(c->c_respp, strcmp(req->method, "HEAD") == 0);
	c->c_state = CONN_FORWARD;
	conn_timer_set(c, TIMER_RESPONSE, server.conf->response_timeout_ms);
	if (req->expect_continue && !c->c_req_done && c->c_body == NULL)
		evbuffer_add(sock_output(c->c_bev),
		    "HTTP/1.1 100 Continue\r\n\r\n", 25);
	log_debug("conn %" PRIu64 ": %s %s -> %s (%s)", c->c_id, req->method,
	    req->target, c->c_dec.target, c->c_dec.operation);
	http_reqp_release_head(c->c_reqp);
	/* conn_process_client's loop, our caller, relays the body next */
}

/* Evaluate the policy; returns 0 when the request may go on. */
static int
conn_decide(struct conn *c, const unsigned char *body, size_t body_len)
{
	const struct http_request *req = http_reqp_request(c->c_reqp);
	struct policy_request pr;
	char msg[1024];

	memset(&pr, 0, sizeof(pr));
	pr.method = req->method;
	pr.target = req->target;
	pr.target_len = req->target_len;
	pr.headers = req->hdrs;
	pr.nheaders = req->nhdrs;
	pr.body_present = req->chunked || req->content_length > 0;
	pr.body = body;
	pr.body_len = body_len;
	policy_decision_clear(&c->c_dec);
	policy_eval(server.policy, &pr, &c->c_dec);

	switch (c->c_dec.verdict) {
	case POLICY_ALLOW:
		if (c->c_dec.audit) {
			policy_format_message(&c->c_dec, msg, sizeof(msg));
			log_warnx("conn %" PRIu64 ": audit: %s %s: would deny: %s",
			    c->c_id, req->method, req->target, msg);
		}
		if (req->upgrade != NULL && !c->c_dec.hijack) {
			conn_error(c, 400, "sockwarden: Upgrade is only "
			    "allowed on attach, exec start and session endpoints");
			return -1;
		}
		c->c_hijack = c->c_dec.hijack;
		return 0;
	case POLICY_NEED_BODY:
		return 0;
	case POLICY_DENY:
	case POLICY_REJECT:
		policy_format_message(&c->c_dec, msg, sizeof(msg));
		log_info("conn %" PRIu64 ": %s %s: %s", c->c_id, req->method,
		    req->target, msg);
		conn_error(c, c->c_dec.status ? c->c_dec.status : 403, "%s", msg);
		return -1;
	}
	return -1;
}

/* A request head is complete: decide, then hold the body or forward. */
static void
conn_dispatch(struct conn *c)
{
	const struct http_request *req = http_reqp_request(c->c_reqp);

	c->c_nreq++;
	c->c_keepalive = req->keepalive;
	clock_gettime(CLOCK_MONOTONIC, &c->c_t0);
	c->c_bytes_in = c->c_bytes_out = 0;
	c->c_status = 0;
	c->c_audited = 0;
	conn_timer_set(c, TIMER_NONE, 0);
	if (req->chunked)
		c->c_req_body = BODY_CHUNKED;
	else if (req->content_length > 0) {
		c->c_req_body = BODY_LENGTH;
		c->c_body_left = (uint64_t)req->content_length;
	} else
		c->c_req_body = BODY_NONE;

	if (conn_decide(c, NULL, 0) != 0)
		return;
	if (c->c_dec.verdict == POLICY_NEED_BODY) {
		if (c->c_dec.body_limit == 0 ||
		    c->c_dec.body_limit > server.conf->max_body_bytes)
			c->c_dec.body_limit = server.conf->max_body_bytes;
		if (c->c_req_body == BODY_NONE) {
			if (conn_decide(c, (const unsigned char *)"", 0) == 0)
				conn_forward(c);
			return;
		}
		if (c->c_req_body == BODY_LENGTH &&
		    c->c_body_left > c->c_dec.body_limit) {
			conn_error(c, 413, "sockwarden: request body exceeds "
			    "the %zu-byte inspection limit", c->c_dec.body_limit);
			return;
		}
		if ((c->c_body = evbuffer_new()) == NULL) {
			conn_error(c, 500, "sockwarden: out of memory");
			return;
		}
		c->c_state = CONN_BODY_WAIT;
		conn_timer_set(c, TIMER_HEADER, server.conf->header_timeout_ms);
		if (req->expect_continue)
			evbuffer_add(sock_output(c->c_bev),
			    "HTTP/1.1 100 Continue\r\n\r\n", 25);
		return;
	}
	conn_forward(c);
}

/* Hold body bytes for inspection; decide once complete. */
static void
conn_body_wait(struct conn *c, struct evbuffer *in)
{
	enum http_feed res = HTTP_FEED_MORE;
	struct evbuffer_iovec v;
	size_t n, held;
	unsigned char *body;

	if (c->c_req_body == BODY_LENGTH) {
		n = evbuffer_get_length(in);
		if (n > c->c_body_left)
			n = (size_t)c->c_body_left;
		evbuffer_remove_buffer(in, c->c_body, n);
		c->c_body_left -= n;
		if (c->c_body_left > 0)
			return;
	} else {
		while (res == HTTP_FEED_MORE && evbuffer_peek(in, -1, NULL, &v, 1) > 0) {
			n = http_reqp_feed_chunked(c->c_reqp, v.iov_base,
			    v.iov_len, conn_chunk_hold, c->c_body, &res);
			evbuffer_drain(in, n);
			if (evbuffer_get_length(c->c_body) > c->c_dec.body_limit) {
				conn_error(c, 413, "sockwarden: request body "
				    "exceeds the %zu-byte inspection limit",
				    c->c_dec.body_limit);
				return;
			}
		}
		if (res == HTTP_FEED_ERROR) {
			conn_error(c, 400, "sockwarden: %s",
			    http_reqp_err_msg(c->c_reqp));
			return;
		}
		if (res != HTTP_FEED_DONE)
			return;
	}
	conn_timer_set(c, TIMER_NONE, 0);
	held = evbuffer_get_length(c->c_body);
	body = evbuffer_pullup(c->c_body, -1);
	if (conn_decide(c, body ? body : (const unsigned char *)"", held) != 0)
		return;
	if (c->c_dec.verdict != POLICY_ALLOW) {
		conn_error(c, 500, "sockwarden: policy asked for the body twice");
		return;
	}
	conn_forward(c);
}

/* Relay client body bytes upstream, honouring the upstream's backlog. */
static void
conn_body_stream(struct conn *c, struct evbuffer *in)
{
	struct evbuffer *out = sock_output(c->c_up);
	enum http_feed res = HTTP_FEED_MORE;
	struct evbuffer_iovec v;
	size_t n;

	if (c->c_req_body == BODY_LENGTH) {
		n = evbuffer_get_length(in);
		if (n > c->c_body_left)
			n = (size_t)c->c_body_left;
		evbuffer_remove_buffer(in, out, n);
		c->c_body_left -= n;
		c->c_bytes_in += n;
		if (c->c_body_left == 0)
			c->c_req_done = 1;
	} else {
		while (res == HTTP_FEED_MORE &&
		    evbuffer_get_length(out) < SW_RELAY_HIGH_WATER &&
		    evbuffer_peek(in, -1, NULL, &v, 1) > 0) {
			n = http_reqp_feed_chunked(c->c_reqp, v.iov_base,
			    v.iov_len, conn_chunk_out, c, &res);
			evbuffer_drain(in, n);
		}
		if (res == HTTP_FEED_ERROR) {
			/* Upstream already has part of the body: the
			 * request cannot be finished honestly. */
			conn_close(c, "malformed chunked request body");
			return;
		}
		if (res == HTTP_FEED_DONE) {
			evbuffer_add(out, "0\r\n\r\n", 5);
			c->c_req_done = 1;
		}
	}
	if (evbuffer_get_length(out) >= SW_RELAY_HIGH_WATER)
		sock_read(c->c_bev, 0);
	if (c->c_req_done && c->c_resp_done)
		conn_exchange_done(c);
}

/* Half-close towards dst once everything queued for it is written. */
static void
conn_shut_when_drained(struct conn *c, struct sock *dst, int to_up)
{
	if (dst == NULL || evbuffer_get_length(sock_output(dst)) > 0)
		return;
	if (to_up ? c->c_up_shut : c->c_client_shut)
		return;
	if (to_up)
		c->c_up_shut = 1;
	else
		c->c_client_shut = 1;
	(void)shutdown(sock_fd(dst), SHUT_WR);
}

static void
conn_tunnel_check_done(struct conn *c)
{
	if (c->c_client_eof && c->c_up_eof &&
	    evbuffer_get_length(sock_output(c->c_bev)) == 0 &&
	    evbuffer_get_length(sock_output(c->c_up)) == 0)
		conn_close(c, "tunnel finished");
}

static void
conn_process_client(struct conn *c)
{
	struct evbuffer *in = sock_input(c->c_bev);
	struct evbuffer_iovec v;
	enum http_feed res;
	size_t n;

	while (!c->c_closing) {
		switch (c->c_state) {
		case CONN_HEAD:
			if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
				return;
			if (http_reqp_head_bytes(c->c_reqp) == 0 &&
			    c->c_timer_kind == TIMER_IDLE)
				conn_timer_set(c, TIMER_HEADER,
				    server.conf->header_timeout_ms);
			n = http_reqp_feed_head(c->c_reqp, v.iov_base,
			    v.iov_len, &res);
			evbuffer_drain(in, n);
			if (res == HTTP_FEED_ERROR) {
				conn_error(c, http_reqp_err_status(c->c_reqp),
				    "sockwarden: %s", http_reqp_err_msg(c->c_reqp));
				return;
			}
			if (res == HTTP_FEED_HEAD)
				conn_dispatch(c);
			continue;
		case CONN_BODY_WAIT:
			if (evbuffer_get_length(in) == 0)
				return;
			conn_body_wait(c, in);
			if (c->c_state == CONN_BODY_WAIT)
				return;
			continue;
		case CONN_FORWARD:
			/* Pipelined bytes wait for the response; bytes
			 * after a hijack-capable request wait for the
			 * engine to prove the hijack. */
			if (c->c_req_done || c->c_up == NULL ||
			    evbuffer_get_length(in) == 0)
				return;
			conn_body_stream(c, in);
			return;
		case CONN_TUNNEL:
			if (evbuffer_get_length(in) > 0) {
				c->c_bytes_in += evbuffer_get_length(in);
				evbuffer_add_buffer(sock_output(c->c_up), in);
				if (evbuffer_get_length(sock_output(
				    c->c_up)) >= SW_RELAY_HIGH_WATER)
					sock_read(c->c_bev, 0);
			}
			return;
		case CONN_CLOSING:
			evbuffer_drain(in, evbuffer_get_length(in));
			return;
		}
	}
}

/* The response head proved a hijack: from now on bytes are opaque. */
static void
conn_tunnel_start(struct conn *c)
{
	struct evbuffer *cin = sock_input(c->c_bev);

	log_debug("conn %" PRIu64 ": hijacked, tunnelling", c->c_id);
	c->c_state = CONN_TUNNEL;
	conn_timer_set(c, TIMER_NONE, 0);
	evbuffer_add_buffer(sock_output(c->c_up), cin);
	sock_read(c->c_bev, 1);
	if (c->c_client_eof)
		conn_shut_when_drained(c, c->c_up, 1);
}

static void
conn_process_upstream(struct conn *c)
{
	struct evbuffer *in = sock_input(c->c_up);
	struct evbuffer *out = sock_output(c->c_bev);
	const struct http_response_info *ri;
	struct evbuffer_iovec v;
	enum http_feed res;
	size_t n;

	while (!c->c_closing) {
		if (c->c_state == CONN_TUNNEL) {
			c->c_bytes_out += evbuffer_get_length(in);
			evbuffer_add_buffer(out, in);
			break;
		}
		if (c->c_state != CONN_FORWARD || c->c_resp_done) {
			/* Bytes the engine sent outside a response. */
			if (evbuffer_get_length(in) > 0) {
				log_warnx("conn %" PRIu64 ": engine sent %zu "
				    "unexpected bytes", c->c_id,
				    evbuffer_get_length(in));
				evbuffer_drain(in, evbuffer_get_length(in));
				conn_free_upstream(c);
			}
			return;
		}
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1) {
			v.iov_base = NULL;	/* may still report a DONE */
			v.iov_len = 0;
		}
		n = http_respp_feed(c->c_respp, v.iov_base, v.iov_len, &res);
		if (res == HTTP_FEED_MORE && n == 0)
			break;
		if (n > 0) {
			evbuffer_remove_buffer(in, out, n);
			c->c_resp_started = 1;
			c->c_bytes_out += n;
		}
		if (res == HTTP_FEED_ERROR) {
			if (!c->c_resp_started || n == 0)
				conn_error(c, 502, "sockwarden: malformed "
				    "response from engine at %s", server.up.name);
			else
				conn_close(c, "malformed response from engine");
			return;
		}
		if (res == HTTP_FEED_HEAD) {
			ri = http_respp_info(c->c_respp);
			conn_timer_set(c, TIMER_NONE, 0);
			c->c_status = ri->status;
			if (c->c_hijack && c->c_req_done && (ri->upgrade ||
			    (ri->status == 200 && ri->docker_stream &&
			    !ri->has_length))) {
				conn_tunnel_start(c);
				continue;
			}
		} else if (res == HTTP_FEED_DONE) {
			c->c_resp_done = 1;
			if (c->c_req_done) {
				conn_exchange_done(c);
				return;
			}
			/* The engine answered before the body was all
			 * sent (an error, usually): finish and close. */
			c->c_keepalive = 0;
			conn_close_after_flush(c);
			return;
		}
	}
	if (!c->c_closing && evbuffer_get_length(out) >= SW_RELAY_HIGH_WATER)
		sock_read(c->c_up, 0);
}

static void
conn_client_read(struct sock *bev, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	if (c->c_closing)
		return;
	conn_process_client(c);
}

/* Client output drained: resume the upstream, or finish a close. */
static void
conn_client_write(struct sock *bev, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	if (c->c_closing)
		return;
	if (c->c_state == CONN_CLOSING) {
		if (!c->c_client_shut &&
		    evbuffer_get_length(sock_output(c->c_bev)) == 0)
			conn_linger(c);
		return;
	}
	if (c->c_up != NULL && !c->c_up_eof) {
		sock_read(c->c_up, 1);
		conn_process_upstream(c);
		if (c->c_closing)
			return;
	}
	if (c->c_state == CONN_TUNNEL && c->c_up_eof) {
		conn_process_upstream(c);
		conn_shut_when_drained(c, c->c_bev, 0);
		conn_tunnel_check_done(c);
	}
}

static void
conn_client_event(struct sock *bev, short what, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	if (c->c_closing)
		return;
	if (what & SOCK_ERROR) {
		conn_close(c, "client connection error");
		return;
	}
	if (!(what & SOCK_EOF))
		return;
	c->c_client_eof = 1;
	switch (c->c_state) {
	case CONN_HEAD:
		conn_close(c, http_reqp_head_bytes(c->c_reqp) ?
		    "client closed mid-request" : "client closed");
		return;
	case CONN_BODY_WAIT:
		conn_close(c, "client closed mid-body");
		return;
	case CONN_FORWARD:
		if (!c->c_req_done) {
			conn_close(c, "client closed mid-body");
			return;
		}
		/* Tell the engine, as a direct client would: Go's server
		 * cancels the request (ends an events stream) on EOF. */
		conn_process_client(c);
		conn_shut_when_drained(c, c->c_up, 1);
		return;
	case CONN_TUNNEL:
		conn_process_client(c);
		conn_shut_when_drained(c, c->c_up, 1);
		conn_tunnel_check_done(c);
		return;
	case CONN_CLOSING:
		conn_close(c, "client closed");
		return;
	}
}

static void
conn_up_read(struct sock *bev, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	if (c->c_closing)
		return;
	conn_process_upstream(c);
}

/* Upstream output drained: resume the client, finish a half-close. */
static void
conn_up_write(struct sock *bev, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	if (c->c_closing)
		return;
	if (c->c_state == CONN_FORWARD || c->c_state == CONN_TUNNEL) {
		if (!c->c_client_eof)
			sock_read(c->c_bev, 1);
		conn_process_client(c);
		if (c->c_closing)
			return;
		if (c->c_client_eof)
			conn_shut_when_drained(c, c->c_up, 1);
		if (c->c_state == CONN_TUNNEL)
			conn_tunnel_check_done(c);
	}
}

static void
conn_up_event(struct sock *bev, short what, void *arg)
{
	struct conn *c = arg;
	int err = EVUTIL_SOCKET_ERROR();

	CHECK_CONN(c);
	if (c->c_closing)
		return;
	if ((what & SOCK_TIMEOUT) && c->c_state == CONN_FORWARD &&
	    !c->c_resp_started) {
		conn_error(c, 504, "sockwarden: engine at %s did not accept "
		    "the connection in time", server.up.name);
		return;
	}
	if (what & SOCK_ERROR) {
		if (c->c_state == CONN_FORWARD && !c->c_resp_started) {
			conn_error(c, 502, "sockwarden: cannot reach engine at "
			    "%s: %s", server.up.name, strerror(err ? err : ECONNRESET));
			return;
		}
		if (c->c_state == CONN_FORWARD || c->c_state == CONN_TUNNEL) {
			conn_close(c, "engine connection error");
			return;
		}
		conn_free_upstream(c);		/* idle keep-alive upstream */
		return;
	}
	if (!(what & SOCK_EOF))
		return;
	c->c_up_eof = 1;
	switch (c->c_state) {
	case CONN_FORWARD:
		conn_process_upstream(c);
		if (c->c_closing || c->c_state != CONN_FORWARD)
			return;
		if (http_respp_eof(c->c_respp) == HTTP_FEED_DONE) {
			/* An EOF-delimited response: only a close tells
			 * the client where it ends. */
			c->c_keepalive = 0;
			conn_close_after_flush(c);
		} else if (!c->c_resp_started) {
			conn_error(c, 502, "sockwarden: engine at %s closed "
			    "the connection without answering", server.up.name);
		} else {
			c->c_keepalive = 0;
			conn_close_after_flush(c);
		}
		return;
	case CONN_TUNNEL:
		conn_process_upstream(c);
		conn_shut_when_drained(c, c->c_bev, 0);
		conn_tunnel_check_done(c);
		return;
	default:
		conn_free_upstream(c);
		return;
	}
}

/* SIGTERM: idle connections go now, busy ones after their exchange. */
void
conn_drain_all(void)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&server.conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, c_entry);
		if (c->c_state == CONN_HEAD &&
		    http_reqp_head_bytes(c->c_reqp) == 0)
			conn_close(c, "shutting down");
	}
	event_active(server.reaper, 0, 0);
}

void
conn_close_all(const char *reason)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&server.conns)) != NULL)
		conn_close(c, reason);
}
