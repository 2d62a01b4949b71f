/*
 * decide.c - policy_eval(): the order of the decisions for one request, and
 * the verdict and message it hands back to the daemon.
 *
 * Head phase (body == NULL): target, route, headers, endpoint and query are
 * decided; a JSON route with a body answers POLICY_NEED_BODY.  Body phase:
 * the same checks run again (eval is stateless), then the body rules.
 * It writes no rule of its own beyond headers and the endpoint list: how a
 * denial becomes a verdict is eval.c, the parameter rules query.c, the body
 * rules body.c and what it calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

static int
hdr_is(const struct policy_header *h, const char *name)
{
	size_t n = strlen(name);

	return h->name_len == n && strncasecmp(h->name, name, n) == 0;
}

/* mime.ParseMediaType's type, lower-cased, into buf. */
static void
media_type(const struct policy_header *h, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < h->value_len && h->value[i] != ';'; i++) {
		char c = h->value[i];
		if (c == ' ' || c == '\t')
			continue;
		if (o + 1 < size)
			buf[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	buf[o] = '\0';
}

static int
check_headers(struct eval *e)
{
	const struct policy_request *r = e->req;
	const struct policy_header *ct = NULL;
	char mt[64];
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		const struct policy_header *h = &r->headers[i];
		if (hdr_is(h, "Upgrade") && !(e->rt->flags & RT_HIJACK)) {
			eval_reject(e, 400, "an Upgrade header is not allowed "
			    "on %s", e->rt->what);
			return -1;
		}
		if (hdr_is(h, "Content-Type")) {
			if (ct != NULL) {
				eval_reject(e, 400, "duplicate Content-Type "
				    "header");
				return -1;
			}
			ct = h;
		}
	}
	if (ct == NULL)
		return 0;
	media_type(ct, mt, sizeof(mt));
	if (strcmp(mt, "application/x-www-form-urlencoded") == 0 ||
	    strncmp(mt, "multipart/", 10) == 0) {
		eval_reject(e, 400, "form-encoded bodies are not allowed: the "
		    "engine would let them override query parameters");
		return -1;
	}
	if ((e->rt->flags & RT_JSON) && r->body_present &&
	    strcmp(mt, "application/json") != 0) {
		eval_reject(e, 400, "a JSON body needs Content-Type "
		    "application/json");
		return -1;
	}
	return 0;
}

static int
json_body_without_type(struct eval *e)
{
	size_t i;

	for (i = 0; i < e->req->nheaders; i++)
		if (hdr_is(&e->req->headers[i], "Content-Type"))
			return 0;
	return 1;
}

/*
 * An unknown endpoint let through by audit mode: no route, so nothing to
 * inspect; forward path and query as parsed and any body as an opaque
 * stream.  Form bodies stay rejected: they are never a policy question.
 */
static void
unknown_audited(struct eval *e)
{
	static const struct route none = { "", "", "unknown", "request", 0,
	    ID_NONE, "" };
	size_t i;

	e->rt = &none;
	if (check_headers(e) == -1)
		return;
	for (i = 0; i < e->t.nq; i++)
		e->t.q[i].used = 1;
	e->d->body_kind = e->req->body_present ? POLICY_BODY_STREAM :
	    POLICY_BODY_NONE;
	if ((e->d->target = target_canonical(&e->t)) == NULL)
		eval_reject(e, 500, "out of memory");
}

/*
 * A /grpc tunnel whose calls the daemon decides one by one is as much as
 * the builds it carries: admitted where POST /build is.
 */
static int
grpc_policed_admits(const struct eval *e)
{
	size_t i;

	if (!e->req->grpc_policed || strcmp(e->rt->op, "grpc") != 0)
		return 0;
	for (i = 0; i < route_count(); i++)
		if (strcmp(route_at(i)->op, "image.build") == 0)
			return e->pol->ep_allow[i];
	return 0;
}

static void
eval_run(struct eval *e)
{
	const struct policy_request *r = e->req;
	struct policy_decision *d = e->d;
	const char *var;
	size_t varlen;
	char why[160];
	int st, ri;

	if ((st = target_parse(r->target, r->target_len, &e->t, why,
	    sizeof(why))) != 0) {
		eval_reject(e, st, "%s", why);
		return;
	}
	ri = route_match(r->method, e->t.path, e->t.path_len, &var, &varlen);
	if (ri < 0) {
		strfmt(d->operation, sizeof(d->operation), "unknown");
		strfmt(d->what, sizeof(d->what), "request");
		if (eval_deny_fixed(e, CK_ENDPOINT, "%s %.*s is not a known "
		    "engine endpoint", r->method, (int)(e->t.path_len > 100 ?
		    100 : e->t.path_len), e->t.path))
			return;
		unknown_audited(e);
		return;
	}
	e->rt = route_at((size_t)ri);
	e->var = var;
	e->varlen = varlen;
	strfmt(d->operation, sizeof(d->operation), "%s", e->rt->op);
	strfmt(d->what, sizeof(d->what), "%s", e->rt->what);
	d->hijack = (e->rt->flags & RT_HIJACK) != 0;
	d->body_kind = (e->rt->flags & RT_JSON) ? POLICY_BODY_JSON :
	    (e->rt->flags & RT_STREAM) ? POLICY_BODY_STREAM : POLICY_BODY_NONE;
	if (var != NULL && !route_id_valid(e->rt->id_kind, var, varlen)) {
		eval_deny_fixed(e, CK_ENDPOINT, "the %s in the path is not a "
		    "valid name", e->rt->id_kind == ID_IMAGE ?
		    "image reference" : "object name");
		return;
	}
	if (check_headers(e) == -1)
		return;
	if (!e->pol->ep_allow[ri] && !grpc_policed_admits(e) &&
	    eval_deny(e, CK_ENDPOINT, "%s is not "
	    "an allowed endpoint (operation %s)%s", e->rt->what, e->rt->op,
	    strstr(e->rt->op, ".prune") != NULL ? ": it would remove every "
	    "job's objects, not only the caller's" : ""))
		return;
	if (query_check(e) == -1 || e->done)
		return;
	if (owner_query(e) == -1)
		return;
	if ((d->target = target_canonical(&e->t)) == NULL) {
		eval_reject(e, 500, "out of memory");
		return;
	}
	if (owner_path(e, e->t.version > 0 ? 6 : 0) == -1)
		return;
	d->verify = (e->rt->op[0] == 'c' && (strcmp(e->rt->op,
	    "container.start") == 0 || strcmp(e->rt->op, "container.create") ==
	    0));
	if (d->body_kind == POLICY_BODY_JSON) {
		if (r->body_present && r->body == NULL) {
			d->verdict = POLICY_NEED_BODY;
			return;
		}
		if (r->body_len > 0 && json_body_without_type(e)) {
			eval_reject(e, 400, "a JSON body needs Content-Type "
			    "application/json");
			return;
		}
		body_check(e);
		return;
	}
	if (d->body_kind == POLICY_BODY_NONE && (r->body_present ||
	    r->body_len > 0)) {
		/* Clients send {} or an empty chunked body where the engine
		 * reads none: read it, drop it, forward the request bare. */
		d->body_kind = POLICY_BODY_IGNORED;
		if (r->body == NULL) {
			d->verdict = POLICY_NEED_BODY;
			return;
		}
		if (r->body_len > e->pol->body_limit)
			eval_reject(e, 400, "%s takes no request body",
			    e->rt->what);
		return;
	}
}

void
policy_eval(const struct policy *p, const struct policy_request *r,
    struct policy_decision *d)
{
	struct eval e;

	memset(d, 0, sizeof(*d));
	memset(&e, 0, sizeof(e));
	e.pol = p;
	e.req = r;
	e.d = d;
	d->verdict = POLICY_ALLOW;
	d->body_limit = p->body_limit;
	eval_run(&e);
	if (d->image == NULL && e.rt != NULL && e.rt->id_kind == ID_IMAGE &&
	    e.var != NULL &&		/* inspect, delete, save... by name */
	    (d->image = strndup(e.var, e.varlen < 255 ? e.varlen : 255)) !=
	    NULL)
		str_sanitize(d->image);
	target_free(&e.t);
	if (d->verdict == POLICY_ALLOW && d->target == NULL) {
		d->verdict = POLICY_REJECT;	/* never forward unparsed */
		d->status = 500;
	}
	if (d->verdict == POLICY_DENY || d->verdict == POLICY_REJECT) {
		free(d->target);
		d->target = NULL;
	}
	if (d->verdict == POLICY_NEED_BODY || d->verdict == POLICY_ALLOW) {
		if (!d->audit) {
			d->rule[0] = '\0';
			d->reason[0] = '\0';
			d->key = NULL;
		}
	}
}

void
policy_decision_clear(struct policy_decision *d)
{
	free(d->target);
	d->target = NULL;
	free(d->image);
	d->image = NULL;
	for (size_t i = 0; i < d->npaths; i++) {
		free(d->paths[i].path);
		free(d->paths[i].root);
	}
	free(d->paths);
	d->paths = NULL;
	d->npaths = 0;
	for (size_t i = 0; i < d->nrefs; i++) {
		free(d->refs[i].name);
		free(d->refs[i].prefix);
		free(d->refs[i].suffix);
	}
	free(d->refs);
	d->refs = NULL;
	d->nrefs = 0;
	free(d->body);
	d->body = NULL;
	d->body_len = 0;
}

void
policy_format_message(const struct policy_decision *d, char *buf, size_t len)
{
	char key[80] = "";

	if (len == 0)
		return;
	/* Docker prints the whole message: the key stays short */
	if (d->key != NULL)
		snprintf(key, sizeof(key), " (policy key: %s)", d->key);
	switch (d->verdict) {
	case POLICY_DENY:
		snprintf(buf, len, "sockwarden: %s denied by rule %s: %s%s",
		    d->what[0] ? d->what : "request", d->rule, d->reason, key);
		break;
	case POLICY_REJECT:
		snprintf(buf, len, "sockwarden: %s rejected: %s",
		    d->what[0] ? d->what : "request", d->reason);
		break;
	default:
		if (d->audit)
			snprintf(buf, len, "sockwarden: %s would be denied by "
			    "rule %s (audit): %s%s", d->what, d->rule,
			    d->reason, key);
		else
			snprintf(buf, len, "sockwarden: %s allowed", d->what);
		break;
	}
}
