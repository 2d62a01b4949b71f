/*
 * decide.c - policy_eval(): the order of the checks for one request, and how
 * a check's denial becomes a verdict (enforce vs audit vs off).
 *
 * Head phase (body == NULL): target, route, headers, endpoint and query are
 * decided; a JSON route with a body answers POLICY_NEED_BODY.  Body phase:
 * the same checks run again (eval is stateless), then the body rules.
 * Field-level rules live in query.c and the body/rules files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

static const char *const check_names[CK_COUNT] = {
	[CK_ENDPOINT] = "endpoint",
	[CK_UNKNOWN_FIELD] = "unknown-field",
	[CK_PRIVILEGED] = "privileged",
	[CK_CAPABILITIES] = "capabilities",
	[CK_NAMESPACES] = "namespaces",
	[CK_DEVICES] = "devices",
	[CK_BINDS] = "binds",
	[CK_PROPAGATION] = "propagation",
	[CK_VOLUME_OPTIONS] = "volume-options",
	[CK_VOLUMES_FROM] = "volumes-from",
	[CK_SECURITY_OPTIONS] = "security-options",
	[CK_SYSCTLS] = "sysctls",
	[CK_RUNTIME] = "runtime",
	[CK_CGROUP_PARENT] = "cgroup-parent",
	[CK_VOLUME_DRIVER] = "volume-driver",
	[CK_IMAGES] = "images",
	[CK_LABELS] = "labels",
	[CK_RESOURCES] = "resources",
	[CK_PORTS] = "ports",
	[CK_USER] = "user",
	[CK_LOGGING] = "logging",
	[CK_EXTRA_HOSTS] = "extra-hosts",
	[CK_WORKDIR] = "workdir",
	[CK_ENV] = "env",
	[CK_BUILD] = "build",
	[CK_NETWORK] = "network",
	[CK_IMAGE_SOURCE] = "image-source",
};

const char *
check_name(enum check_id id)
{
	return (unsigned)id < CK_COUNT ? check_names[id] : "?";
}

int
check_lookup(const char *name)
{
	int i;

	for (i = 0; i < CK_COUNT; i++)
		if (strcmp(check_names[i], name) == 0)
			return i;
	return -1;
}

static void
set_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

int
eval_check_on(const struct eval *e, enum check_id ck)
{
	return e->pol->ck_mode[ck] != MODE_OFF;
}

int
eval_deny(struct eval *e, enum check_id ck, const char *fmt, ...)
{
	enum check_mode m = e->pol->ck_mode[ck];
	struct policy_decision *d = e->d;
	va_list ap;

	if (m == MODE_INHERIT)
		m = e->pol->mode;
	if (m == MODE_OFF)
		return 0;
	if (m == MODE_AUDIT && d->audit)
		return 0;		/* keep the first audited denial */
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	str_sanitize(d->reason);	/* quotes request bytes */
	set_str(d->rule, sizeof(d->rule), check_name(ck));
	if (m == MODE_AUDIT) {
		d->audit = 1;
		return 0;
	}
	d->audit = 0;
	d->verdict = POLICY_DENY;
	d->status = 403;
	e->done = 1;
	return 1;
}

void
eval_reject(struct eval *e, int status, const char *fmt, ...)
{
	struct policy_decision *d = e->d;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	str_sanitize(d->reason);
	set_str(d->rule, sizeof(d->rule), "request");
	d->audit = 0;
	d->verdict = POLICY_REJECT;
	d->status = status;
	e->done = 1;
}

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
		set_str(d->operation, sizeof(d->operation), "unknown");
		set_str(d->what, sizeof(d->what), "request");
		if (eval_deny(e, CK_ENDPOINT, "%s %.*s is not a known engine "
		    "endpoint", r->method, (int)(e->t.path_len > 100 ? 100 :
		    e->t.path_len), e->t.path))
			return;
		unknown_audited(e);
		return;
	}
	e->rt = route_at((size_t)ri);
	set_str(d->operation, sizeof(d->operation), e->rt->op);
	set_str(d->what, sizeof(d->what), e->rt->what);
	d->hijack = (e->rt->flags & RT_HIJACK) != 0;
	d->body_kind = (e->rt->flags & RT_JSON) ? POLICY_BODY_JSON :
	    (e->rt->flags & RT_STREAM) ? POLICY_BODY_STREAM : POLICY_BODY_NONE;
	if (var != NULL && !route_id_valid(e->rt->id_kind, var, varlen)) {
		eval_deny(e, CK_ENDPOINT, "the %s in the path is not a valid "
		    "name", e->rt->id_kind == ID_IMAGE ? "image reference" :
		    "object name");
		return;
	}
	if (check_headers(e) == -1)
		return;
	if (!e->pol->ep_allow[ri] && eval_deny(e, CK_ENDPOINT, "%s is not "
	    "an allowed endpoint (operation %s)", e->rt->what, e->rt->op))
		return;
	if (query_check(e) == -1 || e->done)
		return;
	if ((d->target = target_canonical(&e->t)) == NULL) {
		eval_reject(e, 500, "out of memory");
		return;
	}
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
		eval_reject(e, 400, "%s takes no request body", e->rt->what);
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
		}
	}
}

void
policy_decision_clear(struct policy_decision *d)
{
	free(d->target);
	d->target = NULL;
}

void
policy_format_message(const struct policy_decision *d, char *buf, size_t len)
{
	if (len == 0)
		return;
	switch (d->verdict) {
	case POLICY_DENY:
		snprintf(buf, len, "sockwarden: %s denied by rule %s: %s",
		    d->what[0] ? d->what : "request", d->rule, d->reason);
		break;
	case POLICY_REJECT:
		snprintf(buf, len, "sockwarden: %s rejected: %s",
		    d->what[0] ? d->what : "request", d->reason);
		break;
	default:
		if (d->audit)
			snprintf(buf, len, "sockwarden: %s would be denied by "
			    "rule %s (audit): %s", d->what, d->rule,
			    d->reason);
		else
			snprintf(buf, len, "sockwarden: %s allowed", d->what);
		break;
	}
}
