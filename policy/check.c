/*
 * check.c - the checks and how their denials become verdicts: the table of
 * rule ids (one per enum check_id, named in policy files and in messages),
 * and the evaluation primitives every rule calls to deny (403, or audited,
 * or skipped, after the policy's mode) or to reject a malformed request
 * (400/404/413/500, rule "request").
 *
 * It knows no request fields and no routes: which rule runs when is
 * decide.c's order, what each rule looks at is in query.c, schema.c and the
 * rules_*.c files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
