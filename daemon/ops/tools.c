/*
 * tools.c - the offline commands operators run: `sockwarden check` compiles
 * policy files and reports every error as file:line:col; `sockwarden
 * explain` reads captured streams of raw HTTP requests, frames each one
 * exactly as the daemon would (the same HTTP adapter and the same
 * two-phase decision, decision.c) and prints one verdict per request, with
 * a warning where the engine would not get the body the client sent.
 * Neither contacts an engine or opens a socket.
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

/* One explain run: what decides, the counts, how blocks are headed. */
struct explain {
	struct decision_ctx	 ctx;
	struct http_reqp	*rp;
	struct evbuffer		*body;
	int			 nfiles;
	int			 multi;		/* several requests: numbered */
	unsigned		 n, allowed, denied, rejected;
};

static int
explain_blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != '\r' && p[i] != '\n' && p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

/*
 * Request files written by hand (or a heredoc) end their lines with LF.
 * When a head holds no CR at all, the parser gets a copy with CRLF
 * (*headlen: the bytes of p it stands for); the body is left alone.  A
 * head that mixes both is given as is, and the parser says what is wrong
 * with it.  NULL: use p as it is.
 */
static char *
explain_crlf(const char *p, size_t len, size_t *outlen, size_t *headlen)
{
	const char *end = memmem(p, len, "\n\n", 2);
	size_t head, o = 0;
	char *out;

	if (end == NULL || memchr(p, '\r', (size_t)(end - p)) != NULL)
		return NULL;
	head = (size_t)(end - p) + 2;
	if ((out = malloc(head * 2)) == NULL)
		return NULL;
	for (size_t i = 0; i < head; i++) {
		if (p[i] == '\n')
			out[o++] = '\r';
		out[o++] = p[i];
	}
	*outlen = o;
	*headlen = head;
	return out;
}

/* "request 3: POST /v1.41/containers/create", when they are numbered. */
static void
explain_header(const struct explain *x, const char *file, size_t off,
    const struct http_request *req)
{
	char target[512];

	if (!x->multi)
		return;
	if (x->n > 1)
		printf("\n");
	printf("request %u", x->n);
	if (x->nfiles > 1)
		printf(" (%s)", file);
	if (req != NULL) {
		log_escape(req->target, req->target_len, target,
		    sizeof(target));
		printf(": %s %s\n", req->method, target);
	} else
		printf(": at byte %zu\n", off);
}

static void
explain_reject(struct explain *x, int status, const char *msg)
{
	x->rejected++;
	printf("decision: reject\nstatus: %d\nmessage: sockwarden: %s\n",
	    status, msg);
}

static void
explain_print(struct explain *x, const struct http_request *req,
    const struct policy_decision *d, const struct verdict *v, size_t blen)
{
	if (v->step == VERDICT_FORWARD) {
		x->allowed++;
		printf("decision: %s\n", d->audit ? "allow (audit: would deny)" :
		    "allow");
	} else {
		if (d->verdict == POLICY_DENY)
			x->denied++;
		else
			x->rejected++;
		printf("decision: %s\nstatus: %d\n", d->verdict == POLICY_DENY ?
		    "deny" : "reject", v->status);
	}
	if (d->operation[0])
		printf("operation: %s\n", d->operation);
	if (d->rule[0])
		printf("rule: %s\nreason: %s\n", d->rule, d->reason);
	if (v->msg[0])
		printf("message: %s\n", v->msg);
	if (v->step != VERDICT_FORWARD)
		return;
	if (d->target != NULL)
		printf("forward: %s %s\n", req->method, d->target);
	/* where the engine would not get the body the client sent */
	if (blen > 0 && d->body_kind == POLICY_BODY_IGNORED)
		printf("warning: the body of request %u (%zu bytes) is ignored "
		    "by the engine on %s: sockwarden drops it and forwards the "
		    "request without it\n", x->n, blen, d->what);
}

/* Does p start like a request line ("GET /")? */
static int
explain_request_line(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && i < 16 && p[i] >= 'A' && p[i] <= 'Z')
		i++;
	return i > 0 && i + 1 < len && p[i] == ' ' && p[i + 1] == '/';
}

/*
 * The body at raw[0..len), decoded as the daemon would hold it; its
 * framing says where it ends (*used).  -1 when it does not end.
 */
static int
explain_frame(struct explain *x, const char *raw, size_t len, size_t *used,
    const char **why)
{
	const struct http_request *req = http_reqp_request(x->rp);
	enum http_feed res;

	evbuffer_drain(x->body, evbuffer_get_length(x->body));
	*used = 0;
	if (req->chunked) {
		*used = http_reqp_feed_chunked(x->rp, raw, len, explain_hold,
		    x->body, &res);
		*why = "malformed or incomplete chunked body";
		return res == HTTP_FEED_DONE ? 0 : -1;
	}
	if (req->content_length > 0) {
		*why = "body shorter than Content-Length";
		if ((uint64_t)len < (uint64_t)req->content_length)
			return -1;
		*used = (size_t)req->content_length;
		evbuffer_add(x->body, raw, *used);
	}
	return 0;
}

/* The two-phase decision on a framed request, as the daemon makes it. */
static void
explain_decide(struct explain *x, struct policy_decision *d,
    struct verdict *v)
{
	const struct http_request *req = http_reqp_request(x->rp);
	size_t blen = evbuffer_get_length(x->body);

	decision_head(&x->ctx, req, d, v);
	if (v->step != VERDICT_NEED_BODY)
		return;
	if (blen > v->limit) {
		decision_too_big(d, v);
		return;
	}
	decision_body(&x->ctx, req, evbuffer_pullup(x->body, -1), blen, d, v);
}

/*
 * The request at raw[off]: head, body, decision, its block.  Returns the
 * offset of the next request, or len when the stream can not go on.
 */
static size_t
explain_one(struct explain *x, const char *file, const char *raw, size_t len,
    size_t off)
{
	const struct http_request *req;
	struct policy_decision d;
	struct verdict v;
	enum http_feed res;
	size_t headlen = 0, clen = 0, used, start = off;
	const char *why = NULL;
	char *crlf;

	x->n++;
	http_reqp_reset(x->rp);
	crlf = explain_crlf(raw + off, len - off, &clen, &headlen);
	used = http_reqp_feed_head(x->rp, crlf ? crlf : raw + off,
	    crlf ? clen : len - off, &res);
	free(crlf);
	if (res != HTTP_FEED_HEAD) {
		explain_header(x, file, start, NULL);
		explain_reject(x, res == HTTP_FEED_ERROR ?
		    http_reqp_err_status(x->rp) : 400, res == HTTP_FEED_ERROR ?
		    http_reqp_err_msg(x->rp) : "incomplete request head");
		return len;		/* nothing says where the next begins */
	}
	off += crlf ? headlen : used;
	req = http_reqp_request(x->rp);
	if (explain_frame(x, raw + off, len - off, &used, &why) != 0) {
		explain_header(x, file, start, req);
		explain_reject(x, 400, why);
		return len;
	}
	off += used;
	if (x->n == 1 && !explain_blank(raw + off, len - off))
		x->multi = 1;
	explain_header(x, file, start, req);
	memset(&d, 0, sizeof(d));
	explain_decide(x, &d, &v);
	explain_print(x, req, &d, &v, evbuffer_get_length(x->body));
	if (v.step == VERDICT_FORWARD && d.hijack &&
	    !explain_blank(raw + off, len - off) &&
	    !explain_request_line(raw + off, len - off)) {
		/* the engine hijacked the connection: a session follows */
		printf("note: %s hijacks the connection; the %zu bytes after "
		    "it are the session's stream, not requests\n", d.what,
		    len - off);
		off = len;
	}
	policy_decision_clear(&d);
	return off;
}

/* Every request of one captured stream (a file, or "-": stdin). */
static int
explain_file(struct explain *x, const char *file)
{
	size_t len, off = 0;
	char *raw;

	if ((raw = pfile_read(file, EXPLAIN_FILE_MAX, &len)) == NULL)
		return -1;
	do
		off = explain_one(x, file, raw, len, off);
	while (off < len && !explain_blank(raw + off, len - off));
	free(raw);
	return 0;
}

/*
 * Exit 0 when every request is allowed, 3 when one is denied or
 * rejected, 1 on a usage or input error.
 */
int
tools_explain(int argc, char **argv)
{
	static const char *const self[] = { SW_DEFAULT_LISTEN };
	const char *policy_path = NULL, *files[64];
	struct explain x;
	struct policy *pol;
	int nfiles = 0, rc = 1;

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--policy") == 0 || strcmp(argv[i], "-p") == 0) &&
		    i + 1 < argc)
			policy_path = argv[++i];
		else if (strncmp(argv[i], "--policy=", 9) == 0)
			policy_path = argv[i] + 9;
		else if ((argv[i][0] != '-' || strcmp(argv[i], "-") == 0) &&
		    nfiles < (int)(sizeof(files) / sizeof(files[0])))
			files[nfiles++] = argv[i];
		else {
			tools_usage("sockwarden explain [--policy FILE] "
			    "[CAPTURE...]");
			return 1;
		}
	}
	if (nfiles == 0)
		files[nfiles++] = "-";
	pol = policy_path ? pfile_load_policy(policy_path, NULL, 0) :
	    policy_default();
	if (pol == NULL)
		return 1;
	memset(&x, 0, sizeof(x));
	/* decided as a daemon listening on the default path would */
	x.ctx.policy = pol;
	x.ctx.max_body = SW_DEFAULT_MAX_BODY_BYTES;
	x.ctx.self_sockets = self;
	x.ctx.nself_sockets = 1;
	x.nfiles = nfiles;
	x.multi = nfiles > 1;
	x.rp = http_reqp_new(SW_DEFAULT_MAX_HEADER_BYTES);
	x.body = evbuffer_new();
	if (x.rp == NULL || x.body == NULL)
		goto out;
	for (int i = 0; i < nfiles; i++)
		if (explain_file(&x, files[i]) != 0)
			goto out;
	if (x.multi)
		printf("\n%u requests: %u allowed, %u denied, %u rejected\n",
		    x.n, x.allowed, x.denied, x.rejected);
	rc = x.denied || x.rejected ? 3 : 0;
out:
	if (x.body != NULL)
		evbuffer_free(x.body);
	http_reqp_free(x.rp);
	if (pol != policy_default())
		policy_free(pol);
	return rc;
}
