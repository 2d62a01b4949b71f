/*
 * tenant.c - whose a request is: the tenant that owns what the caller
 * makes and may touch.  On a listener with identity=listener every caller
 * is the listener's tenant ("l:NAME"); on one shared by job containers
 * (identity=container) a caller running in a container is that
 * container's tenant, confirmed by the engine: a container sockwarden
 * created carries its maker's owner label, so a nested job belongs to the
 * job that made it, and any other container is a tenant of its own
 * ("c:ID").  A caller outside any container, or in one the engine does
 * not know, is the listener's tenant, never another caller's.  Container
 * IDs are never reused and labels never change, so answers are cached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "daemon.h"

#define TENANT_CACHE	256

static struct {
	char	 container[65];
	char	 tenant[SW_TENANT_MAX];
} tenant_cache[TENANT_CACHE];
static unsigned tenant_cache_next;

struct tenant_ask {
	char			 container[65];
	char			 fallback[SW_TENANT_MAX];
	struct engine_call	*call;
	tenant_cb		 cb;
	void			*arg;
};

static void
tenant_listener(const struct listener *l, char *out, size_t len)
{
	if (listener_tenant(l) != NULL)	/* a job's socket: "j:ID" */
		snprintf(out, len, "%s", listener_tenant(l));
	else
		snprintf(out, len, "l:%s", listener_name(l));
}

static const char *
tenant_cached(const char *container)
{
	for (unsigned i = 0; i < TENANT_CACHE; i++)
		if (strcmp(tenant_cache[i].container, container) == 0)
			return tenant_cache[i].tenant;
	return NULL;
}

static void
tenant_remember(const char *container, const char *tenant)
{
	unsigned i = tenant_cache_next++ % TENANT_CACHE;

	snprintf(tenant_cache[i].container, sizeof(tenant_cache[i].container),
	    "%s", container);
	snprintf(tenant_cache[i].tenant, sizeof(tenant_cache[i].tenant), "%s",
	    tenant);
}

static void
tenant_answer(void *arg, const struct engine_reply *rep)
{
	struct tenant_ask *a = arg;
	char tenant[SW_TENANT_MAX];
	const char *owner, *id;

	a->call = NULL;
	if (rep->status == 0) {
		a->cb(a->arg, NULL, rep->err);
		free(a);	/* the owner forgot it before the callback */
		return;
	}
	if (rep->status != 200 || rep->json == NULL) {
		/* not a container this engine runs: the listener's */
		a->cb(a->arg, a->fallback, NULL);
		free(a);
		return;
	}
	owner = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    rep->json, "Config"), "Labels"), POLICY_OWNER_LABEL));
	id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rep->json,
	    "Id"));
	if (owner != NULL && owner[0] != '\0')
		snprintf(tenant, sizeof(tenant), "%s", owner);
	else
		snprintf(tenant, sizeof(tenant), "c:%s", id ? id : a->container);
	tenant_remember(a->container, tenant);
	a->cb(a->arg, tenant, NULL);
	free(a);
}

struct tenant_ask *
tenant_of(const struct listener *l, const struct peer *p, char *out,
    size_t len, tenant_cb cb, void *arg)
{
	struct tenant_ask *a;
	const char *known;
	char target[96];

	if (listener_ident(l) == IDENT_LISTENER || p->container[0] == '\0') {
		tenant_listener(l, out, len);
		return NULL;
	}
	if ((known = tenant_cached(p->container)) != NULL) {
		snprintf(out, len, "%s", known);
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		out[0] = '\0';		/* the caller answers 500 */
		return NULL;
	}
	memcpy(a->container, p->container, sizeof(a->container));
	tenant_listener(l, a->fallback, sizeof(a->fallback));
	a->cb = cb;
	a->arg = arg;
	snprintf(target, sizeof(target), "/containers/%s/json", p->container);
	if ((a->call = engine_call("GET", target, NULL, 0, tenant_answer,
	    a)) == NULL) {
		free(a);
		out[0] = '\0';
		return NULL;
	}
	out[0] = '\0';
	return a;
}

void
tenant_ask_free(struct tenant_ask *a)
{
	if (a == NULL)
		return;
	if (a->call != NULL)
		engine_cancel(a->call);
	free(a);
}
