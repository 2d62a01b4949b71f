/*
 * fuzz_policy_eval.c - a whole request through policy_eval, both phases.
 * Input: "METHOD TARGET\n" then "Name: value\n" header lines, an empty
 * line, then the body.  Invariants: the head phase never allows a JSON
 * body unseen; a verdict that forwards has a canonical target; an
 * enforced denial has a rule id; audit only with ALLOW.
 */
#include <string.h>

#include "fuzzing.h"
#include "policy.h"

#define MAXH 16

int
fuzz_init(void)
{
	return policy_default() != NULL ? 0 : 1;
}

void
fuzz_cleanup(void)
{
}

static void
check(const struct policy_decision *d)
{
	char msg[600];

	if (d->verdict == POLICY_ALLOW || d->verdict == POLICY_NEED_BODY)
		FUZZ_ASSERT(d->target != NULL && d->target[0] == '/');
	else
		FUZZ_ASSERT(d->target == NULL && d->status >= 400 &&
		    d->rule[0] != '\0');
	if (d->audit)
		FUZZ_ASSERT(d->verdict == POLICY_ALLOW ||
		    d->verdict == POLICY_NEED_BODY);
	policy_format_message(d, msg, sizeof(msg));
}

int
fuzz_main(const uint8_t *data, size_t len)
{
	struct policy_header h[MAXH];
	struct policy_request q;
	struct policy_decision d;
	const char *p = (const char *)data, *end = p + len, *nl, *sp, *colon;
	char method[16];
	size_t nh = 0, ml;

	memset(&q, 0, sizeof(q));
	if ((nl = memchr(p, '\n', len)) == NULL ||
	    (sp = memchr(p, ' ', (size_t)(nl - p))) == NULL)
		return 0;
	ml = (size_t)(sp - p);
	if (ml == 0 || ml >= sizeof(method) || memchr(p, '\0', ml))
		return 0;
	memcpy(method, p, ml);
	method[ml] = '\0';
	q.method = method;
	q.target = sp + 1;
	q.target_len = (size_t)(nl - sp - 1);
	for (p = nl + 1; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p) {
			p = nl + 1;
			break;
		}
		if (nh < MAXH && (colon = memchr(p, ':', (size_t)(nl - p)))) {
			h[nh].name = p;
			h[nh].name_len = (size_t)(colon - p);
			h[nh].value = colon + 1;
			h[nh].value_len = (size_t)(nl - colon - 1);
			nh++;
		}
		if (nl == end) {
			p = end;
			break;
		}
	}
	q.headers = h;
	q.nheaders = nh;
	q.body_present = p < end;
	policy_eval(policy_default(), &q, &d);
	check(&d);
	if (d.verdict == POLICY_ALLOW && d.body_kind == POLICY_BODY_JSON)
		FUZZ_ASSERT(!q.body_present);
	if (d.verdict == POLICY_NEED_BODY) {
		policy_decision_clear(&d);
		q.body = (const uint8_t *)(p < end ? p : "");
		q.body_len = p < end ? (size_t)(end - p) : 0;
		policy_eval(policy_default(), &q, &d);
		FUZZ_ASSERT(d.verdict != POLICY_NEED_BODY);
		check(&d);
	}
	policy_decision_clear(&d);
	return 0;
}
