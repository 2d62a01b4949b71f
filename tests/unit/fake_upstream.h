/*
 * fake_upstream.h - a scripted stand-in for the engine, for unit tests of
 * daemon/engine/ only: a unix socket in a temporary directory, served by
 * bufferevents on the test's own event loop.  It frames requests (head and
 * Content-Length body), counts connections and requests, and hands each
 * request to the test's handler, which answers at once, later, or never.
 * Integration tests use the real engine, never this.
 */
#ifndef SW_FAKE_UPSTREAM_H
#define SW_FAKE_UPSTREAM_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "daemon.h"

#define FAKE_CONNS	64

struct fake;
struct fake_conn {
	struct fake		*f;
	struct bufferevent	*bev;		/* NULL: closed */
	int			 nreq;
	int			 close_after;	/* close once output drained */
	char			 method[16];
	char			 target[1024];
	char			 head[4096];	/* the last request's head */
	char			 body[4096];
};
typedef void (*fake_handler)(struct fake_conn *);
struct fake {
	struct event_base	*base;
	char			 dir[64];
	char			 path[108];
	struct evconnlistener	*lis;
	struct fake_conn	 conns[FAKE_CONNS];
	int			 nconns;	/* accepted so far */
	int			 nreqs;		/* requests so far */
	int			 closed;	/* connections the client closed */
	fake_handler		 handler;
};

static inline void
fake_write(struct fake_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
}

static inline void
fake_reply(struct fake_conn *c, int status, const char *body)
{
	fake_write(c, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s", status, strlen(body), body);
}

static inline void
fake_close(struct fake_conn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	c->bev = NULL;
}

static inline void
fake_on_write(struct bufferevent *bev, void *arg)
{
	struct fake_conn *c = arg;

	if (c->close_after)
		fake_close(c);
}

static inline void
fake_on_read(struct bufferevent *bev, void *arg)
{
	struct fake_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr end;
	size_t hlen, blen = 0;
	char *cl;

	while (c->bev != NULL) {
		end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
		if (end.pos < 0)
			return;
		hlen = (size_t)end.pos + 4;
		if (hlen >= sizeof(c->head))
			abort();
		evbuffer_copyout(in, c->head, hlen);
		c->head[hlen] = '\0';
		if ((cl = strcasestr(c->head, "\r\nContent-Length: ")) != NULL)
			blen = strtoul(cl + 18, NULL, 10);
		if (blen >= sizeof(c->body))
			abort();
		if (evbuffer_get_length(in) < hlen + blen)
			return;
		evbuffer_drain(in, hlen);
		evbuffer_remove(in, c->body, blen);
		c->body[blen] = '\0';
		if (sscanf(c->head, "%15s %1023s", c->method, c->target) != 2)
			abort();
		c->nreq++;
		c->f->nreqs++;
		if (c->f->handler != NULL)
			c->f->handler(c);
	}
}

static inline void
fake_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct fake_conn *c = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		c->f->closed++;
		fake_close(c);
	}
}

static inline void
fake_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int len, void *arg)
{
	struct fake *f = arg;
	struct fake_conn *c;

	if (f->nconns == FAKE_CONNS)
		abort();
	c = &f->conns[f->nconns++];
	c->f = f;
	c->bev = bufferevent_socket_new(f->base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c->bev, fake_on_read, fake_on_write, fake_on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* Listen on a fresh socket; spec gets "unix:<path>". */
static inline void
fake_start(struct fake *f, struct event_base *base, char *spec, size_t len)
{
	struct sockaddr_un sun;

	memset(f, 0, sizeof(*f));
	f->base = base;
	snprintf(f->dir, sizeof(f->dir), "/tmp/swfake.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		abort();
	snprintf(f->path, sizeof(f->path), "%s/e.sock", f->dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	f->lis = evconnlistener_new_bind(base, fake_accept, f,
	    LEV_OPT_CLOSE_ON_FREE, 16, (struct sockaddr *)&sun, sizeof(sun));
	if (f->lis == NULL)
		abort();
	snprintf(spec, len, "unix:%s", f->path);
}

/* The end of a test: the engine client first (it frees its calls), then
 * our side, then the loop. */
static inline void
fake_end(struct fake *f)
{
	engine_shutdown();
	for (int i = 0; i < f->nconns; i++)
		fake_close(&f->conns[i]);
	if (f->lis != NULL)
		evconnlistener_free(f->lis);
	f->lis = NULL;
	unlink(f->path);
	rmdir(f->dir);
	event_base_free(f->base);
}

/* Run the loop until *v >= want; a guard ends a test that would hang
 * (returns -1: a failure, never a time measurement). */
static int t_guard_fired;

static inline void
t_guard(evutil_socket_t fd, short ev, void *arg)
{
	t_guard_fired = 1;
}

static inline int
t_wait(struct event_base *base, const int *v, int want)
{
	struct timeval tv = { 20, 0 };
	struct event *g = evtimer_new(base, t_guard, NULL);

	t_guard_fired = 0;
	evtimer_add(g, &tv);
	while (*v < want && !t_guard_fired)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(g);
	return *v >= want ? 0 : -1;
}

/* A few passes of the loop for what is already due (no waiting). */
static inline void
t_spin(struct event_base *base)
{
	for (int i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

#endif /* SW_FAKE_UPSTREAM_H */
