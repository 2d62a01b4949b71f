/*
 * http.h - HTTP/1.1 request and response parsing as sockwarden needs it.
 *
 * daemon/http_parse.c is the only file that includes http_parser.h; this
 * header exposes plain structs so a move to llhttp stays a one-file change.
 * The request parser is strict (stricter than Go's net/http, never looser):
 * anything two HTTP parsers could read differently is an error with a
 * status code.  The response parser only finds message boundaries and the
 * facts the relay needs; response bytes are forwarded unchanged.
 */
#ifndef SW_HTTP_H
#define SW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

enum http_feed {
	HTTP_FEED_MORE = 0,	/* everything consumed, need more bytes */
	HTTP_FEED_HEAD,		/* request/response head complete */
	HTTP_FEED_DONE,		/* message complete */
	HTTP_FEED_ERROR,	/* see err_status / err_msg */
};

struct http_request {
	char		 method[16];
	char		*target;	/* NUL-terminated, in buf */
	size_t		 target_len;
	struct policy_header *hdrs;	/* name/value point into buf */
	size_t		 nhdrs;
	int64_t		 content_length; /* -1: none */
	int		 chunked;
	int		 keepalive;	/* client wants the connection kept */
	int		 expect_continue;
	const char	*upgrade;	/* Upgrade header value or NULL */
	size_t		 upgrade_len;
};

struct http_reqp;	/* request parser, opaque */
struct http_respp;	/* response parser, opaque */

typedef void (*http_body_cb)(void *arg, const char *data, size_t len);

struct http_reqp *http_reqp_new(size_t max_header_bytes);
void	 http_reqp_free(struct http_reqp *);
/* Forget the current message; ready for the next request. */
void	 http_reqp_reset(struct http_reqp *);
/* Free the parsed head's storage once it has been forwarded (the method
 * and body framing stay; target and headers become NULL). */
void	 http_reqp_release_head(struct http_reqp *);
/* Bytes of the current head seen so far (0: nothing of a request yet). */
size_t	 http_reqp_head_bytes(const struct http_reqp *);
/*
 * Feed request-head bytes.  Consumes at most up to the end of the head and
 * returns the count consumed; *res says what happened.  After HEAD the
 * parsed request is http_reqp_request() until the next reset.
 */
size_t	 http_reqp_feed_head(struct http_reqp *, const char *, size_t,
	    enum http_feed *res);
/*
 * Feed chunked-body bytes (only when the request is chunked): decoded data
 * goes to cb; stops after the terminating chunk with DONE.
 */
size_t	 http_reqp_feed_chunked(struct http_reqp *, const char *, size_t,
	    http_body_cb cb, void *arg, enum http_feed *res);
const struct http_request *http_reqp_request(const struct http_reqp *);
int	 http_reqp_err_status(const struct http_reqp *);
const char *http_reqp_err_msg(const struct http_reqp *);

struct http_response_info {
	int	 status;
	int	 head_done;
	int	 keepalive;		/* upstream keeps the connection */
	int	 upgrade;		/* 101 Switching Protocols */
	int	 has_length;		/* Content-Length or chunked framing */
	int	 docker_stream;		/* Content-Type is a docker raw or
					   multiplexed stream */
};

struct http_respp *http_respp_new(void);
void	 http_respp_free(struct http_respp *);
/* Start a response to a request with this method (HEAD has no body). */
void	 http_respp_reset(struct http_respp *, int head_request);
/* Returns bytes consumed; stops after the head (HEAD) and after the end of
 * the message (DONE) so the caller can act on each. */
size_t	 http_respp_feed(struct http_respp *, const char *, size_t,
	    enum http_feed *res);
/* Hand the decoded body (framing removed) to cb as it is fed; the relay
 * does not (it forwards the bytes as they are), the engine client does. */
void	 http_respp_set_body_cb(struct http_respp *, http_body_cb, void *);
/* The upstream closed: returns DONE if that ends the message cleanly. */
enum http_feed http_respp_eof(struct http_respp *);
const struct http_response_info *http_respp_info(const struct http_respp *);

#endif /* SW_HTTP_H */
