/*
 * fuzz_json_body.c - the strict JSON reader and the body rules: the input
 * is a container create body (and, re-used, an exec create and a volume
 * create body) evaluated by the ci preset.  Invariants: the decision is
 * well-formed, an allowed body parsed as JSON, a rejected one names a
 * reason.
 */
#include <string.h>

#include "fuzzing.h"
#include "json.h"
#include "policy.h"

int
fuzz_init(void)
{
	return policy_default() != NULL ? 0 : 1;
}

void
fuzz_cleanup(void)
{
}

static const char *const targets[] = { "/v1.41/containers/create",
	"/v1.41/containers/c/exec", "/v1.41/volumes/create",
	"/v1.41/networks/create", "/v1.41/containers/c/update",
	"/v1.40/containers/create" };

int
fuzz_main(const uint8_t *data, size_t len)
{
	struct policy_header h = { "Content-Type", 12, "application/json", 16 };
	struct policy_request q;
	struct policy_decision d;
	struct jdoc doc;
	char msg[600];
	size_t i;
	int parsed;

	parsed = json_parse((const char *)data, len, 0, &doc) == 0;
	json_free(&doc);
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		memset(&q, 0, sizeof(q));
		q.method = "POST";
		q.target = targets[i];
		q.target_len = strlen(targets[i]);
		q.headers = &h;
		q.nheaders = 1;
		q.body_present = len > 0;
		q.body = data;
		q.body_len = len;
		policy_eval(policy_default(), &q, &d);
		FUZZ_ASSERT(d.verdict != POLICY_NEED_BODY);
		if (d.verdict == POLICY_ALLOW) {
			FUZZ_ASSERT(d.target != NULL);
			FUZZ_ASSERT(parsed || len == 0);
		} else
			FUZZ_ASSERT(d.target == NULL && d.reason[0] != '\0' &&
			    d.status >= 400);
		policy_format_message(&d, msg, sizeof(msg));
		policy_decision_clear(&d);
	}
	return 0;
}
