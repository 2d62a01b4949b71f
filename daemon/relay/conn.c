/*
 * conn.c - one client connection: accepting it and driving its state
 * machine from the client socket's events (conn_int.h lists the states and
 * their timers).
 *
 *   accept -> HEAD --head parsed, decided--+--> HOLD --body decided--+
 *     ^                                    +--> UPLOAD --> DUPLEX     |
 *     |                                    +--> WAIT <---------------+
 *     |                                           |  (engine's head)
 *     |                                           +--> TUNNEL (hijack)
 *     |                                           +--> H2 (policed /grpc)
 *     +--- IDLE <--keep-alive-- RESPONSE <--------+
 *   any --our own answer--> FLUSH --> LINGER --> DEAD
 *   any --EOF, error, time-out--> DEAD (freed by the reaper)
 *
 * The request head goes upstream re-serialized from what was parsed, and
 * only after the policy allowed it (decision.c).  The client half of an
 * exchange is in conn_request.c, the upstream half in conn_relay.c, its
 * record in exchange.c: every exchange ends in exactly one record, handed
 * to the audit log and the metrics side by side, including sockwarden's
 * own answers to requests that never parsed.  The lists, the transitions
 * and the one teardown are conn_state.c's.  Upstream callbacks never run
 * client processing directly: they kick the client socket, and the loop
 * runs it next.  This file does not listen, resolve the upstream or decide
 * policy.
 */
#include <inttypes.h>
#include <string.h>

#include <event2/buffer.h>

#include "conn_int.h"

static void conn_client_read(struct sock *, void *);
static void conn_client_write(struct sock *, void *);
static void conn_client_event(struct sock *, short, void *);

void
conn_accept(int fd, const struct listener *l)
{
	struct conn *c;

	if ((c = conn_new(fd, l)) == NULL) {
		log_warnx("accept: out of memory");
		return;
	}
	sock_setcb(c->c_client, conn_client_read, conn_client_write,
	    conn_client_event, c);
	sock_set_read_high(c->c_client, SW_RELAY_HIGH_WATER);
	sock_set_write_low(c->c_client, SW_RELAY_HIGH_WATER / 2);
	sock_read(c->c_client, 1);
	if (c->c_caller == NULL || caller_conns(c->c_caller) >
	    srv->conf->max_conns_per_caller) {
		/* one caller must not lock the others out */
		conn_error(c, 503, "sockwarden: too many connections from this "
		    "caller (max_connections_per_caller %u), retry",
		    srv->conf->max_conns_per_caller);
		return;
	}
	log_debug("conn %" PRIu64 ": accepted, peer pid %d uid %d", c->c_id,
	    (int)c->c_peer.pid, (int)c->c_peer.uid);
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
		case CONN_FACTS:
		case CONN_WAIT:
		case CONN_RESPONSE:
		case CONN_VERIFY:
			/* Pipelined bytes wait for the response; bytes
			 * after a hijack-capable request wait for the
			 * engine to prove the hijack. */
			return;
		case CONN_TUNNEL:
			relay_tunnel_in(c, in);
			return;
		case CONN_H2:
			h2relay_input(c, 0);
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
	case CONN_H2:
		h2relay_pump(c);
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
	case CONN_FACTS:
	case CONN_WAIT:
	case CONN_RESPONSE:
	case CONN_VERIFY:
	case CONN_TUNNEL:
		/* Tell the engine, as a direct client would: Go's server
		 * cancels the request (ends an events stream) on EOF. */
		conn_process_client(c);
		relay_shut_when_drained(c, 1);
		if (c->c_state == CONN_TUNNEL)
			relay_tunnel_check_done(c);
		return;
	case CONN_H2:
		h2relay_eof(c, 0);
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
