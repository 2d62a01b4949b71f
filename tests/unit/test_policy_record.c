/*
 * test_policy_record.c - what a decision hands the daemon for its record
 * and its message, beyond the verdict: the image a request names
 * (d->image: the container's Image, a pull, push, tag target, import or
 * build tag as written, else the image in the path; not the images a
 * request merely uses) and the policy key a denial names (d->key, and the
 * " (policy key: ...)" suffix of the message; none where no setting lifts
 * the denial).
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "t.h"

struct row {
	const char	*method;
	const char	*target;
	const char	*body;		/* JSON body or NULL */
	const char	*image;		/* d->image */
	const char	*key;		/* d->key, NULL when none */
};

static const struct row rows[] = {
	{ "POST", "/v1.41/containers/create", "{\"Image\":\"alpine:3.18\"}",
	    "alpine:3.18", NULL },
	{ "POST", "/v1.41/containers/create", "{\"Image\":\"quay.io/x/y\"}",
	    "quay.io/x/y", "checks.images.allow" },
	/* the container's image, not the one it mounts */
	{ "POST", "/v1.41/containers/create", "{\"Image\":\"alpine\","
	    "\"HostConfig\":{\"Mounts\":[{\"Type\":\"image\",\"Source\":"
	    "\"busybox\",\"Target\":\"/m\"}]}}", "alpine", NULL },
	{ "POST", "/v1.41/containers/create", "{\"Image\":\"alpine\","
	    "\"HostConfig\":{\"Binds\":[\"/etc:/x\"]}}", "alpine",
	    "checks.binds.roots" },
	{ "POST", "/v1.41/containers/create", "{\"Image\":\"alpine\","
	    "\"HostConfig\":{\"Privileged\":true}}", "alpine", NULL },
	{ "POST", "/v1.41/images/create?fromImage=alpine&tag=3.18", NULL,
	    "alpine:3.18", NULL },
	{ "POST", "/v1.41/images/alpine/tag?repo=swtest/a&tag=1", NULL,
	    "swtest/a", NULL },
	{ "POST", "/v1.41/build?t=swtest/b:1&networkmode=host", NULL,
	    "", "checks.build" },
	{ "POST", "/v1.41/build?t=swtest/b:1", NULL, "swtest/b:1", NULL },
	{ "GET", "/v1.41/images/library/alpine:3.18/json", NULL,
	    "library/alpine:3.18", NULL },
	{ "DELETE", "/v1.41/images/swtest/busybox:latest", NULL,
	    "swtest/busybox:latest", NULL },
	{ "GET", "/v1.41/containers/json", NULL, "", NULL },
	{ "POST", "/v1.41/commit?container=c1&repo=x", "{}", "",
	    "endpoints.allow" },
	/* denials no setting lifts name no key */
	{ "GET", "/v1.41/nonexistent", NULL, "", NULL },
	{ "POST", "/v1.41/images/create?fromSrc=http://x/y.tar", NULL, "",
	    NULL },
	{ "POST", "/v1.41/containers/c1/start?checkpoint=cp", NULL, "",
	    NULL },
};

static void
test_rows(void)
{
	struct policy_header h = { "Content-Type", 12, "application/json", 16 };
	struct policy_request q;
	struct policy_decision d;
	char msg[1024], want[128];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		memset(&q, 0, sizeof(q));
		q.method = r->method;
		q.target = r->target;
		q.target_len = strlen(r->target);
		if (r->body != NULL) {
			q.headers = &h;
			q.nheaders = 1;
			q.body_present = 1;
			q.body = (const unsigned char *)r->body;
			q.body_len = strlen(r->body);
		}
		policy_eval(policy_default(), &q, &d);
		policy_format_message(&d, msg, sizeof(msg));
		const char *img = d.image != NULL ? d.image : "";
		if (strcmp(img, r->image) != 0 || (r->key == NULL) !=
		    (d.key == NULL))
			fprintf(stderr, "row %zu: %s %s: %s\n", i, r->method,
			    r->target, msg);
		CHECK_STR(img, r->image);
		if (r->key == NULL) {
			CHECK(d.key == NULL);
			CHECK(strstr(msg, "(policy key:") == NULL);
		} else {
			CHECK_INT(d.verdict, POLICY_DENY);
			CHECK_STR(d.key, r->key);
			snprintf(want, sizeof(want), " (policy key: %s)",
			    r->key);
			CHECK(strlen(msg) > strlen(want) && strcmp(msg +
			    strlen(msg) - strlen(want), want) == 0);
		}
		policy_decision_clear(&d);
	}
}

/* Audit mode: the would-deny message names the key too. */
static void
test_audit(void)
{
	static const char text[] = "{\"extends\": \"ci\", \"checks\": "
	    "{\"binds\": {\"mode\": \"audit\"}}}";
	struct policy_errors errs = { 0 };
	struct policy_header h = { "Content-Type", 12, "application/json", 16 };
	struct policy_request q;
	struct policy_decision d;
	struct policy *p = NULL;
	const char *body = "{\"Image\":\"alpine\",\"HostConfig\":{\"Binds\":"
	    "[\"/etc:/x\"]}}";
	char msg[1024];

	CHECK_INT(policy_compile("audit", text, strlen(text), &p, &errs), 0);
	policy_errors_free(&errs);
	if (p == NULL)
		return;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.target = "/v1.41/containers/create";
	q.target_len = strlen(q.target);
	q.headers = &h;
	q.nheaders = 1;
	q.body_present = 1;
	q.body = (const unsigned char *)body;
	q.body_len = strlen(body);
	policy_eval(p, &q, &d);
	policy_format_message(&d, msg, sizeof(msg));
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.audit, 1);
	CHECK_STR(msg, "sockwarden: container create would be denied by rule "
	    "binds (audit): binding the host path '/etc' (HostConfig.Binds[0]) "
	    "is not allowed (policy key: checks.binds.roots)");
	policy_decision_clear(&d);
	policy_free(p);
}

int
main(void)
{
	test_rows();
	test_audit();
	return t_done();
}
