/*
 * test_engine.c - the daemon's engine client (daemon/engine/engine.c)
 * against a scripted upstream on the test's own loop: answers with a
 * length, chunked, EOF-delimited, 404 with the engine's message, malformed
 * and oversized ones; engine down; time-out; cancel in flight (callback
 * never runs, connection reused); pool exhaustion and the bounded queue;
 * a kept-alive connection the engine closed.  No engine needed.
 */
#include <signal.h>

#include <cjson/cJSON.h>

#include "daemon.h"
#include "fake_upstream.h"
#include "t.h"

static struct event_base *base;
static struct fake fk;
static char spec[160];

struct got {
	int		 n;		/* callbacks run */
	int		 status;
	char		 err[256];
	char		 id[128];	/* json "Id" */
	size_t		 body_len;
};

static void
got_cb(void *arg, const struct engine_reply *rep)
{
	struct got *g = arg;
	const char *id = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(rep->json, "Id"));

	g->n++;
	g->status = rep->status;
	snprintf(g->err, sizeof(g->err), "%s", rep->err ? rep->err : "");
	snprintf(g->id, sizeof(g->id), "%s", id ? id : "");
	g->body_len = rep->body_len;
}

/* Start the client against a new fake; down: against a missing socket. */
static void
setup(unsigned pool, unsigned timeout_ms, fake_handler h, int down)
{
	static struct upstream_addr up;	/* read at each connect */

	base = event_base_new();
	fake_start(&fk, base, spec, sizeof(spec));
	fk.handler = h;
	if (down)
		snprintf(spec, sizeof(spec), "unix:%s/nothing.sock", fk.dir);
	if (upstream_parse(spec, &up) != 0 ||
	    engine_init(base, &up, pool, timeout_ms) != 0)
		abort();
}

/* ------------------------------------------------------------ handlers */

static void
h_json(struct fake_conn *c)
{
	if (strstr(c->target, "/missing/") != NULL)
		fake_reply(c, 404, "{\"message\":\"No such container: "
		    "missing\"}");
	else
		fake_reply(c, 200, "{\"Id\":\"abc\",\"Name\":\"/web\"}");
}

static void
h_chunked(struct fake_conn *c)
{
	fake_write(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n6\r\n{\"Id\":\r\n"
	    "8\r\n\"chunky\"\r\n1\r\n}\r\n0\r\n\r\n");
}

static void
h_eof(struct fake_conn *c)
{
	fake_write(c, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
	    "{\"Id\":\"to-eof\"}");
	c->close_after = 1;
}

static void
h_garbage(struct fake_conn *c)
{
	fake_write(c, "HTTP/1.1 2xx nonsense\r\n\r\n");
}

static void
h_big(struct fake_conn *c)
{
	size_t n = SW_ENGINE_ANSWER_MAX + 1024;
	char *junk = malloc(n);

	memset(junk, ' ', n);
	fake_write(c, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
	evbuffer_add(bufferevent_get_output(c->bev), junk, n);
	free(junk);
}

/* Hold every request; the test answers them. */
static struct fake_conn *held[SW_ENGINE_QUEUE + 16];
static int nheld;

static void
h_hold(struct fake_conn *c)
{
	held[nheld++] = c;
}

/* ------------------------------------------------------------- tests */

static void
test_json(void)
{
	struct got g = { 0 }, m = { 0 }, p = { 0 };
	struct engine_call *call;

	setup(0, 0, h_json, 0);
	call = engine_call("GET", "/v1.41/containers/web/json", NULL, 0,
	    got_cb, &g);
	CHECK(call != NULL);
	CHECK_INT(g.n, 0);		/* never inside engine_call() */
	CHECK(engine_call("POST", "/v1.41/volumes/create", "{\"Name\":\"v\"}",
	    12, got_cb, &p) != NULL);
	CHECK(engine_call("GET", "/v1.41/containers/missing/json", NULL, 0,
	    got_cb, &m) != NULL);
	CHECK(t_wait(base, &m.n, 1) == 0 && t_wait(base, &p.n, 1) == 0 &&
	    t_wait(base, &g.n, 1) == 0);
	CHECK_INT(g.status, 200);
	CHECK_STR(g.id, "abc");
	CHECK_STR(g.err, "");
	CHECK_INT(m.status, 404);
	CHECK_STR(m.err, "No such container: missing");
	CHECK_INT(p.status, 200);
	/* what went on the wire */
	CHECK(strstr(fk.conns[0].head, "\r\nHost: docker\r\n") != NULL);
	for (int i = 0; i < fk.nconns; i++)
		if (strcmp(fk.conns[i].method, "POST") == 0) {
			CHECK_STR(fk.conns[i].body, "{\"Name\":\"v\"}");
			CHECK(strstr(fk.conns[i].head, "Content-Length: 12\r\n")
			    != NULL);
		}
	/* nothing a request line could be split on */
	CHECK(engine_call("GET", "/x HTTP/1.1\r\nX: y", NULL, 0, got_cb,
	    &g) == NULL);
	CHECK(engine_call("get", "/x", NULL, 0, got_cb, &g) == NULL);
	CHECK(engine_call("GET", "x", NULL, 0, got_cb, &g) == NULL);
	CHECK_INT(g.n, 1);
	fake_end(&fk);
}

/* One GET answered by h, on a client of its own. */
static struct got
one_call(fake_handler h)
{
	struct got g = { 0 };

	setup(1, 0, h, 0);
	engine_call("GET", "/containers/c/json", NULL, 0, got_cb, &g);
	CHECK(t_wait(base, &g.n, 1) == 0);
	fake_end(&fk);
	return g;
}

static void
test_framings(void)
{
	struct got g;

	g = one_call(h_chunked);
	CHECK_INT(g.status, 200);
	CHECK_STR(g.id, "chunky");
	g = one_call(h_eof);
	CHECK_INT(g.status, 200);
	CHECK_STR(g.id, "to-eof");
	g = one_call(h_garbage);
	CHECK_INT(g.status, 0);
	CHECK(strstr(g.err, "malformed") != NULL);
	g = one_call(h_big);
	CHECK_INT(g.status, 0);
	CHECK(strstr(g.err, "too large") != NULL);
}

static void
test_down(void)
{
	struct got g = { 0 };

	setup(0, 0, h_json, 1);
	CHECK(engine_call("GET", "/_ping", NULL, 0, got_cb, &g) != NULL);
	CHECK_INT(g.n, 0);
	CHECK(t_wait(base, &g.n, 1) == 0);
	CHECK_INT(g.status, 0);
	CHECK(strstr(g.err, "cannot reach the engine") != NULL);
	t_spin(base);
	CHECK_INT(g.n, 1);		/* once */
	fake_end(&fk);
}

static void
test_timeout(void)
{
	struct got g = { 0 }, q = { 0 };

	nheld = 0;
	setup(1, 50, h_hold, 0);
	engine_call("GET", "/containers/slow/json", NULL, 0, got_cb, &g);
	engine_call("GET", "/containers/queued/json", NULL, 0, got_cb, &q);
	CHECK(t_wait(base, &g.n, 1) == 0);
	CHECK(t_wait(base, &q.n, 1) == 0);
	CHECK_INT(g.status, 0);
	CHECK(strstr(g.err, "in time") != NULL);
	CHECK_INT(q.status, 0);		/* queued calls time out too */
	/* the timed-out connection was closed, not reused */
	CHECK(t_wait(base, &fk.closed, 1) == 0);
	t_spin(base);
	CHECK_INT(g.n + q.n, 2);
	fake_end(&fk);
}

static void
test_cancel(void)
{
	struct got a = { 0 }, b = { 0 };
	struct engine_call *ca;

	nheld = 0;
	setup(1, 0, h_hold, 0);
	ca = engine_call("GET", "/containers/a/json", NULL, 0, got_cb, &a);
	CHECK(t_wait(base, &nheld, 1) == 0);
	engine_cancel(ca);		/* the owner went away in flight */
	fake_reply(held[0], 200, "{\"Id\":\"a\"}");
	engine_call("GET", "/containers/b/json", NULL, 0, got_cb, &b);
	CHECK(t_wait(base, &nheld, 2) == 0);
	fake_reply(held[1], 200, "{\"Id\":\"b\"}");
	CHECK(t_wait(base, &b.n, 1) == 0);
	CHECK_STR(b.id, "b");
	CHECK_INT(a.n, 0);		/* never after the cancel */
	CHECK_INT(fk.nconns, 1);	/* its connection served b */

	/* cancelled while queued, and after failing: nothing either */
	ca = engine_call("GET", "/containers/c/json", NULL, 0, got_cb, &a);
	engine_cancel(ca);
	fake_end(&fk);
	setup(1, 0, h_json, 1);
	ca = engine_call("GET", "/containers/d/json", NULL, 0, got_cb, &a);
	engine_cancel(ca);
	t_spin(base);
	CHECK_INT(a.n, 0);
	fake_end(&fk);
}

static void
test_pool_queue(void)
{
	enum { POOL = 2, N = POOL + SW_ENGINE_QUEUE };
	static struct got g[N + 1];
	int all = 0, ok = 1;

	nheld = 0;
	memset(g, 0, sizeof(g));
	setup(POOL, 0, h_hold, 0);
	for (int i = 0; i < N; i++)
		CHECK(engine_call("GET", "/containers/x/json", NULL, 0, got_cb,
		    &g[i]) != NULL);
	CHECK(t_wait(base, &nheld, POOL) == 0);
	CHECK_INT(fk.nconns, POOL);	/* the pool's bound */
	/* pool busy, queue full: this one fails at once */
	CHECK(engine_call("GET", "/containers/y/json", NULL, 0, got_cb,
	    &g[N]) != NULL);
	CHECK(t_wait(base, &g[N].n, 1) == 0);
	CHECK_INT(g[N].status, 0);
	CHECK_STR(g[N].err, "engine client busy");
	/* answer everything: the queue drains over the same connections */
	for (int done = 0; done < N; done++) {
		CHECK(t_wait(base, &nheld, done + 1) == 0);
		fake_reply(held[done], 200, "{\"Id\":\"x\"}");
	}
	for (int i = 0; i < N; i++) {
		CHECK(t_wait(base, &g[i].n, 1) == 0);
		all += g[i].n;
		ok &= g[i].status == 200;
	}
	CHECK_INT(all, N);
	CHECK(ok);
	CHECK_INT(fk.nconns, POOL);
	fake_end(&fk);
}

/* The engine closes a kept-alive connection just as the next call goes
 * out on it: a GET is tried again on a new connection. */
static void
h_close_after(struct fake_conn *c)
{
	fake_reply(c, 200, "{\"Id\":\"again\"}");
	c->close_after = 1;
}

static struct got chained;

static void
chain_cb(void *arg, const struct engine_reply *rep)
{
	got_cb(arg, rep);
	engine_call("GET", "/containers/next/json", NULL, 0, got_cb,
	    &chained);
}

static void
test_stale(void)
{
	struct got g = { 0 };

	memset(&chained, 0, sizeof(chained));
	setup(1, 0, h_close_after, 0);
	engine_call("GET", "/containers/first/json", NULL, 0, chain_cb, &g);
	CHECK(t_wait(base, &chained.n, 1) == 0);
	CHECK_INT(g.status, 200);
	CHECK_INT(chained.status, 200);
	CHECK_STR(chained.id, "again");
	CHECK_INT(fk.nconns, 2);
	fake_end(&fk);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);	/* as the daemon does */
	log_set_level(LOG_LVL_ERROR);
	test_json();
	test_framings();
	test_down();
	test_timeout();
	test_cancel();
	test_pool_queue();
	test_stale();
	return t_done();
}
