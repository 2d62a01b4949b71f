/*
 * report.c - what the jobs show: `job list` entries, the per-job request
 * counts the exchange records feed, and the jobs' metrics.  It changes no
 * job (jobs.c does).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <cjson/cJSON.h>
#include <event2/buffer.h>

#include "jobs_int.h"

/* ------------------------------------------------------------ list */

void
jobs_json(cJSON *arr, const char *id, const struct census *c)
{
	const struct job *j;
	cJSON *o, *labels;

	TAILQ_FOREACH(j, &jobtab.list, j_entry) {
		if (id != NULL && strcmp(id, j->j_spec.id) != 0)
			continue;
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o))
			return;
		cJSON_AddStringToObject(o, "id", j->j_spec.id);
		cJSON_AddStringToObject(o, "state", j->j_reaping ? "reaping" :
		    "open");
		cJSON_AddStringToObject(o, "socket", j->j_reaping ? "" :
		    j->j_sock);
		cJSON_AddStringToObject(o, "tenant", j->j_tenant);
		cJSON_AddStringToObject(o, "policy", j->j_spec.policy_text ?
		    (j->j_spec.policy_name ? j->j_spec.policy_name : "job") :
		    "server");
		cJSON_AddNumberToObject(o, "opened", (double)j->j_opened);
		cJSON_AddNumberToObject(o, "deadline", (double)j->j_deadline_s);
		cJSON_AddNumberToObject(o, "requests", (double)j->j_requests);
		cJSON_AddNumberToObject(o, "denied", (double)j->j_denied);
		if ((labels = cJSON_AddArrayToObject(o, "labels")) != NULL)
			for (size_t i = 0; i < j->j_spec.nlabels; i++)
				cJSON_AddItemToArray(labels,
				    cJSON_CreateString(j->j_spec.labels[i]));
		if (j->j_reaping)
			cJSON_AddStringToObject(o, "reap_error", j->j_why);
		if (c != NULL) {
			cJSON_AddNumberToObject(o, "containers", c->containers);
			cJSON_AddNumberToObject(o, "running", c->running);
			cJSON_AddNumberToObject(o, "volumes", c->volumes);
			cJSON_AddNumberToObject(o, "networks", c->networks);
			cJSON_AddNumberToObject(o, "memory", (double)c->memory);
			cJSON_AddNumberToObject(o, "nano_cpus",
			    (double)c->nano_cpus);
		}
	}
}

/* The IDs of every job, for a list; malloc'd array of borrowed names. */
size_t
jobs_ids(const char ***ids)
{
	const struct job *j;
	size_t n = 0;

	*ids = NULL;
	if (jobtab.n == 0 || (*ids = calloc(jobtab.n, sizeof(**ids))) == NULL)
		return 0;
	TAILQ_FOREACH(j, &jobtab.list, j_entry)
		(*ids)[n++] = j->j_spec.id;
	return n;
}

/* ------------------------------------------------- records, metrics */

void
jobs_record(const struct exchange *x)
{
	struct job *j;

	if (x->job == NULL || (j = job_find(x->job)) == NULL)
		return;
	j->j_requests++;
	if (strcmp(x->decision, "allow") != 0)
		j->j_denied++;
}

void
jobs_stats(struct jobs_stats *st)
{
	const struct job *j;

	memset(st, 0, sizeof(*st));
	TAILQ_FOREACH(j, &jobtab.list, j_entry) {
		if (j->j_reaping)
			st->reaping++;
		else
			st->open++;
	}
	st->opened = jobtab.opened;
	st->closed = jobtab.closed;
	st->reaped = jobtab.reaped;
	st->reap_failures = jobtab.reap_failures;
}

void
jobs_metrics(struct evbuffer *b)
{
	const struct job *j;
	struct jobs_stats st;

	jobs_stats(&st);
	evbuffer_add_printf(b,
	    "# HELP sockwarden_jobs Jobs, by state (open; reaping: closed, "
	    "objects still being removed).\n# TYPE sockwarden_jobs gauge\n"
	    "sockwarden_jobs{state=\"open\"} %u\n"
	    "sockwarden_jobs{state=\"reaping\"} %u\n"
	    "# HELP sockwarden_jobs_opened_total Jobs opened.\n"
	    "# TYPE sockwarden_jobs_opened_total counter\n"
	    "sockwarden_jobs_opened_total %" PRIu64 "\n"
	    "# HELP sockwarden_jobs_reaped_total Jobs whose objects were all "
	    "removed.\n# TYPE sockwarden_jobs_reaped_total counter\n"
	    "sockwarden_jobs_reaped_total %" PRIu64 "\n"
	    "# HELP sockwarden_job_reap_failures_total Reap passes that did "
	    "not finish (retried).\n"
	    "# TYPE sockwarden_job_reap_failures_total counter\n"
	    "sockwarden_job_reap_failures_total %" PRIu64 "\n"
	    "# HELP sockwarden_job_requests_total Exchanges on an open job's "
	    "socket, by job and decision (gone when the job is).\n"
	    "# TYPE sockwarden_job_requests_total counter\n",
	    st.open, st.reaping, st.opened, st.reaped, st.reap_failures);
	/* job IDs are [A-Za-z0-9_.-]: nothing to escape in a label */
	TAILQ_FOREACH(j, &jobtab.list, j_entry)
		evbuffer_add_printf(b,
		    "sockwarden_job_requests_total{job=\"%s\",decision=\"allow\"} "
		    "%" PRIu64 "\n"
		    "sockwarden_job_requests_total{job=\"%s\",decision=\"deny\"} "
		    "%" PRIu64 "\n", j->j_spec.id, j->j_requests - j->j_denied,
		    j->j_spec.id, j->j_denied);
}
