/*
 * quota.c - a job's limits, checked before a create on its socket goes
 * upstream: how many containers (a create that would make one more than
 * the quota is refused), the memory and CPUs all its containers were given
 * (a create without a limit is refused where the job has such a quota,
 * one whose limit would take the total over it too), how many volumes and
 * networks.  The facts come from the engine (census.c: the owner label
 * filter), counting creates already let through but not yet answered, so
 * parallel creates cannot slip past together.  A refusal is the policy's
 * 403 shape with rule "quota", naming the quota and its value.  policy/
 * stays pure: the daemon gathers, this file compares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jobs_int.h"

struct quota_check {
	char			 job[JOB_ID_MAX + 1];
	char			 what[64];	/* "container create" */
	enum { Q_CONTAINER, Q_VOLUME, Q_NETWORK } kind;
	unsigned long long	 memory;	/* the new container's */
	unsigned long long	 nano_cpus;
	struct census_ask	*census;
	int			 held;		/* counted in the job's creating */
	quota_cb		 cb;
	void			*arg;
	char			 msg[512];
};

/* The new container's memory and CPUs, from the body as forwarded. */
static void
quota_body(struct quota_check *q, const unsigned char *body, size_t len)
{
	cJSON *o = body != NULL ? cJSON_ParseWithLength((const char *)body,
	    len) : NULL;
	const cJSON *hc = cJSON_GetObjectItemCaseSensitive(o, "HostConfig");
	double mem = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(hc,
	    "Memory"));
	double nano = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(hc,
	    "NanoCpus"));
	double cq = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(hc,
	    "CpuQuota"));
	double cp = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(hc,
	    "CpuPeriod"));

	/* NaN (absent) compares false: 0 */
	q->memory = mem > 0 ? (unsigned long long)mem : 0;
	q->nano_cpus = nano > 0 ? (unsigned long long)nano : cq > 0 ?
	    (unsigned long long)(cq * 1e9 / (cp > 0 ? cp : 100000)) : 0;
	cJSON_Delete(o);
}

/* NULL when within every quota, else the refusal in q->msg. */
static const char *
quota_judge(struct quota_check *q, const struct job_quota *lim,
    const struct census *c, unsigned creating)
{
#define DENY(...) (snprintf(q->msg, sizeof(q->msg), "sockwarden: %s denied " \
	"by rule quota: " __VA_ARGS__), q->msg)
	switch (q->kind) {
	case Q_VOLUME:
		if (lim->volumes > 0 && c->volumes >= lim->volumes)
			return DENY("the job has %u volumes, its quota is "
			    "volumes %llu", q->what, c->volumes, lim->volumes);
		return NULL;
	case Q_NETWORK:
		if (lim->networks > 0 && c->networks >= lim->networks)
			return DENY("the job has %u networks, its quota is "
			    "networks %llu", q->what, c->networks,
			    lim->networks);
		return NULL;
	case Q_CONTAINER:
		break;
	}
	if (lim->containers > 0 && c->containers + creating >= lim->containers)
		return DENY("the job has %u containers, its quota is "
		    "containers %llu", q->what, c->containers + creating,
		    lim->containers);
	if (lim->memory > 0 && q->memory == 0)
		return DENY("the job's quota memory %llu needs a memory limit "
		    "on each container (docker run --memory)", q->what,
		    lim->memory);
	if (lim->memory > 0 && c->memory + q->memory > lim->memory)
		return DENY("its containers would have %llu bytes of memory, "
		    "the job's quota is memory %llu", q->what,
		    c->memory + q->memory, lim->memory);
	if (lim->nano_cpus > 0 && q->nano_cpus == 0)
		return DENY("the job's quota nano_cpus %llu needs a CPU limit "
		    "on each container (docker run --cpus)", q->what,
		    lim->nano_cpus);
	if (lim->nano_cpus > 0 && c->nano_cpus + q->nano_cpus > lim->nano_cpus)
		return DENY("its containers would have %.2f CPUs, the job's "
		    "quota is nano_cpus %llu (%.2f CPUs)", q->what,
		    (double)(c->nano_cpus + q->nano_cpus) / 1e9, lim->nano_cpus,
		    (double)lim->nano_cpus / 1e9);
	return NULL;
#undef DENY
}

static void
quota_counted(void *arg, int ok, const char *err, const struct census *c)
{
	struct quota_check *q = arg;
	const struct job_quota *lim = jobs_quota(q->job);
	unsigned *creating = jobs_creating(q->job);
	const char *deny;

	q->census = NULL;
	if (!ok) {
		snprintf(q->msg, sizeof(q->msg), "sockwarden: cannot count the "
		    "job's objects for its quota: %s", err ? err : "?");
		q->cb(q->arg, 502, q->msg);
		return;
	}
	if (lim == NULL || creating == NULL) {	/* closed meanwhile */
		q->cb(q->arg, 0, NULL);
		return;
	}
	if ((deny = quota_judge(q, lim, c, *creating)) != NULL) {
		q->cb(q->arg, 403, deny);
		return;
	}
	if (q->kind == Q_CONTAINER) {
		(*creating)++;		/* until quota_done() */
		q->held = 1;
	}
	q->cb(q->arg, 0, NULL);
}

struct quota_check *
quota_start(const char *job, const struct policy_decision *d,
    const unsigned char *body, size_t len, quota_cb cb, void *arg,
    int *status, char *msg, size_t msglen)
{
	const struct job_quota *lim = job != NULL ? jobs_quota(job) : NULL;
	struct quota_check *q;
	unsigned what;
	int kind;

	*status = 0;
	if (lim == NULL)
		return NULL;
	if (strcmp(d->operation, "container.create") == 0) {
		if (lim->containers == 0 && lim->memory == 0 &&
		    lim->nano_cpus == 0)
			return NULL;
		kind = Q_CONTAINER;
		what = CENSUS_CONTAINERS | (lim->memory > 0 ||
		    lim->nano_cpus > 0 ? CENSUS_DEEP : 0);
	} else if (strcmp(d->operation, "volume.create") == 0 &&
	    lim->volumes > 0) {
		kind = Q_VOLUME;
		what = CENSUS_VOLUMES;
	} else if (strcmp(d->operation, "network.create") == 0 &&
	    lim->networks > 0) {
		kind = Q_NETWORK;
		what = CENSUS_NETWORKS;
	} else {
		return NULL;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		*status = 500;
		snprintf(msg, msglen, "sockwarden: out of memory");
		return NULL;
	}
	snprintf(q->job, sizeof(q->job), "%s", job);
	snprintf(q->what, sizeof(q->what), "%s", d->what);
	q->kind = kind;
	q->cb = cb;
	q->arg = arg;
	if (kind == Q_CONTAINER)
		quota_body(q, body, len);
	if ((q->census = census_start(jobs_tenant(job), what, quota_counted,
	    q)) == NULL) {
		free(q);
		*status = 502;
		snprintf(msg, msglen, "sockwarden: cannot count the job's "
		    "objects for its quota: the engine client is busy");
		return NULL;
	}
	return q;
}

void
quota_free(struct quota_check *q)
{
	if (q == NULL)
		return;
	census_cancel(q->census);
	free(q);
}

int
quota_held(const struct quota_check *q)
{
	return q != NULL && q->held;
}

void
quota_done(const char *job)
{
	unsigned *creating = jobs_creating(job);

	if (creating != NULL && *creating > 0)
		(*creating)--;
}
