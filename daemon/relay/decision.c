/*
 * decision.c - the two-phase policy decision, written once for the relay
 * (conn.c) and the explain tool: evaluate the parsed head; when the policy
 * needs the body, clamp its limit to max_body_bytes and say how much to
 * read; then evaluate the body, which must end in allow or an answer.
 * The daemon-side rules the policy does not know live here too: Upgrade
 * only where the endpoint hijacks, a declared body over the limit is a 413
 * before a byte of it is read; host paths an allowed bind depends on are
 * checked on the host (hostpath.c) before the request may go.  It keeps
 * no state.
 */
#include <stdio.h>
#include <string.h>

#include "daemon.h"

static void
decision_request(const struct decision_ctx *ctx,
    const struct http_request *req, const unsigned char *body, size_t len,
    struct policy_request *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->self_sockets = ctx->self_sockets;
	pr->nself_sockets = ctx->nself_sockets;
	pr->tenant = ctx->tenant;
	pr->grpc_policed = ctx->grpc_policed;
	pr->method = req->method;
	pr->target = req->target;
	pr->target_len = req->target_len;
	pr->headers = req->hdrs;
	pr->nheaders = req->nhdrs;
	pr->body_present = req->chunked || req->content_length > 0;
	pr->body = body;
	pr->body_len = len;
}

static void
decision_answer(struct verdict *v, int status, const char *msg)
{
	v->step = VERDICT_ANSWER;
	v->status = status;
	snprintf(v->msg, sizeof(v->msg), "%s", msg);
}

/*
 * The host paths the allow depends on: a failed one turns the decision
 * into a denial by rule binds, as the policy would have written it.
 */
static int
decision_host_paths(struct policy_decision *d)
{
	char why[sizeof(d->reason) - 64];

	for (size_t i = 0; i < d->npaths; i++) {
		const struct policy_host_path *hp = &d->paths[i];

		if (hostpath_check(hp->root, hp->path, hp->must_exist, why,
		    sizeof(why)) == 0)
			continue;
		d->verdict = POLICY_DENY;
		d->status = 403;
		d->audit = 0;
		snprintf(d->rule, sizeof(d->rule), "binds");
		snprintf(d->reason, sizeof(d->reason), "%s (%.48s)", why,
		    hp->where);
		d->key = NULL;		/* no root setting changes the host */
		return -1;
	}
	return 0;
}

/* Turn an allow/deny/reject from the policy into the verdict. */
static void
decision_final(const struct http_request *req, struct policy_decision *d,
    struct verdict *v)
{
	if (d->verdict == POLICY_ALLOW && decision_host_paths(d) != 0) {
		decision_final(req, d, v);
		return;
	}
	switch (d->verdict) {
	case POLICY_ALLOW:
		if (req->upgrade != NULL && !d->hijack) {
			decision_answer(v, 400, "sockwarden: Upgrade is only "
			    "allowed on attach, exec start and session endpoints");
			return;
		}
		v->step = VERDICT_FORWARD;
		v->status = 0;
		v->msg[0] = '\0';
		if (d->audit)
			policy_format_message(d, v->msg, sizeof(v->msg));
		return;
	case POLICY_DENY:
	case POLICY_REJECT:
		v->step = VERDICT_ANSWER;
		v->status = d->status ? d->status :
		    d->verdict == POLICY_DENY ? 403 : 400;
		policy_format_message(d, v->msg, sizeof(v->msg));
		return;
	case POLICY_NEED_BODY:
		/* The body phase must end the decision; anything else is a
		 * policy bug, and a bug must not forward. */
		decision_answer(v, 500, "sockwarden: policy asked for the "
		    "body twice");
		return;
	}
	decision_answer(v, 500, "sockwarden: no decision");
}

void
decision_body(const struct decision_ctx *ctx, const struct http_request *req,
    const unsigned char *body, size_t len, struct policy_decision *d,
    struct verdict *v)
{
	struct policy_request pr;

	decision_request(ctx, req, body != NULL ? body :
	    (const unsigned char *)"", len, &pr);
	policy_decision_clear(d);
	policy_eval(ctx->policy, &pr, d);
	decision_final(req, d, v);
}

void
decision_head(const struct decision_ctx *ctx, const struct http_request *req,
    struct policy_decision *d, struct verdict *v)
{
	struct policy_request pr;

	decision_request(ctx, req, NULL, 0, &pr);
	policy_decision_clear(d);
	policy_eval(ctx->policy, &pr, d);
	if (d->verdict != POLICY_NEED_BODY) {
		decision_final(req, d, v);
		return;
	}
	v->limit = d->body_limit == 0 || d->body_limit > ctx->max_body ?
	    ctx->max_body : d->body_limit;
	if (!req->chunked && req->content_length <= 0) {
		decision_body(ctx, req, NULL, 0, d, v);	/* no body at all */
		return;
	}
	if (!req->chunked && (uint64_t)req->content_length > v->limit) {
		decision_too_big(d, v);
		return;
	}
	v->step = VERDICT_NEED_BODY;
}

void
decision_too_big(const struct policy_decision *d, struct verdict *v)
{
	char msg[256];

	if (d->body_kind == POLICY_BODY_IGNORED) {
		/* A body the engine ignores: small ones are dropped, a
		 * large one is not a request we understand. */
		snprintf(msg, sizeof(msg), "sockwarden: %s rejected: %s takes "
		    "no request body", d->what, d->what);
		decision_answer(v, 400, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "sockwarden: request body exceeds the "
	    "%zu-byte inspection limit", v->limit);
	decision_answer(v, 413, msg);
}
