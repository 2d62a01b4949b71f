/*
 * test_engine_cache.c - the events watch (daemon/engine/watch.c) and the
 * object cache with its look-ups (cache.c, lookup.c) against a scripted
 * upstream: event objects split across reads and several in one, the
 * stream lost and back (reconnect with backoff, a refused subscription,
 * garbage), look-ups by name, "/name", full ID and prefix, hits and
 * misses, invalidation by destroy and rename events, no negative caching,
 * nothing kept while the stream is down or when something changed during
 * the look-up, cancel, size and age bounds.  No engine needed.
 */
#include <signal.h>

#include <cjson/cJSON.h>

#include "daemon.h"
#include "fake_upstream.h"
#include "t.h"

#define WEB_ID	"0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd"
#define EXEC_ID	"e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0"
#define NET_ID	"9999999999999999999999999999999999999999999999999999999999999999"

static struct event_base *base;
static struct fake fk;
static char spec[160];
static struct fake_conn *events_conn, *held;
static int nevents_req, ninspect, hold, refuse_events;

/* ---------------------------------------------------------- the engine */

static void
engine_side(struct fake_conn *c)
{
	const char *t = c->target;

	if (strncmp(t, "/events?", 8) == 0) {
		nevents_req++;
		if (refuse_events) {
			fake_reply(c, 500, "{\"message\":\"busy\"}");
			return;
		}
		events_conn = c;
		fake_write(c, "HTTP/1.1 200 OK\r\nContent-Type: "
		    "application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
		return;
	}
	ninspect++;
	if (hold) {
		held = c;
		return;
	}
	if (strcmp(t, "/containers/web/json") == 0 ||
	    strcmp(t, "/containers/" WEB_ID "/json") == 0 ||
	    strcmp(t, "/containers/0123abcd/json") == 0)
		fake_reply(c, 200, "{\"Id\":\"" WEB_ID "\",\"Name\":\"/web\","
		    "\"Config\":{\"Image\":\"busybox\",\"Labels\":{"
		    "\"io.sockwarden.owner\":\"c:owner1\"}}}");
	else if (strcmp(t, "/exec/" EXEC_ID "/json") == 0)
		fake_reply(c, 200, "{\"ID\":\"" EXEC_ID "\",\"ContainerID\":\""
		    WEB_ID "\"}");
	else if (strcmp(t, "/volumes/vol1") == 0)
		fake_reply(c, 200, "{\"Name\":\"vol1\",\"Driver\":\"local\","
		    "\"Labels\":{\"io.sockwarden.owner\":\"l:a\"},\"Options\":"
		    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}");
	else if (strcmp(t, "/networks/net1") == 0 ||
	    strcmp(t, "/networks/" NET_ID) == 0)
		fake_reply(c, 200, "{\"Name\":\"net1\",\"Id\":\"" NET_ID "\","
		    "\"Driver\":\"bridge\",\"Labels\":{}}");
	else
		fake_reply(c, 404, "{\"message\":\"No such container: "
		    "ghost\"}");
}

/* One chunk of the events stream. */
static void
push(const char *s)
{
	fake_write(events_conn, "%zx\r\n%s\r\n", strlen(s), s);
}

/* ------------------------------------------------------ the subscriber */

struct rec {
	int	 events, lost, back;
	char	 action[8][32];
	char	 name[64];
};

static void
rec_cb(void *arg, enum engine_watch_what what, const cJSON *ev)
{
	struct rec *r = arg;
	const char *s;

	if (what == ENGINE_WATCH_LOST) {
		r->lost++;
		return;
	}
	if (what == ENGINE_WATCH_BACK) {
		r->back++;
		return;
	}
	s = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "Action"));
	snprintf(r->action[r->events % 8], sizeof(r->action[0]), "%s",
	    s ? s : "");
	s = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(ev, "Actor"), "Attributes"), "name"));
	if (s != NULL)
		snprintf(r->name, sizeof(r->name), "%s", s);
	r->events++;
}

struct got {
	int	 n, status;
	char	 err[128], id[80], name[64], owner[64], image[32];
	char	 container[80], driver[32], opt_o[16];
};

static void
got_cb(void *arg, int status, const char *err, const struct engine_obj *o)
{
	struct got *g = arg;

	memset(g, 0, sizeof(*g));
	g->n = 1;
	g->status = status;
	snprintf(g->err, sizeof(g->err), "%s", err ? err : "");
	if (o == NULL)
		return;
	snprintf(g->id, sizeof(g->id), "%s", o->id);
	snprintf(g->name, sizeof(g->name), "%s", o->name ? o->name : "");
	snprintf(g->owner, sizeof(g->owner), "%s", o->owner ? o->owner : "");
	snprintf(g->image, sizeof(g->image), "%s", o->image ? o->image : "");
	snprintf(g->container, sizeof(g->container), "%s",
	    o->container ? o->container : "");
	snprintf(g->driver, sizeof(g->driver), "%s", o->driver ? o->driver : "");
	if (cJSON_GetStringValue(cJSON_GetObjectItem(o->options, "o")))
		snprintf(g->opt_o, sizeof(g->opt_o), "%s", cJSON_GetStringValue(
		    cJSON_GetObjectItem(o->options, "o")));
}

/* Look ref up and wait for the answer. */
static struct got
look(enum policy_obj kind, const char *ref)
{
	struct got g = { 0 };

	CHECK(engine_lookup(kind, ref, got_cb, &g) != NULL);
	CHECK_INT(g.n, 0);		/* never inside engine_lookup() */
	CHECK(t_wait(base, &g.n, 1) == 0);
	return g;
}

static struct rec rec;

static void
setup(int with_cache, unsigned max, unsigned ttl_ms)
{
	static struct upstream_addr up;	/* read at each connect */

	base = event_base_new();
	fake_start(&fk, base, spec, sizeof(spec));
	fk.handler = engine_side;
	events_conn = held = NULL;
	nevents_req = ninspect = hold = refuse_events = 0;
	memset(&rec, 0, sizeof(rec));
	if (upstream_parse(spec, &up) != 0 || engine_init(base, &up, 2, 0) != 0)
		abort();
	/* the cache subscribes first, so when rec hears an event the
	 * cache has acted on it */
	if (with_cache)
		CHECK(engine_cache_init(NULL, max, ttl_ms) == 0);
	CHECK(engine_watch_start(rec_cb, &rec) == 0);
	CHECK(t_wait(base, &rec.back, 1) == 0);
}

/* ------------------------------------------------------------- tests */

static void
test_stream(void)
{
	setup(0, 0, 0);
	CHECK(engine_watch_live());
	CHECK(strncmp(events_conn->target, "/events?since=", 14) == 0);
	CHECK(strstr(events_conn->target, "filters=%7B%22type%22") != NULL);
	/* an object split across chunks, then three in one chunk, back to
	 * back and with a newline; braces inside strings do not count */
	push("{\"Type\":\"container\",\"Action\":\"cre");
	t_spin(base);
	CHECK_INT(rec.events, 0);
	push("ate\",\"Actor\":{\"ID\":\"a1\",\"Attributes\":{\"name\":"
	    "\"x}{\\\"\"}}}\n{\"Type\":\"network\",\"Action\":\"connect\"}"
	    "{\"Type\":\"volume\",\"Action\":\"destroy\"}\n");
	CHECK(t_wait(base, &rec.events, 3) == 0);
	CHECK_STR(rec.action[0], "create");
	CHECK_STR(rec.action[1], "connect");
	CHECK_STR(rec.action[2], "destroy");
	CHECK_STR(rec.name, "x}{\"");

	/* the engine goes away: LOST, reconnect, BACK */
	fake_close(events_conn);
	CHECK(t_wait(base, &rec.lost, 1) == 0);
	CHECK(!engine_watch_live());
	CHECK(t_wait(base, &rec.back, 2) == 0);
	CHECK_INT(nevents_req, 2);
	push("{\"Type\":\"container\",\"Action\":\"start\"}");
	CHECK(t_wait(base, &rec.events, 4) == 0);

	/* a refused subscription is not live; retried until it is */
	refuse_events = 1;
	fake_close(events_conn);
	CHECK(t_wait(base, &rec.lost, 2) == 0);
	CHECK(t_wait(base, &nevents_req, 4) == 0);
	CHECK_INT(rec.back, 2);
	refuse_events = 0;
	CHECK(t_wait(base, &rec.back, 3) == 0);

	/* garbage ends the stream */
	push("nonsense");
	CHECK(t_wait(base, &rec.lost, 3) == 0);
	CHECK(t_wait(base, &rec.back, 4) == 0);
	CHECK_INT(rec.lost, 3);
	fake_end(&fk);
}

static void
test_cache(void)
{
	struct engine_cache_stats st;
	struct got g;
	int n;

	setup(1, 0, 0);
	g = look(POLICY_OBJ_CONTAINER, "web");
	CHECK_INT(g.status, 200);
	CHECK_STR(g.id, WEB_ID);
	CHECK_STR(g.name, "web");
	CHECK_STR(g.owner, "c:owner1");
	CHECK_STR(g.image, "busybox");
	CHECK_INT(ninspect, 1);
	/* hits: the name, "/name", the full ID */
	CHECK_STR(look(POLICY_OBJ_CONTAINER, "web").id, WEB_ID);
	CHECK_STR(look(POLICY_OBJ_CONTAINER, "/web").id, WEB_ID);
	CHECK_STR(look(POLICY_OBJ_CONTAINER, WEB_ID).id, WEB_ID);
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "web") != NULL);
	CHECK(engine_cache_peek(POLICY_OBJ_VOLUME, "web") == NULL);
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "/" WEB_ID) == NULL);
	CHECK_INT(ninspect, 1);
	engine_cache_stats(&st);
	CHECK_INT(st.hits, 4);
	CHECK_INT(st.misses, 1);
	CHECK_INT(st.entries, 1);
	/* a prefix is the engine's to resolve */
	CHECK_STR(look(POLICY_OBJ_CONTAINER, "0123abcd").id, WEB_ID);
	CHECK_INT(ninspect, 2);
	/* never a negative entry */
	g = look(POLICY_OBJ_CONTAINER, "ghost");
	CHECK_INT(g.status, 404);
	CHECK_STR(g.err, "No such container: ghost");
	CHECK_INT(look(POLICY_OBJ_CONTAINER, "ghost").status, 404);
	CHECK_INT(ninspect, 4);
	/* exec: its container */
	CHECK_STR(look(POLICY_OBJ_EXEC, EXEC_ID).container, WEB_ID);
	CHECK_STR(look(POLICY_OBJ_EXEC, EXEC_ID).container, WEB_ID);
	CHECK_INT(ninspect, 5);
	/* volume and network */
	g = look(POLICY_OBJ_VOLUME, "vol1");
	CHECK_STR(g.id, "vol1");
	CHECK_STR(g.owner, "l:a");
	CHECK_STR(g.driver, "local");
	CHECK_STR(g.opt_o, "bind");
	/* a network's name is a key only once the engine resolved it: two
	 * networks may share a name */
	g = look(POLICY_OBJ_NETWORK, NET_ID);
	CHECK_STR(g.name, "net1");
	CHECK(engine_cache_peek(POLICY_OBJ_NETWORK, "net1") == NULL);
	g = look(POLICY_OBJ_NETWORK, "net1");
	CHECK_STR(g.id, NET_ID);
	CHECK_STR(g.owner, "");
	CHECK(engine_cache_peek(POLICY_OBJ_NETWORK, NET_ID) != NULL);
	CHECK(engine_cache_peek(POLICY_OBJ_NETWORK, "net1") != NULL);

	/* destroyed: the container and its exec go */
	n = rec.events;
	push("{\"Type\":\"container\",\"Action\":\"destroy\",\"Actor\":{\"ID\":"
	    "\"" WEB_ID "\",\"Attributes\":{\"name\":\"web\"}}}");
	CHECK(t_wait(base, &rec.events, n + 1) == 0);
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "web") == NULL);
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, WEB_ID) == NULL);
	CHECK(engine_cache_peek(POLICY_OBJ_EXEC, EXEC_ID) == NULL);
	CHECK(engine_cache_peek(POLICY_OBJ_VOLUME, "vol1") != NULL);
	n = ninspect;
	look(POLICY_OBJ_CONTAINER, "web");
	CHECK_INT(ninspect, n + 1);

	/* renamed: the old name no longer names it */
	n = rec.events;
	push("{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":"
	    "\"" WEB_ID "\",\"Attributes\":{\"name\":\"web2\",\"oldName\":"
	    "\"/web\"}}}");
	CHECK(t_wait(base, &rec.events, n + 1) == 0);
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "web") == NULL);
	/* events that change no name leave the cache alone */
	push("{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":"
	    "\"" NET_ID "\",\"Attributes\":{\"name\":\"net1\"}}}");
	CHECK(t_wait(base, &rec.events, n + 2) == 0);
	CHECK(engine_cache_peek(POLICY_OBJ_NETWORK, "net1") != NULL);
	push("{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":"
	    "\"8888\",\"Attributes\":{\"name\":\"net1\"}}}");
	CHECK(t_wait(base, &rec.events, n + 3) == 0);
	CHECK(engine_cache_peek(POLICY_OBJ_NETWORK, "net1") == NULL);
	/* what the tenancy code forwarded a change of */
	CHECK(engine_cache_peek(POLICY_OBJ_VOLUME, "vol1") != NULL);
	engine_cache_forget(POLICY_OBJ_VOLUME, "vol1");
	CHECK(engine_cache_peek(POLICY_OBJ_VOLUME, "vol1") == NULL);

	/* stream lost: everything goes, nothing is kept until it is back */
	look(POLICY_OBJ_CONTAINER, "web");
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "web") != NULL);
	fake_close(events_conn);
	CHECK(t_wait(base, &rec.lost, 1) == 0);
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "web") == NULL);
	engine_cache_stats(&st);
	CHECK_INT(st.entries, 0);
	n = ninspect;
	look(POLICY_OBJ_CONTAINER, "web");
	look(POLICY_OBJ_CONTAINER, "web");
	CHECK(ninspect >= n + 2);
	CHECK(t_wait(base, &rec.back, 2) == 0);
	n = ninspect;
	look(POLICY_OBJ_CONTAINER, "web");
	look(POLICY_OBJ_CONTAINER, "web");
	CHECK_INT(ninspect, n + 1);
	fake_end(&fk);
}

/* The name changed while the engine was answering: the answer is handed
 * on, but not kept. */
static void
test_inflight(void)
{
	struct got g = { 0 };
	int n;

	setup(1, 0, 0);
	hold = 1;
	CHECK(engine_lookup(POLICY_OBJ_CONTAINER, "web", got_cb, &g) != NULL);
	CHECK(t_wait(base, &ninspect, 1) == 0);
	n = rec.events;
	push("{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":"
	    "\"" WEB_ID "\",\"Attributes\":{\"name\":\"web\",\"oldName\":"
	    "\"/old\"}}}");
	CHECK(t_wait(base, &rec.events, n + 1) == 0);
	hold = 0;
	engine_side(held);
	CHECK(t_wait(base, &g.n, 1) == 0);
	CHECK_STR(g.id, WEB_ID);
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "web") == NULL);
	look(POLICY_OBJ_CONTAINER, "web");	/* nothing changed now */
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "web") != NULL);
	fake_end(&fk);
}

static void
test_cancel(void)
{
	struct got g = { 0 }, h = { 0 };
	struct engine_lookup *l;

	setup(1, 0, 0);
	hold = 1;
	l = engine_lookup(POLICY_OBJ_CONTAINER, "web", got_cb, &g);
	CHECK(t_wait(base, &ninspect, 1) == 0);
	engine_lookup_cancel(l);
	hold = 0;
	engine_side(held);
	look(POLICY_OBJ_CONTAINER, "web");	/* after the held answer */
	l = engine_lookup(POLICY_OBJ_CONTAINER, "web", got_cb, &h);
	engine_lookup_cancel(l);		/* a hit, cancelled */
	t_spin(base);
	CHECK_INT(g.n, 0);
	CHECK_INT(h.n, 0);
	/* one still waiting when everything shuts down: no leak */
	hold = 1;
	CHECK(engine_lookup(POLICY_OBJ_VOLUME, "vol1", got_cb, &g) != NULL);
	CHECK(t_wait(base, &ninspect, 3) == 0);
	fake_end(&fk);
	CHECK_INT(g.n, 0);
}

static void
test_bounds(void)
{
	struct engine_cache_stats st;

	setup(1, 2, 0);
	look(POLICY_OBJ_CONTAINER, "web");
	look(POLICY_OBJ_VOLUME, "vol1");
	look(POLICY_OBJ_NETWORK, "net1");
	engine_cache_stats(&st);
	CHECK_INT(st.entries, 2);
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "web") == NULL);
	CHECK(engine_cache_peek(POLICY_OBJ_NETWORK, "net1") != NULL);
	fake_end(&fk);

	setup(1, 0, 1);			/* entries live 1 ms */
	look(POLICY_OBJ_CONTAINER, "web");
	usleep(20 * 1000);
	CHECK(engine_cache_peek(POLICY_OBJ_CONTAINER, "web") == NULL);
	fake_end(&fk);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_LVL_ERROR);
	test_stream();
	test_cache();
	test_inflight();
	test_cancel();
	test_bounds();
	return t_done();
}
