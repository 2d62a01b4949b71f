/*
 * lookup.c - resolve what a request names (a name, full ID or ID prefix)
 * to the object the engine holds: from cache.c when it has the object,
 * else by asking the engine with its own inspect call, which applies the
 * engine's own resolution rules (full ID, then exact name, then unique ID
 * prefix; volumes by name, execs by ID) so sockwarden never re-implements
 * them.  What a 200 answer says goes into the cache; nothing else does.
 * The callback always runs from the loop, once, and not after a cancel.
 * It decides nothing (whose the object is, is the tenancy code's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <cjson/cJSON.h>

#include "daemon.h"
#include "engine_int.h"

struct engine_lookup {
	LIST_ENTRY(engine_lookup) l_entry;
	enum policy_obj		 l_kind;
	engine_lookup_cb	 l_cb;
	void			*l_arg;
	struct engine_call	*l_call;	/* asking the engine */
	struct cache_ent	*l_hit;		/* pinned, handed on soon */
	struct event		*l_ev;		/* that soon */
	uint64_t		 l_epoch;	/* the cache's, when asked */
	int			 l_answering;
	char			 l_ref[];	/* as asked */
};

static LIST_HEAD(, engine_lookup) lookups = LIST_HEAD_INITIALIZER(lookups);

static void
lookup_free(struct engine_lookup *l)
{
	LIST_REMOVE(l, l_entry);
	if (l->l_call != NULL)
		engine_cancel(l->l_call);
	if (l->l_ev != NULL)
		event_free(l->l_ev);
	if (l->l_hit != NULL)
		cache_unpin(l->l_hit);
	free(l);
}

static void
lookup_deliver(struct engine_lookup *l, int status, const char *err,
    const struct engine_obj *obj)
{
	l->l_answering = 1;
	l->l_cb(l->l_arg, status, err, obj);
	lookup_free(l);
}

static void
lookup_hit(evutil_socket_t fd, short ev, void *arg)
{
	struct engine_lookup *l = arg;

	lookup_deliver(l, 200, NULL, cache_obj(l->l_hit));
}

static void
lookup_answer(void *arg, const struct engine_reply *rep)
{
	struct engine_lookup *l = arg;
	struct cache_ent *e;
	const char *why;

	l->l_call = NULL;
	if (rep->status != 200) {
		/* not found, ambiguous, refused or no answer: handed on,
		 * never kept */
		lookup_deliver(l, rep->status, rep->err != NULL ? rep->err :
		    "the engine refused without a reason", NULL);
		return;
	}
	if ((e = cache_ent_new(l->l_kind, rep->json, &why)) == NULL) {
		lookup_deliver(l, 0, why, NULL);
		return;
	}
	l->l_hit = e;
	cache_pin(e);
	cache_insert(e, l->l_epoch, l->l_ref);
	lookup_deliver(l, 200, NULL, cache_obj(e));
}

size_t
engine_segment(char *out, size_t outlen, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0, need = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~';
		need += plain ? 1 : 3;
		if (need >= outlen)
			continue;	/* cut, but go on counting */
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (outlen > 0)
		out[o] = '\0';
	return need;
}

struct engine_lookup *
engine_lookup(enum policy_obj kind, const char *ref, engine_lookup_cb cb,
    void *arg)
{
	struct engine_lookup *l;
	struct cache_ent *e;
	char *seg, *target;
	size_t need;

	if (ref == NULL || cb == NULL || engine_base() == NULL ||
	    (l = calloc(1, sizeof(*l) + strlen(ref) + 1)) == NULL)
		return NULL;
	memcpy(l->l_ref, ref, strlen(ref) + 1);
	l->l_kind = kind;
	l->l_cb = cb;
	l->l_arg = arg;
	LIST_INSERT_HEAD(&lookups, l, l_entry);
	if ((e = cache_find(kind, ref)) != NULL) {
		cache_count(1);
		if ((l->l_ev = event_new(engine_base(), -1, 0, lookup_hit,
		    l)) == NULL) {
			lookup_free(l);
			return NULL;
		}
		l->l_hit = e;
		cache_pin(e);
		event_active(l->l_ev, 0, 0);
		return l;
	}
	cache_count(0);
	l->l_epoch = cache_epoch();
	need = engine_segment(NULL, 0, ref) + 1;
	if ((seg = malloc(need)) == NULL || (target = malloc(need + 32)) ==
	    NULL) {
		free(seg);
		lookup_free(l);
		return NULL;
	}
	engine_segment(seg, need, ref);
	snprintf(target, need + 32, "%s%s%s", kind == POLICY_OBJ_CONTAINER ?
	    "/containers/" : kind == POLICY_OBJ_EXEC ? "/exec/" :
	    kind == POLICY_OBJ_VOLUME ? "/volumes/" : "/networks/", seg,
	    kind == POLICY_OBJ_CONTAINER || kind == POLICY_OBJ_EXEC ?
	    "/json" : "");
	free(seg);
	l->l_call = engine_call("GET", target, NULL, 0, lookup_answer, l);
	free(target);
	if (l->l_call == NULL) {
		lookup_free(l);
		return NULL;
	}
	return l;
}

void
engine_lookup_cancel(struct engine_lookup *l)
{
	if (l != NULL && !l->l_answering)
		lookup_free(l);
}

const struct engine_obj *
engine_cache_peek(enum policy_obj kind, const char *ref)
{
	struct cache_ent *e = ref != NULL ? cache_find(kind, ref) : NULL;

	if (e != NULL)
		cache_count(1);
	return e != NULL ? cache_obj(e) : NULL;
}

void
lookup_shutdown(void)
{
	while (!LIST_EMPTY(&lookups))
		lookup_free(LIST_FIRST(&lookups));
}
