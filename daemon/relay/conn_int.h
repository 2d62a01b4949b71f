/*
 * conn_int.h - private to the conn_*.c files and exchange.c: one client
 * connection and its state machine.  Nothing else sees struct conn; the
 * rest of the daemon gets exchange records (struct exchange) and
 * conn_stats().
 */
#ifndef SW_CONN_INT_H
#define SW_CONN_INT_H

#include <sys/queue.h>
#include <time.h>

#include "daemon.h"

#define CONN_MAGIC	0x53570c0du	/* "SW" conn */

/*
 * Every legal phase of a connection, each with the timer it runs under
 * (conn_set_state() arms it):
 *
 *   IDLE      keep-alive, no byte of the next request yet   idle_timeout
 *   HEAD      reading a request head                        header_timeout
 *   HOLD      holding the body for the policy               body_timeout
 *   FACTS     asking the engine before deciding/forwarding   (the engine
 *             client's own time-out)
 *   UPLOAD    streaming the body upstream, no answer yet    body_timeout
 *   DUPLEX    streaming the body while relaying the answer  body_timeout
 *   WAIT      request sent, response head awaited           response_timeout
 *   RESPONSE  relaying the response                         none
 *   VERIFY    a create's answer held while the stored       (the engine
 *             container is judged                            client's)
 *   TUNNEL    hijacked: raw bytes both ways                 none
 *   H2        hijacked /grpc, HTTP/2 terminated on both      none
 *             sides, each call decided (h2relay.c)
 *   FLUSH     sending our last bytes, then LINGER           header_timeout
 *   LINGER    half-closed, discarding what the client sends SW_LINGER_MS
 *   DEAD      torn down, freed by the reaper                none
 *
 * The body timers measure progress: they are re-armed whenever a body
 * byte arrives or the engine drains what we queued.
 */
enum conn_state {
	CONN_IDLE,
	CONN_HEAD,
	CONN_HOLD,
	CONN_FACTS,
	CONN_UPLOAD,
	CONN_DUPLEX,
	CONN_WAIT,
	CONN_RESPONSE,
	CONN_VERIFY,
	CONN_TUNNEL,
	CONN_H2,
	CONN_FLUSH,
	CONN_LINGER,
	CONN_DEAD,
};

struct conn {
	uint32_t		 c_magic;
	uint64_t		 c_id;
	TAILQ_ENTRY(conn)	 c_entry;	/* the open or the dead list */
	enum conn_state		 c_state;
	struct sock		*c_client;	/* client side, owns the fd */
	struct sock		*c_up;		/* upstream side, NULL when none */
	struct event		*c_timer;	/* the timer of c_state */
	struct http_reqp	*c_reqp;	/* request head parser */
	struct http_respp	*c_respp;	/* response framer */
	size_t			 c_head_seen;	/* response-head bytes framed but
						   not yet relayed */
	struct policy_decision	 c_dec;		/* decision for the request */
	uint64_t		 c_policy_gen;	/* the policy generation that
						   decided it, 0: none yet */
	struct evbuffer		*c_body;	/* body held for the policy */
	size_t			 c_body_limit;	/* bytes c_body may hold */
	enum body_framing	 c_framing;	/* of the client's body */
	uint64_t		 c_body_left;	/* Content-Length bytes to go */
	const struct listener	*c_listener;	/* the socket it came in on */
	struct peer		 c_peer;	/* who is calling */
	struct caller		*c_caller;	/* its connections and held bytes */
	char			 c_tenant[SW_TENANT_MAX]; /* "" until known */
	struct tenant_ask	*c_tenant_ask;	/* asking the engine who */
	struct facts		*c_facts;	/* resolving the request's refs */
	struct verify		*c_verify;	/* judging a stored container */
	struct engine_call	*c_scrub;	/* a shared network, inspected */
	size_t			 c_verify_head;	/* VERIFY: head bytes held */
	size_t			 c_verify_len;	/* VERIFY: all bytes held */
	unsigned		 c_refs_done:1;	/* this request's refs resolved */
	unsigned		 c_facts_done:1; /* ...and its start verified */
	unsigned		 c_quota_done:1; /* ...and its job's quota */
	unsigned		 c_quota_held:1; /* a create counted by the quota
						   until this exchange ends */
	struct quota_check	*c_quota;	/* counting the job's objects */
	struct h2relay		*c_h2;		/* H2: the two HTTP/2 sessions */
	size_t			 c_held;	/* body bytes reserved for c_body */
	unsigned		 c_nreq;	/* requests seen on this conn */
	/* the exchange in progress, for its record */
	struct timespec		 c_t0;		/* first byte of the head */
	uint64_t		 c_bytes_in;	/* client bytes sent upstream */
	uint64_t		 c_bytes_out;	/* bytes relayed to the client */
	int			 c_status;	/* status the client got */
	unsigned		 c_x_open:1;	/* exchange not yet recorded */
	unsigned		 c_keepalive:1;	/* client keeps the connection */
	unsigned		 c_hijack:1;	/* request may hijack */
	/* what the sockets have seen */
	unsigned		 c_client_eof:1;
	unsigned		 c_up_eof:1;
	unsigned		 c_client_shut:1; /* SHUT_WR sent to the client */
	unsigned		 c_up_shut:1;	/* SHUT_WR sent upstream */
};

#define CHECK_CONN(c) do { \
	if ((c)->c_magic != CONN_MAGIC) \
		fatalx("%s: bad conn magic %08x", __func__, (c)->c_magic); \
} while (0)

/* callers.c: per caller (uid + container) accounting */
struct caller;
struct caller *caller_get(const struct peer *);	/* NULL: table full */
void	 caller_put(struct caller *);
unsigned caller_conns(const struct caller *);
int	 caller_hold(struct caller *, size_t);	/* -1: over the budget */
void	 caller_release(struct caller *, size_t);

/* conn_state.c */
struct conn *conn_new(int fd, const struct listener *);
void	 conn_set_state(struct conn *, enum conn_state);
void	 conn_touch(struct conn *);	/* progress: re-arm the state's timer */
void	 conn_close(struct conn *, const char *reason);
void	 conn_error(struct conn *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 conn_close_after_flush(struct conn *);
void	 conn_linger(struct conn *);	/* our answer is out: half-close */
void	 conn_next_request(struct conn *);
void	 conn_free_upstream(struct conn *);
/* The held body is gone (forwarded or dropped): give its budget back. */
void	 conn_body_done(struct conn *);
/* Move Content-Length body bytes from in to dst; returns how many. */
size_t	 conn_body_take(struct conn *, struct evbuffer *in, struct evbuffer *dst);

/* exchange.c: the record of the exchange in progress */
void	 exchange_set_sink(void (*)(const struct exchange *));
void	 exchange_begin(struct conn *);
/* why: sockwarden's own answer when the policy never decided (bad HTTP) */
void	 exchange_end(struct conn *, const char *why);

/* conn_request.c: the client half */
/* Feed head bytes; a complete head is decided.  0: go on, -1: wait. */
int	 request_read_head(struct conn *, struct evbuffer *in);
void	 request_hold_body(struct conn *, struct evbuffer *in);

/* conn_request.c */
void	 request_decide(struct conn *);	/* the head is parsed, the tenant known */

/* conn_facts.c: waiting on the engine */
int	 facts_tenant(struct conn *);	/* 0 known, 1 asking, -1 answered */
void	 facts_go(struct conn *);	/* refs and checks, then forward */
void	 facts_verify_create(struct conn *, size_t head_len, size_t total);

/* conn_relay.c: the upstream half */
void	 relay_forward(struct conn *);
void	 relay_body(struct conn *, struct evbuffer *in);
void	 relay_tunnel_in(struct conn *, struct evbuffer *in);
void	 relay_up_read(struct sock *, void *);
void	 relay_up_write(struct sock *, void *);
void	 relay_up_event(struct sock *, short, void *);
void	 relay_shut_when_drained(struct conn *, int to_up);
void	 relay_tunnel_check_done(struct conn *);
void	 relay_verified(struct conn *);	/* a held create answer went out */

/* h2relay.c: a /grpc tunnel relayed call by call (grpc_relay police) */
void	 h2relay_start(struct conn *);	/* the engine answered 101 */
void	 h2relay_input(struct conn *, int from_up);	/* bytes arrived */
void	 h2relay_pump(struct conn *);	/* a side drained its output */
void	 h2relay_eof(struct conn *, int from_up);
void	 h2relay_free(struct h2relay *);

#endif /* SW_CONN_INT_H */
