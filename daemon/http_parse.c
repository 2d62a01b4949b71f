/*
 * http_parse.c - the one adapter around http-parser (nodejs/http-parser,
 * archived upstream; keep every use of it in this file).
 *
 * Requests: the head is pre-scanned byte by byte before http-parser sees it,
 * because Debian's libhttp_parser may be built non-strict: bare LF, bare CR,
 * obs-fold and control bytes are refused here, the end of the head is found
 * here, and exactly the head is fed to http-parser.  Framing rules follow
 * Go's net/http or are stricter (only HTTP/1.1, one Host, one Content-Length
 * of digits, Transfer-Encoding exactly "chunked" and never with a length).
 * Chunked request bodies are decoded by a small strict decoder below so the
 * daemon can re-frame them.
 *
 * Responses: http-parser finds the end of each message and reports the
 * head facts the relay needs (status, framing, docker stream type).  It
 * does not copy or rewrite response bytes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <http_parser.h>

#include "http.h"
#include "sockwarden.h"

#define REQ_MAX_TARGET		(16 * 1024)
#define CHUNK_MAX_LINE		4096

enum scan_state { SC_LINE, SC_CR, SC_LF, SC_CRLFCR };

enum chunk_state {
	CK_SIZE, CK_EXT, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF,
	CK_TRAILER, CK_TRAILER_LINE, CK_TRAILER_LF, CK_END_LF, CK_DONE
};

/* Chunked-framing state, shared by request decoding and response skipping. */
struct chunk_dec {
	enum chunk_state ck;
	uint64_t	 left;		/* data bytes left in this chunk */
	size_t		 line;		/* length of the current ext/trailer line */
	int		 digits;
};

static void
chunk_reset(struct chunk_dec *k)
{
	memset(k, 0, sizeof(*k));
	k->ck = CK_SIZE;
}

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

	if (r->nhdrs == SW_MAX_HEADERS)
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

static int
ci_eq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

/* Does a comma-separated header value contain token tok? */
static int
has_token(const char *v, size_t n, const char *tok)
{
	size_t i = 0, tl = strlen(tok);

	while (i < n) {
		size_t s, e;
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(v + s, tok, tl) == 0)
			return 1;
	}
	return 0;
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

		if (ci_eq(h->name, h->name_len, "Host")) {
			hosts++;
		} else if (ci_eq(h->name, h->name_len, "Content-Length")) {
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
		} else if (ci_eq(h->name, h->name_len, "Transfer-Encoding")) {
			if (++tes > 1)
				return reqp_fail(r, 400,
				    "duplicate Transfer-Encoding");
			if (!ci_eq(v, vl, "chunked"))
				return reqp_fail(r, 400,
				    "unsupported Transfer-Encoding");
			q->chunked = 1;
		} else if (ci_eq(h->name, h->name_len, "Connection")) {
			if (has_token(v, vl, "close"))
				conn_close = 1;
		} else if (ci_eq(h->name, h->name_len, "Expect")) {
			if (!ci_eq(v, vl, "100-continue"))
				return reqp_fail(r, 417, "unsupported Expect");
			q->expect_continue = 1;
		} else if (ci_eq(h->name, h->name_len, "Upgrade")) {
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

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Strict chunked decoder: CRLF line ends only, at most 15 hex digits,
 * extensions and trailers skipped within CHUNK_MAX_LINE.  The daemon
 * re-chunks what it forwards, so extensions and trailers never reach the
 * engine.
 */
/* cb may be NULL: the data is only skipped (response framing). */
static size_t
chunk_feed(struct chunk_dec *k, const char *d, size_t n, http_body_cb cb,
    void *arg, enum http_feed *res)
{
	size_t i = 0;

	*res = HTTP_FEED_MORE;
	while (i < n && k->ck != CK_DONE) {
		unsigned char c = (unsigned char)d[i];
		int hv;

		switch (k->ck) {
		case CK_SIZE:
			if ((hv = hexval(c)) >= 0) {
				if (++k->digits > 15)
					goto bad;
				k->left = k->left * 16 + (uint64_t)hv;
				i++;
				break;
			}
			if (k->digits == 0)
				goto bad;
			if (c == ';') {
				k->ck = CK_EXT;
				k->line = 0;
			} else if (c == '\r') {
				k->ck = CK_SIZE_LF;
			} else {
				goto bad;
			}
			i++;
			break;
		case CK_EXT:
			if (c == '\r')
				k->ck = CK_SIZE_LF;
			else if (c == '\n' || ++k->line > CHUNK_MAX_LINE ||
			    (c < 0x20 && c != '\t') || c == 0x7f)
				goto bad;
			i++;
			break;
		case CK_SIZE_LF:
			if (c != '\n')
				goto bad;
			i++;
			k->digits = 0;
			k->ck = k->left ? CK_DATA : CK_TRAILER;
			break;
		case CK_DATA: {
			size_t take = n - i;
			if ((uint64_t)take > k->left)
				take = (size_t)k->left;
			if (cb != NULL)
				cb(arg, d + i, take);
			i += take;
			k->left -= take;
			if (k->left == 0)
				k->ck = CK_DATA_CR;
			break;
		}
		case CK_DATA_CR:
			if (c != '\r')
				goto bad;
			k->ck = CK_DATA_LF;
			i++;
			break;
		case CK_DATA_LF:
			if (c != '\n')
				goto bad;
			k->ck = CK_SIZE;
			i++;
			break;
		case CK_TRAILER:
			if (c == '\r') {
				k->ck = CK_END_LF;
			} else {
				k->ck = CK_TRAILER_LINE;
				k->line = 0;
				continue;
			}
			i++;
			break;
		case CK_TRAILER_LINE:
			if (c == '\r')
				k->ck = CK_TRAILER_LF;
			else if (c == '\n' || ++k->line > CHUNK_MAX_LINE ||
			    (c < 0x20 && c != '\t') || c == 0x7f)
				goto bad;
			i++;
			break;
		case CK_TRAILER_LF:
			if (c != '\n')
				goto bad;
			k->ck = CK_TRAILER;
			i++;
			break;
		case CK_END_LF:
			if (c != '\n')
				goto bad;
			k->ck = CK_DONE;
			i++;
			break;
		case CK_DONE:
			break;
		}
	}
	if (k->ck == CK_DONE)
		*res = HTTP_FEED_DONE;
	return i;
bad:
	*res = HTTP_FEED_ERROR;
	return i;
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

/* ---- responses ----------------------------------------------------
 *
 * The engine's responses are framed here without http-parser: the relay
 * forwards them unchanged and only needs the end of each message and a few
 * head facts, and a memchr-driven scan costs a fraction of a byte-at-a-time
 * parser on the hot path.  Framing follows RFC 9112 section 6.3.
 */

#define RESP_MAX_HEAD	(64 * 1024)

enum resp_state { RS_HEAD, RS_NOBODY, RS_LENGTH, RS_CHUNKED, RS_EOF, RS_DONE };

struct http_respp {
	enum resp_state	 st;
	int		 head_request;
	uint64_t	 left;		/* RS_LENGTH: body bytes to go */
	struct chunk_dec ck;		/* RS_CHUNKED */
	char		*acc;		/* head split across feeds */
	size_t		 acc_len, acc_cap;
	struct http_response_info info;
};

struct http_respp *
http_respp_new(void)
{
	struct http_respp *r = calloc(1, sizeof(*r));

	if (r != NULL)
		http_respp_reset(r, 0);
	return r;
}

void
http_respp_free(struct http_respp *r)
{
	if (r == NULL)
		return;
	free(r->acc);
	free(r);
}

void
http_respp_reset(struct http_respp *r, int head_request)
{
	free(r->acc);
	memset(r, 0, sizeof(*r));
	r->head_request = head_request;
	r->st = RS_HEAD;
}

const struct http_response_info *
http_respp_info(const struct http_respp *r)
{
	return &r->info;
}

/* Parse a whole response head (through the blank line). */
static int
respp_parse_head(struct http_respp *r, const char *h, size_t len)
{
	const char *end = h + len, *eol, *line;
	int minor, status = 0, chunked = 0, has_cl = 0, close = 0, keep = 0;
	uint64_t cl = 0;

	if (len < 16 || memcmp(h, "HTTP/1.", 7) != 0 ||
	    (h[7] != '0' && h[7] != '1') || h[8] != ' ')
		return -1;
	minor = h[7] - '0';
	for (int i = 9; i < 12; i++) {
		if (h[i] < '0' || h[i] > '9')
			return -1;
		status = status * 10 + (h[i] - '0');
	}
	if (h[12] != ' ' && h[12] != '\r')
		return -1;
	if ((eol = memchr(h, '\n', len)) == NULL)
		return -1;
	for (line = eol + 1; line < end; line = eol + 1) {
		const char *colon, *v, *ve;
		size_t nl;

		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			return -1;
		if (eol == line || eol[-1] != '\r')
			return -1;
		if (eol - line == 1)		/* the blank line */
			break;
		if ((colon = memchr(line, ':', (size_t)(eol - line))) == NULL)
			return -1;
		nl = (size_t)(colon - line);
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol - 1; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		if (ci_eq(line, nl, "Content-Length")) {
			if (has_cl || ve == v || ve - v > 18)
				return -1;
			for (const char *q = v; q < ve; q++) {
				if (*q < '0' || *q > '9')
					return -1;
				cl = cl * 10 + (uint64_t)(*q - '0');
			}
			has_cl = 1;
		} else if (ci_eq(line, nl, "Transfer-Encoding")) {
			size_t vl = (size_t)(ve - v);
			/* chunked must be the final coding */
			chunked = vl >= 7 && strncasecmp(ve - 7, "chunked", 7) == 0 &&
			    (vl == 7 || ve[-8] == ',' || ve[-8] == ' ');
			if (!chunked)
				return -1;
		} else if (ci_eq(line, nl, "Connection")) {
			close |= has_token(v, (size_t)(ve - v), "close");
			keep |= has_token(v, (size_t)(ve - v), "keep-alive");
		} else if (ci_eq(line, nl, "Content-Type")) {
			static const char *const streams[] = {
				"application/vnd.docker.raw-stream",
				"application/vnd.docker.multiplexed-stream",
			};
			size_t vl = (size_t)(ve - v);
			for (size_t i = 0; i < 2; i++) {
				size_t l = strlen(streams[i]);
				if (vl >= l && strncasecmp(v, streams[i], l) == 0 &&
				    (vl == l || v[l] == ';' || v[l] == ' '))
					r->info.docker_stream = 1;
			}
		}
	}
	r->info.status = status;
	r->info.head_done = 1;
	r->info.upgrade = status == 101;
	r->info.has_length = has_cl || chunked;
	r->info.keepalive = minor == 1 ? !close : keep && !close;
	if (r->head_request || status == 101 || status == 204 ||
	    status == 304 || (status >= 100 && status < 200))
		r->st = RS_NOBODY;
	else if (chunked) {
		r->st = RS_CHUNKED;
		chunk_reset(&r->ck);
	} else if (has_cl) {
		r->left = cl;
		r->st = cl ? RS_LENGTH : RS_NOBODY;
	} else {
		r->st = RS_EOF;
		r->info.keepalive = 0;
	}
	return 0;
}

/* Find the blank line ending the head; returns head bytes in d or 0. */
static size_t
respp_head_end(struct http_respp *r, const char *d, size_t n)
{
	const char *p = d, *end = d + n;

	/* a blank line split across feeds: the accumulated tail counts */
	for (size_t k = 1; k <= 3; k++) {
		char tail[4];
		if (k > r->acc_len || 4 - k > n)
			continue;
		memcpy(tail, r->acc + r->acc_len - k, k);
		memcpy(tail + k, d, 4 - k);
		if (memcmp(tail, "\r\n\r\n", 4) == 0)
			return 4 - k;
	}
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (p - d >= 3 && memcmp(p - 3, "\r\n\r\n", 4) == 0)
			return (size_t)(p - d) + 1;
		p++;
	}
	return 0;
}

static int
respp_accumulate(struct http_respp *r, const char *d, size_t n)
{
	if (r->acc_len + n > RESP_MAX_HEAD)
		return -1;
	if (r->acc_len + n > r->acc_cap) {
		size_t cap = r->acc_cap ? r->acc_cap * 2 : 1024;
		char *nb;
		while (cap < r->acc_len + n)
			cap *= 2;
		if ((nb = realloc(r->acc, cap)) == NULL)
			return -1;
		r->acc = nb;
		r->acc_cap = cap;
	}
	memcpy(r->acc + r->acc_len, d, n);
	r->acc_len += n;
	return 0;
}

size_t
http_respp_feed(struct http_respp *r, const char *d, size_t n,
    enum http_feed *res)
{
	size_t take, used;
	int rc;

	*res = HTTP_FEED_MORE;
	switch (r->st) {
	case RS_HEAD:
		if (n == 0)
			return 0;
		if ((take = respp_head_end(r, d, n)) == 0) {
			if (respp_accumulate(r, d, n) != 0)
				*res = HTTP_FEED_ERROR;
			return n;
		}
		if (r->acc_len == 0) {
			rc = respp_parse_head(r, d, take);
		} else {
			rc = respp_accumulate(r, d, take);
			if (rc == 0)
				rc = respp_parse_head(r, r->acc, r->acc_len);
			free(r->acc);
			r->acc = NULL;
			r->acc_len = r->acc_cap = 0;
		}
		if (rc != 0) {
			*res = HTTP_FEED_ERROR;
			return take;
		}
		if (r->info.status >= 100 && r->info.status < 200 &&
		    r->info.status != 101) {
			/* an interim response: the final one follows */
			r->st = RS_HEAD;
			return take;
		}
		*res = HTTP_FEED_HEAD;
		return take;
	case RS_NOBODY:
		r->st = RS_DONE;
		*res = HTTP_FEED_DONE;
		return 0;
	case RS_LENGTH:
		take = n;
		if ((uint64_t)take >= r->left) {
			take = (size_t)r->left;
			r->st = RS_DONE;
			*res = HTTP_FEED_DONE;
		}
		r->left -= take;
		return take;
	case RS_CHUNKED:
		used = chunk_feed(&r->ck, d, n, NULL, NULL, res);
		if (*res == HTTP_FEED_DONE)
			r->st = RS_DONE;
		return used;
	case RS_EOF:
		return n;
	case RS_DONE:
		*res = HTTP_FEED_DONE;
		return 0;
	}
	return 0;
}

enum http_feed
http_respp_eof(struct http_respp *r)
{
	if (r->st == RS_EOF || r->st == RS_DONE || r->st == RS_NOBODY) {
		r->st = RS_DONE;
		return HTTP_FEED_DONE;
	}
	return HTTP_FEED_ERROR;
}
