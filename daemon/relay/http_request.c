/*
 * http_request.c - the one adapter around http-parser (nodejs/http-parser,
 * archived upstream; keep every use of it in this file).
 *
 * The request head is pre-scanned byte by byte before http-parser sees it,
 * because Debian's libhttp_parser may be built non-strict: bare LF, bare CR,
 * obs-fold and control bytes are refused here, the end of the head is found
 * here, and exactly the head is fed to http-parser.  Framing rules follow
 * Go's net/http or are stricter (only HTTP/1.1, one Host, one Content-Length
 * of digits, Transfer-Encoding exactly "chunked" and never with a length).
 * Chunked request bodies go through the strict decoder of http_chunked.c so
 * the daemon can re-frame them.  Responses are not parsed here
 * (http_response.c) and nothing here does I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <http_parser.h>

#include "http.h"
#include "http_int.h"

#define REQ_MAX_TARGET		(16 * 1024)

#define REQ_MAX_HEADERS		128

enum scan_state { SC_LINE, SC_CR, SC_LF, SC_CRLFCR };

struct http_reqp {
	http_parser	 p;
	size_t		 max_head;	/* header byte limit */
	enum scan_state	 scan;
	int		 head_done;
	int		 err_status;
	const char	*err_msg;

	/* The head is collected whole before http-parser runs once over it,
	 * so every callback sees one contiguous element. */
	char		*raw;
	size_t		 len, cap;
	struct policy_header *hdrs;	/* grown per head, freed at reset */
	size_t		 nhdrs, hdrs_cap;
	struct http_request req;

	struct chunk_dec ck;
};

static int
reqp_fail(struct http_reqp *r, int status, const char *msg)
{
	if (r->err_status == 0) {
		r->err_status = status;
		r->err_msg = msg;
	}
	return -1;
}

static int
reqp_append(struct http_reqp *r, const char *at, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t ncap = r->cap ? r->cap : 512;
		char *nb;
		while (ncap < r->len + n + 1)
			ncap *= 2;
		if ((nb = realloc(r->raw, ncap)) == NULL)
			return reqp_fail(r, 500, "out of memory");
		r->raw = nb;
		r->cap = ncap;
	}
	memcpy(r->raw + r->len, at, n);
	r->len += n;
	r->raw[r->len] = '\0';
	return 0;
}

static int
reqp_on_url(http_parser *p, const char *at, size_t n)
{
	struct http_reqp *r = p->data;

	if (n > REQ_MAX_TARGET)
		return reqp_fail(r, 414, "request target too long");
	r->req.target = (char *)(uintptr_t)at;
	r->req.target_len = n;
	return 0;
}

static int
reqp_on_header_field(http_parser *p, const char *at, size_t n)
{
	struct http_reqp *r = p->data;
	struct policy_header *h;

	if (r->nhdrs == REQ_MAX_HEADERS)
		return reqp_fail(r, 431, "too many header fields");
	if (r->nhdrs == r->hdrs_cap) {
		size_t ncap = r->hdrs_cap ? r->hdrs_cap * 2 : 16;
		struct policy_header *nh = reallocarray(r->hdrs, ncap,
		    sizeof(*nh));
		if (nh == NULL)
			return reqp_fail(r, 500, "out of memory");
		r->hdrs = nh;
		r->hdrs_cap = ncap;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)at[i];
		/* RFC 9110 tchar */
		if (c == 0 || !(isalnum(c) || strchr("!#$%&'*+-.^_`|~", c) != NULL))
			return reqp_fail(r, 400, "invalid character in header name");
	}
	h = &r->hdrs[r->nhdrs++];
	h->name = at;
	h->name_len = n;
	h->value = "";
	h->value_len = 0;
	return 0;
}

static int
reqp_on_header_value(http_parser *p, const char *at, size_t n)
{
	struct http_reqp *r = p->data;
	struct policy_header *h = &r->hdrs[r->nhdrs - 1];

	h->value = at;
	h->value_len = n;
	return 0;
}

static int
reqp_on_headers_complete(http_parser *p)
{
	struct http_reqp *r = p->data;

	r->head_done = 1;
	return 1;		/* bodies are framed by the daemon, not here */
}

static const http_parser_settings reqp_settings = {
	.on_url = reqp_on_url,
	.on_header_field = reqp_on_header_field,
	.on_header_value = reqp_on_header_value,
	.on_headers_complete = reqp_on_headers_complete,
};

struct http_reqp *
http_reqp_new(size_t max_header_bytes)
{
	struct http_reqp *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->max_head = max_header_bytes;
	http_reqp_reset(r);
	return r;
}

void
http_reqp_free(struct http_reqp *r)
{
	if (r == NULL)
		return;
	free(r->raw);
	free(r->hdrs);
	free(r);
}

void
http_reqp_reset(struct http_reqp *r)
{
	http_parser_init(&r->p, HTTP_REQUEST);
	r->p.data = r;
	r->scan = SC_LF;	/* the request line starts a line */
	r->head_done = 0;
	r->err_status = 0;
	r->err_msg = NULL;
	/* Free the head storage between requests: an idle keep-alive or a
	 * long stream should not pin header memory. */
	free(r->raw);
	r->raw = NULL;
	r->len = r->cap = 0;
	free(r->hdrs);
	r->hdrs = NULL;
	r->nhdrs = r->hdrs_cap = 0;
	memset(&r->req, 0, sizeof(r->req));
	r->req.content_length = -1;
	chunk_reset(&r->ck);
}

/*
 * The head was serialized upstream: drop its storage so a long stream or
 * tunnel does not pin it.  The method stays; target and headers are gone.
 */
void
http_reqp_release_head(struct http_reqp *r)
{
	free(r->raw);
	free(r->hdrs);
	r->raw = NULL;
	r->hdrs = NULL;
	r->len = r->cap = r->nhdrs = r->hdrs_cap = 0;
	r->req.target = NULL;
	r->req.target_len = 0;
	r->req.hdrs = NULL;
	r->req.nhdrs = 0;
	r->req.upgrade = NULL;
	r->req.upgrade_len = 0;
}

size_t
http_reqp_head_bytes(const struct http_reqp *r)
{
	return r->len;
}

const struct http_request *
http_reqp_request(const struct http_reqp *r)
{
	return &r->req;
}

int
http_reqp_err_status(const struct http_reqp *r)
{
	return r->err_status;
}

const char *
http_reqp_err_msg(const struct http_reqp *r)
{
	return r->err_msg ? r->err_msg : "malformed request";
}

/*
 * Scan head bytes; returns how many belong to the head (all of n unless the
 * head ends inside), sets *end when the blank line was seen, -1 on error.
 */
static long
reqp_scan(struct http_reqp *r, const char *d, size_t n, int *end)
{
	/* Bytes that need a look: CR, LF and the other controls but HT. */
	static const unsigned char special[256] = {
		[0 ... 8] = 1, [10 ... 31] = 1, [127] = 1,
	};

	for (size_t i = 0; i < n; i++) {
		unsigned char c;

		if (r->scan == SC_LINE) {
			/* the common case: plain bytes inside a line */
			size_t stop = r->max_head > r->len ?
			    r->max_head - r->len : 0;
			if (stop > n)
				stop = n;
			while (i < stop && !special[(unsigned char)d[i]])
				i++;
			if (i == n)
				break;
		}
		c = (unsigned char)d[i];
		if (r->len + i >= r->max_head)
			return reqp_fail(r, 413, "request headers too large");
		switch (r->scan) {
		case SC_CR:
		case SC_CRLFCR:
			if (c != '\n')
				return reqp_fail(r, 400, "bare CR in request head");
			if (r->scan == SC_CRLFCR) {
				*end = 1;
				return (long)(i + 1);
			}
			r->scan = SC_LF;
			continue;
		case SC_LF:
			if (c == ' ' || c == '\t')
				return reqp_fail(r, 400,
				    "obsolete line folding in request head");
			if (c == '\r') {
				r->scan = r->len + i == 0 ? SC_CR : SC_CRLFCR;
				if (r->len + i == 0)
					return reqp_fail(r, 400,
					    "empty line before request line");
				continue;
			}
			r->scan = SC_LINE;
			break;
		case SC_LINE:
			break;
		}
		if (c == '\r') {
			r->scan = SC_CR;
			continue;
		}
		if (c == '\n')
			return reqp_fail(r, 400, "bare LF in request head");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return reqp_fail(r, 400,
			    "control character in request head");
	}
	return (long)n;
}


/* Check the parsed head against the framing rules; fill r->req. */
static int
reqp_finish_head(struct http_reqp *r)
{
	struct http_request *q = &r->req;
	const char *m;
	int hosts = 0, cls = 0, tes = 0, conn_close = 0;

	if (r->p.http_major != 1 || r->p.http_minor != 1)
		return reqp_fail(r, 400, "only HTTP/1.1 is supported");
	m = http_method_str((enum http_method)r->p.method);
	if (strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "POST") &&
	    strcmp(m, "PUT") && strcmp(m, "DELETE") && strcmp(m, "OPTIONS"))
		return reqp_fail(r, 405, "method not supported");
	snprintf(q->method, sizeof(q->method), "%s", m);

	if (q->target == NULL)
		return reqp_fail(r, 400, "missing request target");
	q->target[q->target_len] = '\0';	/* was the SP before the version */
	if (q->target_len == 0 || q->target[0] != '/')
		return reqp_fail(r, 400, "request target must be an absolute path");
	for (size_t i = 0; i < q->target_len; i++) {
		unsigned char c = (unsigned char)q->target[i];
		if (c <= 0x20 || c >= 0x7f || c == '#')
			return reqp_fail(r, 400,
			    "invalid character in request target");
	}

	q->keepalive = 1;
	q->hdrs = r->hdrs;
	q->nhdrs = r->nhdrs;
	for (size_t i = 0; i < r->nhdrs; i++) {
		struct policy_header *h = &r->hdrs[i];
		const char *v = h->value;
		size_t vl = h->value_len;

		while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		while (vl > 0 && (v[0] == ' ' || v[0] == '\t'))
			v++, vl--;
		h->value = v;
		h->value_len = vl;
		if (h->name_len == 0)
			return reqp_fail(r, 400, "empty header name");

		if (http_ci_eq(h->name, h->name_len, "Host")) {
			hosts++;
		} else if (http_ci_eq(h->name, h->name_len, "Content-Length")) {
			int64_t cl = 0;
			if (++cls > 1)
				return reqp_fail(r, 400,
				    "duplicate Content-Length");
			if (vl == 0 || vl > 18)
				return reqp_fail(r, 400, "invalid Content-Length");
			for (size_t k = 0; k < vl; k++) {
				if (!isdigit((unsigned char)v[k]))
					return reqp_fail(r, 400,
					    "invalid Content-Length");
				cl = cl * 10 + (v[k] - '0');
			}
			q->content_length = cl;
		} else if (http_ci_eq(h->name, h->name_len, "Transfer-Encoding")) {
			if (++tes > 1)
				return reqp_fail(r, 400,
				    "duplicate Transfer-Encoding");
			if (!http_ci_eq(v, vl, "chunked"))
				return reqp_fail(r, 400,
				    "unsupported Transfer-Encoding");
			q->chunked = 1;
		} else if (http_ci_eq(h->name, h->name_len, "Connection")) {
			if (http_has_token(v, vl, "close"))
				conn_close = 1;
		} else if (http_ci_eq(h->name, h->name_len, "Expect")) {
			if (!http_ci_eq(v, vl, "100-continue"))
				return reqp_fail(r, 417, "unsupported Expect");
			q->expect_continue = 1;
		} else if (http_ci_eq(h->name, h->name_len, "Upgrade")) {
			if (q->upgrade != NULL)
				return reqp_fail(r, 400, "duplicate Upgrade");
			q->upgrade = v;
			q->upgrade_len = vl;
		}
	}
	if (hosts != 1)
		return reqp_fail(r, 400, hosts ? "duplicate Host header" :
		    "missing Host header");
	if (cls && tes)
		return reqp_fail(r, 400,
		    "Content-Length together with Transfer-Encoding");
	if (conn_close)
		q->keepalive = 0;
	return 0;
}

size_t
http_reqp_feed_head(struct http_reqp *r, const char *d, size_t n,
    enum http_feed *res)
{
	long take;
	size_t got;
	int end = 0;

	*res = HTTP_FEED_MORE;
	if (r->err_status || r->head_done) {
		*res = r->err_status ? HTTP_FEED_ERROR : HTTP_FEED_HEAD;
		return 0;
	}
	if ((take = reqp_scan(r, d, n, &end)) < 0 ||
	    reqp_append(r, d, (size_t)take) != 0) {
		*res = HTTP_FEED_ERROR;
		return 0;
	}
	if (!end)
		return (size_t)take;

	got = http_parser_execute(&r->p, &reqp_settings, r->raw, r->len);
	if (r->err_status) {
		*res = HTTP_FEED_ERROR;
		return (size_t)take;
	}
	if (HTTP_PARSER_ERRNO(&r->p) != HPE_OK || got != r->len ||
	    !r->head_done) {
		enum http_errno e = HTTP_PARSER_ERRNO(&r->p);
		if (e == HPE_HEADER_OVERFLOW)
			reqp_fail(r, 413, "request headers too large");
		else if (e == HPE_INVALID_METHOD)
			reqp_fail(r, 400, "invalid request method");
		else if (e == HPE_UNEXPECTED_CONTENT_LENGTH)
			reqp_fail(r, 400, "duplicate Content-Length or "
			    "Content-Length with Transfer-Encoding");
		else if (e != HPE_OK)
			reqp_fail(r, 400, http_errno_description(e));
		else
			reqp_fail(r, 400, "incomplete request head");
		*res = HTTP_FEED_ERROR;
		return (size_t)take;
	}
	if (reqp_finish_head(r) != 0) {
		r->head_done = 0;
		*res = HTTP_FEED_ERROR;
	} else {
		*res = HTTP_FEED_HEAD;
	}
	return (size_t)take;
}

size_t
http_reqp_feed_chunked(struct http_reqp *r, const char *d, size_t n,
    http_body_cb cb, void *arg, enum http_feed *res)
{
	size_t used = chunk_feed(&r->ck, d, n, cb, arg, res);

	if (*res == HTTP_FEED_ERROR)
		reqp_fail(r, 400, "malformed chunked body");
	return used;
}
