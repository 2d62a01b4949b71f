/*
 * test_policy_grpc.c - BuildKit calls on /grpc (policy/bk_decode.c,
 * policy/bk_check.c): which calls pass unread, which are decoded, what
 * the ci preset's "buildkit" check allows and denies in Control.Solve,
 * LLBBridge.Solve, NewContainer and ExecProcess, and that whatever is not
 * well-formed protobuf of the known fields is denied.  Messages are built
 * here with a small encoder of the wire format.
 */
#include <stdint.h>
#include <string.h>

#include "policy.h"
#include "t.h"

#define CONTROL	"/moby.buildkit.v1.Control/"
#define BRIDGE	"/moby.buildkit.v1.frontend.LLBBridge/"

struct buf {
	uint8_t	 b[8192];
	size_t	 n;
};

static void
put_byte(struct buf *b, uint8_t c)
{
	if (b->n < sizeof(b->b))
		b->b[b->n++] = c;
}

static void
put_varint(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(b, (uint8_t)v);
}

static void
put_bytes(struct buf *b, uint32_t field, const void *p, size_t len)
{
	put_varint(b, (uint64_t)field << 3 | 2);
	put_varint(b, len);
	for (size_t i = 0; i < len; i++)
		put_byte(b, ((const uint8_t *)p)[i]);
}

static void
put_str(struct buf *b, uint32_t field, const char *s)
{
	put_bytes(b, field, s, strlen(s));
}

static void
put_int(struct buf *b, uint32_t field, uint64_t v)
{
	put_varint(b, (uint64_t)field << 3);
	put_varint(b, v);
}

static void
put_msg(struct buf *b, uint32_t field, const struct buf *sub)
{
	put_bytes(b, field, sub->b, sub->n);
}

static void
put_map(struct buf *b, uint32_t field, const char *k, const char *v)
{
	struct buf e = { .n = 0 };

	put_str(&e, 1, k);
	put_str(&e, 2, v);
	put_msg(b, field, &e);
}

/* {1 Type, 2 Attrs{name: v}} */
static void
put_typed(struct buf *b, uint32_t field, const char *type, const char *k,
    const char *v)
{
	struct buf e = { .n = 0 };

	put_str(&e, 1, type);
	if (k != NULL)
		put_map(&e, 2, k, v);
	put_msg(b, field, &e);
}

static struct policy *ci;

/* Decide method with msg framed as one gRPC message; the message text
 * into out (when denied). */
static enum policy_verdict
call_with(const struct policy *p, const char *method, const struct buf *m,
    char *out, size_t outlen)
{
	static uint8_t framed[sizeof(((struct buf *)0)->b) + 5];
	struct policy_decision d;
	enum policy_verdict v;

	framed[0] = 0;
	framed[1] = (uint8_t)(m->n >> 24);
	framed[2] = (uint8_t)(m->n >> 16);
	framed[3] = (uint8_t)(m->n >> 8);
	framed[4] = (uint8_t)m->n;
	memcpy(framed + 5, m->b, m->n);
	policy_grpc_eval(p, method, strlen(method), framed, m->n + 5, &d);
	v = d.verdict;
	if (out != NULL)
		policy_format_message(&d, out, outlen);
	policy_decision_clear(&d);
	return v;
}

static enum policy_verdict
call(const char *method, const struct buf *m)
{
	return call_with(ci, method, m, NULL, 0);
}

static enum policy_verdict
head(const struct policy *p, const char *method, struct policy_decision *d)
{
	policy_grpc_eval(p, method, strlen(method), NULL, 0, d);
	return d->verdict;
}

static void
test_methods(void)
{
	struct policy_decision d;
	char msg[512];

	CHECK(head(ci, CONTROL "ListWorkers", &d) == POLICY_ALLOW);
	CHECK(head(ci, CONTROL "Status", &d) == POLICY_ALLOW);
	CHECK(head(ci, CONTROL "DiskUsage", &d) == POLICY_ALLOW);
	CHECK(head(ci, CONTROL "Info", &d) == POLICY_ALLOW);
	CHECK(head(ci, BRIDGE "ReadFile", &d) == POLICY_ALLOW);
	/* ci allows POST /session, so the same over Control.Session */
	CHECK(head(ci, CONTROL "Session", &d) == POLICY_ALLOW);
	CHECK(head(ci, CONTROL "Solve", &d) == POLICY_NEED_BODY &&
	    d.body_limit >= 4 * 1024 * 1024 + 5 && !d.grpc_each);
	CHECK(head(ci, BRIDGE "Solve", &d) == POLICY_NEED_BODY);
	CHECK(head(ci, BRIDGE "NewContainer", &d) == POLICY_NEED_BODY);
	CHECK(head(ci, BRIDGE "ExecProcess", &d) == POLICY_NEED_BODY &&
	    d.grpc_each);
	CHECK(head(ci, CONTROL "Prune", &d) == POLICY_DENY &&
	    strcmp(d.rule, "endpoint") == 0);
	policy_format_message(&d, msg, sizeof(msg));
	CHECK_STR(msg, "sockwarden: BuildKit Prune denied by rule endpoint: "
	    "BuildKit Prune is allowed only with the operation build.prune "
	    "(policy key: endpoints.allow)");
	CHECK(head(ci, CONTROL "UpdateBuildHistory", &d) == POLICY_DENY);
	CHECK(head(ci, CONTROL "Solvex", &d) == POLICY_DENY &&
	    strcmp(d.rule, "buildkit") == 0);
	CHECK(head(ci, "/moby.buildkit.v1.Control", &d) == POLICY_DENY);
	CHECK(head(ci, "moby.buildkit.v1.Control/Solve", &d) == POLICY_DENY);
	CHECK(head(ci, "/moby.buildkit.v1.control/Solve", &d) == POLICY_DENY);
	CHECK(head(ci, "/x.y/Z", &d) == POLICY_DENY);
	policy_format_message(&d, msg, sizeof(msg));
	CHECK_STR(msg, "sockwarden: BuildKit call denied by rule buildkit: "
	    "'/x.y/Z' is not a call sockwarden knows");
	CHECK(head(policy_default(), CONTROL "ListWorkers", &d) ==
	    POLICY_ALLOW);
}

/* What buildx sends: no frontend (its gateway client), the session, an
 * image exporter named by -t. */
static void
buildx_solve(struct buf *b)
{
	b->n = 0;
	put_str(b, 1, "ref0123");
	put_str(b, 5, "sess0123");
	put_map(b, 7, "filename", "Dockerfile");
	put_map(b, 7, "build-arg:FOO", "bar");
	put_typed(b, 13, "moby", "name", "docker.io/library/app:1,app:2");
}

static void
test_solve(void)
{
	struct buf b, c;
	char msg[512];

	buildx_solve(&b);
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);
	/* the Dockerfile frontend in the engine (buildctl, older buildx) */
	put_str(&b, 6, "dockerfile.v0");
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);

	buildx_solve(&b);
	put_str(&b, 9, "network.host");
	CHECK(call_with(ci, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK_STR(msg, "sockwarden: BuildKit Solve denied by rule buildkit: "
	    "the build asks for the entitlement 'network.host' (policy key: "
	    "checks.buildkit.entitlements)");
	buildx_solve(&b);
	put_str(&b, 9, "security.insecure");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	put_str(&b, 9, "device=vendor.com/gpu=0,alias=gpu");
	CHECK(call_with(ci, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK(strstr(msg, "the entitlement 'device'") != NULL);
	buildx_solve(&b);
	put_str(&b, 9, "");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);

	buildx_solve(&b);
	put_str(&b, 6, "gateway.v0");
	put_map(&b, 7, "source", "docker.io/docker/dockerfile:1");
	CHECK(call_with(ci, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK_STR(msg, "sockwarden: BuildKit Solve denied by rule buildkit: "
	    "the frontend 'gateway.v0' is not allowed (policy key: "
	    "checks.buildkit.frontends)");
	/* Go reads the last; every one is judged */
	buildx_solve(&b);
	put_str(&b, 6, "gateway.v0");
	put_str(&b, 6, "dockerfile.v0");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);

	buildx_solve(&b);
	put_map(&b, 7, "force-network-mode", "host");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	put_map(&b, 7, "force-network-mode", "none");
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);

	/* exporters: type, names, the old single form */
	buildx_solve(&b);
	put_typed(&b, 13, "local", "dest", "/out");
	put_typed(&b, 13, "tar", NULL, NULL);
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);
	buildx_solve(&b);
	put_typed(&b, 13, "s3", NULL, NULL);
	CHECK(call_with(ci, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK(strstr(msg, "checks.buildkit.exporters") != NULL);
	buildx_solve(&b);
	put_typed(&b, 13, "image", "name", "quay.io/x/y:1");
	CHECK(call_with(ci, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK(strstr(msg, "rule images") != NULL);
	b.n = 0;
	put_str(&b, 3, "moby");
	put_map(&b, 4, "name", "app,quay.io/x");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	b.n = 0;
	put_map(&b, 4, "name", "app");
	put_str(&b, 3, "moby");
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);

	/* build contexts */
	buildx_solve(&b);
	put_map(&b, 7, "context:base", "docker-image://alpine:3");
	put_map(&b, 7, "context:src", "local:src");
	put_map(&b, 7, "context:dep", "input:dep");
	put_map(&b, 7, "context", "context");
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);
	static const char *const remote[] = { "https://example.com/c.tar",
	    "git://example.com/r", "git@github.com:moby/moby.git",
	    "github.com/moby/moby", "ssh://git@host/r",
	    "https://github.com/moby/moby.git#main" };
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
		buildx_solve(&b);
		put_map(&b, 7, i % 2 ? "context" : "context:x", remote[i]);
		CHECK(call_with(ci, CONTROL "Solve", &b, msg, sizeof(msg)) ==
		    POLICY_DENY);
		CHECK(strstr(msg, "denied by rule build: a build context from "
		    "a URL or git repository") != NULL);
	}
	buildx_solve(&b);
	put_map(&b, 7, "context:base", "docker-image://quay.io/x/y");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);

	/* frontend images, cache sources, cgroup parent */
	buildx_solve(&b);
	put_map(&b, 7, "build-arg:BUILDKIT_SYNTAX", "docker/dockerfile:1");
	put_map(&b, 7, "cache-from", "docker.io/library/app:cache,app:c2");
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);
	buildx_solve(&b);
	put_map(&b, 7, "build-arg:BUILDKIT_SYNTAX", "quay.io/evil/fe");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	put_map(&b, 7, "cache-from", "app:cache,quay.io/x");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	put_map(&b, 7, "cgroup-parent", "/system.slice");
	CHECK(call_with(ci, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK(strstr(msg, "rule cgroup-parent") != NULL);
	buildx_solve(&b);
	put_map(&b, 7, "cgroup-parent", "");
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);
	buildx_solve(&b);
	put_map(&b, 7, "cache-imports", "[{\"type\":\"local\",\"attrs\":"
	    "{\"src\":\"/c\"}},{\"Type\":\"registry\",\"Attrs\":{\"ref\":"
	    "\"docker.io/library/app:cache\"}}]");
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);
	buildx_solve(&b);
	put_map(&b, 7, "cache-imports", "[{\"Type\":\"registry\",\"Attrs\":"
	    "{\"ref\":\"quay.io/x\"}}]");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	put_map(&b, 7, "cache-imports", "[{\"Type\":\"gha\"}]");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	put_map(&b, 7, "cache-imports", "{");
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);

	/* the Cache field: new and old forms */
	buildx_solve(&b);
	c.n = 0;
	put_typed(&c, 5, "registry", "ref", "docker.io/library/app:c");
	put_typed(&c, 4, "inline", NULL, NULL);
	put_typed(&c, 5, "local", "src", "/c");
	put_msg(&b, 8, &c);
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);
	c.n = 0;
	put_typed(&c, 4, "gha", "url", "http://10.0.0.1/");
	put_msg(&b, 8, &c);		/* a second Cache: Go merges */
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	c.n = 0;
	put_str(&c, 2, "quay.io/x:cache");
	put_msg(&b, 8, &c);
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	c.n = 0;
	put_typed(&c, 5, "registry", "ref", "docker.io/library/a");
	put_typed(&c, 5, "registry", "ref", "127.0.0.1:5000/a");
	put_msg(&b, 8, &c);
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);

	/* fields the engine reads but sockwarden need not judge */
	buildx_solve(&b);
	c.n = 0;
	put_str(&c, 1, "sha256:abc");
	put_msg(&b, 10, &c);		/* FrontendInputs entry */
	put_int(&b, 11, 1);
	put_int(&b, 14, 1);
	put_int(&b, 16, 3);
	put_int(&b, 17, 1);
	put_str(&b, 15, "sess0123");
	CHECK(call(CONTROL "Solve", &b) == POLICY_ALLOW);
}

static void
test_undecodable(void)
{
	struct buf b;
	struct policy_decision d;
	uint8_t raw[16];
	char msg[512];

	buildx_solve(&b);
	put_int(&b, 18, 1);		/* a field of a newer BuildKit */
	CHECK(call_with(ci, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK_STR(msg, "sockwarden: BuildKit Solve denied by rule buildkit: "
	    "SolveRequest has a field sockwarden does not know (18)");
	buildx_solve(&b);
	put_int(&b, 6, 1);		/* Frontend as a varint */
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	put_str(&b, 9, "x");
	b.n--;				/* truncated */
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	put_int(&b, 7, 5);		/* a map entry as a varint */
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	buildx_solve(&b);
	put_bytes(&b, 13, "\x08\x01", 2);	/* an Exporter with a varint */
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);
	/* a map entry whose key is a varint */
	buildx_solve(&b);
	put_bytes(&b, 7, "\x08\x01\x12\x00", 4);
	CHECK(call(CONTROL "Solve", &b) == POLICY_DENY);

	/* framing: compressed, short, lengths that do not match */
	memcpy(raw, "\x01\x00\x00\x00\x00", 5);
	policy_grpc_eval(ci, CONTROL "Solve", strlen(CONTROL "Solve"), raw, 5,
	    &d);
	CHECK(d.verdict == POLICY_DENY && strstr(d.reason, "compressed"));
	policy_decision_clear(&d);
	policy_grpc_eval(ci, CONTROL "Solve", strlen(CONTROL "Solve"), raw, 4,
	    &d);
	CHECK(d.verdict == POLICY_DENY);
	memcpy(raw, "\x00\x00\x00\x00\x02\x30\x01\x30", 8);
	policy_grpc_eval(ci, CONTROL "Solve", strlen(CONTROL "Solve"), raw, 8,
	    &d);
	CHECK(d.verdict == POLICY_DENY);
	policy_grpc_eval(ci, CONTROL "Solve", strlen(CONTROL "Solve"), raw, 6,
	    &d);
	CHECK(d.verdict == POLICY_DENY);
	/* an empty Solve: no frontend, nothing asked */
	memcpy(raw, "\x00\x00\x00\x00\x00", 5);
	policy_grpc_eval(ci, CONTROL "Solve", strlen(CONTROL "Solve"), raw, 5,
	    &d);
	CHECK(d.verdict == POLICY_ALLOW);
}

static void
test_bridge(void)
{
	struct buf b, c;
	char msg[512];

	/* buildx's gateway client asks for the Dockerfile frontend */
	b.n = 0;
	put_str(&b, 2, "dockerfile.v0");
	put_map(&b, 3, "filename", "Dockerfile");
	put_map(&b, 3, "build-arg:BUILDKIT_SYNTAX", "docker/dockerfile:1.4");
	put_int(&b, 5, 1);
	put_int(&b, 10, 1);
	CHECK(call(BRIDGE "Solve", &b) == POLICY_ALLOW);
	put_map(&b, 3, "context:x", "https://example.com/");
	CHECK(call(BRIDGE "Solve", &b) == POLICY_DENY);
	b.n = 0;
	put_str(&b, 2, "gateway.v0");
	CHECK(call(BRIDGE "Solve", &b) == POLICY_DENY);
	/* its own LLB */
	b.n = 0;
	c.n = 0;
	put_str(&c, 1, "\x12\x00");
	put_msg(&b, 1, &c);
	put_int(&b, 14, 1);
	CHECK(call(BRIDGE "Solve", &b) == POLICY_ALLOW);
	b.n = 0;
	put_str(&b, 4, "quay.io/x:cache");
	CHECK(call(BRIDGE "Solve", &b) == POLICY_DENY);
	b.n = 0;
	put_typed(&b, 12, "registry", "ref", "docker.io/library/app:c");
	CHECK(call(BRIDGE "Solve", &b) == POLICY_ALLOW);
	put_int(&b, 16, 1);
	CHECK(call(BRIDGE "Solve", &b) == POLICY_DENY);

	/* interactive containers: BuildKit 0.8 checks no entitlement */
	b.n = 0;
	put_str(&b, 1, "ctr1");
	put_int(&b, 3, 2);		/* none */
	CHECK(call(BRIDGE "NewContainer", &b) == POLICY_ALLOW);
	put_int(&b, 3, 1);		/* host */
	CHECK(call_with(ci, BRIDGE "NewContainer", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK_STR(msg, "sockwarden: BuildKit frontend NewContainer denied by "
	    "rule buildkit: an interactive build container with host "
	    "networking needs the entitlement 'network.host' (policy key: "
	    "checks.buildkit.entitlements)");
	b.n = 0;
	put_int(&b, 3, 0x100000001ull);	/* Go: int32(1), host */
	CHECK(call(BRIDGE "NewContainer", &b) == POLICY_DENY);
	b.n = 0;
	put_int(&b, 3, 7);
	CHECK(call(BRIDGE "NewContainer", &b) == POLICY_DENY);

	b.n = 0;
	c.n = 0;
	put_str(&c, 1, "ctr1");
	put_int(&c, 3, 0);
	put_int(&c, 3, 1);
	put_bytes(&c, 3, "\x02\x03", 2);	/* Fds, packed */
	put_int(&c, 4, 1);
	put_str(&b, 1, "proc1");
	put_msg(&b, 2, &c);
	CHECK(call(BRIDGE "ExecProcess", &b) == POLICY_ALLOW);
	put_int(&c, 5, 1);			/* insecure */
	b.n = 0;
	put_str(&b, 1, "proc1");
	put_msg(&b, 2, &c);
	CHECK(call_with(ci, BRIDGE "ExecProcess", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK(strstr(msg, "'security.insecure'") != NULL);
	b.n = 0;
	c.n = 0;
	put_bytes(&c, 2, "abc", 3);
	put_str(&b, 1, "proc1");
	put_msg(&b, 3, &c);			/* stdin data */
	CHECK(call(BRIDGE "ExecProcess", &b) == POLICY_ALLOW);
	put_int(&b, 9, 1);
	CHECK(call(BRIDGE "ExecProcess", &b) == POLICY_DENY);
}

static struct policy *
compile(const char *text)
{
	struct policy *p = NULL;
	struct policy_errors errs = { 0 };

	if (policy_compile("t.json", text, strlen(text), &p, &errs) != 0) {
		fprintf(stderr, "%s", errs.text);
		policy_errors_free(&errs);
		return NULL;
	}
	return p;
}

static void
test_policies(void)
{
	struct policy *p;
	struct buf b;
	char msg[512];

	p = compile("{\"extends\": \"ci\", \"checks\": {\"buildkit\": "
	    "{\"entitlements\": [\"network.host\", \"device\"]}}}");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	buildx_solve(&b);
	put_str(&b, 9, "network.host");
	put_str(&b, 9, "device=vendor.com/gpu=0");
	put_map(&b, 7, "force-network-mode", "host");
	CHECK(call_with(p, CONTROL "Solve", &b, NULL, 0) == POLICY_ALLOW);
	put_str(&b, 9, "security.insecure");
	CHECK(call_with(p, CONTROL "Solve", &b, NULL, 0) == POLICY_DENY);
	b.n = 0;
	put_int(&b, 3, 1);
	CHECK(call_with(p, BRIDGE "NewContainer", &b, NULL, 0) ==
	    POLICY_ALLOW);
	policy_free(p);

	/* no client-side frontend: buildx is refused, buildctl's
	 * dockerfile.v0 passes */
	p = compile("{\"extends\": \"ci\", \"checks\": {\"buildkit\": "
	    "{\"client_frontend\": false}}}");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	buildx_solve(&b);
	CHECK(call_with(p, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK(strstr(msg, "checks.buildkit.client_frontend") != NULL);
	put_str(&b, 6, "dockerfile.v0");
	CHECK(call_with(p, CONTROL "Solve", &b, NULL, 0) == POLICY_ALLOW);
	policy_free(p);

	/* images allowed everywhere: the registry rule judges pushes */
	p = compile("{\"extends\": \"ci\", \"checks\": {\"images\": "
	    "{\"allow\": [\"*\"]}}}");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	b.n = 0;
	put_typed(&b, 13, "image", "name", "127.0.0.1:5000/app");
	CHECK(call_with(p, CONTROL "Solve", &b, NULL, 0) == POLICY_ALLOW);
	{
		struct buf e = { .n = 0 };

		put_str(&e, 1, "image");
		put_map(&e, 2, "name", "127.0.0.1:5000/app");
		put_map(&e, 2, "push", "true");
		b.n = 0;
		put_msg(&b, 13, &e);
	}
	CHECK(call_with(p, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_DENY);
	CHECK(strstr(msg, "rule registry") != NULL);
	policy_free(p);

	/* audit: allowed, the denial kept */
	p = compile("{\"extends\": \"ci\", \"checks\": {\"buildkit\": "
	    "{\"mode\": \"audit\"}}}");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	buildx_solve(&b);
	put_str(&b, 9, "security.insecure");
	CHECK(call_with(p, CONTROL "Solve", &b, msg, sizeof(msg)) ==
	    POLICY_ALLOW);
	CHECK(strstr(msg, "would be denied by rule buildkit (audit)") !=
	    NULL);
	policy_free(p);

	/* a policy without the section allows no build over /grpc */
	p = compile("{}");
	CHECK(p != NULL);
	if (p == NULL)
		return;
	buildx_solve(&b);
	CHECK(call_with(p, CONTROL "Solve", &b, NULL, 0) == POLICY_DENY);
	policy_free(p);
}

int
main(void)
{
	ci = policy_default();
	test_methods();
	test_solve();
	test_undecodable();
	test_bridge();
	test_policies();
	return t_done();
}
