/*
 * census.c - what a tenant holds on the engine: how many containers
 * (running among them), volumes and networks carry its owner label, and,
 * when asked, the memory and CPUs its containers were given.  The engine
 * counts: each list goes out with the owner label filter, so nothing is
 * filtered by hand.  Used by `job list` and by the quotas; it decides
 * nothing and removes nothing (reap.c does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jobs_int.h"

enum census_stage { CS_CONTAINERS, CS_INSPECT, CS_VOLUMES, CS_NETWORKS,
	CS_DONE };

struct census_ask {
	char			 tenant[SW_TENANT_MAX];
	char			 filter[512];
	unsigned		 what;
	enum census_stage	 stage;
	char			**ids;		/* CS_INSPECT: containers */
	unsigned		 nids, next;
	struct census		 c;
	struct engine_call	*call;
	census_cb		 cb;
	void			*arg;
};

static void census_step(struct census_ask *);

void
census_filter(char *out, size_t len, const char *tenant)
{
	char f[SW_TENANT_MAX + 64];

	snprintf(f, sizeof(f), "{\"label\":[\"%s=%s\"]}", POLICY_OWNER_LABEL,
	    tenant);
	(void)engine_segment(out, len, f);
}

static void
census_free(struct census_ask *a)
{
	for (unsigned i = 0; i < a->nids; i++)
		free(a->ids[i]);
	free(a->ids);
	free(a);
}

static void
census_end(struct census_ask *a, int ok, const char *err)
{
	a->cb(a->arg, ok, err, ok ? &a->c : NULL);
	census_free(a);
}

/* CPUs a container was given, in 1e-9 CPUs (NanoCpus or quota/period). */
static unsigned long long
census_nano_cpus(const cJSON *hc)
{
	double nano = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(hc,
	    "NanoCpus"));
	double quota = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(hc,
	    "CpuQuota"));
	double period = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
	    hc, "CpuPeriod"));

	if (nano > 0)
		return (unsigned long long)nano;
	if (quota > 0)
		return (unsigned long long)(quota * 1e9 /
		    (period > 0 ? period : 100000));
	return 0;
}

static int
census_take_containers(struct census_ask *a, const cJSON *list)
{
	const cJSON *it;

	if (!cJSON_IsArray(list))
		return -1;
	cJSON_ArrayForEach(it, list) {
		const char *state = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "State"));
		const char *id = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "Id"));

		a->c.containers++;
		if (state != NULL && strcmp(state, "running") == 0)
			a->c.running++;
		if (!(a->what & CENSUS_DEEP) || id == NULL)
			continue;
		if (a->nids % 16 == 0) {
			char **n = realloc(a->ids, (a->nids + 16) * sizeof(*n));
			if (n == NULL)
				return -1;
			a->ids = n;
		}
		if ((a->ids[a->nids] = strdup(id)) == NULL)
			return -1;
		a->nids++;
	}
	return 0;
}

static void
census_answer(void *arg, const struct engine_reply *rep)
{
	struct census_ask *a = arg;
	const cJSON *j = rep->json;

	a->call = NULL;
	if (rep->status == 0) {
		census_end(a, 0, rep->err);
		return;
	}
	switch (a->stage) {
	case CS_CONTAINERS:
		if (rep->status != 200 || census_take_containers(a, j) != 0) {
			census_end(a, 0, "the engine's container list");
			return;
		}
		a->stage = CS_INSPECT;
		break;
	case CS_INSPECT:
		/* 404: removed in between, it holds nothing any more */
		if (rep->status == 200) {
			const cJSON *hc = cJSON_GetObjectItemCaseSensitive(j,
			    "HostConfig");
			double mem = cJSON_GetNumberValue(
			    cJSON_GetObjectItemCaseSensitive(hc, "Memory"));

			if (mem > 0)
				a->c.memory += (unsigned long long)mem;
			a->c.nano_cpus += census_nano_cpus(hc);
		}
		a->next++;
		break;
	case CS_VOLUMES:
		j = cJSON_GetObjectItemCaseSensitive(j, "Volumes");
		if (rep->status != 200) {
			census_end(a, 0, "the engine's volume list");
			return;
		}
		a->c.volumes = (unsigned)cJSON_GetArraySize(j);	/* null: 0 */
		a->stage = CS_NETWORKS;
		break;
	case CS_NETWORKS:
		if (rep->status != 200 || !cJSON_IsArray(j)) {
			census_end(a, 0, "the engine's network list");
			return;
		}
		a->c.networks = (unsigned)cJSON_GetArraySize(j);
		a->stage = CS_DONE;
		break;
	case CS_DONE:
		break;
	}
	census_step(a);
}

/* The next question's target; 1 when there is none left. */
static int
census_next(struct census_ask *a, char *target, size_t len)
{
	for (;;) {
		switch (a->stage) {
		case CS_CONTAINERS:
			if (!(a->what & CENSUS_CONTAINERS)) {
				a->stage = CS_VOLUMES;
				continue;
			}
			snprintf(target, len, "/containers/json?all=1&filters=%s",
			    a->filter);
			return 0;
		case CS_INSPECT:
			if (a->next >= a->nids) {
				a->stage = CS_VOLUMES;
				continue;
			}
			snprintf(target, len, "/containers/%s/json",
			    a->ids[a->next]);
			return 0;
		case CS_VOLUMES:
			if (!(a->what & CENSUS_VOLUMES)) {
				a->stage = CS_NETWORKS;
				continue;
			}
			snprintf(target, len, "/volumes?filters=%s", a->filter);
			return 0;
		case CS_NETWORKS:
			if (!(a->what & CENSUS_NETWORKS)) {
				a->stage = CS_DONE;
				continue;
			}
			snprintf(target, len, "/networks?filters=%s", a->filter);
			return 0;
		case CS_DONE:
			return 1;
		}
	}
}

/* Ask the next question, or end (only from a callback: never inside
 * census_start()). */
static void
census_step(struct census_ask *a)
{
	char target[700];

	if (census_next(a, target, sizeof(target)) != 0)
		census_end(a, 1, NULL);
	else if ((a->call = engine_call("GET", target, NULL, 0, census_answer,
	    a)) == NULL)
		census_end(a, 0, "the engine client is busy");
}

struct census_ask *
census_start(const char *tenant, unsigned what, census_cb cb, void *arg)
{
	struct census_ask *a;
	char target[700];

	if ((what & CENSUS_ALL) == 0 || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	snprintf(a->tenant, sizeof(a->tenant), "%s", tenant);
	census_filter(a->filter, sizeof(a->filter), tenant);
	a->what = what;
	a->cb = cb;
	a->arg = arg;
	a->stage = CS_CONTAINERS;
	if (census_next(a, target, sizeof(target)) != 0 ||
	    (a->call = engine_call("GET", target, NULL, 0, census_answer,
	    a)) == NULL) {
		census_free(a);
		return NULL;
	}
	return a;
}

void
census_cancel(struct census_ask *a)
{
	if (a == NULL)
		return;
	if (a->call != NULL)
		engine_cancel(a->call);
	census_free(a);
}
