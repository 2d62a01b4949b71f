/*
 * engine_int.h - what the files of daemon/engine/ share and nobody else
 * needs: the loop and the engine engine.c was given (watch.c opens its
 * own stream), and the cache's store as lookup.c and the events feed it.
 */
#ifndef SW_ENGINE_INT_H
#define SW_ENGINE_INT_H

#include "daemon.h"

/* engine.c */
struct event_base *engine_base(void);		/* NULL: not initialised */
/* A new connection to the engine (see upstream_connect()). */
struct sock *engine_connect(int *err);

/* cache.c: the store */
struct cache_ent;
/* The fresh entry ref names, or NULL (not kept, stale, or the watch is
 * down). */
struct cache_ent *cache_find(enum policy_obj, const char *ref);
/* An entry built from an inspect answer (not in the store yet), or NULL
 * with *why when the answer lacks what the kind needs. */
struct cache_ent *cache_ent_new(enum policy_obj, const struct cJSON *,
	    const char **why);
/* Keep e (taking it), found by asking for ref, unless something it names
 * changed since epoch; either way e stays valid while pinned. */
void	 cache_insert(struct cache_ent *, uint64_t epoch, const char *ref);
uint64_t cache_epoch(void);
const struct engine_obj *cache_obj(const struct cache_ent *);
/* Pinned entries outlive their removal from the store until unpinned. */
void	 cache_pin(struct cache_ent *);
void	 cache_unpin(struct cache_ent *);
void	 cache_count(int hit);

/* lookup.c */
void	 lookup_shutdown(void);	/* free every look-up, no callbacks */

#endif /* SW_ENGINE_INT_H */
