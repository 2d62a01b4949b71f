/*
 * conn.c - one client connection: its lifetime, its state machine (see
 * conn.h for the states and their timers) and the client half of the
 * exchange.
 *
 *   accept -> HEAD --head parsed, decided--+--> HOLD --body decided--+
 *     ^                                    +--> UPLOAD --> DUPLEX     |
 *     |                                    +--> WAIT <---------------+
 *     |                                           |  (engine's head)
 *     |                                           +--> TUNNEL (hijack)
 *     +--- IDLE <--keep-alive-- RESPONSE <--------+
 *   any --our own answer--> FLUSH --> LINGER --> DEAD
 *   any --EOF, error, time-out--> DEAD (freed by the reaper)
 *
 * The request head goes upstream re-serialized from what was parsed, and
 * only after the policy allowed it (decision.c).  The client half of an
 * exchange is in conn_request.c, the upstream half in conn_relay.c, its
 * record in exchange.c: every exchange ends in exactly one record, handed
 * to the audit log and the metrics side by side, including sockwarden's
 * own answers to requests that never parsed.  Only conn_close() frees; it
 * defers the free to the reaper so no callback runs on a freed conn.
 * Upstream callbacks never run client processing directly: they kick the
 * client socket, and the loop runs it next.  This file does not listen,
 * resolve the upstream or decide policy.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "conn.h"

static struct {
	TAILQ_HEAD(, conn)	 open;		/* live connections */
	TAILQ_HEAD(, conn)	 dead;		/* closed, awaiting the reaper */
	unsigned		 nopen;
	uint64_t		 accepted;	/* also the last conn id */
	struct event		*reaper;	/* frees dead conns */
} conns;

static void conn_client_read(struct sock *, void *);
static void conn_client_write(struct sock *, void *);
static void conn_client_event(struct sock *, short, void *);
static void conn_timer_cb(evutil_socket_t, short, void *);

#define B(s)	(1u << (s))
/* The states each state may move to; anything else is a bug. */
static const unsigned conn_next[] = {
	[CONN_IDLE]	= B(CONN_HEAD) | B(CONN_DEAD),
	[CONN_HEAD]	= B(CONN_HOLD) | B(CONN_UPLOAD) | B(CONN_WAIT) |
			  B(CONN_FLUSH) | B(CONN_DEAD),
	[CONN_HOLD]	= B(CONN_WAIT) | B(CONN_FLUSH) | B(CONN_DEAD),
	[CONN_UPLOAD]	= B(CONN_WAIT) | B(CONN_DUPLEX) | B(CONN_FLUSH) |
			  B(CONN_DEAD),
	[CONN_DUPLEX]	= B(CONN_RESPONSE) | B(CONN_FLUSH) | B(CONN_DEAD),
	[CONN_WAIT]	= B(CONN_RESPONSE) | B(CONN_TUNNEL) | B(CONN_FLUSH) |
			  B(CONN_DEAD),
	[CONN_RESPONSE]	= B(CONN_IDLE) | B(CONN_HEAD) | B(CONN_FLUSH) |
			  B(CONN_DEAD),
	[CONN_TUNNEL]	= B(CONN_DEAD),
	[CONN_FLUSH]	= B(CONN_LINGER) | B(CONN_DEAD),
	[CONN_LINGER]	= B(CONN_DEAD),
	[CONN_DEAD]	= 0,
};
#undef B

static const char *const conn_state_names[] = {
	"IDLE", "HEAD", "HOLD", "UPLOAD", "DUPLEX", "WAIT", "RESPONSE",
	"TUNNEL", "FLUSH", "LINGER", "DEAD",
};

/* The time-out of a state, in ms; 0: none. */
static unsigned
conn_state_timeout(enum conn_state st)
{
	const struct sw_conf *cf = srv->conf;

	switch (st) {
	case CONN_IDLE:
		return cf->idle_timeout_ms;
	case CONN_HEAD:
	case CONN_FLUSH:	/* a client that never reads our answer */
		return cf->header_timeout_ms;
	case CONN_HOLD:
	case CONN_UPLOAD:
	case CONN_DUPLEX:
		return cf->body_timeout_ms;
	case CONN_WAIT:
		return cf->response_timeout_ms;
	case CONN_LINGER:
		return SW_LINGER_MS < cf->header_timeout_ms ? SW_LINGER_MS :
		    cf->header_timeout_ms;
	case CONN_RESPONSE:
	case CONN_TUNNEL:
	case CONN_DEAD:
		break;
	}
	return 0;
}

void
conn_touch(struct conn *c)
{
	unsigned ms = conn_state_timeout(c->c_state);
	struct timeval tv;

	if (ms == 0) {
		evtimer_del(c->c_timer);
		return;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->c_timer, &tv);
}

void
conn_set_state(struct conn *c, enum conn_state st)
{
	if (!(conn_next[c->c_state] & (1u << st)))
		fatalx("conn %" PRIu64 ": no transition %s -> %s", c->c_id,
		    conn_state_names[c->c_state], conn_state_names[st]);
	c->c_state = st;
	if (st != CONN_DEAD)
		conn_touch(c);
}

static void
conn_reap(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&conns.dead)) != NULL) {
		TAILQ_REMOVE(&conns.dead, c, c_entry);
		c->c_magic = 0;
		free(c);
	}
	if (srv->draining && conns.nopen == 0)
		event_base_loopexit(srv->base, NULL);
}

void
conn_init(void)
{
	TAILQ_INIT(&conns.open);
	TAILQ_INIT(&conns.dead);
	conns.reaper = event_new(srv->base, -1, 0, conn_reap, NULL);
	if (conns.reaper == NULL)
		fatalx("event_new failed");
}

void
conn_shutdown(void)
{
	conn_close_all("exit");
	conn_reap(-1, 0, NULL);
	if (conns.reaper != NULL)
		event_free(conns.reaper);
	conns.reaper = NULL;
}

unsigned
conn_count(void)
{
	return conns.nopen;
}

void
conn_stats(struct conn_stats *st)
{
	const struct conn *c;

	memset(st, 0, sizeof(*st));
	st->open = conns.nopen;
	st->accepted = conns.accepted;
	TAILQ_FOREACH(c, &conns.open, c_entry) {
		if (c->c_state == CONN_TUNNEL)
			st->tunnels++;
		else if (c->c_state == CONN_RESPONSE ||
		    c->c_state == CONN_DUPLEX)
			st->streams++;
	}
}

void
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
 * see CONN_DEAD and return.
 */
void
conn_close(struct conn *c, const char *reason)
{
	CHECK_CONN(c);
	if (c->c_state == CONN_DEAD) {
		log_warnx("conn %" PRIu64 ": closed twice (%s)", c->c_id, reason);
		return;
	}
	conn_set_state(c, CONN_DEAD);
	log_debug("conn %" PRIu64 ": close: %s", c->c_id, reason);
	exchange_end(c, NULL);
	conn_free_upstream(c);
	sock_free(c->c_client);
	c->c_client = NULL;
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
	TAILQ_REMOVE(&conns.open, c, c_entry);
	TAILQ_INSERT_TAIL(&conns.dead, c, c_entry);
	conns.nopen--;
	event_active(conns.reaper, 0, 0);
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
	conn_set_state(c, CONN_LINGER);
	c->c_client_shut = 1;
	(void)shutdown(sock_fd(c->c_client), SHUT_WR);
	evbuffer_drain(sock_input(c->c_client),
	    evbuffer_get_length(sock_input(c->c_client)));
	sock_read(c->c_client, 1);
}

/* Close once the client has received everything queued for it. */
void
conn_close_after_flush(struct conn *c)
{
	conn_set_state(c, CONN_FLUSH);
	conn_free_upstream(c);
	if (evbuffer_get_length(sock_output(c->c_client)) == 0)
		conn_linger(c);
	/* else: the write callback lingers once the output drains */
}

/* Answer with sockwarden's own JSON error, record it, then close. */
void
conn_error(struct conn *c, int status, const char *fmt, ...)
{
	const struct http_request *req = http_reqp_request(c->c_reqp);
	char msg[1024], path[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->c_state == CONN_DUPLEX || c->c_state == CONN_RESPONSE) {
		/* Part of an engine response already went out: the only
		 * honest signal left is closing the connection. */
		conn_close(c, msg);
		return;
	}
	log_escape(req->target ? req->target : "", req->target ?
	    req->target_len : 0, path, sizeof(path));
	log_info("conn %" PRIu64 ": %s %s: %d %s", c->c_id, req->method[0] ?
	    req->method : "-", path[0] ? path : "-", status, msg);
	if (!c->c_x_open)
		exchange_begin(c);
	c->c_status = status;
	(void)http_write_error(sock_output(c->c_client), status, msg, 1);
	exchange_end(c, msg);
	conn_close_after_flush(c);
}

void
conn_accept(int fd)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->c_magic = CONN_MAGIC;
	c->c_client = sock_new(srv->base, fd, 0);
	c->c_timer = evtimer_new(srv->base, conn_timer_cb, c);
	c->c_reqp = http_reqp_new(srv->conf->max_header_bytes);
	c->c_respp = http_respp_new();
	if (c->c_client == NULL || c->c_timer == NULL || c->c_reqp == NULL ||
	    c->c_respp == NULL) {
		if (c->c_client != NULL)
			sock_free(c->c_client);
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
	c->c_id = ++conns.accepted;
	peer_identify(fd, &c->c_peer);
	TAILQ_INSERT_TAIL(&conns.open, c, c_entry);
	conns.nopen++;
	c->c_state = CONN_HEAD;
	conn_touch(c);
	c->c_keepalive = 1;
	sock_setcb(c->c_client, conn_client_read, conn_client_write,
	    conn_client_event, c);
	sock_set_read_high(c->c_client, SW_RELAY_HIGH_WATER);
	sock_set_write_low(c->c_client, SW_RELAY_HIGH_WATER / 2);
	sock_read(c->c_client, 1);
	log_debug("conn %" PRIu64 ": accepted, peer pid %d uid %d", c->c_id,
	    (int)c->c_peer.pid, (int)c->c_peer.uid);
	return;
fail:
	close(fd);
}

static void
conn_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	switch (c->c_state) {
	case CONN_HEAD:
		if (http_reqp_head_bytes(c->c_reqp) == 0 && c->c_nreq == 0)
			conn_close(c, "no request before header time-out");
		else
			conn_error(c, 408, "sockwarden: timed out reading "
			    "the request head");
		return;
	case CONN_HOLD:
	case CONN_UPLOAD:
	case CONN_DUPLEX:
		/* Slow engine, not a stalled client: wait on. */
		if (c->c_up != NULL &&
		    evbuffer_get_length(sock_output(c->c_up)) > 0) {
			conn_touch(c);
			return;
		}
		conn_error(c, 408, "sockwarden: the request body stalled "
		    "(no progress for %u ms)", srv->conf->body_timeout_ms);
		return;
	case CONN_WAIT:
		conn_error(c, 504, "sockwarden: engine at %s did not "
		    "answer in time", srv->up.name);
		return;
	case CONN_IDLE:
		conn_close(c, "idle time-out");
		return;
	case CONN_FLUSH:
	case CONN_LINGER:
		conn_close(c, "client did not finish in time");
		return;
	case CONN_RESPONSE:
	case CONN_TUNNEL:
	case CONN_DEAD:
		return;
	}
}

/* Back to IDLE for the next request on a keep-alive connection. */
void
conn_next_request(struct conn *c)
{
	http_reqp_reset(c->c_reqp);
	policy_decision_clear(&c->c_dec);
	if (c->c_body != NULL) {
		evbuffer_free(c->c_body);
		c->c_body = NULL;
	}
	c->c_hijack = 0;
	c->c_framing = BODY_NONE;
	c->c_body_left = 0;
	if (!c->c_keepalive || c->c_client_eof || srv->draining) {
		conn_close_after_flush(c);
		return;
	}
	conn_set_state(c, evbuffer_get_length(sock_input(c->c_client)) > 0 ?
	    CONN_HEAD : CONN_IDLE);
	sock_read(c->c_client, 1);
	sock_kick(c->c_client);		/* pipelined bytes already here */
}

static void
conn_process_client(struct conn *c)
{
	struct evbuffer *in = sock_input(c->c_client);

	for (;;) {
		switch (c->c_state) {
		case CONN_IDLE:
			if (evbuffer_get_length(in) == 0)
				return;
			conn_set_state(c, CONN_HEAD);
			continue;
		case CONN_HEAD:
			if (request_read_head(c, in) != 0)
				return;
			continue;
		case CONN_HOLD:
			if (evbuffer_get_length(in) == 0)
				return;
			request_hold_body(c, in);
			if (c->c_state == CONN_HOLD)
				return;
			continue;
		case CONN_UPLOAD:
		case CONN_DUPLEX:
			if (evbuffer_get_length(in) > 0 && c->c_up != NULL)
				relay_body(c, in);
			return;
		case CONN_WAIT:
		case CONN_RESPONSE:
			/* Pipelined bytes wait for the response; bytes
			 * after a hijack-capable request wait for the
			 * engine to prove the hijack. */
			return;
		case CONN_TUNNEL:
			relay_tunnel_in(c, in);
			return;
		case CONN_FLUSH:
		case CONN_LINGER:
			evbuffer_drain(in, evbuffer_get_length(in));
			return;
		case CONN_DEAD:
			return;
		}
	}
}

static void
conn_client_read(struct sock *s, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	if (c->c_state != CONN_DEAD)
		conn_process_client(c);
}

/* Client output drained: resume the upstream, or finish a close. */
static void
conn_client_write(struct sock *s, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	switch (c->c_state) {
	case CONN_FLUSH:
		if (evbuffer_get_length(sock_output(c->c_client)) == 0)
			conn_linger(c);
		return;
	case CONN_UPLOAD:
	case CONN_DUPLEX:
	case CONN_WAIT:
	case CONN_RESPONSE:
	case CONN_TUNNEL:
		if (c->c_up == NULL)
			return;
		if (!c->c_up_eof) {
			sock_read(c->c_up, 1);
			relay_up_read(c->c_up, c);
		} else if (c->c_state == CONN_TUNNEL) {
			relay_up_read(c->c_up, c);
			relay_shut_when_drained(c, 0);
			relay_tunnel_check_done(c);
		}
		return;
	default:
		return;
	}
}

static void
conn_client_event(struct sock *s, short what, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	if (c->c_state == CONN_DEAD)
		return;
	if (what & SOCK_ERROR) {
		conn_close(c, "client connection error");
		return;
	}
	if (!(what & SOCK_EOF))
		return;
	c->c_client_eof = 1;
	switch (c->c_state) {
	case CONN_IDLE:
	case CONN_HEAD:
		conn_close(c, http_reqp_head_bytes(c->c_reqp) ?
		    "client closed mid-request" : "client closed");
		return;
	case CONN_HOLD:
	case CONN_UPLOAD:
	case CONN_DUPLEX:
		conn_close(c, "client closed mid-body");
		return;
	case CONN_WAIT:
	case CONN_RESPONSE:
	case CONN_TUNNEL:
		/* Tell the engine, as a direct client would: Go's server
		 * cancels the request (ends an events stream) on EOF. */
		conn_process_client(c);
		relay_shut_when_drained(c, 1);
		if (c->c_state == CONN_TUNNEL)
			relay_tunnel_check_done(c);
		return;
	case CONN_FLUSH:
		/* A client that half-closed still reads our answer. */
		if (evbuffer_get_length(sock_output(c->c_client)) == 0)
			conn_close(c, "client closed");
		return;
	case CONN_LINGER:
		conn_close(c, "done");
		return;
	case CONN_DEAD:
		return;
	}
}

/* SIGTERM: idle connections go now, busy ones after their exchange. */
void
conn_drain_all(void)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&conns.open); c != NULL; c = next) {
		next = TAILQ_NEXT(c, c_entry);
		if (c->c_state == CONN_IDLE || (c->c_state == CONN_HEAD &&
		    http_reqp_head_bytes(c->c_reqp) == 0))
			conn_close(c, "shutting down");
	}
	event_active(conns.reaper, 0, 0);
}

void
conn_close_all(const char *reason)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&conns.open)) != NULL)
		conn_close(c, reason);
}
