/*
 * http_response.c - framing of the engine's responses, without
 * http-parser: the relay forwards response bytes unchanged and only needs
 * the end of each message and a few head facts (status, keep-alive,
 * upgrade, docker stream type), and a memchr-driven scan costs a fraction
 * of a byte-at-a-time parser on the hot path.  Framing follows RFC 9112
 * section 6.3.  It never copies or rewrites a byte; no I/O.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "http_int.h"

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
	http_body_cb	 body_cb;	/* decoded body bytes, or NULL */
	void		*body_arg;
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
http_respp_set_body_cb(struct http_respp *r, http_body_cb cb, void *arg)
{
	r->body_cb = cb;
	r->body_arg = arg;
}

void
http_respp_reset(struct http_respp *r, int head_request)
{
	http_body_cb cb = r->body_cb;
	void *arg = r->body_arg;

	free(r->acc);
	memset(r, 0, sizeof(*r));
	r->body_cb = cb;
	r->body_arg = arg;
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
		if (http_ci_eq(line, nl, "Content-Length")) {
			if (has_cl || ve == v || ve - v > 18)
				return -1;
			for (const char *q = v; q < ve; q++) {
				if (*q < '0' || *q > '9')
					return -1;
				cl = cl * 10 + (uint64_t)(*q - '0');
			}
			has_cl = 1;
		} else if (http_ci_eq(line, nl, "Transfer-Encoding")) {
			size_t vl = (size_t)(ve - v);
			/* chunked must be the final coding */
			chunked = vl >= 7 && strncasecmp(ve - 7, "chunked", 7) == 0 &&
			    (vl == 7 || ve[-8] == ',' || ve[-8] == ' ');
			if (!chunked)
				return -1;
		} else if (http_ci_eq(line, nl, "Connection")) {
			close |= http_has_token(v, (size_t)(ve - v), "close");
			keep |= http_has_token(v, (size_t)(ve - v), "keep-alive");
		} else if (http_ci_eq(line, nl, "Content-Type")) {
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
		if (r->body_cb != NULL && take > 0)
			r->body_cb(r->body_arg, d, take);
		return take;
	case RS_CHUNKED:
		used = chunk_feed(&r->ck, d, n, r->body_cb, r->body_arg, res);
		if (*res == HTTP_FEED_DONE)
			r->st = RS_DONE;
		return used;
	case RS_EOF:
		if (r->body_cb != NULL && n > 0)
			r->body_cb(r->body_arg, d, n);
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
