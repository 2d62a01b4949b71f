/*
 * fuzz_job_proto.c - the job control protocol and the job state file
 * (daemon/jobs/proto.c, state.c).  Invariants: a request that parses has a
 * valid job ID and labels; formatting it and parsing that again gives the
 * same request (ID, labels, policy text, TTL, quotas); the same bytes read
 * as a state file never crash either.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzzing.h"
#include "jobs/jobs_int.h"

int
fuzz_init(void)
{
	return 0;
}

void
fuzz_cleanup(void)
{
}

int
fuzz_main(const uint8_t *data, size_t len)
{
	struct job_req r, back;
	struct job_state st;
	char err[512], *line;

	if (jobproto_parse((const char *)data, len, &r, err, sizeof(err)) == 0) {
		FUZZ_ASSERT(r.op == JOB_OP_LIST || job_id_valid(r.spec.id));
		line = jobproto_format(&r);
		FUZZ_ASSERT(line != NULL);
		FUZZ_ASSERT(jobproto_parse(line, strlen(line), &back, err,
		    sizeof(err)) == 0);
		FUZZ_ASSERT(back.op == r.op && back.keep == r.keep);
		FUZZ_ASSERT(strcmp(back.spec.id, r.spec.id) == 0);
		FUZZ_ASSERT(back.spec.nlabels == r.spec.nlabels);
		for (size_t i = 0; i < r.spec.nlabels; i++)
			FUZZ_ASSERT(strcmp(back.spec.labels[i],
			    r.spec.labels[i]) == 0);
		FUZZ_ASSERT((back.spec.policy_text == NULL) ==
		    (r.spec.policy_text == NULL));
		FUZZ_ASSERT(r.spec.policy_text == NULL ||
		    strcmp(back.spec.policy_text, r.spec.policy_text) == 0);
		FUZZ_ASSERT(back.spec.ttl_ms == r.spec.ttl_ms);
		FUZZ_ASSERT(memcmp(&back.spec.quota, &r.spec.quota,
		    sizeof(r.spec.quota)) == 0);
		cJSON_free(line);
		jobproto_req_free(&back);
	}
	jobproto_req_free(&r);
	if (jobstate_parse((const char *)data, len, &st, err, sizeof(err)) == 0)
		FUZZ_ASSERT(job_id_valid(st.spec.id));
	jobspec_free(&st.spec);
	return 0;
}
