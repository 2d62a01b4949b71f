/*
 * http_chunked.c - what requests and responses share: the strict chunked
 * decoder (CRLF line ends only, at most 15 hex digits, extensions and
 * trailers skipped within CHUNK_MAX_LINE) and two header-token helpers.
 * The daemon re-chunks what it forwards, so extensions and trailers never
 * reach the engine.  No I/O, no http-parser.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "http_int.h"

void
chunk_reset(struct chunk_dec *k)
{
	memset(k, 0, sizeof(*k));
	k->ck = CK_SIZE;
}

int
http_ci_eq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

/* Does a comma-separated header value contain token tok? */
int
http_has_token(const char *v, size_t n, const char *tok)
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

/* cb may be NULL: the data is only skipped (response framing). */
size_t
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

