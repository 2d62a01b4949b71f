/*
 * conn_relay.c - the upstream half of a connection: sending the allowed
 * request (re-serialized head, then the held or streamed body with its
 * framing redone), framing the engine's response and relaying it
 * unchanged, turning a proven hijack into a tunnel, and half-closes.
 *
 * A response head is held back until it is complete and valid: bytes of a
 * garbage or oversized head never reach the client, which gets a 502
 * instead.  After a hijack-capable request no client byte goes upstream
 * until the engine's head proves the hijack (101, or Docker's legacy 200
 * raw stream without a length).  Memory is bounded by watermarks: a side
 * stops being read while its peer's output holds SW_RELAY_HIGH_WATER
 * bytes.  Upstream callbacks never run client processing: when the client
 * side has work (pipelined bytes, a resumed body) they kick its socket.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "conn_int.h"

static int
relay_upstream_ensure(struct conn *c)
{
	int err = 0;

	if (c->c_up != NULL && !c->c_up_eof)
		return 0;
	conn_free_upstream(c);
	c->c_up = upstream_connect(srv->base, &srv->up,
	    srv->conf->connect_timeout_ms, &err);
	if (c->c_up == NULL) {
		conn_error(c, 502, "sockwarden: cannot reach engine at %s: %s",
		    srv->up.name, strerror(err));
		return -1;
	}
	sock_setcb(c->c_up, relay_up_read, relay_up_write, relay_up_event, c);
	sock_set_read_high(c->c_up, SW_RELAY_HIGH_WATER);
	sock_set_write_low(c->c_up, SW_RELAY_HIGH_WATER / 2);
	sock_read(c->c_up, 1);
	return 0;
}

/* Send the allowed request upstream and start relaying. */
void
relay_forward(struct conn *c)
{
	const struct http_request *req = http_reqp_request(c->c_reqp);
	enum body_framing framing = c->c_framing;
	struct evbuffer *out;
	size_t length = 0;

	if (relay_upstream_ensure(c) != 0)
		return;
	out = sock_output(c->c_up);
	if (c->c_body != NULL && c->c_dec.body_kind == POLICY_BODY_IGNORED) {
		conn_body_done(c);		/* read, and dropped */
		framing = BODY_NONE;
	}
	if (c->c_body != NULL && c->c_dec.body != NULL) {
		/* the policy rewrote it (the owner label stamped) */
		evbuffer_drain(c->c_body, evbuffer_get_length(c->c_body));
		evbuffer_add(c->c_body, c->c_dec.body, c->c_dec.body_len);
	}
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
	http_respp_reset(c->c_respp, strcmp(req->method, "HEAD") == 0);
	c->c_head_seen = 0;
	log_debug("conn %" PRIu64 ": %s %s -> %s (%s)", c->c_id, req->method,
	    req->target, c->c_dec.target, c->c_dec.operation);
	if (c->c_body != NULL) {
		c->c_bytes_in += evbuffer_get_length(c->c_body);
		evbuffer_add_buffer(out, c->c_body);
		conn_body_done(c);
		conn_set_state(c, CONN_WAIT);
	} else if (framing == BODY_NONE) {
		conn_set_state(c, CONN_WAIT);
	} else {
		conn_set_state(c, CONN_UPLOAD);
		if (req->expect_continue)
			evbuffer_add(sock_output(c->c_client),
			    "HTTP/1.1 100 Continue\r\n\r\n", 25);
	}
	http_reqp_release_head(c->c_reqp);
	/* conn_process_client's loop, our caller, relays the body next */
}

/* Body bytes of a chunked request: re-chunk them upstream. */
static void
relay_chunk_out(void *arg, const char *data, size_t len)
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

/* The request body is all upstream: the response decides what is next. */
static void
relay_body_done(struct conn *c)
{
	conn_set_state(c, c->c_state == CONN_DUPLEX ? CONN_RESPONSE : CONN_WAIT);
}

/* Relay client body bytes upstream, honouring the upstream's backlog. */
void
relay_body(struct conn *c, struct evbuffer *in)
{
	struct evbuffer *out = sock_output(c->c_up);
	enum http_feed res = HTTP_FEED_MORE;
	struct evbuffer_iovec iv;
	size_t n;

	conn_touch(c);
	if (c->c_framing == BODY_LENGTH) {
		c->c_bytes_in += conn_body_take(c, in, out);
		if (c->c_body_left == 0)
			relay_body_done(c);
	} else {
		while (res == HTTP_FEED_MORE &&
		    evbuffer_get_length(out) < SW_RELAY_HIGH_WATER &&
		    evbuffer_peek(in, -1, NULL, &iv, 1) > 0) {
			n = http_reqp_feed_chunked(c->c_reqp, iv.iov_base,
			    iv.iov_len, relay_chunk_out, c, &res);
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
			relay_body_done(c);
		}
	}
	if (evbuffer_get_length(out) >= SW_RELAY_HIGH_WATER)
		sock_read(c->c_client, 0);
}

void
relay_tunnel_in(struct conn *c, struct evbuffer *in)
{
	size_t n = evbuffer_get_length(in);

	if (n == 0 || c->c_up == NULL)
		return;
	c->c_bytes_in += n;
	evbuffer_add_buffer(sock_output(c->c_up), in);
	if (evbuffer_get_length(sock_output(c->c_up)) >= SW_RELAY_HIGH_WATER)
		sock_read(c->c_client, 0);
}

/* Half-close towards one side once everything queued for it is written. */
void
relay_shut_when_drained(struct conn *c, int to_up)
{
	struct sock *dst = to_up ? c->c_up : c->c_client;

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

void
relay_tunnel_check_done(struct conn *c)
{
	if (c->c_state == CONN_TUNNEL && c->c_client_eof && c->c_up_eof &&
	    evbuffer_get_length(sock_output(c->c_client)) == 0 &&
	    evbuffer_get_length(sock_output(c->c_up)) == 0)
		conn_close(c, "tunnel finished");
}

/* The response head proved a hijack: from now on bytes are opaque. */
static void
relay_tunnel_start(struct conn *c)
{
	log_debug("conn %" PRIu64 ": hijacked, tunnelling", c->c_id);
	conn_set_state(c, CONN_TUNNEL);
	sock_read(c->c_client, 1);
	sock_kick(c->c_client);		/* client bytes held back so far */
	if (c->c_client_eof)
		relay_shut_when_drained(c, 1);
}

/* The exchange is over: record it and make way for the next request. */
static void
relay_exchange_done(struct conn *c)
{
	const struct http_response_info *ri = http_respp_info(c->c_respp);

	exchange_end(c, NULL);
	if (!ri->keepalive || c->c_up_eof)
		conn_free_upstream(c);
	conn_next_request(c);
}

void
relay_verified(struct conn *c)
{
	relay_exchange_done(c);
}

/* A complete response head: move it to the client and pick the state. */
static void
relay_head(struct conn *c, size_t head_len)
{
	const struct http_response_info *ri = http_respp_info(c->c_respp);

	c->c_status = ri->status;
	facts_changed(&c->c_dec);
	if (c->c_state == CONN_WAIT && c->c_dec.verify && ri->status == 201 &&
	    c->c_tenant[0] != '\0' &&
	    strcmp(c->c_dec.operation, "container.create") == 0) {
		/* held until the stored container passes (conn_facts.c) */
		c->c_verify_head = head_len;
		c->c_head_seen = head_len;
		conn_set_state(c, CONN_VERIFY);
		return;
	}
	evbuffer_remove_buffer(sock_input(c->c_up), sock_output(c->c_client),
	    head_len);
	c->c_bytes_out += head_len;
	if (c->c_state == CONN_WAIT && c->c_hijack &&
	    srv->conf->grpc_relay == SW_GRPC_POLICE &&
	    strcmp(c->c_dec.operation, "grpc") == 0) {
		/* Never a blind tunnel here: the policy admitted the
		 * endpoint because each call will be decided. */
		if (ri->upgrade) {
			h2relay_start(c);
			return;
		}
	} else if (c->c_state == CONN_WAIT && c->c_hijack && (ri->upgrade ||
	    (ri->status == 200 && ri->docker_stream && !ri->has_length))) {
		relay_tunnel_start(c);
		return;
	}
	conn_set_state(c, c->c_state == CONN_UPLOAD ? CONN_DUPLEX :
	    CONN_RESPONSE);
}

/*
 * How much engine output may wait for this client: the full watermark
 * while all output queued in the daemon is within stream_memory, else a
 * small share read in small pieces, so clients that stop reading cannot
 * pile up memory; each drains at its own pace and reads resume.
 */
static size_t
relay_out_high(struct conn *c)
{
	int over = sock_queued() > srv->conf->stream_memory;

	sock_set_read_cap(c->c_up, over ? SW_RELAY_SHARE : 0);
	return over ? SW_RELAY_SHARE : SW_RELAY_HIGH_WATER;
}

/*
 * Frame the engine's bytes.  Before the head is complete they stay in the
 * upstream input (c_head_seen counts what the framer has looked at), so a
 * bad head is answered with a 502 and never relayed.
 */
static void
relay_process_upstream(struct conn *c)
{
	struct evbuffer *in = sock_input(c->c_up);
	struct evbuffer *out = sock_output(c->c_client);
	struct evbuffer_ptr at;
	struct evbuffer_iovec iv;
	enum http_feed res;
	size_t n;

	for (;;) {
		int in_head = c->c_state == CONN_WAIT || c->c_state == CONN_UPLOAD;

		if (c->c_state == CONN_TUNNEL) {
			c->c_bytes_out += evbuffer_get_length(in);
			evbuffer_add_buffer(out, in);
			break;
		}
		if (c->c_state == CONN_H2) {
			h2relay_input(c, 1);
			return;
		}
		if (!in_head && c->c_state != CONN_RESPONSE &&
		    c->c_state != CONN_DUPLEX && c->c_state != CONN_VERIFY) {
			/* Bytes the engine sent outside a response. */
			if (evbuffer_get_length(in) > 0) {
				log_warnx("conn %" PRIu64 ": engine sent %zu "
				    "unexpected bytes", c->c_id,
				    evbuffer_get_length(in));
				conn_free_upstream(c);
			}
			return;
		}
		iv.iov_base = NULL;		/* no bytes: may still end */
		iv.iov_len = 0;
		if (evbuffer_ptr_set(in, &at, c->c_head_seen,
		    EVBUFFER_PTR_SET) == 0)
			(void)evbuffer_peek(in, -1, &at, &iv, 1);
		n = http_respp_feed(c->c_respp, iv.iov_base, iv.iov_len, &res);
		if (res == HTTP_FEED_ERROR) {
			if (in_head)
				conn_error(c, 502, "sockwarden: malformed "
				    "response from engine at %s", srv->up.name);
			else
				conn_close(c, "malformed response from engine");
			return;
		}
		if (in_head) {
			c->c_head_seen += n;
			if (res == HTTP_FEED_HEAD) {
				n = c->c_head_seen;
				c->c_head_seen = 0;
				relay_head(c, n);
			} else if (n == 0) {
				break;		/* the rest of the head */
			}
			continue;
		}
		if (c->c_state == CONN_VERIFY) {
			/* a create's answer: held whole, it is small */
			c->c_head_seen += n;
			if (c->c_head_seen > 64 * 1024) {
				conn_close(c, "create answer too large");
				return;
			}
			if (res == HTTP_FEED_DONE) {
				n = c->c_head_seen;
				c->c_head_seen = 0;
				facts_verify_create(c, c->c_verify_head, n);
				return;
			}
			if (n == 0)
				break;
			continue;
		}
		if (n > 0) {
			evbuffer_remove_buffer(in, out, n);
			c->c_bytes_out += n;
		}
		if (res == HTTP_FEED_DONE) {
			if (c->c_state == CONN_RESPONSE) {
				relay_exchange_done(c);
				return;
			}
			/* The engine answered before the body was all
			 * sent (an error, usually): finish and close. */
			c->c_keepalive = 0;
			conn_close_after_flush(c);
			return;
		}
		if (n == 0)
			break;
	}
	if (c->c_state != CONN_DEAD && c->c_up != NULL &&
	    evbuffer_get_length(out) >= relay_out_high(c))
		sock_read(c->c_up, 0);
}

void
relay_up_read(struct sock *s, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	if (c->c_state != CONN_DEAD)
		relay_process_upstream(c);
}

/* Upstream output drained: let the client side go on. */
void
relay_up_write(struct sock *s, void *arg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	switch (c->c_state) {
	case CONN_H2:
		h2relay_pump(c);
		return;
	case CONN_UPLOAD:
	case CONN_DUPLEX:
	case CONN_TUNNEL:
		if (c->c_state != CONN_TUNNEL)
			conn_touch(c);		/* the body made progress */
		if (!c->c_client_eof) {
			sock_read(c->c_client, 1);
			sock_kick(c->c_client);	/* input held back */
		}
		/* FALLTHROUGH */
	case CONN_WAIT:
	case CONN_RESPONSE:
		if (c->c_client_eof)
			relay_shut_when_drained(c, 1);
		relay_tunnel_check_done(c);
		return;
	default:
		return;
	}
}

void
relay_up_event(struct sock *s, short what, void *arg)
{
	struct conn *c = arg;
	int err = EVUTIL_SOCKET_ERROR();

	CHECK_CONN(c);
	if (c->c_state == CONN_DEAD)
		return;
	if (what & SOCK_TIMEOUT) {
		if (c->c_state == CONN_WAIT || c->c_state == CONN_UPLOAD)
			conn_error(c, 504, "sockwarden: engine at %s did not "
			    "accept the connection in time", srv->up.name);
		else
			conn_close(c, "engine connect time-out");
		return;
	}
	if (what & SOCK_ERROR) {
		switch (c->c_state) {
		case CONN_WAIT:
		case CONN_UPLOAD:
			conn_error(c, 502, "sockwarden: cannot reach engine at "
			    "%s: %s", srv->up.name, strerror(err ? err :
			    ECONNRESET));
			return;
		case CONN_DUPLEX:
		case CONN_RESPONSE:
		case CONN_TUNNEL:
		case CONN_H2:
			conn_close(c, "engine connection error");
			return;
		default:
			conn_free_upstream(c);	/* idle keep-alive upstream */
			return;
		}
	}
	if (!(what & SOCK_EOF))
		return;
	c->c_up_eof = 1;
	switch (c->c_state) {
	case CONN_WAIT:
	case CONN_UPLOAD:
	case CONN_DUPLEX:
	case CONN_RESPONSE:
		relay_process_upstream(c);
		if (c->c_state == CONN_WAIT || c->c_state == CONN_UPLOAD) {
			conn_error(c, 502, "sockwarden: engine at %s closed "
			    "the connection without answering", srv->up.name);
			return;
		}
		if (c->c_state != CONN_RESPONSE && c->c_state != CONN_DUPLEX)
			return;
		/* An EOF-delimited response (or a cut one): only a close
		 * tells the client where it ends. */
		(void)http_respp_eof(c->c_respp);
		c->c_keepalive = 0;
		conn_close_after_flush(c);
		return;
	case CONN_TUNNEL:
		relay_process_upstream(c);
		relay_shut_when_drained(c, 0);
		relay_tunnel_check_done(c);
		return;
	case CONN_H2:
		h2relay_eof(c, 1);
		return;
	default:
		conn_free_upstream(c);
		return;
	}
}
