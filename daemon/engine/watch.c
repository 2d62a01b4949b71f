/*
 * watch.c - one long-lived GET /events subscription to the engine, shared
 * by up to SW_ENGINE_WATCH_SUBS subscribers (the cache first): each event
 * object is parsed once with cJSON and handed to every subscriber.  The
 * stream is chunked JSON with one object per event; objects may be split
 * across reads and several may arrive in one, with or without newlines
 * between them, so objects are found by their balanced braces, not by
 * lines or chunks.
 *
 * When the stream ends (engine restart, EOF, garbage) subscribers hear
 * LOST and the watch reconnects with exponential backoff; BACK when a new
 * stream's head arrived.  The engine sends that head before it subscribes
 * its side, so each subscription asks for the events since a moment before
 * ("since"): the engine replays them and nothing in that gap is missed.
 * It has its own connection, outside engine.c's pool (a stream would hold
 * a pooled connection forever), and no time-out: a quiet engine is fine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <event2/buffer.h>

#include "daemon.h"
#include "engine_int.h"

#define WATCH_OBJ_MAX		(256 * 1024)	/* one event, generously */
#define WATCH_BACKOFF_MIN_MS	100
#define WATCH_BACKOFF_MAX_MS	5000
#define WATCH_SINCE_SLACK_S	2

static struct {
	struct {
		engine_watch_cb	 cb;
		void		*arg;
	}			 subs[SW_ENGINE_WATCH_SUBS];
	unsigned		 nsubs;
	struct sock		*s;		/* NULL: between streams */
	struct http_respp	*rp;
	struct evbuffer		*pend;		/* decoded body not yet read */
	size_t			 scan;		/* bytes of pend scanned */
	size_t			 start;		/* where the object begins */
	int			 depth;		/* braces and brackets open */
	unsigned		 in_str:1, esc:1;
	int			 live;		/* the head came: events flow */
	unsigned		 backoff_ms;
	struct event		*retry;
	unsigned		 gen;		/* bumped when a stream ends */
} w;

static void watch_connect(void);

int
engine_watch_live(void)
{
	return w.live;
}

/* Tell every subscriber; stops early when one ended the stream. */
static void
watch_notify(enum engine_watch_what what, const cJSON *ev)
{
	unsigned gen = w.gen;

	for (unsigned i = 0; i < w.nsubs && gen == w.gen; i++)
		w.subs[i].cb(w.subs[i].arg, what, ev);
}

static void
watch_end(const char *why)
{
	struct timeval tv;
	int was = w.live;

	w.gen++;
	sock_free(w.s);
	w.s = NULL;
	w.live = 0;
	evbuffer_drain(w.pend, evbuffer_get_length(w.pend));
	tv.tv_sec = w.backoff_ms / 1000;
	tv.tv_usec = (w.backoff_ms % 1000) * 1000;
	evtimer_add(w.retry, &tv);
	if (w.backoff_ms < WATCH_BACKOFF_MAX_MS)
		w.backoff_ms *= 2;
	if (was) {
		log_warnx("engine events: %s; reconnecting", why);
		watch_notify(ENGINE_WATCH_LOST, NULL);
	} else {
		log_debug("engine events: %s", why);
	}
}

static void
watch_body(void *arg, const char *data, size_t len)
{
	evbuffer_add(w.pend, data, len);
}

/*
 * Hand out every whole object in pend.  The scan stops at the end of an
 * object (depth back to 0) and resumes where it stopped when more bytes
 * come; strings are skipped so braces inside them do not count.
 */
static void
watch_scan(void)
{
	unsigned gen = w.gen;

	while (evbuffer_get_length(w.pend) > 0) {
		size_t len = evbuffer_get_length(w.pend), i;
		unsigned char *p = evbuffer_pullup(w.pend, -1);
		cJSON *ev;

		if (p == NULL) {
			watch_end("out of memory");
			return;
		}
		for (i = w.scan; i < len; i++) {
			unsigned char c = p[i];
			if (w.depth == 0) {
				if (c == ' ' || c == '\n' || c == '\r' ||
				    c == '\t')
					continue;
				if (c != '{') {
					watch_end("the stream is not JSON");
					return;
				}
				w.start = i;
				w.depth = 1;
			} else if (w.in_str) {
				if (w.esc)
					w.esc = 0;
				else if (c == '\\')
					w.esc = 1;
				else if (c == '"')
					w.in_str = 0;
			} else if (c == '"') {
				w.in_str = 1;
			} else if (c == '{' || c == '[') {
				w.depth++;
			} else if ((c == '}' || c == ']') && --w.depth == 0) {
				break;
			}
		}
		if (i == len) {		/* no whole object yet */
			if (w.depth == 0) {
				evbuffer_drain(w.pend, len);
				w.scan = 0;
			} else if ((w.scan = len) - w.start > WATCH_OBJ_MAX) {
				watch_end("an event is too large");
			}
			return;
		}
		ev = cJSON_ParseWithLength((const char *)p + w.start,
		    i + 1 - w.start);
		evbuffer_drain(w.pend, i + 1);
		w.scan = 0;
		if (ev == NULL)
			log_warnx("engine events: an event is not JSON");
		else
			watch_notify(ENGINE_WATCH_EVENT, ev);
		cJSON_Delete(ev);
		if (gen != w.gen)
			return;
	}
}

static void
watch_read(struct sock *s, void *arg)
{
	struct evbuffer *in = sock_input(s);
	struct evbuffer_iovec iv;
	enum http_feed res;
	unsigned gen = w.gen;
	char why[64];
	size_t n;

	for (;;) {
		iv.iov_base = NULL;
		iv.iov_len = 0;
		(void)evbuffer_peek(in, -1, NULL, &iv, 1);
		n = http_respp_feed(w.rp, iv.iov_base, iv.iov_len, &res);
		evbuffer_drain(in, n);
		if (res == HTTP_FEED_ERROR) {
			watch_end("the stream is malformed");
			return;
		}
		if (res == HTTP_FEED_HEAD) {
			int status = http_respp_info(w.rp)->status;
			if (status != 200) {
				snprintf(why, sizeof(why), "the engine answered "
				    "%d", status);
				watch_end(why);
				return;
			}
			w.live = 1;
			w.backoff_ms = WATCH_BACKOFF_MIN_MS;
			log_debug("engine events: subscribed");
			watch_notify(ENGINE_WATCH_BACK, NULL);
			if (gen != w.gen)
				return;
		}
		watch_scan();
		if (gen != w.gen)
			return;
		if (res == HTTP_FEED_DONE) {
			watch_end("the stream ended");
			return;
		}
		if (n == 0 && res == HTTP_FEED_MORE)
			return;
	}
}

static void
watch_write(struct sock *s, void *arg)
{
}

static void
watch_event(struct sock *s, short what, void *arg)
{
	char why[96];

	if (what & SOCK_EOF)
		snprintf(why, sizeof(why), "the engine closed the stream");
	else
		snprintf(why, sizeof(why), "%s", (what & SOCK_TIMEOUT) ?
		    "connecting timed out" : strerror(errno));
	watch_end(why);
}

static void
watch_retry(evutil_socket_t fd, short ev, void *arg)
{
	watch_connect();
}

static void
watch_connect(void)
{
	/* {"type":["container","network","volume"]}: what names objects */
	static const char filters[] = "%7B%22type%22%3A%5B%22container%22%2C"
	    "%22network%22%2C%22volume%22%5D%7D";
	struct timespec now;
	char why[96];
	int err = 0;

	if ((w.s = engine_connect(&err)) == NULL) {
		snprintf(why, sizeof(why), "cannot reach the engine: %s",
		    strerror(err));
		watch_end(why);
		return;
	}
	sock_setcb(w.s, watch_read, watch_write, watch_event, NULL);
	sock_read(w.s, 1);
	http_respp_reset(w.rp, 0);
	w.scan = w.start = 0;
	w.depth = 0;
	w.in_str = w.esc = 0;
	clock_gettime(CLOCK_REALTIME, &now);	/* the sandbox allows it */
	evbuffer_add_printf(sock_output(w.s), "GET /events?since=%lld&"
	    "filters=%s HTTP/1.1\r\nHost: docker\r\nUser-Agent: sockwarden\r\n"
	    "\r\n", (long long)now.tv_sec - WATCH_SINCE_SLACK_S, filters);
}

int
engine_watch_start(engine_watch_cb cb, void *arg)
{
	for (unsigned i = 0; i < w.nsubs; i++)
		if (w.subs[i].cb == cb && w.subs[i].arg == arg)
			return 0;	/* once is enough */
	if (engine_base() == NULL || w.nsubs == SW_ENGINE_WATCH_SUBS)
		return -1;
	if (w.rp == NULL) {
		if ((w.rp = http_respp_new()) == NULL ||
		    (w.pend = evbuffer_new()) == NULL ||
		    (w.retry = evtimer_new(engine_base(), watch_retry,
		    NULL)) == NULL) {
			engine_watch_stop();
			return -1;
		}
		http_respp_set_body_cb(w.rp, watch_body, NULL);
		w.backoff_ms = WATCH_BACKOFF_MIN_MS;
		watch_connect();
	}
	w.subs[w.nsubs].cb = cb;
	w.subs[w.nsubs].arg = arg;
	w.nsubs++;
	return 0;
}

void
engine_watch_stop(void)
{
	unsigned gen = w.gen;

	sock_free(w.s);
	http_respp_free(w.rp);
	if (w.pend != NULL)
		evbuffer_free(w.pend);
	if (w.retry != NULL)
		event_free(w.retry);
	memset(&w, 0, sizeof(w));
	w.gen = gen + 1;	/* a scan in progress must not go on */
}
