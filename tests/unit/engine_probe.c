/*
 * engine_probe.c - drives daemon/engine/ against a real engine for the
 * integration test t91-engine-client.sh: one command per stdin line, one
 * answer per stdout line, in order, on the daemon's own event loop.
 *
 *   live                  wait until the events stream is up -> "live"
 *   look KIND REF         engine_lookup -> "STATUS ID name=.. owner=..
 *                         image=.. container=.. driver=.. hit=0|1", or
 *                         "STATUS err=MESSAGE" without an object
 *   peek KIND REF         the cache alone -> "hit ID" or "miss"
 *   event ACTION ID       wait for that event (ID: the actor's, full) ->
 *                         "event ACTION"
 *   stats                 "hits=N misses=N entries=N flushes=N"
 *
 * KIND is container, volume, network or exec.  Usage: engine_probe SOCKET.
 * A test tool only; it is not installed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <event2/buffer.h>

#include "daemon.h"

#define PROBE_SEEN	256

static struct event_base *base;
static struct evbuffer *input;
static int busy, eof;
static char want_action[32], want_id[256];	/* "event": waiting */
static int want_live;
static struct {
	char	 action[32], id[80];
} seen[PROBE_SEEN];
static unsigned nseen;
static uint64_t hits_before;

static void probe_next(void);

static void
probe_done(void)
{
	fflush(stdout);
	busy = 0;
	probe_next();
}

static int
probe_kind(const char *s, enum policy_obj *k)
{
	static const char *const names[] = { "container", "volume", "network",
	    "exec" };
	static const enum policy_obj kinds[] = { POLICY_OBJ_CONTAINER,
	    POLICY_OBJ_VOLUME, POLICY_OBJ_NETWORK, POLICY_OBJ_EXEC };

	for (size_t i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*k = kinds[i];
			return 0;
		}
	return -1;
}

static const char *
probe_s(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

static void
probe_looked(void *arg, int status, const char *err,
    const struct engine_obj *o)
{
	struct engine_cache_stats st;

	engine_cache_stats(&st);
	if (o == NULL)
		printf("%d err=%s\n", status, probe_s(err));
	else
		printf("%d %s name=%s owner=%s image=%s container=%s "
		    "driver=%s hit=%d\n", status, o->id, probe_s(o->name),
		    probe_s(o->owner), probe_s(o->image), probe_s(o->container),
		    probe_s(o->driver), st.hits > hits_before);
	probe_done();
}

/* Is a wait over?  An event is consumed when it matches. */
static int
probe_waited(void)
{
	if (want_live)
		return engine_watch_live();
	for (unsigned i = 0; i < nseen && i < PROBE_SEEN; i++)
		if (strcmp(seen[i].action, want_action) == 0 &&
		    strcmp(seen[i].id, want_id) == 0) {
			seen[i].action[0] = '\0';
			return 1;
		}
	return 0;
}

static void
probe_watch(void *arg, enum engine_watch_what what, const cJSON *ev)
{
	if (what == ENGINE_WATCH_EVENT && nseen < PROBE_SEEN) {
		const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(ev,
		    "Action"));
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(ev, "Actor"), "ID"));
		snprintf(seen[nseen].action, sizeof(seen[0].action), "%s",
		    a ? a : "");
		snprintf(seen[nseen].id, sizeof(seen[0].id), "%s", id ? id : "");
		nseen++;
	}
	if (busy && (want_live || want_action[0] != '\0') && probe_waited()) {
		if (want_live)
			printf("live\n");
		else
			printf("event %s\n", want_action);
		want_live = 0;
		want_action[0] = '\0';
		probe_done();
	}
}

static void
probe_command(char *line)
{
	char verb[16], kind[16], ref[256];
	const struct engine_obj *o;
	struct engine_cache_stats st;
	enum policy_obj k;
	int n = sscanf(line, "%15s %15s %255s", verb, kind, ref);

	busy = 1;
	if (n >= 1 && strcmp(verb, "live") == 0) {
		want_live = 1;
		probe_watch(NULL, ENGINE_WATCH_BACK, NULL);
	} else if (n == 3 && strcmp(verb, "event") == 0) {
		snprintf(want_action, sizeof(want_action), "%s", kind);
		snprintf(want_id, sizeof(want_id), "%s", ref);
		probe_watch(NULL, ENGINE_WATCH_BACK, NULL);
	} else if (n == 3 && strcmp(verb, "look") == 0 &&
	    probe_kind(kind, &k) == 0) {
		engine_cache_stats(&st);
		hits_before = st.hits;
		if (engine_lookup(k, ref, probe_looked, NULL) == NULL) {
			printf("0 err=out of memory\n");
			probe_done();
		}
	} else if (n == 3 && strcmp(verb, "peek") == 0 &&
	    probe_kind(kind, &k) == 0) {
		o = engine_cache_peek(k, ref);
		if (o != NULL)
			printf("hit %s\n", o->id);
		else
			printf("miss\n");
		probe_done();
	} else if (n >= 1 && strcmp(verb, "stats") == 0) {
		engine_cache_stats(&st);
		printf("hits=%llu misses=%llu entries=%u flushes=%llu\n",
		    (unsigned long long)st.hits, (unsigned long long)st.misses,
		    st.entries, (unsigned long long)st.flushes);
		probe_done();
	} else {
		printf("error: %s\n", line);
		probe_done();
	}
}

static void
probe_next(void)
{
	char *line;

	if (busy)
		return;
	if ((line = evbuffer_readln(input, NULL, EVBUFFER_EOL_LF)) != NULL) {
		probe_command(line);
		free(line);
	} else if (eof) {
		event_base_loopbreak(base);
	}
}

static void
probe_stdin(evutil_socket_t fd, short ev, void *arg)
{
	int n = evbuffer_read(input, fd, 4096);

	if (n <= 0) {
		eof = 1;
		event_del(arg);
	}
	probe_next();
}

int
main(int argc, char **argv)
{
	struct upstream_addr up;
	struct event *in;
	char spec[128];

	if (argc != 2) {
		fprintf(stderr, "usage: engine_probe SOCKET\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_LVL_WARN);
	snprintf(spec, sizeof(spec), "unix:%s", argv[1]);
	if ((base = event_base_new()) == NULL ||
	    (input = evbuffer_new()) == NULL || upstream_parse(spec, &up) != 0 ||
	    engine_init(base, &up, 0, 10000) != 0 ||
	    engine_cache_init(NULL, 0, 0) != 0 ||
	    engine_watch_start(probe_watch, NULL) != 0)
		return 1;
	in = event_new(base, 0, EV_READ | EV_PERSIST, probe_stdin,
	    event_self_cbarg());
	event_add(in, NULL);
	event_base_dispatch(base);
	event_free(in);
	engine_shutdown();
	evbuffer_free(input);
	event_base_free(base);
	return 0;
}
