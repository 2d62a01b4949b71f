/*
 * test_decision.c - the daemon's two-phase decision (relay/decision.c),
 * shared by the relay and `sockwarden explain`: a head the policy wants
 * the body of but that has none is decided at once (never forwarded
 * undecided), a declared body over the limit is a 413 before a byte is
 * read, the limit is clamped to max_body_bytes, Upgrade only where the
 * endpoint hijacks, and the body phase ends in forward or an answer.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "t.h"

#define H	"Host: d\r\n"

static struct http_reqp *
parse(const char *head)
{
	struct http_reqp *rp = http_reqp_new(SW_DEFAULT_MAX_HEADER_BYTES);
	enum http_feed res;

	(void)http_reqp_feed_head(rp, head, strlen(head), &res);
	CHECK_INT(res, HTTP_FEED_HEAD);
	return rp;
}

static int grpc_policed;	/* decision_ctx.grpc_policed of head_step */

static enum verdict_step
head_step(const char *head, size_t max_body, struct verdict *v)
{
	struct http_reqp *rp = parse(head);
	struct policy_decision d;

	struct decision_ctx ctx = { policy_default(), NULL, max_body, NULL, 0,
	    grpc_policed };

	memset(&d, 0, sizeof(d));
	decision_head(&ctx, http_reqp_request(rp), &d, v);
	policy_decision_clear(&d);
	http_reqp_free(rp);
	return v->step;
}

static enum verdict_step
body_step(const char *head, const char *body, struct verdict *v)
{
	struct http_reqp *rp = parse(head);
	struct policy_decision d;

	struct decision_ctx ctx = { policy_default(), NULL, 1 << 20, NULL, 0, 0 };

	memset(&d, 0, sizeof(d));
	decision_head(&ctx, http_reqp_request(rp), &d, v);
	CHECK_INT(v->step, VERDICT_NEED_BODY);
	decision_body(&ctx, http_reqp_request(rp),
	    (const unsigned char *)body, strlen(body), &d, v);
	policy_decision_clear(&d);
	http_reqp_free(rp);
	return v->step;
}

int
main(void)
{
	struct verdict v;

	/* Needs the body, has none: decided now, never NEED_BODY again. */
	CHECK(head_step("POST /v1.41/containers/create HTTP/1.1\r\n" H "\r\n",
	    1 << 20, &v) != VERDICT_NEED_BODY);
	CHECK(head_step("POST /v1.41/containers/x/exec HTTP/1.1\r\n" H
	    "Content-Length: 0\r\n\r\n", 1 << 20, &v) != VERDICT_NEED_BODY);

	/* A declared body over the (clamped) limit: 413 from the head. */
	CHECK_INT(head_step("POST /v1.41/containers/create HTTP/1.1\r\n" H
	    "Content-Length: 5000\r\n\r\n", 4096, &v), VERDICT_ANSWER);
	CHECK_INT(v.status, 413);
	CHECK_STR(v.msg, "sockwarden: request body exceeds the 4096-byte "
	    "inspection limit");
	CHECK_INT(head_step("POST /v1.41/containers/create HTTP/1.1\r\n" H
	    "Transfer-Encoding: chunked\r\n\r\n", 4096, &v), VERDICT_NEED_BODY);
	CHECK_INT(v.limit, 4096);

	/* Upgrade only on hijacking endpoints. */
	CHECK_INT(head_step("GET /_ping HTTP/1.1\r\n" H "Connection: Upgrade\r\n"
	    "Upgrade: tcp\r\n\r\n", 1 << 20, &v), VERDICT_ANSWER);
	CHECK_INT(v.status, 400);
	CHECK_INT(head_step("POST /v1.41/containers/x/attach?stream=1 HTTP/1.1\r\n"
	    H "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n", 1 << 20, &v),
	    VERDICT_FORWARD);

	/* /grpc in ci: refused as a blind tunnel; admitted (like POST
	 * /build) when the daemon decides every call (grpc_relay police). */
	CHECK_INT(head_step("POST /v1.41/grpc HTTP/1.1\r\n" H "Connection: "
	    "Upgrade\r\nUpgrade: h2c\r\n\r\n", 1 << 20, &v), VERDICT_ANSWER);
	CHECK_INT(v.status, 403);
	CHECK(strstr(v.msg, "rule endpoint") != NULL);
	grpc_policed = 1;
	CHECK_INT(head_step("POST /v1.41/grpc HTTP/1.1\r\n" H "Connection: "
	    "Upgrade\r\nUpgrade: h2c\r\n\r\n", 1 << 20, &v), VERDICT_FORWARD);
	/* ...but only /grpc: the flag admits nothing else */
	CHECK_INT(head_step("POST /v1.41/build/prune HTTP/1.1\r\n" H "\r\n",
	    1 << 20, &v), VERDICT_ANSWER);
	grpc_policed = 0;

	/* The body phase ends in forward or an answer. */
	CHECK_INT(body_step("POST /v1.41/containers/create HTTP/1.1\r\n" H
	    "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n", "{\"Image\":\"x\"}", &v), VERDICT_FORWARD);
	CHECK_INT(body_step("POST /v1.41/containers/create HTTP/1.1\r\n" H
	    "Content-Type: application/json\r\nContent-Length: 46\r\n\r\n",
	    "{\"Image\":\"x\",\"HostConfig\":{\"Privileged\":true}}", &v),
	    VERDICT_ANSWER);
	CHECK_INT(v.status, 403);
	CHECK(strstr(v.msg, "denied by rule privileged") != NULL);
	return t_done();
}
