/*
 * conn_request.c - the client half of an exchange: feeding the request
 * head to the HTTP adapter, the two-phase decision (decision.c) on the
 * parsed head and on a held body, and what follows from it: hold the body,
 * go upstream (conn_relay.c), or answer with sockwarden's own error.  It
 * owns no socket; conn.c calls it from its state machine.
 */
#include <inttypes.h>
#include <string.h>

#include <event2/buffer.h>

#include "conn_int.h"

/* The policy's answer (deny, reject, or the HTTP rules of decision.c). */
/* What the decision needs from the daemon's state; the record notes which
 * policy generation decides. */
static void
request_ctx(struct conn *c, struct decision_ctx *ctx)
{
	static const char *self[SW_MAX_LISTENERS + 1];

	c->c_policy_gen = srv->policy_generation;
	ctx->tenant = c->c_tenant[0] != '\0' ? c->c_tenant : NULL;
	ctx->policy = listener_policy(c->c_listener);
	ctx->max_body = srv->conf->max_body_bytes;
	ctx->grpc_policed = srv->conf->grpc_relay == SW_GRPC_POLICE;
	ctx->self_sockets = self;
	ctx->nself_sockets = listener_self_sockets(self, SW_MAX_LISTENERS + 1);
}

static void
request_answer(struct conn *c, const struct verdict *v)
{
	conn_error(c, v->status, "%s", v->msg);
}

/* Allowed: note what audit mode let through, then go upstream. */
static void
request_go(struct conn *c, const struct verdict *v)
{
	const struct http_request *req = http_reqp_request(c->c_reqp);

	if (v->msg[0] != '\0')
		log_warnx("conn %" PRIu64 ": audit: %s %s: would deny: %s",
		    c->c_id, req->method, c->c_dec.target ? c->c_dec.target :
		    "", v->msg);
	c->c_hijack = c->c_dec.hijack;
	facts_go(c);
}

/*
 * Held bodies share one memory budget (body_memory), a quarter of it at
 * most per caller: over it, a 503 the client may retry, never an
 * unbounded buffer.  0, or -1 after answering.
 */
static int
request_reserve(struct conn *c, size_t total)
{
	if (total <= c->c_held)
		return 0;
	if (caller_hold(c->c_caller, total - c->c_held) != 0) {
		conn_error(c, 503, "sockwarden: busy: request bodies held for "
		    "inspection have used up their memory (body_memory), "
		    "retry");
		return -1;
	}
	c->c_held = total;
	return 0;
}

/* A request head is complete: who is calling, then decide. */
static void
request_dispatch(struct conn *c)
{
	const struct http_request *req = http_reqp_request(c->c_reqp);

	c->c_nreq++;
	c->c_keepalive = req->keepalive;
	exchange_begin(c);
	if (req->chunked)
		c->c_framing = BODY_CHUNKED;
	else if (req->content_length > 0) {
		c->c_framing = BODY_LENGTH;
		c->c_body_left = (uint64_t)req->content_length;
	} else
		c->c_framing = BODY_NONE;
	if (facts_tenant(c) == 0)
		request_decide(c);
}

/* Decide on the head: hold the body, go upstream, or answer. */
void
request_decide(struct conn *c)
{
	const struct http_request *req = http_reqp_request(c->c_reqp);
	struct decision_ctx ctx;
	struct verdict v;

	request_ctx(c, &ctx);
	decision_head(&ctx, req, &c->c_dec, &v);
	switch (v.step) {
	case VERDICT_ANSWER:
		request_answer(c, &v);
		return;
	case VERDICT_FORWARD:
		request_go(c, &v);
		return;
	case VERDICT_NEED_BODY:
		if ((c->c_body = evbuffer_new()) == NULL) {
			conn_error(c, 500, "sockwarden: out of memory");
			return;
		}
		c->c_body_limit = v.limit;
		if (c->c_framing == BODY_LENGTH &&
		    request_reserve(c, (size_t)c->c_body_left) != 0)
			return;
		conn_set_state(c, CONN_HOLD);
		if (req->expect_continue)
			evbuffer_add(sock_output(c->c_client),
			    "HTTP/1.1 100 Continue\r\n\r\n", 25);
		return;
	}
}

/* Body bytes of a chunked request held for inspection. */
static void
request_chunk_hold(void *arg, const char *data, size_t len)
{
	evbuffer_add(arg, data, len);
}

/* Hold body bytes for inspection; decide once complete. */
void
request_hold_body(struct conn *c, struct evbuffer *in)
{
	enum http_feed res = HTTP_FEED_MORE;
	struct decision_ctx ctx;
	struct evbuffer_iovec iv;
	struct verdict v;
	size_t n;

	conn_touch(c);
	if (c->c_framing == BODY_LENGTH) {
		(void)conn_body_take(c, in, c->c_body);
		if (c->c_body_left > 0)
			return;
	} else {
		while (res == HTTP_FEED_MORE &&
		    evbuffer_peek(in, -1, NULL, &iv, 1) > 0) {
			n = http_reqp_feed_chunked(c->c_reqp, iv.iov_base,
			    iv.iov_len, request_chunk_hold, c->c_body, &res);
			evbuffer_drain(in, n);
			if (evbuffer_get_length(c->c_body) > c->c_body_limit) {
				v.limit = c->c_body_limit;
				decision_too_big(&c->c_dec, &v);
				request_answer(c, &v);
				return;
			}
			if (request_reserve(c, evbuffer_get_length(
			    c->c_body)) != 0)
				return;
		}
		if (res == HTTP_FEED_ERROR) {
			conn_error(c, 400, "sockwarden: %s",
			    http_reqp_err_msg(c->c_reqp));
			return;
		}
		if (res != HTTP_FEED_DONE)
			return;
	}
	request_ctx(c, &ctx);
	decision_body(&ctx, http_reqp_request(c->c_reqp),
	    evbuffer_pullup(c->c_body, -1), evbuffer_get_length(c->c_body),
	    &c->c_dec, &v);
	if (v.step == VERDICT_FORWARD)
		request_go(c, &v);
	else
		request_answer(c, &v);
}

/* Feed head bytes; dispatches a complete head.  0: go on, -1: wait. */
int
request_read_head(struct conn *c, struct evbuffer *in)
{
	struct evbuffer_iovec iv;
	enum http_feed res;
	size_t n;

	if (evbuffer_peek(in, -1, NULL, &iv, 1) < 1)
		return -1;
	n = http_reqp_feed_head(c->c_reqp, iv.iov_base, iv.iov_len, &res);
	evbuffer_drain(in, n);
	if (res == HTTP_FEED_ERROR) {
		conn_error(c, http_reqp_err_status(c->c_reqp), "sockwarden: %s",
		    http_reqp_err_msg(c->c_reqp));
		return -1;
	}
	if (res == HTTP_FEED_HEAD)
		request_dispatch(c);
	return 0;
}
