/*
 * test_policy_stored.c - the engine's stored truth (issue 9): a container
 * inspect answer, as Debian's engine 20.10 wrote it (tests/unit/data), is
 * judged like a create request; the engine's filled-in defaults (masked
 * paths, CgroupnsMode host on cgroup v1, NetworkMode default) are not
 * denials, and what the engine applied is (privileged, capabilities,
 * unconfined system paths, host binds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "t.h"

static char *
slurp(const char *name, size_t *len)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/unit/data/%s", SW_SOURCE_DIR, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

static void
stored(const struct policy *p, const char *file, enum policy_verdict v,
    const char *rule)
{
	struct policy_request facts;
	struct policy_decision d;
	size_t len = 0;
	char *json = slurp(file, &len);

	CHECK(json != NULL);
	if (json == NULL)
		return;
	memset(&facts, 0, sizeof(facts));
	policy_stored(p, &facts, json, len, &d);
	if (d.verdict != v || strcmp(d.rule, rule) != 0)
		fprintf(stderr, "%s: %s %s\n", file, d.rule, d.reason);
	CHECK_INT(d.verdict, v);
	CHECK_STR(d.rule, rule);
	policy_decision_clear(&d);
	free(json);
}

int
main(void)
{
	static const char ws_text[] = "{\"extends\":\"ci\",\"checks\":{"
	    "\"binds\":{\"roots\":[{\"path\":\"/tmp/sw-ws\"}]}}}";
	struct policy_errors errs = { 0 };
	struct policy *ws = NULL;
	struct policy_decision d;

	stored(policy_default(), "inspect-plain.json", POLICY_ALLOW, "");
	stored(policy_default(), "inspect-priv.json", POLICY_DENY, "privileged");
	stored(policy_default(), "inspect-unc.json", POLICY_DENY,
	    "security-options");
	/* the workspace bind, a pid join and volumes-from an own container
	 * (ownership checked them at create) */
	stored(policy_default(), "inspect-ws.json", POLICY_DENY, "binds");
	CHECK_INT(policy_compile("ws", ws_text, strlen(ws_text), &ws, &errs), 0);
	policy_errors_free(&errs);
	if (ws != NULL) {
		stored(ws, "inspect-ws.json", POLICY_ALLOW, "");
		policy_free(ws);
	}
	policy_stored(policy_default(), NULL, "{\"Id\":", 6, &d);
	CHECK_INT(d.verdict, POLICY_REJECT);
	CHECK_INT(d.status, 502);
	policy_decision_clear(&d);
	return t_done();
}
