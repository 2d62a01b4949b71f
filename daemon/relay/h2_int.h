/*
 * h2_int.h - private to h2relay.c, h2_call.c and h2_util.c: a policed
 * /grpc tunnel (grpc_relay police), HTTP/2 terminated on both sides with
 * libnghttp2, and the gRPC calls relayed on it one by one.
 */
#ifndef SW_H2_INT_H
#define SW_H2_INT_H

#include <sys/queue.h>

#include <nghttp2/nghttp2.h>

#include "conn_int.h"

/* Windows sockwarden advertises: what a peer may send ahead of what the
 * other side took, per call and per connection. */
#define H2_STREAM_WINDOW	(256 * 1024)
#define H2_CONN_WINDOW		(1024 * 1024)
#define H2_MAX_STREAMS		100
#define H2_MAX_HEADER_BYTES	(64 * 1024)	/* one call's header list */
#define H2_MAX_HEADERS		64

/* gRPC status codes sockwarden answers with */
#define GRPC_PERMISSION_DENIED	7
#define GRPC_RESOURCE_EXHAUSTED	8

struct h2hdrs {
	nghttp2_nv	*nv;		/* names and values owned */
	size_t		 n, cap;
	size_t		 bytes;
};

struct h2call {
	TAILQ_ENTRY(h2call)	 entry;
	struct h2relay		*r;
	int32_t			 cid;		/* the client's stream */
	int32_t			 eid;		/* the engine's, 0: none yet */
	struct h2hdrs		 req;		/* the client's request headers */
	struct h2hdrs		 resp;		/* the engine's, collected */
	struct h2hdrs		 trl;		/* the engine's trailers */
	const char		*path;		/* :path in req, NULL: none */
	size_t			 plen;
	struct evbuffer		*in;		/* client bytes not yet upstream */
	size_t			 credit;	/* of in: already consumed */
	size_t			 ok;		/* of in: decided, may go up */
	size_t			 limit;		/* one held message, at most */
	size_t			 reserved;	/* counted in the caller budget */
	struct evbuffer		*out;		/* engine bytes not yet down */
	char			 deny[512];	/* grpc-message of a denial */
	int			 deny_code;	/* its grpc-status */
	unsigned		 open:1;	/* every client byte may go up */
	unsigned		 each:1;	/* decide every client message */
	unsigned		 denied:1;
	unsigned		 deny_trailer:1; /* denial due as trailers */
	unsigned		 cl_end:1;	/* client sent END_STREAM */
	unsigned		 en_end:1;	/* engine sent END_STREAM */
	unsigned		 cl_closed:1;	/* client stream closed */
	unsigned		 en_closed:1;	/* engine stream closed */
	unsigned		 resp_started:1; /* response HEADERS submitted */
};

struct h2relay {
	struct conn		*c;
	nghttp2_session		*down;		/* server, facing the client */
	nghttp2_session		*up;		/* client, facing the engine */
	TAILQ_HEAD(, h2call)	 calls;
	unsigned		 ncalls;	/* seen, for the log */
};

/* h2_call.c: one call */
struct h2call *h2call_new(struct h2relay *, int32_t cid);
void	 h2call_free(struct h2call *);
void	 h2call_maybe_free(struct h2call *);	/* both streams closed */
int	 h2call_header(struct h2call *, struct h2hdrs *, const uint8_t *name,
	    size_t nlen, const uint8_t *value, size_t vlen);
void	 h2call_head_done(struct h2call *);	/* decide on the headers */
void	 h2call_client_data(struct h2call *, const uint8_t *, size_t);
void	 h2call_client_end(struct h2call *);
void	 h2call_client_closed(struct h2call *, uint32_t error_code);
void	 h2call_engine_headers(struct h2call *, int end_stream);
void	 h2call_engine_data(struct h2call *, const uint8_t *, size_t);
void	 h2call_engine_end(struct h2call *);
void	 h2call_engine_closed(struct h2call *, uint32_t error_code);

/* h2_util.c: pure helpers (unit-tested) */
/* gRPC's percent-encoding of grpc-message into out (NUL-terminated);
 * returns the length written. */
size_t	 h2_grpc_pct(const char *msg, char *out, size_t outlen);
/* 1: a header that must not be relayed to the other connection */
int	 h2_hop_header(const uint8_t *name, size_t len);
/* The 5-byte gRPC prefix: total message bytes, prefix included. */
uint64_t h2_grpc_frame_len(const uint8_t prefix[5]);
int	 h2hdrs_add(struct h2hdrs *, const uint8_t *name, size_t nlen,
	    const uint8_t *value, size_t vlen);
void	 h2hdrs_free(struct h2hdrs *);

#endif /* SW_H2_INT_H */
