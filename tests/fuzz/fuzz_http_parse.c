/*
 * fuzz_http_parse.c - the HTTP adapter on hostile bytes: request heads fed
 * whole and split at a fuzzer-chosen point must reach the same result (the
 * split must never change a decision), consumed counts stay in bounds, a
 * chunked body after the head is decoded without over-reading, and the
 * response parser survives the same bytes.
 */
#include <string.h>

#include "fuzzing.h"
#include "http.h"

int
fuzz_init(void)
{
	return 0;
}

void
fuzz_cleanup(void)
{
}

static void
sink(void *arg, const char *d, size_t n)
{
	size_t *total = arg;

	FUZZ_ASSERT(d != NULL || n == 0);
	*total += n;
}

/* Feed data in two pieces; returns the result and the bytes consumed. */
static enum http_feed
feed_split(const uint8_t *data, size_t len, size_t split, size_t *used,
    int *status)
{
	struct http_reqp *r = http_reqp_new(4096);
	enum http_feed res = HTTP_FEED_MORE;
	size_t n;

	FUZZ_ASSERT(r != NULL);
	*used = 0;
	n = http_reqp_feed_head(r, (const char *)data, split, &res);
	FUZZ_ASSERT(n <= split);
	*used += n;
	if (res == HTTP_FEED_MORE && split < len) {
		n = http_reqp_feed_head(r, (const char *)data + split,
		    len - split, &res);
		FUZZ_ASSERT(n <= len - split);
		*used += n;
	}
	*status = res == HTTP_FEED_ERROR ? http_reqp_err_status(r) : 0;
	if (res == HTTP_FEED_HEAD) {
		const struct http_request *q = http_reqp_request(r);
		FUZZ_ASSERT(q->target != NULL && q->target[0] == '/');
		FUZZ_ASSERT(strlen(q->target) == q->target_len);
		FUZZ_ASSERT(!(q->chunked && q->content_length >= 0));
		if (q->chunked) {
			size_t total = 0;
			enum http_feed cres;
			n = http_reqp_feed_chunked(r, (const char *)data + *used,
			    len - *used, sink, &total, &cres);
			FUZZ_ASSERT(n <= len - *used);
			FUZZ_ASSERT(total <= n);
		}
	}
	http_reqp_free(r);
	return res;
}

int
fuzz_main(const uint8_t *data, size_t len)
{
	struct http_respp *rp;
	enum http_feed a, b, res;
	size_t ua, ub, off = 0, split;
	int sa, sb, rounds = 0;

	if (len == 0)
		return 0;
	split = data[0] % len;
	data++, len--;
	if (len == 0)
		return 0;
	if (split > len)
		split = len;
	a = feed_split(data, len, len, &ua, &sa);
	b = feed_split(data, len, split, &ub, &sb);
	FUZZ_ASSERT(a == b);
	if (a == HTTP_FEED_HEAD)
		FUZZ_ASSERT(ua == ub);
	if (a == HTTP_FEED_ERROR)
		FUZZ_ASSERT(sa == sb && sa >= 400 && sa < 600);

	rp = http_respp_new();
	FUZZ_ASSERT(rp != NULL);
	http_respp_reset(rp, data[0] & 1);
	while (off < len && rounds++ < 64) {
		size_t n = http_respp_feed(rp, (const char *)data + off,
		    len - off, &res);
		FUZZ_ASSERT(n <= len - off);
		off += n;
		if (res == HTTP_FEED_ERROR)
			break;
		if (res == HTTP_FEED_DONE)
			http_respp_reset(rp, 0);
		else if (n == 0 && res == HTTP_FEED_MORE)
			break;
	}
	(void)http_respp_eof(rp);
	http_respp_free(rp);
	return 0;
}
