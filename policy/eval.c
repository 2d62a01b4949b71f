/*
 * eval.c - the evaluation primitives every rule calls: deny by a check
 * (403, or only audited, or skipped, after the policy's and the check's
 * mode) or reject a malformed request (400/404/413/500, rule "request").
 * They write the verdict, rule and message into the decision and nothing
 * else; which rule runs when is decide.c's order.
 */
#include <stdarg.h>
#include <stdio.h>

#include "policy_int.h"

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
	strfmt(d->rule, sizeof(d->rule), "%s", check_name(ck));
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
	strfmt(d->rule, sizeof(d->rule), "request");
	d->audit = 0;
	d->verdict = POLICY_REJECT;
	d->status = status;
	e->done = 1;
}
