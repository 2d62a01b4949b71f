/*
 * test_http_parse.c - the HTTP adapter: every framing rule with the exact
 * status and message a client gets, each valid head also fed minus N bytes
 * ("need more") and byte by byte; the chunked decoder; response boundaries.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "t.h"

#define H "Host: docker\r\n"

struct req_case {
	const char	*in;
	size_t		 len;		/* literal length, NULs included */
	int		 status;	/* 0: head must parse */
	const char	*msg;		/* expected error message */
};

#define C(s, st, m) { s, sizeof(s) - 1, st, m }
static const struct req_case req_cases[] = {
	C("GET /_ping HTTP/1.1\r\n" H "\r\n", 0, NULL ),
	C("POST /v1.41/containers/create HTTP/1.1\r\n" H
	  "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n", 0, NULL ),
	C("PUT /x HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n", 0, NULL ),
	C("GET /x HTTP/1.1\r\nhost: a\r\nX-Empty:\r\n\r\n", 0, NULL ),
	/* framing that two parsers could read differently */
	C("GET /x HTTP/1.1\n" H "\r\n", 400, "bare LF in request head" ),
	C("GET /x HTTP/1.1\r\n" H "X: a\rb\r\n\r\n", 400, "bare CR in request head" ),
	C("GET /x HTTP/1.1\r\n" H "X: a\r\n b\r\n\r\n", 400,
	  "obsolete line folding in request head" ),
	C("GET /x HTTP/1.1\r\n" H "X: a\x01" "b\r\n\r\n", 400,
	  "control character in request head" ),
	C("GET /x HTTP/1.1\r\n" H "X: a\0b\r\n\r\n", 400,
	  "control character in request head" ),
	C("\r\nGET /x HTTP/1.1\r\n" H "\r\n", 400, "empty line before request line" ),
	C("POST /x HTTP/1.1\r\n" H "Content-Length: 1\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 400, NULL ),
	C("POST /x HTTP/1.1\r\n" H "Content-Length: 1\r\nContent-Length: 1\r\n\r\n",
	  400, NULL ),
	C("POST /x HTTP/1.1\r\n" H "Content-Length: +1\r\n\r\n", 400, NULL ),
	C("POST /x HTTP/1.1\r\n" H "Content-Length: 1x\r\n\r\n", 400, NULL ),
	C("POST /x HTTP/1.1\r\n" H "Transfer-Encoding: gzip, chunked\r\n\r\n", 400,
	  NULL ),
	C("POST /x HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 400, "duplicate Transfer-Encoding" ),
	C("GET /x HTTP/1.1\r\n\r\n", 400, "missing Host header" ),
	C("GET /x HTTP/1.1\r\n" H H "\r\n", 400, "duplicate Host header" ),
	C("GET /x HTTP/1.0\r\n" H "\r\n", 400, "only HTTP/1.1 is supported" ),
	C("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, NULL ),
	C("PATCH /x HTTP/1.1\r\n" H "\r\n", 405, "method not supported" ),
	C("GET http://x/containers/json HTTP/1.1\r\n" H "\r\n", 400,
	  "request target must be an absolute path" ),
	C("GET /x#frag HTTP/1.1\r\n" H "\r\n", 400, NULL ),
	C("GET /x HTTP/1.1\r\n" H "Bad Name: v\r\n\r\n", 400, NULL ),
	C("GET /x HTTP/1.1\r\n" H "Expect: something\r\n\r\n", 417,
	  "unsupported Expect" ),
	C("GET /x HTTP/1.1\r\n" H "Upgrade: tcp\r\nUpgrade: h2c\r\n\r\n", 400,
	  "duplicate Upgrade" ),
	C("garbage\r\n\r\n", 400, NULL ),
};

static void
test_request_heads(void)
{
	for (size_t i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		const struct req_case *tc = &req_cases[i];
		size_t len = tc->len;
		struct http_reqp *r;
		enum http_feed res;

		r = http_reqp_new(8192);
		(void)http_reqp_feed_head(r, tc->in, len, &res);
		if (tc->status == 0) {
			if (res != HTTP_FEED_HEAD)
				fprintf(stderr, "case %zu: %s\n", i, http_reqp_err_msg(r));
			CHECK_INT(res, HTTP_FEED_HEAD);
		} else {
			CHECK_INT(res, HTTP_FEED_ERROR);
			CHECK_INT(http_reqp_err_status(r), tc->status);
			if (tc->msg != NULL)
				CHECK_STR(http_reqp_err_msg(r), tc->msg);
		}
		http_reqp_free(r);

		if (tc->status != 0)
			continue;
		/* minus N bytes: never an answer, just "more" */
		for (size_t cut = 1; cut <= 3 && cut < len; cut++) {
			r = http_reqp_new(8192);
			(void)http_reqp_feed_head(r, tc->in, len - cut, &res);
			CHECK_INT(res, HTTP_FEED_MORE);
			http_reqp_free(r);
		}
		/* byte by byte gives the same head */
		r = http_reqp_new(8192);
		res = HTTP_FEED_MORE;
		for (size_t k = 0; k < len && res == HTTP_FEED_MORE; k++)
			(void)http_reqp_feed_head(r, tc->in + k, 1, &res);
		CHECK_INT(res, HTTP_FEED_HEAD);
		http_reqp_free(r);
	}
}

static void
test_request_fields(void)
{
	const char *in = "POST /v1.41/exec/abc/start?x=1 HTTP/1.1\r\n"
	    "Host: docker\r\nContent-Length: 27\r\nConnection: Upgrade\r\n"
	    "Upgrade: tcp\r\nX-Pad:   spaced value  \r\n\r\n"
	    "{\"Detach\":false,\"Tty\":true}GET /next";
	const struct http_request *q;
	struct http_reqp *r = http_reqp_new(8192);
	enum http_feed res;
	size_t used;

	used = http_reqp_feed_head(r, in, strlen(in), &res);
	CHECK_INT(res, HTTP_FEED_HEAD);
	/* exactly the head is consumed: the body stays for the caller */
	CHECK_INT(strncmp(in + used, "{\"Detach\"", 9), 0);
	q = http_reqp_request(r);
	CHECK_STR(q->method, "POST");
	CHECK_STR(q->target, "/v1.41/exec/abc/start?x=1");
	CHECK_INT(q->content_length, 27);
	CHECK_INT(q->chunked, 0);
	CHECK_INT(q->keepalive, 1);
	CHECK(q->upgrade != NULL && q->upgrade_len == 3 &&
	    memcmp(q->upgrade, "tcp", 3) == 0);
	CHECK_INT(q->nhdrs, 5);
	CHECK(q->hdrs[4].value_len == 12 &&
	    memcmp(q->hdrs[4].value, "spaced value", 12) == 0);

	/* reset: ready for the next request, storage released */
	http_reqp_reset(r);
	CHECK_INT(http_reqp_head_bytes(r), 0);
	{
		const char *h2 = "GET /x HTTP/1.1\r\nHost: a\r\n"
		    "Connection: keep-alive, close\r\n\r\n";
		used = http_reqp_feed_head(r, h2, strlen(h2), &res);
		CHECK_INT(used, strlen(h2));
	}
	CHECK_INT(res, HTTP_FEED_HEAD);
	CHECK_INT(http_reqp_request(r)->keepalive, 0);
	http_reqp_free(r);
}

static void
test_header_limit(void)
{
	char big[4096];
	struct http_reqp *r = http_reqp_new(1024);
	enum http_feed res;

	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /x HTTP/1.1\r\nX: ", 20);
	(void)http_reqp_feed_head(r, big, sizeof(big), &res);
	CHECK_INT(res, HTTP_FEED_ERROR);
	CHECK_INT(http_reqp_err_status(r), 413);
	CHECK_STR(http_reqp_err_msg(r), "request headers too large");
	http_reqp_free(r);
}

struct sink {
	char	buf[256];
	size_t	len;
};

static void
sink_cb(void *arg, const char *d, size_t n)
{
	struct sink *s = arg;

	if (s->len + n < sizeof(s->buf)) {
		memcpy(s->buf + s->len, d, n);
		s->len += n;
		s->buf[s->len] = '\0';
	}
}

static int
chunked(const char *body, struct sink *s, size_t step, enum http_feed *res)
{
	struct http_reqp *r = http_reqp_new(8192);
	size_t len = strlen(body), off = 0;

	*res = HTTP_FEED_MORE;
	memset(s, 0, sizeof(*s));
	while (off < len && *res == HTTP_FEED_MORE) {
		size_t n = len - off < step ? len - off : step;
		size_t used = http_reqp_feed_chunked(r, body + off, n, sink_cb, s, res);
		off += used;
		if (used == 0 && *res == HTTP_FEED_MORE)
			break;
	}
	http_reqp_free(r);
	return (int)off;
}

static void
test_chunked(void)
{
	struct sink s;
	enum http_feed res;
	const char *ok = "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\n"
	    "Trailer: x\r\n\r\nNEXT";

	for (size_t step = 1; step <= 64; step *= 4) {
		int used = chunked(ok, &s, step, &res);
		CHECK_INT(res, HTTP_FEED_DONE);
		CHECK_STR(s.buf, "hello world!");
		CHECK_STR(ok + used, "NEXT");
	}
	chunked("5\nhello\r\n0\r\n\r\n", &s, 100, &res);
	CHECK_INT(res, HTTP_FEED_ERROR);		/* bare LF */
	chunked("5\r\nhelloX\r\n0\r\n\r\n", &s, 100, &res);
	CHECK_INT(res, HTTP_FEED_ERROR);		/* data longer than size */
	chunked("1000000000000000\r\n", &s, 100, &res);
	CHECK_INT(res, HTTP_FEED_ERROR);		/* 16 hex digits */
	chunked("zz\r\n", &s, 100, &res);
	CHECK_INT(res, HTTP_FEED_ERROR);
	chunked("5\r\nhel", &s, 100, &res);
	CHECK_INT(res, HTTP_FEED_MORE);		/* truncated: need more */
}

static int
resp(const char *in, int head_req, struct http_response_info *out,
    int *events, size_t *consumed)
{
	struct http_respp *r = http_respp_new();
	size_t len = strlen(in), off = 0;
	enum http_feed res;
	int n = 0, done = 0;

	http_respp_reset(r, head_req);
	while (!done && n < 16) {
		size_t used = http_respp_feed(r, in + off, len - off, &res);
		off += used;
		if (res == HTTP_FEED_HEAD)
			events[n++] = 'H';
		else if (res == HTTP_FEED_DONE) {
			events[n++] = 'D';
			done = 1;
		} else if (res == HTTP_FEED_ERROR) {
			events[n++] = 'E';
			done = 1;
		} else if (used == 0)
			break;
	}
	events[n] = 0;
	*out = *http_respp_info(r);
	*consumed = off;
	http_respp_free(r);
	return n;
}

static void
test_responses(void)
{
	struct http_response_info ri;
	int ev[17];
	size_t used;
	char evs[17];

#define EVSTR() do { for (int i_ = 0; i_ < 17; i_++) evs[i_] = (char)ev[i_]; } while (0)

	resp("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOKHTTP/1.1", 0, &ri, ev, &used);
	EVSTR();
	CHECK_STR(evs, "HD");
	CHECK_INT(used, 40);
	CHECK_INT(ri.keepalive, 1);

	/* HEAD: no body even with a Content-Length */
	resp("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", 1, &ri, ev, &used);
	EVSTR();
	CHECK_STR(evs, "HD");

	/* 101: head whole, message done, the rest is the tunnel's */
	resp("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nraw",
	    0, &ri, ev, &used);
	EVSTR();
	CHECK_STR(evs, "HD");
	CHECK_INT(ri.upgrade, 1);
	CHECK_INT(used, 60);

	/* legacy hijack: 200, docker stream type, no length */
	resp("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nxx",
	    0, &ri, ev, &used);
	CHECK_INT(ev[0], 'H');
	CHECK_INT(ri.docker_stream, 1);
	CHECK_INT(ri.has_length, 0);

	resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nab\r\n0\r\n\r\n", 0, &ri, ev, &used);
	EVSTR();
	CHECK_STR(evs, "HD");
	CHECK_INT(ri.has_length, 1);

	resp("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", 0, &ri, ev, &used);
	EVSTR();
	CHECK_STR(evs, "HD");
	CHECK_INT(ri.keepalive, 0);

	resp("NOT HTTP\r\n\r\n", 0, &ri, ev, &used);
	CHECK_INT(ev[0], 'E');

	/* an interim 100 is skipped; the final response counts */
	resp("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
	    "Content-Length: 0\r\n\r\n", 0, &ri, ev, &used);
	EVSTR();
	CHECK_STR(evs, "HD");
	CHECK_INT(ri.status, 201);

	/* no length, not chunked: the body runs to EOF, no keep-alive */
	resp("HTTP/1.1 200 OK\r\n\r\nabc", 0, &ri, ev, &used);
	EVSTR();
	CHECK_STR(evs, "H");
	CHECK_INT(ri.keepalive, 0);

	/* HTTP/1.0 closes unless asked to keep alive */
	resp("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0, &ri, ev, &used);
	CHECK_INT(ri.keepalive, 0);
	resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
	    0, &ri, ev, &used);
	CHECK_INT(ev[0], 'E');
}

/* The same responses fed one byte at a time give the same boundaries. */
static void
test_responses_split(void)
{
	static const char *const in[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK",
		/* one element: the parentheses tell clang the join is meant */
		("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "2\r\nab\r\n0\r\nX-T: 1\r\n\r\n"),
		"HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\n",
		"HTTP/1.1 204 No Content\r\n\r\n",
	};

	for (size_t t = 0; t < sizeof(in) / sizeof(in[0]); t++) {
		struct http_respp *r = http_respp_new();
		size_t len = strlen(in[t]), off = 0, head_at = 0;
		enum http_feed res = HTTP_FEED_MORE;
		int done = 0, guard = 0;

		while (!done && guard++ < 1000) {
			size_t n = off < len ? 1 : 0;
			size_t used = http_respp_feed(r, in[t] + off, n, &res);
			off += used;
			if (res == HTTP_FEED_HEAD)
				head_at = off;
			else if (res == HTTP_FEED_DONE || res == HTTP_FEED_ERROR)
				done = 1;
			else if (used == 0 && off >= len)
				break;
		}
		CHECK_INT(res, HTTP_FEED_DONE);
		CHECK_INT(off, len);
		CHECK(head_at > 0 && memcmp(in[t] + head_at - 4, "\r\n\r\n", 4) == 0);
		http_respp_free(r);
	}
}

int
main(void)
{
	test_request_heads();
	test_request_fields();
	test_header_limit();
	test_chunked();
	test_responses();
	test_responses_split();
	return t_done();
}
