/*
 * fuzz_grpc.c - BuildKit calls on /grpc (policy/bk_decode.c, bk_check.c).
 * The first input byte picks the call, the rest is its protobuf message,
 * framed as one gRPC message and decided by the ci preset and by a
 * policy that grants every entitlement; the whole input is also decided
 * as an already framed Solve.  Invariants: a message phase ends in allow
 * or deny, never a request for more; a denial names its rule and reason;
 * with everything granted nothing ci allows is denied.
 */
#include <string.h>

#include "fuzzing.h"
#include "policy.h"

static const char *const methods[] = {
	"/moby.buildkit.v1.Control/Solve",
	"/moby.buildkit.v1.frontend.LLBBridge/Solve",
	"/moby.buildkit.v1.frontend.LLBBridge/NewContainer",
	"/moby.buildkit.v1.frontend.LLBBridge/ExecProcess",
};

static struct policy *wide;
static uint8_t framed[4 * 1024 * 1024 + 5];

int
fuzz_init(void)
{
	static const char text[] = "{\"extends\": \"ci\", \"checks\": "
	    "{\"buildkit\": {\"entitlements\": [\"network.host\", "
	    "\"security.insecure\", \"device\"]}}}";
	struct policy_errors errs = { 0 };

	if (policy_default() == NULL || policy_compile("wide.json", text,
	    strlen(text), &wide, &errs) != 0)
		return 1;
	return 0;
}

void
fuzz_cleanup(void)
{
	policy_free(wide);
}

static enum policy_verdict
decide(const struct policy *p, const char *m, const uint8_t *buf, size_t len)
{
	struct policy_decision d;
	enum policy_verdict v;
	char msg[600];

	policy_grpc_eval(p, m, strlen(m), buf, len, &d);
	v = d.verdict;
	FUZZ_ASSERT(v == POLICY_ALLOW || v == POLICY_DENY);
	if (v == POLICY_DENY)
		FUZZ_ASSERT(d.rule[0] != '\0' && d.reason[0] != '\0' &&
		    d.status == 403);
	policy_format_message(&d, msg, sizeof(msg));
	policy_decision_clear(&d);
	return v;
}

int
fuzz_main(const uint8_t *data, size_t len)
{
	const char *m;
	size_t n;

	decide(policy_default(), methods[0], data, len);
	if (len < 1 || len - 1 > sizeof(framed) - 5)
		return 0;
	m = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	n = len - 1;
	framed[0] = 0;
	framed[1] = (uint8_t)(n >> 24);
	framed[2] = (uint8_t)(n >> 16);
	framed[3] = (uint8_t)(n >> 8);
	framed[4] = (uint8_t)n;
	memcpy(framed + 5, data + 1, n);
	if (decide(policy_default(), m, framed, n + 5) == POLICY_ALLOW)
		FUZZ_ASSERT(decide(wide, m, framed, n + 5) == POLICY_ALLOW);
	return 0;
}
