/*
 * engine.c - the daemon's own client of the engine, on the same event
 * loop: look-ups the tenancy code needs (inspect a container, volume,
 * network or exec; create an owned volume; remove a container the policy
 * refuses).  A bounded pool of keep-alive connections to the upstream,
 * a bounded queue behind it, a time-out per call, and answers parsed with
 * cJSON (the engine's own output is trusted).  A call's callback runs
 * exactly once, always from the loop (never inside engine_call()), and
 * never after engine_cancel().  No answer (engine down, time-out, garbage)
 * is status 0 with the reason: the callers fail closed.  It relays nothing
 * for clients; conn_relay.c does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <cjson/cJSON.h>
#include <event2/buffer.h>

#include "daemon.h"

#define ENGINE_POOL		4		/* connections to the engine */
#define ENGINE_QUEUE		512		/* calls waiting for one */
#define ENGINE_ANSWER_MAX	(4 * 1024 * 1024)

struct engine_conn;

struct engine_call {
	TAILQ_ENTRY(engine_call) e_entry;	/* queued, or done */
	struct evbuffer		*e_req;		/* the request, serialized */
	engine_cb		 e_cb;
	void			*e_arg;
	struct engine_conn	*e_conn;	/* when in flight */
	int			 e_status;	/* done: the result */
	char			 e_err[128];
};

struct engine_conn {
	struct sock		*ec_sock;	/* NULL: slot free */
	struct http_respp	*ec_respp;
	struct engine_call	*ec_call;	/* in flight, or NULL: idle */
	struct evbuffer		*ec_body;	/* the answer's body, decoded */
	struct event		*ec_timer;
	int			 ec_eof;
};

static struct {
	struct event_base	*base;
	const struct upstream_addr *up;
	unsigned		 timeout_ms;
	struct engine_conn	 pool[ENGINE_POOL];
	TAILQ_HEAD(, engine_call) queue;	/* waiting for a connection */
	TAILQ_HEAD(, engine_call) done;		/* failed before sending */
	unsigned		 nqueue;
	struct event		*kick;		/* pump from the loop */
} eng;

static void engine_pump(void);

static void
engine_kick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine_call *call;

	/* calls that failed before reaching a connection: answer now */
	while ((call = TAILQ_FIRST(&eng.done)) != NULL) {
		struct engine_reply rep = { 0, call->e_err, NULL, NULL, 0 };
		TAILQ_REMOVE(&eng.done, call, e_entry);
		call->e_cb(call->e_arg, &rep);
		evbuffer_free(call->e_req);
		free(call);
	}
	engine_pump();
}

static void
engine_kick(void)
{
	if (eng.kick != NULL)
		event_active(eng.kick, 0, 0);
}

/* A call that cannot go on: answered (status 0) from the loop. */
static void
engine_fail_later(struct engine_call *call, const char *why)
{
	snprintf(call->e_err, sizeof(call->e_err), "%s", why);
	TAILQ_INSERT_TAIL(&eng.done, call, e_entry);
	engine_kick();
}

static void
engine_conn_close(struct engine_conn *ec)
{
	if (ec->ec_sock != NULL)
		sock_free(ec->ec_sock);
	ec->ec_sock = NULL;
	ec->ec_eof = 0;
	if (ec->ec_timer != NULL)
		evtimer_del(ec->ec_timer);
}

/* The call in flight on ec ends: its callback, then the next call. */
static void
engine_finish(struct engine_conn *ec, int status, const char *err)
{
	struct engine_call *call = ec->ec_call;
	struct engine_reply rep;
	size_t len = evbuffer_get_length(ec->ec_body);
	char *body = NULL;

	ec->ec_call = NULL;
	evtimer_del(ec->ec_timer);
	memset(&rep, 0, sizeof(rep));
	rep.status = status;
	rep.err = err;
	if (status != 0 && (body = malloc(len + 1)) != NULL) {
		evbuffer_remove(ec->ec_body, body, len);
		body[len] = '\0';
		rep.body = body;
		rep.body_len = len;
		rep.json = cJSON_ParseWithLength(body, len);
	}
	evbuffer_drain(ec->ec_body, evbuffer_get_length(ec->ec_body));
	if (status == 0 || !http_respp_info(ec->ec_respp)->keepalive ||
	    ec->ec_eof)
		engine_conn_close(ec);
	if (call != NULL) {
		call->e_cb(call->e_arg, &rep);
		evbuffer_free(call->e_req);
		free(call);
	}
	cJSON_Delete(rep.json);
	free(body);
	engine_kick();
}

static void
engine_body(void *arg, const char *data, size_t len)
{
	evbuffer_add(arg, data, len);
}

static void
engine_read(struct sock *s, void *arg)
{
	struct engine_conn *ec = arg;
	struct evbuffer *in = sock_input(s);
	struct evbuffer_iovec iv;
	enum http_feed res = HTTP_FEED_MORE;
	size_t n;

	if (ec->ec_call == NULL) {	/* bytes nobody asked for */
		engine_conn_close(ec);
		return;
	}
	for (;;) {
		iv.iov_base = NULL;
		iv.iov_len = 0;
		(void)evbuffer_peek(in, -1, NULL, &iv, 1);
		n = http_respp_feed(ec->ec_respp, iv.iov_base, iv.iov_len, &res);
		evbuffer_drain(in, n);
		if (res == HTTP_FEED_ERROR) {
			engine_finish(ec, 0, "the engine's answer is malformed");
			return;
		}
		if (evbuffer_get_length(ec->ec_body) > ENGINE_ANSWER_MAX) {
			engine_finish(ec, 0, "the engine's answer is too large");
			return;
		}
		if (res == HTTP_FEED_DONE) {
			engine_finish(ec, http_respp_info(ec->ec_respp)->status,
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
	(void)s;
	(void)arg;
}

static void
engine_event(struct sock *s, short what, void *arg)
{
	struct engine_conn *ec = arg;

	if (what & SOCK_EOF) {
		ec->ec_eof = 1;
		if (ec->ec_call != NULL) {
			engine_read(s, arg);	/* an EOF-delimited end? */
			if (ec->ec_call != NULL &&
			    http_respp_eof(ec->ec_respp) == HTTP_FEED_DONE)
				engine_finish(ec, http_respp_info(
				    ec->ec_respp)->status, NULL);
			else if (ec->ec_call != NULL)
				engine_finish(ec, 0, "the engine closed the "
				    "connection");
			return;
		}
	}
	if (ec->ec_call != NULL)
		engine_finish(ec, 0, (what & SOCK_TIMEOUT) ? "connecting to "
		    "the engine timed out" : strerror(errno ? errno :
		    ECONNRESET));
	else
		engine_conn_close(ec);
}

static void
engine_timeout(evutil_socket_t fd, short ev, void *arg)
{
	engine_finish(arg, 0, "the engine did not answer in time");
}

/* Put call on ec (connecting it first if need be).  0 or -1 (failed). */
static int
engine_send(struct engine_conn *ec, struct engine_call *call)
{
	struct timeval tv = { eng.timeout_ms / 1000,
	    (eng.timeout_ms % 1000) * 1000 };
	int err = 0;

	if (ec->ec_sock == NULL) {
		if ((ec->ec_sock = upstream_connect(eng.base, eng.up,
		    eng.timeout_ms, &err)) == NULL) {
			engine_fail_later(call, strerror(err));
			return -1;
		}
		sock_setcb(ec->ec_sock, engine_read, engine_write, engine_event,
		    ec);
		sock_read(ec->ec_sock, 1);
	}
	ec->ec_call = call;
	call->e_conn = ec;
	http_respp_reset(ec->ec_respp, 0);
	evbuffer_add_buffer(sock_output(ec->ec_sock), call->e_req);
	evtimer_add(ec->ec_timer, &tv);
	return 0;
}

static void
engine_pump(void)
{
	struct engine_call *call;

	for (size_t i = 0; i < ENGINE_POOL; i++) {
		struct engine_conn *ec = &eng.pool[i];
		if (ec->ec_call != NULL)
			continue;
		if ((call = TAILQ_FIRST(&eng.queue)) == NULL)
			return;
		TAILQ_REMOVE(&eng.queue, call, e_entry);
		eng.nqueue--;
		(void)engine_send(ec, call);
	}
}

struct engine_call *
engine_call(const char *method, const char *target, const void *body,
    size_t len, engine_cb cb, void *arg)
{
	struct engine_call *call;

	if (eng.base == NULL || eng.nqueue >= ENGINE_QUEUE ||
	    (call = calloc(1, sizeof(*call))) == NULL)
		return NULL;
	if ((call->e_req = evbuffer_new()) == NULL) {
		free(call);
		return NULL;
	}
	evbuffer_add_printf(call->e_req, "%s %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockwarden\r\n", method, target);
	if (body != NULL)
		evbuffer_add_printf(call->e_req, "Content-Type: "
		    "application/json\r\nContent-Length: %zu\r\n", len);
	evbuffer_add(call->e_req, "\r\n", 2);
	if (body != NULL)
		evbuffer_add(call->e_req, body, len);
	call->e_cb = cb;
	call->e_arg = arg;
	TAILQ_INSERT_TAIL(&eng.queue, call, e_entry);
	eng.nqueue++;
	engine_kick();
	return call;
}

void
engine_cancel(struct engine_call *call)
{
	struct engine_call *q;

	if (call == NULL)
		return;
	if (call->e_conn != NULL) {
		/* in flight: its answer is not wanted; the connection's
		 * state is unknown, so it goes too */
		struct engine_conn *ec = call->e_conn;
		ec->ec_call = NULL;
		evtimer_del(ec->ec_timer);
		engine_conn_close(ec);
		engine_kick();
	} else {
		TAILQ_FOREACH(q, &eng.queue, e_entry)
			if (q == call)
				break;
		if (q != NULL) {
			TAILQ_REMOVE(&eng.queue, call, e_entry);
			eng.nqueue--;
		} else {
			TAILQ_REMOVE(&eng.done, call, e_entry);
		}
	}
	evbuffer_free(call->e_req);
	free(call);
}

int
engine_init(struct event_base *base, const struct upstream_addr *up,
    unsigned timeout_ms)
{
	eng.base = base;
	eng.up = up;
	eng.timeout_ms = timeout_ms ? timeout_ms : 10000;
	TAILQ_INIT(&eng.queue);
	TAILQ_INIT(&eng.done);
	if ((eng.kick = event_new(base, -1, 0, engine_kick_cb, NULL)) == NULL)
		return -1;
	for (size_t i = 0; i < ENGINE_POOL; i++) {
		struct engine_conn *ec = &eng.pool[i];
		if ((ec->ec_respp = http_respp_new()) == NULL ||
		    (ec->ec_body = evbuffer_new()) == NULL ||
		    (ec->ec_timer = evtimer_new(base, engine_timeout,
		    ec)) == NULL)
			return -1;
		http_respp_set_body_cb(ec->ec_respp, engine_body, ec->ec_body);
	}
	return 0;
}

void
engine_shutdown(void)
{
	struct engine_call *call;

	for (size_t i = 0; i < ENGINE_POOL; i++) {
		struct engine_conn *ec = &eng.pool[i];
		engine_conn_close(ec);
		if (ec->ec_call != NULL) {
			evbuffer_free(ec->ec_call->e_req);
			free(ec->ec_call);
			ec->ec_call = NULL;
		}
		if (ec->ec_timer != NULL)
			event_free(ec->ec_timer);
		if (ec->ec_body != NULL)
			evbuffer_free(ec->ec_body);
		http_respp_free(ec->ec_respp);
		memset(ec, 0, sizeof(*ec));
	}
	while ((call = TAILQ_FIRST(&eng.queue)) != NULL) {
		TAILQ_REMOVE(&eng.queue, call, e_entry);
		evbuffer_free(call->e_req);
		free(call);
	}
	while ((call = TAILQ_FIRST(&eng.done)) != NULL) {
		TAILQ_REMOVE(&eng.done, call, e_entry);
		evbuffer_free(call->e_req);
		free(call);
	}
	if (eng.kick != NULL)
		event_free(eng.kick);
	eng.kick = NULL;
	eng.base = NULL;
}
