/*
 * engine.c - the daemon's own client of the engine, on the same event
 * loop: the look-ups the tenancy code needs (inspect a container, volume,
 * network or exec; create an owned volume; remove a container the policy
 * refuses).  A bounded pool of keep-alive connections to the upstream
 * (opened on demand, reused first), a bounded queue behind it, one
 * time-out per call covering queue, connect and answer, and answers
 * framed by the relay's response framer (include/http.h) and parsed with
 * cJSON (the engine's own output is trusted).  No answer is status 0 with
 * the reason: the callers fail closed.
 *
 * A callback runs exactly once, from the loop, never inside engine_call()
 * and never after engine_cancel().  A call cancelled in flight keeps its
 * connection: the answer is read and dropped, so the connection goes back
 * to the pool in a known state.  It relays nothing for clients
 * (relay/conn_relay.c does) and keeps no state about objects (cache.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <cjson/cJSON.h>
#include <event2/buffer.h>

#include "daemon.h"
#include "engine_int.h"

enum call_state {
	CALL_QUEUED,		/* in eng.queue */
	CALL_SENT,		/* on e_conn, answer awaited */
	CALL_FAILED,		/* in eng.failed, answered from the loop */
	CALL_ANSWERING,		/* its callback is running */
};

struct engine_conn;

struct engine_call {
	TAILQ_ENTRY(engine_call) e_entry;	/* queue or failed list */
	char			*e_req;		/* the request, serialized */
	size_t			 e_req_len;
	engine_cb		 e_cb;		/* NULL: cancelled in flight */
	void			*e_arg;
	struct engine_conn	*e_conn;	/* CALL_SENT */
	struct event		*e_timer;	/* the whole call's time-out */
	enum call_state		 e_state;
	unsigned		 e_head:1;	/* HEAD: no body follows */
	unsigned		 e_retry:1;	/* may go again once (GET/HEAD) */
	char			 e_err[128];	/* CALL_FAILED: why */
};

struct engine_conn {
	struct sock		*ec_sock;	/* NULL: slot not connected */
	struct http_respp	*ec_respp;
	struct engine_call	*ec_call;	/* in flight, or NULL: idle */
	struct evbuffer		*ec_body;	/* the answer's body, decoded */
	unsigned		 ec_used;	/* answers read on this socket */
	unsigned		 ec_seen:1;	/* bytes of this answer came */
	unsigned		 ec_big:1;	/* body over the limit */
	unsigned		 ec_eof:1;
};

static struct {
	struct event_base	*base;
	const struct upstream_addr *up;	/* main's: privdrop re-pins it */
	unsigned		 timeout_ms;
	unsigned		 npool;
	struct engine_conn	*pool;
	TAILQ_HEAD(, engine_call) queue;	/* waiting for a connection */
	TAILQ_HEAD(, engine_call) failed;	/* answered on the next pass */
	unsigned		 nqueue;
	struct event		*kick;
} eng;

static void engine_pump(void);

struct event_base *
engine_base(void)
{
	return eng.base;
}

struct sock *
engine_connect(int *err)
{
	return upstream_connect(eng.base, eng.up, eng.timeout_ms, err);
}

static void
engine_call_free(struct engine_call *call)
{
	event_free(call->e_timer);
	free(call->e_req);
	free(call);
}

/* Hand rep to the owner (if it still wants it), then free the call. */
static void
engine_deliver(struct engine_call *call, const struct engine_reply *rep)
{
	if (call->e_cb != NULL) {
		call->e_state = CALL_ANSWERING;
		call->e_cb(call->e_arg, rep);
	}
	engine_call_free(call);
}

static void
engine_kick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine_call *call;

	while ((call = TAILQ_FIRST(&eng.failed)) != NULL) {
		struct engine_reply rep = { 0, call->e_err, NULL, NULL, 0 };
		TAILQ_REMOVE(&eng.failed, call, e_entry);
		engine_deliver(call, &rep);
	}
	engine_pump();
}

/* A call that cannot go on, where its callback may not run yet (inside
 * engine_call()): answered with status 0 on the next loop pass. */
static void
engine_fail_later(struct engine_call *call, const char *why)
{
	snprintf(call->e_err, sizeof(call->e_err), "%s", why);
	evtimer_del(call->e_timer);
	call->e_state = CALL_FAILED;
	TAILQ_INSERT_TAIL(&eng.failed, call, e_entry);
	event_active(eng.kick, 0, 0);
}

static void
engine_conn_close(struct engine_conn *ec)
{
	sock_free(ec->ec_sock);
	ec->ec_sock = NULL;
	ec->ec_used = 0;
	ec->ec_eof = 0;
	evbuffer_drain(ec->ec_body, evbuffer_get_length(ec->ec_body));
}

/* The call in flight on ec ends (status 0: without an answer, and the
 * connection goes); then the queue moves on. */
static void
engine_answer(struct engine_conn *ec, int status, const char *err)
{
	struct engine_call *call = ec->ec_call;
	struct engine_reply rep = { status, err, NULL, NULL, 0 };
	size_t len = evbuffer_get_length(ec->ec_body);
	char *body = NULL;
	int keep;

	ec->ec_call = NULL;
	call->e_conn = NULL;
	evtimer_del(call->e_timer);
	/* bytes after the answer were never asked for: do not read them
	 * as the next call's answer */
	keep = status != 0 && !ec->ec_eof &&
	    http_respp_info(ec->ec_respp)->keepalive &&
	    evbuffer_get_length(sock_input(ec->ec_sock)) == 0;
	if (status != 0 && call->e_cb != NULL &&
	    (body = malloc(len + 1)) != NULL) {
		evbuffer_remove(ec->ec_body, body, len);
		body[len] = '\0';
		rep.body = body;
		rep.body_len = len;
		rep.json = cJSON_ParseWithLength(body, len);
		if (status >= 300)
			rep.err = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(rep.json,
			    "message"));
	} else if (status != 0 && call->e_cb != NULL) {
		rep.status = 0;
		rep.err = "out of memory";
	}
	evbuffer_drain(ec->ec_body, evbuffer_get_length(ec->ec_body));
	if (keep)
		ec->ec_used++;
	else
		engine_conn_close(ec);
	engine_deliver(call, &rep);
	cJSON_Delete(rep.json);
	free(body);
	engine_pump();
}

/* The connection failed under a call: a kept-alive socket the engine had
 * closed before any answer gets one more try of a call that reads only;
 * anything else is answered with why. */
static void
engine_lost(struct engine_conn *ec, const char *why)
{
	struct engine_call *call = ec->ec_call;

	if (!ec->ec_seen && ec->ec_used > 0 && call->e_retry) {
		log_debug("engine: a kept-alive connection failed (%s); "
		    "trying again", why);
		ec->ec_call = NULL;
		call->e_conn = NULL;
		call->e_retry = 0;
		call->e_state = CALL_QUEUED;
		engine_conn_close(ec);
		TAILQ_INSERT_HEAD(&eng.queue, call, e_entry);
		eng.nqueue++;
		engine_pump();
		return;
	}
	engine_answer(ec, 0, why);
}

static void
engine_body(void *arg, const char *data, size_t len)
{
	struct engine_conn *ec = arg;

	if (evbuffer_get_length(ec->ec_body) + len > SW_ENGINE_ANSWER_MAX)
		ec->ec_big = 1;
	else if (!ec->ec_big)
		evbuffer_add(ec->ec_body, data, len);
}

static void
engine_read(struct sock *s, void *arg)
{
	struct engine_conn *ec = arg;
	struct evbuffer *in = sock_input(s);
	struct evbuffer_iovec iv;
	enum http_feed res;
	size_t n;

	if (ec->ec_call == NULL) {	/* bytes nobody asked for */
		engine_conn_close(ec);
		return;
	}
	if (evbuffer_get_length(in) > 0)
		ec->ec_seen = 1;
	for (;;) {
		iv.iov_base = NULL;
		iv.iov_len = 0;
		(void)evbuffer_peek(in, -1, NULL, &iv, 1);
		n = http_respp_feed(ec->ec_respp, iv.iov_base, iv.iov_len, &res);
		evbuffer_drain(in, n);
		if (res == HTTP_FEED_ERROR) {
			engine_answer(ec, 0, "the engine's answer is malformed");
			return;
		}
		if (ec->ec_big) {
			engine_answer(ec, 0, "the engine's answer is too large");
			return;
		}
		if (res == HTTP_FEED_DONE) {
			engine_answer(ec, http_respp_info(ec->ec_respp)->status,
			    NULL);
			return;
		}
		if (n == 0 && res == HTTP_FEED_MORE)
			return;
	}
}

static void
engine_write(struct sock *s, void *arg)
{
}

static void
engine_event(struct sock *s, short what, void *arg)
{
	struct engine_conn *ec = arg;
	char why[96];

	if (ec->ec_call == NULL) {	/* an idle socket the engine closed */
		engine_conn_close(ec);
		return;
	}
	if (what & SOCK_EOF) {
		ec->ec_eof = 1;
		/* an answer without a length ends at EOF */
		if (http_respp_info(ec->ec_respp)->head_done &&
		    http_respp_eof(ec->ec_respp) == HTTP_FEED_DONE)
			engine_answer(ec, http_respp_info(ec->ec_respp)->status,
			    NULL);
		else
			engine_lost(ec, "the engine closed the connection");
		return;
	}
	if (what & SOCK_TIMEOUT) {
		engine_lost(ec, "connecting to the engine timed out");
		return;
	}
	snprintf(why, sizeof(why), "the engine: %s",
	    strerror(errno ? errno : ECONNRESET));
	engine_lost(ec, why);
}

static void
engine_expired(evutil_socket_t fd, short ev, void *arg)
{
	struct engine_call *call = arg;
	struct engine_reply rep = { 0, "the engine did not answer in time",
	    NULL, NULL, 0 };

	if (call->e_state == CALL_SENT) {
		engine_answer(call->e_conn, 0, rep.err);
	} else if (call->e_state == CALL_QUEUED) {
		TAILQ_REMOVE(&eng.queue, call, e_entry);
		eng.nqueue--;
		engine_deliver(call, &rep);
	}
}

/* Put call on ec, connecting it first if need be. */
static void
engine_send(struct engine_conn *ec, struct engine_call *call)
{
	char why[96];
	int err = 0;

	if (ec->ec_sock == NULL) {
		if ((ec->ec_sock = engine_connect(&err)) == NULL) {
			snprintf(why, sizeof(why), "cannot reach the engine: "
			    "%s", strerror(err));
			engine_fail_later(call, why);
			return;
		}
		sock_setcb(ec->ec_sock, engine_read, engine_write,
		    engine_event, ec);
		sock_read(ec->ec_sock, 1);
	}
	if (evbuffer_add(sock_output(ec->ec_sock), call->e_req,
	    call->e_req_len) != 0) {
		engine_conn_close(ec);
		engine_fail_later(call, "out of memory");
		return;
	}
	ec->ec_call = call;
	ec->ec_seen = 0;
	ec->ec_big = 0;
	call->e_conn = ec;
	call->e_state = CALL_SENT;
	http_respp_reset(ec->ec_respp, call->e_head);
}

/* Queued calls onto idle connections: connected ones first, so the pool
 * grows only when every open connection is busy. */
static void
engine_pump(void)
{
	struct engine_call *call;

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < eng.npool; i++) {
			struct engine_conn *ec = &eng.pool[i];
			if (ec->ec_call != NULL ||
			    (pass == 0 && ec->ec_sock == NULL))
				continue;
			if ((call = TAILQ_FIRST(&eng.queue)) == NULL)
				return;
			TAILQ_REMOVE(&eng.queue, call, e_entry);
			eng.nqueue--;
			engine_send(ec, call);
		}
	}
}

/* A method token and an origin-form target, nothing a request line
 * could be split on. */
static int
engine_valid(const char *method, const char *target)
{
	if (method[0] == '\0' || strlen(method) > 16 || target[0] != '/')
		return 0;
	for (const char *p = method; *p != '\0'; p++)
		if (*p < 'A' || *p > 'Z')
			return 0;
	for (const unsigned char *p = (const unsigned char *)target;
	    *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return 0;
	return 1;
}

struct engine_call *
engine_call(const char *method, const char *target, const void *body,
    size_t len, engine_cb cb, void *arg)
{
	struct timeval tv = { eng.timeout_ms / 1000,
	    (eng.timeout_ms % 1000) * 1000 };
	struct engine_call *call;
	char head[64];
	int n, plain;

	if (eng.base == NULL || cb == NULL || method == NULL ||
	    target == NULL || !engine_valid(method, target) ||
	    (call = calloc(1, sizeof(*call))) == NULL)
		return NULL;
	plain = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	/* a body goes with its length; so does any POST, even empty */
	head[0] = '\0';
	if (body != NULL || !plain)
		snprintf(head, sizeof(head), "%sContent-Length: %zu\r\n",
		    body != NULL ? "Content-Type: application/json\r\n" : "",
		    body != NULL ? len : 0);
	n = snprintf(NULL, 0, "%s %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: "
	    "sockwarden\r\n%s\r\n", method, target, head);
	if (n < 0 || (call->e_req = malloc((size_t)n + 1 + (body ? len : 0))) ==
	    NULL || (call->e_timer = evtimer_new(eng.base, engine_expired,
	    call)) == NULL) {
		free(call->e_req);
		free(call);
		return NULL;
	}
	snprintf(call->e_req, (size_t)n + 1, "%s %s HTTP/1.1\r\nHost: docker"
	    "\r\nUser-Agent: sockwarden\r\n%s\r\n", method, target, head);
	if (body != NULL)
		memcpy(call->e_req + n, body, len);
	call->e_req_len = (size_t)n + (body ? len : 0);
	call->e_cb = cb;
	call->e_arg = arg;
	call->e_head = strcmp(method, "HEAD") == 0;
	call->e_retry = plain;
	evtimer_add(call->e_timer, &tv);
	if (eng.nqueue >= SW_ENGINE_QUEUE) {
		engine_fail_later(call, "engine client busy");
		return call;
	}
	call->e_state = CALL_QUEUED;
	TAILQ_INSERT_TAIL(&eng.queue, call, e_entry);
	eng.nqueue++;
	engine_pump();
	return call;
}

void
engine_cancel(struct engine_call *call)
{
	if (call == NULL)
		return;
	switch (call->e_state) {
	case CALL_QUEUED:
		TAILQ_REMOVE(&eng.queue, call, e_entry);
		eng.nqueue--;
		engine_call_free(call);
		break;
	case CALL_FAILED:
		TAILQ_REMOVE(&eng.failed, call, e_entry);
		engine_call_free(call);
		break;
	case CALL_SENT:
		/* the answer is read and dropped (its time-out still
		 * bounds that), and the connection stays in the pool */
		call->e_cb = NULL;
		call->e_arg = NULL;
		break;
	case CALL_ANSWERING:	/* from its own callback: freed after it */
		break;
	}
}

int
engine_init(struct event_base *base, const struct upstream_addr *up,
    unsigned pool_max, unsigned timeout_ms)
{
	eng.base = base;
	eng.up = up;
	eng.timeout_ms = timeout_ms ? timeout_ms : SW_DEFAULT_CONNECT_TIMEOUT_MS;
	eng.npool = pool_max ? pool_max : SW_ENGINE_POOL;
	TAILQ_INIT(&eng.queue);
	TAILQ_INIT(&eng.failed);
	eng.nqueue = 0;
	if ((eng.kick = event_new(base, -1, 0, engine_kick_cb, NULL)) == NULL ||
	    (eng.pool = calloc(eng.npool, sizeof(*eng.pool))) == NULL)
		goto fail;
	for (unsigned i = 0; i < eng.npool; i++) {
		struct engine_conn *ec = &eng.pool[i];
		if ((ec->ec_respp = http_respp_new()) == NULL ||
		    (ec->ec_body = evbuffer_new()) == NULL)
			goto fail;
		http_respp_set_body_cb(ec->ec_respp, engine_body, ec);
	}
	return 0;
fail:
	engine_shutdown();
	return -1;
}

void
engine_shutdown(void)
{
	struct engine_call *call;

	if (eng.base == NULL)
		return;
	engine_cache_shutdown();	/* they cancel their calls */
	engine_watch_stop();
	for (unsigned i = 0; eng.pool != NULL && i < eng.npool; i++) {
		struct engine_conn *ec = &eng.pool[i];
		if (ec->ec_call != NULL)
			engine_call_free(ec->ec_call);
		sock_free(ec->ec_sock);
		if (ec->ec_body != NULL)
			evbuffer_free(ec->ec_body);
		http_respp_free(ec->ec_respp);
	}
	free(eng.pool);
	while ((call = TAILQ_FIRST(&eng.queue)) != NULL) {
		TAILQ_REMOVE(&eng.queue, call, e_entry);
		engine_call_free(call);
	}
	while ((call = TAILQ_FIRST(&eng.failed)) != NULL) {
		TAILQ_REMOVE(&eng.failed, call, e_entry);
		engine_call_free(call);
	}
	if (eng.kick != NULL)
		event_free(eng.kick);
	memset(&eng, 0, sizeof(eng));
}
