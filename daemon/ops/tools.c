/*
 * tools.c - the offline commands operators run: `sockwarden check` compiles
 * policy files and reports every error as file:line:col; `sockwarden
 * explain` parses a raw HTTP request exactly as the daemon would (the same
 * HTTP adapter and the same two-phase decision, decision.c) and prints the
 * verdict.  Neither contacts an engine or opens a socket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "daemon.h"

#define EXPLAIN_FILE_MAX	(64 * 1024 * 1024)

static void
tools_usage(const char *what)
{
	fprintf(stderr, "usage: %s\n", what);
}

int
tools_check(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		tools_usage("sockwarden check POLICY...");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct policy *p = pfile_load_policy(argv[i], NULL, 0);
		if (p == NULL)
			bad = 1;
		policy_free(p);
	}
	if (!bad)
		printf("policy OK\n");
	return bad;
}

static void
explain_hold(void *arg, const char *data, size_t len)
{
	evbuffer_add(arg, data, len);
}

/*
 * Request files written by hand (or a heredoc) end their lines with LF.
 * When the head holds no CR at all, turn its LFs into CRLF so the daemon's
 * strict parser can read it; the body is left alone.  A head that mixes
 * both is given as is, and the parser says what is wrong with it.
 */
static char *
explain_crlf(char *raw, size_t *lenp)
{
	size_t len = *lenp, head, extra = 0, o = 0;
	char *end = memmem(raw, len, "\n\n", 2), *out;

	if (end == NULL || memchr(raw, '\r', (size_t)(end - raw)) != NULL)
		return raw;
	head = (size_t)(end - raw) + 2;
	for (size_t i = 0; i < head; i++)
		extra += raw[i] == '\n';
	if ((out = malloc(len + extra + 1)) == NULL) {
		free(raw);
		return NULL;
	}
	for (size_t i = 0; i < head; i++) {
		if (raw[i] == '\n')
			out[o++] = '\r';
		out[o++] = raw[i];
	}
	memcpy(out + o, raw + head, len - head);
	o += len - head;
	out[o] = '\0';
	free(raw);
	*lenp = o;
	return out;
}

static int
explain_reject(int status, const char *msg)
{
	printf("decision: reject\nstatus: %d\nmessage: sockwarden: %s\n",
	    status, msg);
	return 3;
}

/* The body the daemon would hold: decoded, within the limit. */
static int
explain_body(struct http_reqp *rp, const char *raw, size_t len,
    size_t limit, struct evbuffer *body)
{
	const struct http_request *req = http_reqp_request(rp);
	enum http_feed res;

	if (req->chunked) {
		(void)http_reqp_feed_chunked(rp, raw, len, explain_hold, body,
		    &res);
		if (res != HTTP_FEED_DONE)
			return explain_reject(400, "malformed or incomplete "
			    "chunked body");
	} else if (req->content_length > 0) {
		if ((uint64_t)len < (uint64_t)req->content_length)
			return explain_reject(400, "body shorter than "
			    "Content-Length");
		evbuffer_add(body, raw, (size_t)req->content_length);
	}
	if (evbuffer_get_length(body) > limit) {
		char msg[96];
		snprintf(msg, sizeof(msg), "request body exceeds the %zu-byte "
		    "inspection limit", limit);
		return explain_reject(413, msg);
	}
	return 0;
}

static int
explain_print(const struct http_request *req, const struct policy_decision *d,
    const struct verdict *v)
{
	if (v->step == VERDICT_FORWARD)
		printf("decision: %s\n", d->audit ? "allow (audit: would deny)" :
		    "allow");
	else
		printf("decision: %s\nstatus: %d\n", d->verdict == POLICY_DENY ?
		    "deny" : "reject", v->status);
	if (d->operation[0])
		printf("operation: %s\n", d->operation);
	if (d->rule[0])
		printf("rule: %s\nreason: %s\n", d->rule, d->reason);
	if (v->msg[0])
		printf("message: %s\n", v->msg);
	if (v->step == VERDICT_FORWARD && d->target != NULL)
		printf("forward: %s %s\n", req->method, d->target);
	return v->step == VERDICT_FORWARD ? 0 : 3;
}

/* Exit 0 allowed, 3 denied or rejected, 1 usage/input error. */
int
tools_explain(int argc, char **argv)
{
	const char *policy_path = NULL, *req_path = "-";
	struct policy *pol;
	struct http_reqp *rp = NULL;
	static const char *const self[] = { SW_DEFAULT_LISTEN };
	/* decided as a daemon listening on the default path would */
	struct decision_ctx ctx = { NULL, NULL, SW_DEFAULT_MAX_BODY_BYTES, self,
	    1 };
	struct policy_decision d;
	struct evbuffer *body = NULL;
	struct verdict v;
	enum http_feed res;
	char *raw = NULL;
	size_t len, used;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--policy") == 0 || strcmp(argv[i], "-p") == 0) &&
		    i + 1 < argc)
			policy_path = argv[++i];
		else if (strncmp(argv[i], "--policy=", 9) == 0)
			policy_path = argv[i] + 9;
		else if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)
			req_path = argv[i];
		else {
			tools_usage("sockwarden explain --policy FILE "
			    "[REQUEST-FILE]");
			return 1;
		}
	}
	pol = policy_path ? pfile_load_policy(policy_path, NULL, 0) :
	    policy_default();
	if (pol == NULL)
		return 1;
	memset(&d, 0, sizeof(d));
	if ((raw = pfile_read(req_path, EXPLAIN_FILE_MAX, &len)) == NULL ||
	    (raw = explain_crlf(raw, &len)) == NULL)
		goto out;
	rp = http_reqp_new(SW_DEFAULT_MAX_HEADER_BYTES);
	body = evbuffer_new();
	if (rp == NULL || body == NULL)
		goto out;
	used = http_reqp_feed_head(rp, raw, len, &res);
	if (res != HTTP_FEED_HEAD) {
		rc = explain_reject(res == HTTP_FEED_ERROR ?
		    http_reqp_err_status(rp) : 400, res == HTTP_FEED_ERROR ?
		    http_reqp_err_msg(rp) : "incomplete request head");
		goto out;
	}
	ctx.policy = pol;
	decision_head(&ctx, http_reqp_request(rp), &d, &v);
	if (v.step == VERDICT_NEED_BODY) {
		if ((rc = explain_body(rp, raw + used, len - used, v.limit,
		    body)) != 0)
			goto out;
		decision_body(&ctx, http_reqp_request(rp),
		    evbuffer_pullup(body, -1), evbuffer_get_length(body), &d, &v);
	}
	rc = explain_print(http_reqp_request(rp), &d, &v);
out:
	policy_decision_clear(&d);
	if (body != NULL)
		evbuffer_free(body);
	http_reqp_free(rp);
	free(raw);
	if (pol != policy_default())
		policy_free(pol);
	return rc;
}
