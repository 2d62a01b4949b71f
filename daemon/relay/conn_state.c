/*
 * conn_state.c - the life of a connection, below both halves of its
 * exchange: the open and dead lists, the state machine (conn_int.h lists the
 * states and their timers; conn_set_state() is the one way to move and
 * arms the state's timer), time-outs, sockwarden's own answers, the
 * flush-linger-close ending and the one teardown, conn_close(), whose
 * free is deferred to the reaper so no callback runs on a freed conn.
 * It reads no socket (conn.c does) and decides nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "conn_int.h"

static struct {
	TAILQ_HEAD(, conn)	 open;		/* live connections */
	TAILQ_HEAD(, conn)	 dead;		/* closed, awaiting the reaper */
	unsigned		 nopen;
	uint64_t		 accepted;	/* also the last conn id */
	struct event		*reaper;	/* frees dead conns */
} conns;

static void conn_timer_cb(evutil_socket_t, short, void *);

#define B(s)	(1u << (s))
/* The states each state may move to; anything else is a bug. */
static const unsigned conn_next[] = {
	[CONN_IDLE]	= B(CONN_HEAD) | B(CONN_DEAD),
	[CONN_HEAD]	= B(CONN_HOLD) | B(CONN_FACTS) | B(CONN_UPLOAD) |
			  B(CONN_WAIT) | B(CONN_FLUSH) | B(CONN_DEAD),
	[CONN_HOLD]	= B(CONN_FACTS) | B(CONN_WAIT) | B(CONN_FLUSH) |
			  B(CONN_DEAD),
	[CONN_FACTS]	= B(CONN_FACTS) | B(CONN_HOLD) | B(CONN_UPLOAD) |
			  B(CONN_WAIT) | B(CONN_FLUSH) | B(CONN_DEAD),
	[CONN_UPLOAD]	= B(CONN_WAIT) | B(CONN_DUPLEX) | B(CONN_FLUSH) |
			  B(CONN_DEAD),
	[CONN_DUPLEX]	= B(CONN_RESPONSE) | B(CONN_FLUSH) | B(CONN_DEAD),
	[CONN_WAIT]	= B(CONN_RESPONSE) | B(CONN_VERIFY) | B(CONN_TUNNEL) |
			  B(CONN_H2) | B(CONN_FLUSH) | B(CONN_DEAD),
	[CONN_VERIFY]	= B(CONN_IDLE) | B(CONN_HEAD) | B(CONN_FLUSH) |
			  B(CONN_DEAD),
	[CONN_RESPONSE]	= B(CONN_IDLE) | B(CONN_HEAD) | B(CONN_FLUSH) |
			  B(CONN_DEAD),
	[CONN_TUNNEL]	= B(CONN_DEAD),
	[CONN_H2]	= B(CONN_FLUSH) | B(CONN_DEAD),
	[CONN_FLUSH]	= B(CONN_LINGER) | B(CONN_DEAD),
	[CONN_LINGER]	= B(CONN_DEAD),
	[CONN_DEAD]	= 0,
};
#undef B

static const char *const conn_state_names[] = {
	"IDLE", "HEAD", "HOLD", "FACTS", "UPLOAD", "DUPLEX", "WAIT",
	"RESPONSE", "VERIFY", "TUNNEL", "H2", "FLUSH", "LINGER", "DEAD",
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
	case CONN_FACTS:
	case CONN_VERIFY:
	case CONN_RESPONSE:
	case CONN_TUNNEL:
	case CONN_H2:
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
conn_init(void (*record)(const struct exchange *))
{
	exchange_set_sink(record);
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
	st->queued = sock_queued();
	TAILQ_FOREACH(c, &conns.open, c_entry) {
		if (c->c_state == CONN_TUNNEL || c->c_state == CONN_H2)
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
	tenant_ask_free(c->c_tenant_ask);
	facts_free(c->c_facts);
	verify_free(c->c_verify);
	engine_cancel(c->c_scrub);
	c->c_scrub = NULL;
	h2relay_free(c->c_h2);
	c->c_h2 = NULL;
	quota_free(c->c_quota);
	c->c_quota = NULL;
	c->c_tenant_ask = NULL;
	c->c_facts = NULL;
	c->c_verify = NULL;
	conn_body_done(c);
	caller_put(c->c_caller);
	c->c_caller = NULL;
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
void
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
	if (req->target != NULL)
		log_escape(req->target, req->target_len, path, sizeof(path));
	else if (c->c_dec.target != NULL)	/* already forwarded: VERIFY */
		log_escape(c->c_dec.target, strlen(c->c_dec.target), path,
		    sizeof(path));
	else
		path[0] = '\0';
	log_info("conn %" PRIu64 ": %s %s: %d %s", c->c_id, req->method[0] ?
	    req->method : "-", path[0] ? path : "-", status, msg);
	if (!c->c_x_open)
		exchange_begin(c);
	c->c_status = status;
	(void)http_write_error(sock_output(c->c_client), status, msg, 1);
	exchange_end(c, msg);
	conn_close_after_flush(c);
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
	case CONN_FACTS:
	case CONN_VERIFY:
	case CONN_RESPONSE:
	case CONN_TUNNEL:
	case CONN_H2:
	case CONN_DEAD:
		return;
	}
}

void
conn_body_done(struct conn *c)
{
	if (c->c_body != NULL)
		evbuffer_free(c->c_body);
	c->c_body = NULL;
	if (c->c_caller != NULL)
		caller_release(c->c_caller, c->c_held);
	c->c_held = 0;
}

size_t
conn_body_take(struct conn *c, struct evbuffer *in, struct evbuffer *dst)
{
	size_t n = evbuffer_get_length(in);

	if (n > c->c_body_left)
		n = (size_t)c->c_body_left;
	evbuffer_remove_buffer(in, dst, n);
	c->c_body_left -= n;
	return n;
}

/* Back to IDLE for the next request on a keep-alive connection. */
void
conn_next_request(struct conn *c)
{
	http_reqp_reset(c->c_reqp);
	policy_decision_clear(&c->c_dec);
	memset(&c->c_dec, 0, sizeof(c->c_dec));	/* nothing decided yet */
	conn_body_done(c);
	c->c_hijack = 0;
	c->c_framing = BODY_NONE;
	c->c_body_left = 0;
	if (!c->c_keepalive || c->c_client_eof || srv->draining) {
		conn_close_after_flush(c);
		return;
	}
	sock_read(c->c_client, 1);
	if (evbuffer_get_length(sock_input(c->c_client)) > 0) {
		conn_set_state(c, CONN_HEAD);
		sock_kick(c->c_client);	/* pipelined bytes already here */
	} else {
		conn_set_state(c, CONN_IDLE);
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

void
conn_close_listener(const struct listener *l, const char *reason)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&conns.open); c != NULL; c = next) {
		next = TAILQ_NEXT(c, c_entry);
		if (c->c_listener == l)
			conn_close(c, reason);
	}
}

/*
 * A new connection on fd (owned from here on, closed on failure): the
 * struct, its timer and parsers, the peer's identity, and its place on
 * the open list in state HEAD.  NULL when out of memory.
 */
struct conn *
conn_new(int fd, const struct listener *l)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return NULL;
	}
	c->c_magic = CONN_MAGIC;
	c->c_listener = l;
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
		return NULL;
	}
	c->c_id = ++conns.accepted;
	peer_identify(fd, &c->c_peer);
	c->c_caller = caller_get(&c->c_peer);
	TAILQ_INSERT_TAIL(&conns.open, c, c_entry);
	conns.nopen++;
	c->c_state = CONN_HEAD;
	c->c_keepalive = 1;
	conn_touch(c);
	return c;
}
