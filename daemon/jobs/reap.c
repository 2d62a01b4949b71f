/*
 * reap.c - removing everything a tenant owns on the engine, once its job
 * is closed: containers first (force: running ones are killed; v: their
 * anonymous volumes go with them), then volumes, then networks, each
 * found by the engine's own owner label filter.  Removing what is already
 * gone counts as done (404), so a reap can be repeated any number of
 * times.  A pass that removed something is followed by another one: a
 * create the engine was still finishing when the job's connections were
 * closed shows up there.  The reap ends done when a pass finds nothing;
 * an engine that does not answer, or refuses a removal, ends it not done
 * with the reason, and jobs.c tries again later.  It does not close
 * sockets or connections (jobs.c and the listener do).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jobs_int.h"

#define REAP_PASSES	5	/* objects that keep appearing: give up */

enum reap_stage { RS_LIST, RS_DELETE };
enum reap_kind { RK_CONTAINER, RK_VOLUME, RK_NETWORK, RK_END };

struct reap {
	char			 tenant[SW_TENANT_MAX];
	char			 filter[512];
	enum reap_kind		 kind;
	enum reap_stage		 stage;
	char			**names;	/* RS_DELETE: what to remove */
	unsigned		 nnames, next;
	unsigned		 found;		/* objects seen in this pass */
	unsigned		 passes;
	unsigned		 failed;	/* removals refused this pass */
	char			 why[256];	/* the last refusal */
	struct census		 removed;
	struct engine_call	*call;
	reap_cb			 cb;
	void			*arg;
};

static const char *const reap_what[] = { "container", "volume", "network" };

static void
reap_names_clear(struct reap *r)
{
	for (unsigned i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	r->names = NULL;
	r->nnames = r->next = 0;
}

static void
reap_free(struct reap *r)
{
	reap_names_clear(r);
	free(r);
}

static void
reap_end(struct reap *r, int done, const char *why)
{
	r->cb(r->arg, done, why, &r->removed);
	reap_free(r);
}

/* The engine's list answer: the IDs (volume names) to remove. */
static int
reap_take_list(struct reap *r, const cJSON *j)
{
	const cJSON *it;
	const char *key = r->kind == RK_VOLUME ? "Name" : "Id";

	if (r->kind == RK_VOLUME)
		j = cJSON_GetObjectItemCaseSensitive(j, "Volumes");
	if (cJSON_IsNull(j) || j == NULL)
		return 0;		/* the engine says "none" this way */
	if (!cJSON_IsArray(j))
		return -1;
	cJSON_ArrayForEach(it, j) {
		const char *id = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, key));
		if (id == NULL)
			continue;
		if (r->nnames % 16 == 0) {
			char **n = realloc(r->names, (r->nnames + 16) *
			    sizeof(*n));
			if (n == NULL)
				return -1;
			r->names = n;
		}
		if ((r->names[r->nnames] = strdup(id)) == NULL)
			return -1;
		r->nnames++;
	}
	return 0;
}

/* The next request of the pass; 1 at its end. */
static int
reap_next(struct reap *r, const char **method, char *target, size_t len)
{
	char seg[400];

	for (;;) {
		if (r->kind == RK_END)
			return 1;
		if (r->stage == RS_LIST) {
			*method = "GET";
			snprintf(target, len, r->kind == RK_CONTAINER ?
			    "/containers/json?all=1&filters=%s" :
			    r->kind == RK_VOLUME ? "/volumes?filters=%s" :
			    "/networks?filters=%s", r->filter);
			return 0;
		}
		if (r->next < r->nnames) {
			*method = "DELETE";
			(void)engine_segment(seg, sizeof(seg),
			    r->names[r->next]);
			snprintf(target, len, r->kind == RK_CONTAINER ?
			    "/containers/%s?force=1&v=1" :
			    r->kind == RK_VOLUME ? "/volumes/%s?force=1" :
			    "/networks/%s", seg);
			return 0;
		}
		reap_names_clear(r);
		r->kind++;
		r->stage = RS_LIST;
	}
}

static void reap_answer(void *, const struct engine_reply *);

static int
reap_ask(struct reap *r)
{
	const char *method;
	char target[700];

	if (reap_next(r, &method, target, sizeof(target)) != 0)
		return 1;
	r->call = engine_call(method, target, NULL, 0, reap_answer, r);
	return r->call == NULL ? -1 : 0;
}

/* A pass ended: another one, or the end. */
static void
reap_pass_over(struct reap *r)
{
	int rc;

	if (r->failed > 0) {
		reap_end(r, 0, r->why);
		return;
	}
	if (r->found == 0) {
		reap_end(r, 1, NULL);
		return;
	}
	if (++r->passes >= REAP_PASSES) {
		reap_end(r, 0, "objects keep appearing");
		return;
	}
	r->found = 0;
	r->kind = RK_CONTAINER;
	r->stage = RS_LIST;
	if ((rc = reap_ask(r)) != 0)
		reap_end(r, 0, "the engine client is busy");
}

static void
reap_answer(void *arg, const struct engine_reply *rep)
{
	struct reap *r = arg;
	int rc;

	r->call = NULL;
	if (rep->status == 0) {
		reap_end(r, 0, rep->err ? rep->err : "the engine did not answer");
		return;
	}
	if (r->stage == RS_LIST) {
		if (rep->status != 200 || reap_take_list(r, rep->json) != 0) {
			snprintf(r->why, sizeof(r->why), "listing %ss: %d %s",
			    reap_what[r->kind], rep->status, rep->err ?
			    rep->err : "");
			reap_end(r, 0, r->why);
			return;
		}
		r->found += r->nnames;
		r->stage = RS_DELETE;
	} else {
		if (rep->status / 100 == 2) {
			if (r->kind == RK_CONTAINER)
				r->removed.containers++;
			else if (r->kind == RK_VOLUME)
				r->removed.volumes++;
			else
				r->removed.networks++;
		} else if (rep->status != 404) {
			/* 409 (a removal in progress, in use): next time */
			r->failed++;
			snprintf(r->why, sizeof(r->why), "removing %s %.64s: "
			    "%d %s", reap_what[r->kind], r->names[r->next],
			    rep->status, rep->err ? rep->err : "");
		}
		r->next++;
	}
	if ((rc = reap_ask(r)) > 0)
		reap_pass_over(r);
	else if (rc < 0)
		reap_end(r, 0, "the engine client is busy");
}

struct reap *
reap_start(const char *tenant, reap_cb cb, void *arg)
{
	struct reap *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	snprintf(r->tenant, sizeof(r->tenant), "%s", tenant);
	census_filter(r->filter, sizeof(r->filter), tenant);
	r->cb = cb;
	r->arg = arg;
	if (reap_ask(r) != 0) {
		reap_free(r);
		return NULL;
	}
	return r;
}

void
reap_cancel(struct reap *r)
{
	if (r == NULL)
		return;
	if (r->call != NULL)
		engine_cancel(r->call);
	reap_free(r);
}
