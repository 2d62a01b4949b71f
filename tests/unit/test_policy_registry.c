/*
 * test_policy_registry.c - registries the engine would contact from the
 * host (issue 11's SSRF class, and issue 8's push/login): a registry host
 * is judged as written; loopback, link-local, private, localhost and
 * local names are refused unless checks.registry.allow lists them, for
 * pulls, pushes, look-ups, searches, logins and BuildKit cache sources.
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_int.h"
#include "t.h"

static const struct { const char *host; int local; } hosts[] = {
	{ "docker.io", 0 }, { "ghcr.io", 0 }, { "registry.example.com:5000", 0 },
	{ "8.8.8.8", 0 }, { "8.8.8.8:443", 0 }, { "[2001:db8::1]:5000", 0 },
	{ "localhost", 1 }, { "localhost:5000", 1 }, { "LocalHost:5000", 1 },
	{ "localhost.:5000", 1 }, { "reg.localhost", 1 },
	{ "127.0.0.1:5000", 1 }, { "127.1.2.3", 1 }, { "0.0.0.0:80", 1 },
	{ "10.1.2.3", 1 }, { "172.16.0.1", 1 }, { "172.31.255.255", 1 },
	{ "172.32.0.1", 0 }, { "192.168.1.1:5000", 1 }, { "169.254.169.254", 1 },
	{ "100.64.0.1", 1 }, { "224.0.0.1", 1 },
	{ "[::1]:5000", 1 }, { "[::]", 1 }, { "[fe80::1]", 1 }, { "[fd00::1]", 1 },
	{ "[::ffff:127.0.0.1]:5000", 1 }, { "[::ffff:8.8.8.8]", 0 },
	{ "registry:5000", 1 }, { "myhost", 1 },	/* search domains, hosts */
	{ "127.1", 1 }, { "2130706433:5000", 1 }, { "0x7f000001", 1 },
	{ "[junk", 1 }, { "a:1:2", 1 },
};

static struct policy *
compile(const char *text)
{
	struct policy_errors errs;
	struct policy *p = NULL;

	memset(&errs, 0, sizeof(errs));
	if (policy_compile("t.json", text, strlen(text), &p, &errs) != 0)
		fprintf(stderr, "%s", errs.text ? errs.text : "?");
	policy_errors_free(&errs);
	return p;
}

static void
eval(const struct policy *p, const char *method, const char *target,
    const char *body, struct policy_decision *d)
{
	struct policy_header h = { "Content-Type", 12, "application/json", 16 };
	struct policy_request q;

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.target = target;
	q.target_len = strlen(target);
	q.headers = &h;
	q.nheaders = body != NULL;
	q.body_present = body != NULL;
	q.body = (const unsigned char *)body;
	q.body_len = body ? strlen(body) : 0;
	policy_eval(p, &q, d);
}

static void
expect(const struct policy *p, const char *method, const char *target,
    const char *body, enum policy_verdict v, const char *rule)
{
	struct policy_decision d;

	eval(p, method, target, body, &d);
	if (d.verdict != v || strcmp(d.rule, rule) != 0)
		fprintf(stderr, "row: %s %s: %s\n", method, target, d.reason);
	CHECK_INT(d.verdict, v);
	CHECK_STR(d.rule, rule);
	policy_decision_clear(&d);
}

int
main(void)
{
	struct policy *open_images, *listed;
	struct policy_decision d;

	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (registry_is_local(hosts[i].host, strlen(hosts[i].host)) !=
		    hosts[i].local)
			fprintf(stderr, "host %s\n", hosts[i].host);
		CHECK_INT(registry_is_local(hosts[i].host,
		    strlen(hosts[i].host)), hosts[i].local);
	}

	/* Every image allowed: the registry rule alone decides. */
	open_images = compile("{\"extends\":\"ci\",\"endpoints\":{\"allow\":"
	    "[\"image.search\"]},\"checks\":{\"images\":{\"allow\":[\"*\"]}}}");
	listed = compile("{\"extends\":\"ci\",\"checks\":{\"images\":{\"allow\":"
	    "[\"*\"]},\"registry\":{\"allow\":[\"127.0.0.1:5000\"]}}}");
	CHECK(open_images != NULL && listed != NULL);
	if (open_images == NULL || listed == NULL)
		return t_done();
	expect(open_images, "GET", "/v1.41/distribution/127.0.0.1:5000/x/json",
	    NULL, POLICY_DENY, "registry");
	expect(open_images, "GET", "/v1.41/distribution/localhost:5000/x/json",
	    NULL, POLICY_DENY, "registry");
	expect(open_images, "GET", "/v1.41/distribution/ghcr.io/x/json", NULL,
	    POLICY_ALLOW, "");
	expect(open_images, "POST", "/images/create?fromImage=10.0.0.7%2Fx",
	    NULL, POLICY_DENY, "registry");
	expect(open_images, "POST", "/v1.41/images/127.0.0.1:5000%2Fx/push",
	    NULL, POLICY_DENY, "registry");
	expect(open_images, "GET", "/v1.41/images/search?term=127.0.0.1%3A80%2Fx",
	    NULL, POLICY_DENY, "registry");
	expect(open_images, "GET", "/v1.41/images/search?term=library%2Fx",
	    NULL, POLICY_ALLOW, "");
	expect(open_images, "POST", "/v1.41/build?version=2&cachefrom=%5B%22"
	    "169.254.169.254%2Fc%22%5D", NULL, POLICY_DENY, "registry");
	expect(open_images, "POST", "/v1.41/auth",
	    "{\"serveraddress\":\"http://localhost:5000/v2/\",\"username\":\"u\"}",
	    POLICY_DENY, "registry");
	expect(open_images, "POST", "/v1.41/auth",
	    "{\"serveraddress\":\"https://index.docker.io/v1/\"}",
	    POLICY_ALLOW, "");
	expect(open_images, "POST", "/v1.41/auth", "{\"username\":\"u\"}",
	    POLICY_ALLOW, "");
	/* the policy names the registry: allowed */
	expect(listed, "POST", "/v1.41/images/127.0.0.1:5000%2Fx/push?tag=1",
	    NULL, POLICY_ALLOW, "");
	expect(listed, "POST", "/v1.41/auth",
	    "{\"serveraddress\":\"127.0.0.1:5000\"}", POLICY_ALLOW, "");
	expect(listed, "POST", "/v1.41/images/127.0.0.1:5001%2Fx/push", NULL,
	    POLICY_DENY, "registry");
	eval(open_images, "GET", "/v1.41/distribution/127.0.0.1:5000/x/json",
	    NULL, &d);
	CHECK_STR(d.reason, "the looked-up image names the registry "
	    "'127.0.0.1:5000', a loopback, link-local or private address or a "
	    "local name: the engine would connect to it from the host");
	policy_decision_clear(&d);
	policy_free(open_images);
	policy_free(listed);
	return t_done();
}
