/*
 * h2_call.c - one gRPC call on a policed /grpc tunnel: a client stream and
 * the engine stream made for it.  The call's headers are decided by
 * policy_grpc_eval() (the method is :path); calls that need their message
 * hold it (and only it: one gRPC message, bounded) until it is whole and
 * decided; nothing of a call reaches the engine before the policy allowed
 * it.  Allowed bytes flow through two queues whose DATA is acknowledged to
 * the sender (nghttp2_session_consume) only once the other side took it,
 * so a peer is never more than a window ahead; held bytes are acknowledged
 * as they arrive (the message could not complete otherwise) and count
 * against the caller's body budget.  A denial is gRPC status
 * PermissionDenied with sockwarden's message, trailers-only when no
 * response started; the engine's stream, if any, is cancelled.  Each
 * decided call is one log line.  Sessions and sockets are h2relay.c's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "h2_int.h"

struct h2call *
h2call_new(struct h2relay *r, int32_t cid)
{
	struct h2call *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->r = r;
	k->cid = cid;
	k->in = evbuffer_new();
	k->out = evbuffer_new();
	if (k->in == NULL || k->out == NULL) {
		if (k->in != NULL)
			evbuffer_free(k->in);
		if (k->out != NULL)
			evbuffer_free(k->out);
		free(k);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&r->calls, k, entry);
	r->ncalls++;
	return k;
}

/* Held bytes share the body budget (body_memory).  -1: over it. */
static int
h2call_reserve(struct h2call *k, size_t want)
{
	struct caller *cl = k->r->c->c_caller;

	if (cl == NULL)
		return want > 0 ? -1 : 0;
	if (want > k->reserved) {
		if (caller_hold(cl, want - k->reserved) != 0)
			return -1;
	} else {
		caller_release(cl, k->reserved - want);
	}
	k->reserved = want;
	return 0;
}

void
h2call_free(struct h2call *k)
{
	struct h2relay *r = k->r;

	/* the sessions may outlive a call: forget it there */
	if (r->down != NULL && !k->cl_closed)
		nghttp2_session_set_stream_user_data(r->down, k->cid, NULL);
	if (r->up != NULL && k->eid > 0 && !k->en_closed)
		nghttp2_session_set_stream_user_data(r->up, k->eid, NULL);
	if (k->reserved > 0 && r->c->c_caller != NULL)
		caller_release(r->c->c_caller, k->reserved);
	TAILQ_REMOVE(&r->calls, k, entry);
	h2hdrs_free(&k->req);
	h2hdrs_free(&k->resp);
	h2hdrs_free(&k->trl);
	evbuffer_free(k->in);
	evbuffer_free(k->out);
	free(k);
}

void
h2call_maybe_free(struct h2call *k)
{
	if (k->cl_closed && (k->eid == 0 || k->en_closed))
		h2call_free(k);
}

int
h2call_header(struct h2call *k, struct h2hdrs *h, const uint8_t *name,
    size_t nlen, const uint8_t *value, size_t vlen)
{
	return h2hdrs_add(h, name, nlen, value, vlen);
}

/* The method for the log, printable and short. */
static void
h2call_method(const struct h2call *k, char *buf, size_t len)
{
	if (k->path == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	log_escape(k->path, k->plen, buf, len);
}

/* Drop client bytes that will never go up, acknowledging them. */
static void
h2call_drop_in(struct h2call *k)
{
	size_t n = evbuffer_get_length(k->in);

	if (n > k->credit && !k->cl_closed)
		nghttp2_session_consume(k->r->down, k->cid, n - k->credit);
	else if (n > k->credit)
		nghttp2_session_consume_connection(k->r->down, n - k->credit);
	evbuffer_drain(k->in, n);
	k->credit = 0;
	k->ok = 0;
	(void)h2call_reserve(k, 0);
}

/* ---- the engine-bound half: DATA read from k->in */

static ssize_t
h2call_read_in(nghttp2_session *s, int32_t sid, uint8_t *buf, size_t len,
    uint32_t *flags, nghttp2_data_source *src, void *arg)
{
	struct h2call *k = src->ptr;
	size_t avail = k->open ? evbuffer_get_length(k->in) : k->ok;
	size_t n = avail < len ? avail : len, pre;

	if (n > 0) {
		evbuffer_remove(k->in, buf, n);
		if (!k->open)
			k->ok -= n;
		/* acknowledge to the client what it has not been yet */
		pre = n < k->credit ? n : k->credit;
		k->credit -= pre;
		if (n > pre && !k->cl_closed)
			nghttp2_session_consume(k->r->down, k->cid, n - pre);
		k->r->c->c_bytes_in += n;
	}
	if (k->cl_end && evbuffer_get_length(k->in) == 0) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		return (ssize_t)n;
	}
	return n > 0 ? (ssize_t)n : NGHTTP2_ERR_DEFERRED;
}

/* Allowed: the request goes up with the client's headers. */
static int
h2call_submit_up(struct h2call *k)
{
	nghttp2_data_provider dp;
	nghttp2_nv *nv;
	size_t n = 0;
	int32_t id;

	if (k->eid > 0) {
		nghttp2_session_resume_data(k->r->up, k->eid);
		return 0;
	}
	if ((nv = calloc(k->req.n ? k->req.n : 1, sizeof(*nv))) == NULL)
		return -1;
	for (size_t i = 0; i < k->req.n; i++)
		if (!h2_hop_header(k->req.nv[i].name, k->req.nv[i].namelen))
			nv[n++] = k->req.nv[i];
	dp.source.ptr = k;
	dp.read_callback = h2call_read_in;
	id = nghttp2_submit_request(k->r->up, NULL, nv, n, &dp, k);
	free(nv);
	if (id < 0)
		return -1;
	k->eid = id;
	return 0;
}

/* ---- the client-bound half: DATA read from k->out */

static ssize_t
h2call_read_out(nghttp2_session *s, int32_t sid, uint8_t *buf, size_t len,
    uint32_t *flags, nghttp2_data_source *src, void *arg)
{
	struct h2call *k = src->ptr;
	size_t n;
	char msg[sizeof(k->deny) * 3], code[8];

	if (k->deny_trailer) {
		nghttp2_nv nv[] = {
			{ (uint8_t *)"grpc-status", (uint8_t *)code, 11, 0,
			    NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"grpc-message", (uint8_t *)msg, 12, 0,
			    NGHTTP2_NV_FLAG_NONE },
		};
		nv[0].valuelen = (size_t)snprintf(code, sizeof(code), "%d",
		    k->deny_code);
		nv[1].valuelen = h2_grpc_pct(k->deny, msg, sizeof(msg));
		*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		if (nghttp2_submit_trailer(s, sid, nv, 2) != 0)
			return NGHTTP2_ERR_CALLBACK_FAILURE;
		return 0;
	}
	n = evbuffer_get_length(k->out);
	if (n > len)
		n = len;
	if (n > 0) {
		evbuffer_remove(k->out, buf, n);
		if (!k->en_closed)
			nghttp2_session_consume(k->r->up, k->eid, n);
		else
			nghttp2_session_consume_connection(k->r->up, n);
	}
	if (k->en_end && evbuffer_get_length(k->out) == 0) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		if (k->trl.n > 0) {
			*flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
			if (nghttp2_submit_trailer(s, sid, k->trl.nv,
			    k->trl.n) != 0)
				return NGHTTP2_ERR_CALLBACK_FAILURE;
		}
		return (ssize_t)n;
	}
	return n > 0 ? (ssize_t)n : NGHTTP2_ERR_DEFERRED;
}

/*
 * Refuse the call: PermissionDenied (or ResourceExhausted) to the client,
 * the engine's stream cancelled, the client's bytes dropped.
 */
static void
h2call_deny(struct h2call *k, int code, const char *why)
{
	struct h2relay *r = k->r;
	char method[160], msg[sizeof(k->deny) * 3], status[8];

	k->denied = 1;
	k->deny_code = code;
	snprintf(k->deny, sizeof(k->deny), "%s", why);
	h2call_method(k, method, sizeof(method));
	log_info("conn %" PRIu64 ": grpc %s: denied: %s", r->c->c_id, method,
	    why);
	if (k->eid > 0 && !k->en_closed)
		nghttp2_submit_rst_stream(r->up, NGHTTP2_FLAG_NONE, k->eid,
		    NGHTTP2_CANCEL);
	h2call_drop_in(k);
	if (k->cl_closed)
		return;
	if (k->resp_started) {
		/* after what the engine said: as trailers */
		k->deny_trailer = 1;
		nghttp2_session_resume_data(r->down, k->cid);
		return;
	} else {
		nghttp2_nv nv[] = {
			{ (uint8_t *)":status", (uint8_t *)"200", 7, 3,
			    NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"content-type",
			    (uint8_t *)"application/grpc", 12, 16,
			    NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"grpc-status", (uint8_t *)status, 11, 0,
			    NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"grpc-message", (uint8_t *)msg, 12, 0,
			    NGHTTP2_NV_FLAG_NONE },
		};
		nv[2].valuelen = (size_t)snprintf(status, sizeof(status),
		    "%d", code);
		nv[3].valuelen = h2_grpc_pct(why, msg, sizeof(msg));
		k->resp_started = 1;
		/* trailers-only: one HEADERS with END_STREAM */
		if (nghttp2_submit_response(r->down, k->cid, nv, 4, NULL) != 0)
			nghttp2_submit_rst_stream(r->down, NGHTTP2_FLAG_NONE,
			    k->cid, NGHTTP2_INTERNAL_ERROR);
	}
}

/* A decision made: go on, or refuse.  0: allowed. */
static int
h2call_verdict(struct h2call *k, struct policy_decision *d)
{
	char msg[512], method[160];

	if (d->verdict == POLICY_DENY || d->verdict == POLICY_REJECT) {
		policy_format_message(d, msg, sizeof(msg));
		h2call_deny(k, GRPC_PERMISSION_DENIED, msg);
		return -1;
	}
	h2call_method(k, method, sizeof(method));
	if (k->eid > 0) {
		/* a later message of an allowed stream (ExecProcess input) */
		log_debug("conn %" PRIu64 ": grpc %s: message allowed",
		    k->r->c->c_id, method);
	} else if (d->audit) {
		policy_format_message(d, msg, sizeof(msg));
		log_warnx("conn %" PRIu64 ": audit: grpc %s: would deny: %s",
		    k->r->c->c_id, method, msg);
	} else {
		log_info("conn %" PRIu64 ": grpc %s: allowed", k->r->c->c_id,
		    method);
	}
	return 0;
}

static const struct policy *
h2call_policy(const struct h2call *k)
{
	return listener_policy(k->r->c->c_listener);
}

/*
 * Decide the held messages: each whole one (or, at the client's end, what
 * is there) goes to the policy; allowed, it may go up.
 */
static void
h2call_decide_held(struct h2call *k)
{
	struct policy_decision d;
	uint8_t prefix[5];
	unsigned char *msg;
	struct evbuffer_ptr at;
	size_t undecided, total;
	uint64_t flen;

	while (!k->open && !k->denied) {
		undecided = evbuffer_get_length(k->in) - k->ok;
		total = undecided;
		if (undecided >= 5) {
			evbuffer_ptr_set(k->in, &at, k->ok, EVBUFFER_PTR_SET);
			evbuffer_copyout_from(k->in, &at, prefix, 5);
			flen = h2_grpc_frame_len(prefix);
			if (flen > k->limit) {
				char why[200];
				snprintf(why, sizeof(why), "sockwarden: a gRPC "
				    "message of %" PRIu64 " bytes is over the "
				    "limit of %zu (max_body_bytes)", flen,
				    k->limit);
				h2call_deny(k, GRPC_RESOURCE_EXHAUSTED, why);
				return;
			}
			total = (size_t)flen;
		}
		if (undecided == 0 && (!k->cl_end || k->eid > 0))
			break;		/* nothing to decide (yet) */
		if ((undecided < 5 || undecided < total) && !k->cl_end)
			break;		/* the rest of the message */
		if (total > undecided)
			total = undecided;	/* cut short: the policy says */
		if ((msg = malloc(total ? total : 1)) == NULL) {
			h2call_deny(k, GRPC_RESOURCE_EXHAUSTED,
			    "sockwarden: out of memory");
			return;
		}
		evbuffer_ptr_set(k->in, &at, k->ok, EVBUFFER_PTR_SET);
		evbuffer_copyout_from(k->in, &at, msg, total);
		policy_grpc_eval(h2call_policy(k), k->path ? k->path : "",
		    k->plen, msg, total, &d);
		free(msg);
		if (h2call_verdict(k, &d) != 0) {
			policy_decision_clear(&d);
			return;
		}
		policy_decision_clear(&d);
		k->ok += total;
		if (!k->each)
			k->open = 1;	/* the rest is relayed unread */
		if (h2call_submit_up(k) != 0) {
			h2call_deny(k, GRPC_RESOURCE_EXHAUSTED,
			    "sockwarden: out of memory");
			return;
		}
		if (k->each && undecided == total)
			break;
	}
	(void)h2call_reserve(k, k->open ? 0 :
	    evbuffer_get_length(k->in) - k->ok);	/* less than before */
}

void
h2call_head_done(struct h2call *k)
{
	struct policy_decision d;
	size_t max = srv->conf->max_body_bytes;

	for (size_t i = 0; i < k->req.n; i++)
		if (k->req.nv[i].namelen == 5 &&
		    memcmp(k->req.nv[i].name, ":path", 5) == 0) {
			k->path = (const char *)k->req.nv[i].value;
			k->plen = k->req.nv[i].valuelen;
		}
	policy_grpc_eval(h2call_policy(k), k->path ? k->path : "", k->plen,
	    NULL, 0, &d);
	if (d.verdict == POLICY_NEED_BODY) {
		k->each = d.grpc_each;
		k->limit = d.body_limit < max ? d.body_limit : max;
		policy_decision_clear(&d);
		return;			/* decided on its message */
	}
	if (h2call_verdict(k, &d) != 0) {
		policy_decision_clear(&d);
		return;
	}
	policy_decision_clear(&d);
	k->open = 1;
	if (h2call_submit_up(k) != 0)
		h2call_deny(k, GRPC_RESOURCE_EXHAUSTED,
		    "sockwarden: out of memory");
}

void
h2call_client_data(struct h2call *k, const uint8_t *d, size_t len)
{
	struct h2relay *r = k->r;

	if (k->denied || k->en_closed) {
		nghttp2_session_consume(r->down, k->cid, len);
		return;
	}
	evbuffer_add(k->in, d, len);
	if (k->open) {
		/* acknowledged when the engine side takes it */
		if (k->eid > 0)
			nghttp2_session_resume_data(r->up, k->eid);
		return;
	}
	/* held for a decision: the window must open for it to complete */
	nghttp2_session_consume(r->down, k->cid, len);
	k->credit += len;
	if (k->each && evbuffer_get_length(k->in) - k->ok > k->limit) {
		/* decided messages the engine is slow to take, and more */
		h2call_deny(k, GRPC_RESOURCE_EXHAUSTED, "sockwarden: the "
		    "client sends faster than the engine takes its messages");
		return;
	}
	if (h2call_reserve(k, evbuffer_get_length(k->in) - k->ok) != 0) {
		h2call_deny(k, GRPC_RESOURCE_EXHAUSTED, "sockwarden: busy: "
		    "messages held for inspection have used up their memory "
		    "(body_memory), retry");
		return;
	}
	h2call_decide_held(k);
}

void
h2call_client_end(struct h2call *k)
{
	k->cl_end = 1;
	if (k->denied)
		return;
	if (!k->open)
		h2call_decide_held(k);
	if (!k->denied && k->eid > 0)
		nghttp2_session_resume_data(k->r->up, k->eid);
}

void
h2call_client_closed(struct h2call *k, uint32_t err)
{
	struct h2relay *r = k->r;

	k->cl_closed = 1;
	h2call_drop_in(k);
	evbuffer_drain(k->out, evbuffer_get_length(k->out));
	if (k->eid > 0 && !k->en_closed && !(k->en_end && k->cl_end))
		nghttp2_submit_rst_stream(r->up, NGHTTP2_FLAG_NONE, k->eid,
		    NGHTTP2_CANCEL);
	h2call_maybe_free(k);
}

void
h2call_engine_headers(struct h2call *k, int end_stream)
{
	nghttp2_data_provider dp;

	if (k->denied || k->cl_closed)
		return;
	k->resp_started = 1;
	if (end_stream) {
		/* trailers-only (an error, usually): as it came */
		k->en_end = 1;
		nghttp2_submit_response(k->r->down, k->cid, k->resp.nv,
		    k->resp.n, NULL);
		return;
	}
	dp.source.ptr = k;
	dp.read_callback = h2call_read_out;
	nghttp2_submit_response(k->r->down, k->cid, k->resp.nv, k->resp.n,
	    &dp);
}

void
h2call_engine_data(struct h2call *k, const uint8_t *d, size_t len)
{
	if (k->denied || k->cl_closed) {
		nghttp2_session_consume(k->r->up, k->eid, len);
		return;
	}
	/* acknowledged when the client side takes it */
	evbuffer_add(k->out, d, len);
	nghttp2_session_resume_data(k->r->down, k->cid);
}

void
h2call_engine_end(struct h2call *k)
{
	k->en_end = 1;
	if (!k->denied && !k->cl_closed && k->resp_started)
		nghttp2_session_resume_data(k->r->down, k->cid);
}

void
h2call_engine_closed(struct h2call *k, uint32_t err)
{
	struct h2relay *r = k->r;

	k->en_closed = 1;
	/* client bytes the engine will not read */
	if (!k->denied && evbuffer_get_length(k->in) > 0)
		h2call_drop_in(k);
	if (!k->cl_closed && !k->denied && (err != NGHTTP2_NO_ERROR ||
	    !k->en_end)) {
		/* the engine reset it: so does the client's stream */
		nghttp2_submit_rst_stream(r->down, NGHTTP2_FLAG_NONE, k->cid,
		    err != NGHTTP2_NO_ERROR ? err : NGHTTP2_CANCEL);
	}
	h2call_maybe_free(k);
}
