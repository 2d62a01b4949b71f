/*
 * callers.c - what each caller holds, so one caller cannot lock others
 * out: its open connections (max_connections_per_caller) and the request
 * bodies held for the policy (body_memory overall, a quarter of it per
 * caller).  A caller is a peer uid plus, when it runs in one, its
 * container.  Entries are reference-counted by the connections that name
 * them; an open-addressed table finds them in constant time.  It decides
 * nothing about requests; conn_state.c asks before it admits.
 */
#include <stdlib.h>
#include <string.h>

#include "conn_int.h"

#define CALLERS_SLOTS	8192	/* power of two: distinct callers at once;
				   beyond that a new caller gets 503 */

struct caller {
	uid_t		 uid;
	char		 container[65];
	unsigned	 refs;		/* connections naming it */
	size_t		 held;		/* body bytes it holds */
	unsigned	 used:1;	/* slot in use (tombstones stay used) */
};

static struct caller callers[CALLERS_SLOTS];
static size_t held_total;

static size_t
callers_hash(uid_t uid, const char *cid)
{
	size_t h = 1469598103934665603ull ^ (size_t)uid;

	for (; *cid != '\0'; cid++)
		h = (h ^ (unsigned char)*cid) * 1099511628211ull;
	return h & (CALLERS_SLOTS - 1);
}

struct caller *
caller_get(const struct peer *p)
{
	size_t i = callers_hash(p->uid, p->container), free_slot = SIZE_MAX;

	for (size_t n = 0; n < CALLERS_SLOTS; n++, i = (i + 1) &
	    (CALLERS_SLOTS - 1)) {
		struct caller *c = &callers[i];
		if (!c->used)
			break;
		if (c->refs == 0 && free_slot == SIZE_MAX)
			free_slot = i;
		if (c->refs > 0 && c->uid == p->uid &&
		    strcmp(c->container, p->container) == 0) {
			c->refs++;
			return c;
		}
	}
	if (free_slot == SIZE_MAX) {
		for (size_t n = 0; n < CALLERS_SLOTS; n++) {
			if (!callers[i].used || callers[i].refs == 0) {
				free_slot = i;
				break;
			}
			i = (i + 1) & (CALLERS_SLOTS - 1);
		}
		if (free_slot == SIZE_MAX)
			return NULL;
	}
	memset(&callers[free_slot], 0, sizeof(callers[free_slot]));
	callers[free_slot].used = 1;
	callers[free_slot].uid = p->uid;
	memcpy(callers[free_slot].container, p->container,
	    sizeof(callers[free_slot].container));
	callers[free_slot].refs = 1;
	return &callers[free_slot];
}

void
caller_put(struct caller *c)
{
	if (c != NULL && c->refs > 0)
		c->refs--;
}

unsigned
caller_conns(const struct caller *c)
{
	return c->refs;
}

/*
 * Take n more bytes of held body for c: 0, or -1 when the overall budget
 * or the caller's share (a quarter of it) would be exceeded.
 */
int
caller_hold(struct caller *c, size_t n)
{
	size_t budget = srv->conf->body_memory;

	if (held_total + n > budget || c->held + n > budget / 4)
		return -1;
	held_total += n;
	c->held += n;
	return 0;
}

void
caller_release(struct caller *c, size_t n)
{
	if (n > c->held)
		n = c->held;
	c->held -= n;
	held_total -= n;
}
