/*
 * fuzz_policy_compile.c - the policy file compiler.  Invariants: success
 * and errors are exclusive; every error line has the "file:L:C: " shape;
 * a compiled policy evaluates a request.
 */
#include <stdio.h>
#include <string.h>

#include "fuzzing.h"
#include "policy.h"

int
fuzz_init(void)
{
	return 0;
}

void
fuzz_cleanup(void)
{
}

int
fuzz_main(const uint8_t *data, size_t len)
{
	struct policy_errors errs = { 0 };
	struct policy_request q;
	struct policy_decision d;
	struct policy *p = NULL;
	const char *line;
	int rc, ln, col;

	rc = policy_compile("f.json", (const char *)data, len, &p, &errs);
	if (rc == 0) {
		FUZZ_ASSERT(p != NULL && errs.count == 0);
		memset(&q, 0, sizeof(q));
		q.method = "GET";
		q.target = "/v1.41/containers/json?all=1";
		q.target_len = strlen(q.target);
		policy_eval(p, &q, &d);
		policy_decision_clear(&d);
		policy_free(p);
	} else {
		FUZZ_ASSERT(p == NULL);
		FUZZ_ASSERT(errs.count > 0 && errs.text != NULL);
		for (line = errs.text; *line != '\0';
		    line = strchr(line, '\n') + 1) {
			FUZZ_ASSERT(sscanf(line, "f.json:%d:%d: ", &ln,
			    &col) == 2 && ln >= 1 && col >= 1);
			FUZZ_ASSERT(strchr(line, '\n') != NULL);
		}
	}
	policy_errors_free(&errs);
	return 0;
}
