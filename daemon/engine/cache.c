/*
 * cache.c - what the engine said its containers, volumes, networks and
 * execs are: full ID, name, owner label, and per kind the image, the
 * driver, a volume's options or an exec's container.  lookup.c fills it
 * from inspect answers; the events watch empties it.
 *
 * An entry is found by its full ID or its exact name, never by an ID
 * prefix (whether a prefix is unique depends on objects the cache does not
 * hold), and a 64-hex ref only by ID (the engine puts an ID before a name).
 * It is used only while the events stream is live; the events that change
 * what a name or ID means drop what they name (create: a name is taken,
 * or a second network has it; destroy; rename), a lost stream drops all,
 * and an entry older than the TTL is not used.  A look-up answered while
 * something it names was invalidated is handed on but not kept.  "Not
 * found" is never kept: a name free now may be taken a moment later.
 * Size is bounded, least recently used first out.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "daemon.h"
#include "engine_int.h"

#define CACHE_RECENT	64	/* invalidations remembered for look-ups */

struct cache_key {
	struct cache_key	*next;		/* hash chain */
	struct cache_ent	*ent;
	const char		*str;
	int			 by_id;
};

struct cache_ent {
	TAILQ_ENTRY(cache_ent)	 lru;		/* most recently used first */
	struct cache_key	 keys[2];	/* ID, and the name if other */
	unsigned		 nkeys;
	int			 linked;	/* in the store */
	unsigned		 pins;
	uint64_t		 born_ms;
	struct engine_obj	 obj;		/* strings malloc'd */
};

static struct {
	int			 on;
	char			*label;
	unsigned		 max, ttl_ms;
	struct cache_key	**bucket;
	unsigned		 nbucket;	/* a power of two */
	TAILQ_HEAD(cache_lru, cache_ent) lru;
	uint64_t		 epoch;		/* one per invalidation */
	uint64_t		 flushed;	/* epoch of the last flush */
	struct {
		enum policy_obj	 kind;
		char		*str;
	}			 recent[CACHE_RECENT];
	struct engine_cache_stats st;
} cache;

static uint64_t
cache_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned
cache_hash(enum policy_obj kind, const char *s)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h & (cache.nbucket - 1);
}

static int
cache_is_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 64 && s[n] == '\0';
}

/* A container's name as the engine matches it: "/web" is "web". */
static const char *
cache_name(enum policy_obj kind, const char *s)
{
	return kind == POLICY_OBJ_CONTAINER && s[0] == '/' ? s + 1 : s;
}

static void
cache_free(struct cache_ent *e)
{
	free((char *)e->obj.id);
	free((char *)e->obj.name);
	free((char *)e->obj.owner);
	free((char *)e->obj.image);
	free((char *)e->obj.container);
	free((char *)e->obj.driver);
	cJSON_Delete((cJSON *)e->obj.options);
	free(e);
}

static void
cache_unlink(struct cache_ent *e)
{
	if (!e->linked)
		return;
	for (unsigned i = 0; i < e->nkeys; i++) {
		struct cache_key **kp = &cache.bucket[cache_hash(e->obj.kind,
		    e->keys[i].str)];
		while (*kp != &e->keys[i])
			kp = &(*kp)->next;
		*kp = e->keys[i].next;
	}
	TAILQ_REMOVE(&cache.lru, e, lru);
	e->linked = 0;
	cache.st.entries--;
	if (e->pins == 0)
		cache_free(e);
}

void
cache_pin(struct cache_ent *e)
{
	e->pins++;
}

void
cache_unpin(struct cache_ent *e)
{
	if (--e->pins == 0 && !e->linked)
		cache_free(e);
}

const struct engine_obj *
cache_obj(const struct cache_ent *e)
{
	return &e->obj;
}

uint64_t
cache_epoch(void)
{
	return cache.epoch;
}

void
cache_count(int hit)
{
	if (hit)
		cache.st.hits++;
	else
		cache.st.misses++;
}

struct cache_ent *
cache_find(enum policy_obj kind, const char *ref)
{
	const char *name = cache_name(kind, ref);
	struct cache_key *k;
	struct cache_ent *e = NULL;

	if (!cache.on || !engine_watch_live())
		return NULL;
	for (k = cache.bucket[cache_hash(kind, ref)]; k != NULL; k = k->next)
		if (k->by_id && k->ent->obj.kind == kind &&
		    strcmp(k->str, ref) == 0)
			e = k->ent;
	if (e == NULL && !cache_is_id(ref))
		for (k = cache.bucket[cache_hash(kind, name)]; k != NULL;
		    k = k->next)
			if (!k->by_id && k->ent->obj.kind == kind &&
			    strcmp(k->str, name) == 0)
				e = k->ent;
	if (e == NULL)
		return NULL;
	if (cache_now_ms() - e->born_ms > cache.ttl_ms) {
		cache_unlink(e);
		return NULL;
	}
	TAILQ_REMOVE(&cache.lru, e, lru);
	TAILQ_INSERT_HEAD(&cache.lru, e, lru);
	return e;
}

/* Something named str (an ID or a name) of kind changed: look-ups in
 * flight must not keep what they learnt about it. */
static void
cache_note(enum policy_obj kind, const char *str)
{
	unsigned slot = (unsigned)(++cache.epoch % CACHE_RECENT);

	free(cache.recent[slot].str);
	cache.recent[slot].kind = kind;
	cache.recent[slot].str = strdup(str);
}

/* Was anything e names invalidated after epoch? */
static int
cache_changed(const struct cache_ent *e, uint64_t epoch)
{
	if (epoch < cache.flushed || cache.epoch - epoch >= CACHE_RECENT)
		return 1;
	for (uint64_t n = epoch + 1; n <= cache.epoch; n++) {
		const char *s = cache.recent[n % CACHE_RECENT].str;
		enum policy_obj k = cache.recent[n % CACHE_RECENT].kind;
		if (s == NULL)		/* out of memory when noted */
			return 1;
		if (k == e->obj.kind && (strcmp(s, e->obj.id) == 0 ||
		    (e->obj.name != NULL && strcmp(s, e->obj.name) == 0)))
			return 1;
		if (e->obj.kind == POLICY_OBJ_EXEC &&
		    k == POLICY_OBJ_CONTAINER && strcmp(s, e->obj.container) == 0)
			return 1;
	}
	return 0;
}

static int
cache_matches(const struct cache_ent *e, enum policy_obj kind,
    const char *str, int prefix)
{
	size_t len = strlen(str);

	if (e->obj.kind != kind)
		return 0;
	if (strcmp(e->obj.id, str) == 0 || (prefix && len > 0 &&
	    strncmp(e->obj.id, str, len) == 0))
		return 1;
	return e->obj.name != NULL &&
	    strcmp(e->obj.name, cache_name(kind, str)) == 0;
}

/* Drop every entry of kind whose ID or name is str (with prefix, whose ID
 * starts with it); an exec goes with its container.  note: record each as
 * changed, for the look-ups in flight. */
static void
cache_drop(enum policy_obj kind, const char *str, int prefix, int note)
{
	struct cache_ent *e, *next;
	int again = 1;

	if (note)
		cache_note(kind, cache_name(kind, str));
	while (again) {
		again = 0;
		TAILQ_FOREACH(e, &cache.lru, lru)
			if (cache_matches(e, kind, str, prefix))
				break;
		if (e == NULL)
			break;
		if (note) {
			cache_note(kind, e->obj.id);
			if (e->obj.name != NULL)
				cache_note(kind, e->obj.name);
		}
		if (kind == POLICY_OBJ_CONTAINER) {
			for (struct cache_ent *x = TAILQ_FIRST(&cache.lru);
			    x != NULL; x = next) {
				next = TAILQ_NEXT(x, lru);
				if (x->obj.kind == POLICY_OBJ_EXEC &&
				    strcmp(x->obj.container, e->obj.id) == 0)
					cache_unlink(x);
			}
		}
		cache_unlink(e);
		again = 1;
	}
}

void
cache_insert(struct cache_ent *e, uint64_t epoch, const char *ref)
{
	int by_name;

	if (!cache.on || !engine_watch_live() || cache_changed(e, epoch))
		return;
	/* network names need not be unique: one is a key only when the
	 * engine resolved it (a second network of that name is a create
	 * event, which drops it) */
	by_name = e->obj.name != NULL && strcmp(e->obj.name, e->obj.id) != 0 &&
	    (e->obj.kind != POLICY_OBJ_NETWORK || strcmp(e->obj.name, ref) == 0);
	/* a twin (same ID, or the name's last holder) is replaced */
	cache_drop(e->obj.kind, e->obj.id, 0, 0);
	if (by_name)
		cache_drop(e->obj.kind, e->obj.name, 0, 0);
	e->keys[0].str = e->obj.id;
	e->keys[0].by_id = 1;
	e->keys[1].str = e->obj.name;
	e->keys[1].by_id = 0;
	e->nkeys = by_name ? 2 : 1;
	for (unsigned i = 0; i < e->nkeys; i++) {
		unsigned b = cache_hash(e->obj.kind, e->keys[i].str);
		e->keys[i].ent = e;
		e->keys[i].next = cache.bucket[b];
		cache.bucket[b] = &e->keys[i];
	}
	e->born_ms = cache_now_ms();
	e->linked = 1;
	TAILQ_INSERT_HEAD(&cache.lru, e, lru);
	if (++cache.st.entries > cache.max)
		cache_unlink(TAILQ_LAST(&cache.lru, cache_lru));
}

static const char *
cache_str(const cJSON *j, const char *a, const char *b)
{
	if (b != NULL)
		j = cJSON_GetObjectItemCaseSensitive(j, a), a = b;
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, a));
}

static int
cache_dup(const char **dst, const char *src)
{
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst == NULL ? -1 : 0;
}

struct cache_ent *
cache_ent_new(enum policy_obj kind, const cJSON *j, const char **why)
{
	struct cache_ent *e = calloc(1, sizeof(*e));
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(j, "Labels");
	const char *id = cache_str(j, kind == POLICY_OBJ_VOLUME ? "Name" :
	    kind == POLICY_OBJ_EXEC ? "ID" : "Id", NULL), *name = NULL;
	int rc = 0;

	*why = "out of memory";
	if (e == NULL)
		return NULL;
	e->obj.kind = kind;
	switch (kind) {
	case POLICY_OBJ_CONTAINER:
		labels = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(j, "Config"), "Labels");
		if ((name = cache_str(j, "Name", NULL)) != NULL)
			name = cache_name(kind, name);
		rc |= cache_dup(&e->obj.image, cache_str(j, "Config", "Image"));
		break;
	case POLICY_OBJ_EXEC:
		if (cache_str(j, "ContainerID", NULL) == NULL)
			id = NULL;
		rc |= cache_dup(&e->obj.container, cache_str(j, "ContainerID",
		    NULL));
		break;
	case POLICY_OBJ_VOLUME:
	case POLICY_OBJ_NETWORK:
		name = cache_str(j, "Name", NULL);
		rc |= cache_dup(&e->obj.driver, cache_str(j, "Driver", NULL));
		if (kind == POLICY_OBJ_VOLUME && cJSON_IsObject(
		    cJSON_GetObjectItemCaseSensitive(j, "Options")) &&
		    (e->obj.options = cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(j, "Options"), 1)) == NULL)
			rc = -1;
		break;
	}
	rc |= cache_dup(&e->obj.id, id);
	rc |= cache_dup(&e->obj.name, name);
	rc |= cache_dup(&e->obj.owner, cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(labels, cache.label)));
	if (rc == 0 && id == NULL)
		*why = "an answer sockwarden does not expect";
	if (rc != 0 || id == NULL) {
		cache_free(e);
		return NULL;
	}
	return e;
}

void
engine_cache_flush(void)
{
	struct cache_ent *e;

	while ((e = TAILQ_FIRST(&cache.lru)) != NULL)
		cache_unlink(e);
	cache.flushed = ++cache.epoch;
	cache.st.flushes++;
}

void
engine_cache_forget(enum policy_obj kind, const char *ref)
{
	if (cache.on && ref != NULL)
		cache_drop(kind, ref, 1, 1);
}

/* The events that change what a name or an ID means. */
static void
cache_watch(void *arg, enum engine_watch_what what, const cJSON *ev)
{
	static const struct {
		const char	*type, *action;
		enum policy_obj	 kind;
	} acts[] = {
		{ "container", "create", POLICY_OBJ_CONTAINER },
		{ "container", "destroy", POLICY_OBJ_CONTAINER },
		{ "container", "rename", POLICY_OBJ_CONTAINER },
		{ "network", "create", POLICY_OBJ_NETWORK },
		{ "network", "destroy", POLICY_OBJ_NETWORK },
		{ "network", "remove", POLICY_OBJ_NETWORK },
		{ "volume", "create", POLICY_OBJ_VOLUME },
		{ "volume", "destroy", POLICY_OBJ_VOLUME },
	};
	const char *type = cache_str(ev, "Type", NULL);
	const char *action = cache_str(ev, "Action", NULL), *s;
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(ev, "Actor");

	if (!cache.on)
		return;
	if (what != ENGINE_WATCH_EVENT) {	/* lost or back: start over */
		engine_cache_flush();
		return;
	}
	if (type == NULL || action == NULL)
		return;
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		if (strcmp(type, acts[i].type) != 0 ||
		    strcmp(action, acts[i].action) != 0)
			continue;
		if ((s = cache_str(actor, "ID", NULL)) != NULL)
			cache_drop(acts[i].kind, s, 0, 1);
		if ((s = cache_str(actor, "Attributes", "name")) != NULL)
			cache_drop(acts[i].kind, s, 0, 1);
		if ((s = cache_str(actor, "Attributes", "oldName")) != NULL)
			cache_drop(acts[i].kind, s, 0, 1);
	}
}

int
engine_cache_init(const char *label, unsigned max, unsigned ttl_ms)
{
	engine_cache_shutdown();
	cache.max = max ? max : SW_ENGINE_CACHE_MAX;
	cache.ttl_ms = ttl_ms ? ttl_ms : SW_ENGINE_CACHE_TTL_MS;
	for (cache.nbucket = 16; cache.nbucket < 2 * cache.max;)
		cache.nbucket *= 2;
	TAILQ_INIT(&cache.lru);
	if ((cache.label = strdup(label ? label : POLICY_OWNER_LABEL)) == NULL ||
	    (cache.bucket = calloc(cache.nbucket, sizeof(*cache.bucket))) ==
	    NULL || engine_watch_start(cache_watch, NULL) != 0) {
		engine_cache_shutdown();
		return -1;
	}
	cache.on = 1;
	return 0;
}

void
engine_cache_shutdown(void)
{
	lookup_shutdown();
	if (cache.on) {
		struct cache_ent *e;
		while ((e = TAILQ_FIRST(&cache.lru)) != NULL) {
			e->pins = 0;	/* nothing runs after this */
			cache_unlink(e);
		}
	}
	for (size_t i = 0; i < CACHE_RECENT; i++)
		free(cache.recent[i].str);
	free(cache.bucket);
	free(cache.label);
	memset(&cache, 0, sizeof(cache));
}

void
engine_cache_stats(struct engine_cache_stats *st)
{
	*st = cache.st;
}
