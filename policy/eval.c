/*
 * eval.c - the evaluation primitives every rule calls: deny by a check
 * (403, or only audited, or skipped, after the policy's and the check's
 * mode) or reject a malformed request (400/404/413/500, rule "request").
 * They write the verdict, rule and message into the decision and nothing
 * else; which rule runs when is decide.c's order.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

int
eval_host_path(struct eval *e, const char *path, size_t len,
    const char *root, int must_exist, const char *where)
{
	struct policy_decision *d = e->d;
	struct policy_host_path *np, *hp;

	if ((np = realloc(d->paths, (d->npaths + 1) * sizeof(*np))) == NULL)
		goto oom;
	d->paths = np;
	hp = &d->paths[d->npaths];
	memset(hp, 0, sizeof(*hp));
	if ((hp->path = strndup(path, len)) == NULL ||
	    (hp->root = strdup(root)) == NULL) {
		free(hp->path);
		goto oom;
	}
	hp->must_exist = must_exist;
	strfmt(hp->where, sizeof(hp->where), "%s", where);
	d->npaths++;
	return 0;
oom:
	eval_reject(e, 500, "out of memory");
	return -1;
}

int
eval_check_on(const struct eval *e, enum check_id ck)
{
	return e->pol->ck_mode[ck] != MODE_OFF;
}

/* The callers' formats are checked at their call sites; this tells clang
 * (-Wformat-nonliteral) that fmt is one. */
static int eval_vdeny(struct eval *, enum check_id, const char *,
    const char *, va_list) __attribute__((format(printf, 4, 0)));

static int
eval_vdeny(struct eval *e, enum check_id ck, const char *key,
    const char *fmt, va_list ap)
{
	enum check_mode m = e->pol->ck_mode[ck];
	struct policy_decision *d = e->d;

	if (m == MODE_INHERIT)
		m = e->pol->mode;
	if (m == MODE_OFF)
		return 0;
	if (m == MODE_AUDIT && d->audit)
		return 0;		/* keep the first audited denial */
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	str_sanitize(d->reason);	/* quotes request bytes */
	strfmt(d->rule, sizeof(d->rule), "%s", check_name(ck));
	d->key = key;
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

int
eval_deny(struct eval *e, enum check_id ck, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eval_vdeny(e, ck, check_key(ck), fmt, ap);
	va_end(ap);
	return rc;
}

int
eval_deny_key(struct eval *e, enum check_id ck, const char *key,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eval_vdeny(e, ck, key, fmt, ap);
	va_end(ap);
	return rc;
}

int
eval_deny_fixed(struct eval *e, enum check_id ck, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eval_vdeny(e, ck, NULL, fmt, ap);
	va_end(ap);
	return rc;
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
	strfmt(d->rule, sizeof(d->rule), "request");
	d->key = NULL;
	d->audit = 0;
	d->verdict = POLICY_REJECT;
	d->status = status;
	e->done = 1;
}
