/*
 * test_policy_owner.c - jobs are tenants (issue 9), the policy's half:
 * create bodies are stamped with the caller's owner label (a forged one is
 * denied), lists/events/prunes get the owner label filter, and every
 * object a request acts on or names comes back as a ref for the daemon to
 * resolve, own and replace by its full ID.
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "t.h"

#define L "io.sockwarden.owner"

static void
run(const char *method, const char *target, const char *body,
    struct policy_decision *d)
{
	struct policy_header h = { "Content-Type", 12, "application/json", 16 };
	struct policy_request q;

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.target = target;
	q.target_len = strlen(target);
	q.headers = &h;
	q.nheaders = body != NULL;
	q.body_present = body != NULL && body[0] != '\0';
	q.body = (const unsigned char *)body;
	q.body_len = body ? strlen(body) : 0;
	q.tenant = "t1";
	policy_eval(policy_default(), &q, d);
}

static void
stamped(const char *target, const char *body, const char *want)
{
	struct policy_decision d;

	run("POST", target, body, &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK(d.body != NULL);
	if (d.body != NULL)
		CHECK_STR((const char *)d.body, want);
	CHECK_INT(d.body_len, strlen(want));
	policy_decision_clear(&d);
}

static void
filtered(const char *target, const char *want)
{
	struct policy_decision d;

	run("GET", target, NULL, &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_STR(d.target, want);
	policy_decision_clear(&d);
}

/* One ref: kind, name, where it stands and its text around the name. */
static void
one_ref(const char *method, const char *target, const char *body,
    enum policy_obj kind, const char *name, int create, const char *pre,
    const char *suf, const char *token)
{
	int in_body = pre != NULL;
	struct policy_decision d;
	const char *src;

	run(method, target, body, &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.nrefs, 1);
	if (d.nrefs == 1) {
		const struct policy_ref *r = &d.refs[0];
		CHECK_INT(r->kind, kind);
		CHECK_STR(r->name, name);
		CHECK_INT(r->own, 1);
		CHECK_INT(r->create, create);
		CHECK_INT(r->in_body, in_body);
		if (in_body) {
			CHECK_STR(r->prefix, pre);
			CHECK_STR(r->suffix, suf);
		}
		src = in_body ? (d.body ? (const char *)d.body : body) :
		    d.target;
		CHECK(r->off + r->len <= strlen(src) &&
		    strncmp(src + r->off, token, r->len) == 0 &&
		    strlen(token) == r->len);
	}
	policy_decision_clear(&d);
}

int
main(void)
{
	struct policy_decision d;

	/* stamping: a new Labels member, into one, over a null */
	stamped("/v1.41/containers/create", "{\"Image\":\"alpine\"}",
	    "{\"Labels\":{\"" L "\":\"t1\"},\"Image\":\"alpine\"}");
	stamped("/v1.41/containers/create",
	    "{\"Image\":\"alpine\",\"labels\":{\"a\":\"b\"}}",
	    "{\"Image\":\"alpine\",\"labels\":{\"" L "\":\"t1\",\"a\":\"b\"}}");
	stamped("/v1.41/containers/create",
	    "{\"Image\":\"alpine\",\"Labels\":{}}",
	    "{\"Image\":\"alpine\",\"Labels\":{\"" L "\":\"t1\"}}");
	stamped("/v1.41/containers/create",
	    "{\"Image\":\"alpine\",\"Labels\":null}",
	    "{\"Image\":\"alpine\",\"Labels\":{\"" L "\":\"t1\"}}");
	stamped("/v1.41/volumes/create", "", "{\"Labels\":{\"" L "\":\"t1\"}}");
	stamped("/v1.41/volumes/create", "{\"Name\":\"v\"}",
	    "{\"Labels\":{\"" L "\":\"t1\"},\"Name\":\"v\"}");
	stamped("/v1.41/networks/create", "{\"Name\":\"n\"}",
	    "{\"Labels\":{\"" L "\":\"t1\"},\"Name\":\"n\"}");
	/* a forged owner is denied */
	run("POST", "/v1.41/containers/create",
	    "{\"Image\":\"alpine\",\"Labels\":{\"" L "\":\"victim\"}}", &d);
	CHECK_INT(d.verdict, POLICY_DENY);
	CHECK_STR(d.rule, "ownership");
	policy_decision_clear(&d);
	run("POST", "/v1.41/volumes/create",
	    "{\"Name\":\"v\",\"Labels\":{\"" L "\":\"x\"}}", &d);
	CHECK_INT(d.verdict, POLICY_DENY);
	policy_decision_clear(&d);

	/* lists and events see only the caller's objects */
	filtered("/v1.41/containers/json?all=1",
	    "/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%7B%22"
	    "io.sockwarden.owner%3Dt1%22%3Atrue%7D%7D");
	filtered("/v1.41/volumes?filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D",
	    "/v1.41/volumes?filters=%7B%22label%22%3A%7B%22a%3Db%22%3Atrue%2C"
	    "%22io.sockwarden.owner%3Dt1%22%3Atrue%7D%7D");
	filtered("/v1.41/events?filters=%7B%22type%22%3A%7B%22container%22%3A"
	    "true%7D%7D", "/v1.41/events?filters=%7B%22type%22%3A%7B%22"
	    "container%22%3Atrue%7D%2C%22label%22%3A%7B%22io.sockwarden.owner"
	    "%3Dt1%22%3Atrue%7D%7D");
	run("GET", "/v1.41/networks?filters=%5B1%5D", NULL, &d);
	CHECK_INT(d.verdict, POLICY_REJECT);
	policy_decision_clear(&d);

	/* objects named in the path and in bodies */
	one_ref("GET", "/v1.41/containers/c1/json", NULL, POLICY_OBJ_CONTAINER,
	    "c1", 0, NULL, NULL, "c1");
	one_ref("POST", "/exec/e1/start", "{}", POLICY_OBJ_EXEC, "e1", 0,
	    NULL, NULL, "e1");
	one_ref("DELETE", "/v1.41/volumes/vol1", NULL, POLICY_OBJ_VOLUME,
	    "vol1", 0, NULL, NULL, "vol1");
	one_ref("POST", "/v1.41/containers/create", "{\"Image\":\"alpine\","
	    "\"HostConfig\":{\"VolumesFrom\":[\"c2:ro\"]}}",
	    POLICY_OBJ_CONTAINER, "c2", 0, "", ":ro", "\"c2:ro\"");
	one_ref("POST", "/v1.41/containers/create", "{\"Image\":\"alpine\","
	    "\"HostConfig\":{\"Binds\":[\"v\\u006fl:/x\"]}}",
	    POLICY_OBJ_VOLUME, "vol", 1, "", ":/x", "\"v\\u006fl:/x\"");
	one_ref("POST", "/v1.41/containers/create", "{\"Image\":\"alpine\","
	    "\"HostConfig\":{\"PidMode\":\"container:c3\"}}",
	    POLICY_OBJ_CONTAINER, "c3", 0, "container:", "",
	    "\"container:c3\"");
	one_ref("POST", "/v1.41/containers/create", "{\"Image\":\"alpine\","
	    "\"HostConfig\":{\"NetworkMode\":\"mynet\"}}",
	    POLICY_OBJ_NETWORK, "mynet", 0, "", "", "\"mynet\"");
	one_ref("POST", "/v1.41/containers/create", "{\"Image\":\"alpine\","
	    "\"NetworkingConfig\":{\"EndpointsConfig\":{\"net2\":{}}}}",
	    POLICY_OBJ_NETWORK, "net2", 0, "", "", "\"net2\"");
	/* the shared networks are nobody's */
	run("POST", "/v1.41/containers/create", "{\"Image\":\"alpine\","
	    "\"HostConfig\":{\"NetworkMode\":\"bridge\"}}", &d);
	CHECK_INT(d.nrefs, 0);
	policy_decision_clear(&d);
	/* ...and may be read: testcontainers in a job container inspects
	 * "bridge" for its gateway.  Only reading: acting on one, or a
	 * user network, still needs the caller's own. */
	run("GET", "/v1.41/networks/bridge", NULL, &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.nrefs, 0);
	CHECK_STR(d.target, "/v1.41/networks/bridge");
	CHECK_INT(d.scrub, 1);		/* its Containers are others' */
	policy_decision_clear(&d);
	run("GET", "/networks/none", NULL, &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.nrefs, 0);
	policy_decision_clear(&d);
	one_ref("GET", "/v1.41/networks/bridgex", NULL, POLICY_OBJ_NETWORK,
	    "bridgex", 0, NULL, NULL, "bridgex");
	one_ref("GET", "/v1.41/networks/host", NULL, POLICY_OBJ_NETWORK,
	    "host", 0, NULL, NULL, "host");
	one_ref("DELETE", "/v1.41/networks/bridge", NULL, POLICY_OBJ_NETWORK,
	    "bridge", 0, NULL, NULL, "bridge");
	return t_done();
}
