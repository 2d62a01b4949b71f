/*
 * test_jobs_proto.c - the job control protocol (daemon/jobs/proto.c) and
 * the job state file (daemon/jobs/state.c): requests that parse, each
 * hostile or broken request with the reason it is refused, every
 * truncation of a good request refused, format -> parse round trips, and
 * a state directory written, overwritten, loaded and cleaned.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "jobs/jobs_int.h"
#include "t.h"

static struct job_req req;
static char err[512];

static int
parse(const char *s)
{
	jobproto_req_free(&req);
	err[0] = '\0';
	return jobproto_parse(s, strlen(s), &req, err, sizeof(err));
}

static void
test_good(void)
{
	CHECK_INT(parse("{\"op\":\"list\"}"), 0);
	CHECK_INT(req.op, JOB_OP_LIST);

	CHECK_INT(parse("{\"op\":\"close\",\"id\":\"job-1.a_b\"}"), 0);
	CHECK_INT(req.op, JOB_OP_CLOSE);
	CHECK_STR(req.spec.id, "job-1.a_b");
	CHECK_INT(req.keep, 0);
	CHECK_INT(parse("{\"op\":\"close\",\"id\":\"7\",\"keep\":true}"), 0);
	CHECK_INT(req.keep, 1);

	CHECK_INT(parse("{\"op\":\"open\",\"id\":\"1234\",\"labels\":[\"a=b\","
	    "\"ci.project=x=y\"],\"ttl_ms\":60000,\"quota\":{\"containers\":3,"
	    "\"memory\":1073741824,\"nano_cpus\":1500000000,\"volumes\":1,"
	    "\"networks\":2},\"policy\":{\"name\":\"p.json\",\"text\":"
	    "\"{\\\"extends\\\":\\\"ci\\\"}\"}}"), 0);
	CHECK_STR(err, "");
	CHECK_INT(req.op, JOB_OP_OPEN);
	CHECK_STR(req.spec.id, "1234");
	CHECK_INT(req.spec.nlabels, 2);
	CHECK_STR(req.spec.labels[1], "ci.project=x=y");
	CHECK_INT(req.spec.ttl_ms, 60000);
	CHECK_INT(req.spec.quota.containers, 3);
	CHECK_INT(req.spec.quota.memory, 1073741824LL);
	CHECK_INT(req.spec.quota.nano_cpus, 1500000000LL);
	CHECK_INT(req.spec.quota.volumes, 1);
	CHECK_INT(req.spec.quota.networks, 2);
	CHECK_STR(req.spec.policy_name, "p.json");
	CHECK_STR(req.spec.policy_text, "{\"extends\":\"ci\"}");
}

static const struct {
	const char	*in;
	const char	*err;
} bad[] = {
	{ "", "not a JSON object" },
	{ "[]", "not a JSON object" },
	{ "{\"op\":\"list\"} trailing", "not a JSON object" },
	{ "{}", "op is missing" },
	{ "{\"op\":1}", "op is missing" },
	{ "{\"op\":\"exec\"}", "unknown op \"exec\"" },
	{ "{\"op\":\"list\",\"id\":\"x\"}", "list takes no arguments" },
	{ "{\"op\":\"open\"}", "id is missing" },
	{ "{\"op\":\"open\",\"id\":5}", "id must be a string" },
	{ "{\"op\":\"open\",\"id\":\"\"}", "bad job id \"\" (1-63 of A-Z a-z "
	    "0-9 _ . -, starting with a letter or digit)" },
	{ "{\"op\":\"open\",\"id\":\"..\"}", "bad job id \"..\" (1-63 of A-Z "
	    "a-z 0-9 _ . -, starting with a letter or digit)" },
	{ "{\"op\":\"open\",\"id\":\"a/../b\"}", "bad job id \"a/../b\" (1-63 "
	    "of A-Z a-z 0-9 _ . -, starting with a letter or digit)" },
	{ "{\"op\":\"open\",\"id\":\"-rf\"}", "bad job id \"-rf\" (1-63 of "
	    "A-Z a-z 0-9 _ . -, starting with a letter or digit)" },
	{ "{\"op\":\"open\",\"id\":\"a\\u0000b\"}", "not a JSON object" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"x\":1}", "unknown key \"x\"" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"ttl_ms\":-1}",
	    "ttl_ms must be a whole number >= 0" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"ttl_ms\":1.5}",
	    "ttl_ms must be a whole number >= 0" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"ttl_ms\":\"5\"}",
	    "ttl_ms must be a whole number >= 0" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"ttl_ms\":1e300}",
	    "ttl_ms must be a whole number >= 0" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"quota\":[]}",
	    "quota must be an object" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"quota\":{\"gpus\":1}}",
	    "unknown quota \"gpus\"" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"quota\":{\"containers\":-2}}",
	    "quota containers must be a whole number >= 0" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"labels\":\"a=b\"}",
	    "labels must be an array" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"labels\":[1]}",
	    "labels must be strings" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"labels\":[\"novalue\"]}",
	    "label \"novalue\" is not K=V" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"labels\":[\"=v\"]}",
	    "label \"=v\" is not K=V" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"labels\":[\"k=a\\nb\"]}",
	    "label \"k=a\nb\" has a control character" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"labels\":[\"io.sockwarden.owner=x\"]}",
	    "label \"io.sockwarden.owner=x\" uses the reserved prefix "
	    "io.sockwarden." },
	{ "{\"op\":\"open\",\"id\":\"a\",\"labels\":[\"k=1\",\"k=2\"]}",
	    "label k=2 given twice" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"policy\":\"/etc/passwd\"}",
	    "policy must be an object" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"policy\":{\"text\":\"{}\"}}",
	    "policy needs name and text" },
	{ "{\"op\":\"open\",\"id\":\"a\",\"policy\":{\"path\":\"/x\"}}",
	    "policy: unknown or bad key \"path\"" },
	{ "{\"op\":\"close\"}", "close: bad job id \"\"" },
	{ "{\"op\":\"close\",\"id\":\"a\",\"keep\":1}",
	    "close: unknown or bad key \"keep\"" },
	{ "{\"op\":\"close\",\"id\":\"a\",\"policy\":{}}",
	    "close: unknown or bad key \"policy\"" },
};

static void
test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(parse(bad[i].in), -1);
		CHECK_STR(err, bad[i].err);
	}
}

static void
test_limits(void)
{
	char id[80], *big;
	size_t n = JOB_POLICY_MAX + 200;

	memset(id, 'a', 63);
	id[63] = '\0';
	CHECK_INT(job_id_valid(id), 1);
	id[63] = 'a';
	id[64] = '\0';
	CHECK_INT(job_id_valid(id), 0);
	/* 33 labels */
	big = malloc(4096);
	strcpy(big, "{\"op\":\"open\",\"id\":\"a\",\"labels\":[");
	for (int i = 0; i < 33; i++)
		sprintf(big + strlen(big), "%s\"k%d=v\"", i ? "," : "", i);
	strcat(big, "]}");
	CHECK_INT(parse(big), -1);
	CHECK_STR(err, "labels: at most 32");
	free(big);
	/* a policy over 1 MiB */
	big = malloc(n + 100);
	strcpy(big, "{\"op\":\"open\",\"id\":\"a\",\"policy\":{\"name\":\"p\","
	    "\"text\":\"");
	n = strlen(big);
	memset(big + n, ' ', JOB_POLICY_MAX + 1);
	strcpy(big + n + JOB_POLICY_MAX + 1, "\"}}");
	CHECK_INT(parse(big), -1);
	CHECK_STR(err, "policy is over 1 MiB");
	free(big);
}

/* Every proper prefix of a good request is refused, never half-taken. */
static void
test_truncated(void)
{
	const char *good = "{\"op\":\"open\",\"id\":\"t1\",\"labels\":[\"a=b\"],"
	    "\"ttl_ms\":5,\"quota\":{\"containers\":1}}";

	CHECK_INT(parse(good), 0);
	for (size_t n = 0; n < strlen(good); n++) {
		jobproto_req_free(&req);
		CHECK_INT(jobproto_parse(good, n, &req, err, sizeof(err)), -1);
	}
}

static void
test_roundtrip(void)
{
	struct job_req r, back;
	char *line;

	memset(&r, 0, sizeof(r));
	r.op = JOB_OP_OPEN;
	strcpy(r.spec.id, "rt-1");
	r.spec.policy_name = strdup("x.json");
	r.spec.policy_text = strdup("{\n \"extends\": \"ci\"\n}\n");
	r.spec.labels[0] = strdup("a=\"quoted\" value");
	r.spec.nlabels = 1;
	r.spec.ttl_ms = 90000;
	r.spec.quota.containers = 4;
	r.spec.quota.nano_cpus = 2000000000ULL;
	line = jobproto_format(&r);
	CHECK(line != NULL && strchr(line, '\n') == NULL);
	CHECK_INT(jobproto_parse(line, strlen(line), &back, err, sizeof(err)), 0);
	CHECK_STR(back.spec.id, "rt-1");
	CHECK_STR(back.spec.policy_text, r.spec.policy_text);
	CHECK_STR(back.spec.labels[0], "a=\"quoted\" value");
	CHECK_INT(back.spec.ttl_ms, 90000);
	CHECK_INT(back.spec.quota.containers, 4);
	CHECK_INT(back.spec.quota.nano_cpus, 2000000000LL);
	CHECK_INT(back.spec.quota.memory, 0);
	cJSON_free(line);
	jobproto_req_free(&back);

	r.op = JOB_OP_CLOSE;
	r.keep = 1;
	line = jobproto_format(&r);
	CHECK_INT(jobproto_parse(line, strlen(line), &back, err, sizeof(err)), 0);
	CHECK_INT(back.op, JOB_OP_CLOSE);
	CHECK_INT(back.keep, 1);
	cJSON_free(line);
	jobproto_req_free(&back);
	jobproto_req_free(&r);
}

static int nloaded;
static struct job_state loaded[4];

static void
take(void *arg, const struct job_state *st)
{
	char *t = jobstate_format(st);

	(void)arg;
	if (nloaded < 4 && t != NULL)
		CHECK_INT(jobstate_parse(t, strlen(t), &loaded[nloaded++], err,
		    sizeof(err)), 0);
	cJSON_free(t);
}

static void
test_state(void)
{
	char dir[] = "/tmp/sw-jobstate.XXXXXX", path[256];
	struct job_state st, back;
	char *t;
	FILE *f;

	memset(&st, 0, sizeof(st));
	strcpy(st.spec.id, "s1");
	st.spec.ttl_ms = 1000;
	st.deadline_s = 1700000000;
	st.spec.labels[0] = strdup("k=v");
	st.spec.nlabels = 1;
	t = jobstate_format(&st);
	CHECK_INT(jobstate_parse(t, strlen(t), &back, err, sizeof(err)), 0);
	CHECK_STR(back.spec.id, "s1");
	CHECK_INT(back.deadline_s, 1700000000LL);
	CHECK_INT(back.reaping, 0);
	jobspec_free(&back.spec);
	/* every truncation of a state file is refused */
	for (size_t n = 0; n < strlen(t); n++) {
		CHECK_INT(jobstate_parse(t, n, &back, err, sizeof(err)), -1);
		jobspec_free(&back.spec);
	}
	cJSON_free(t);
	t = "{\"version\":2,\"id\":\"a\"}";
	CHECK_INT(jobstate_parse(t, strlen(t), &back, err, sizeof(err)), -1);
	CHECK_STR(err, "unknown state version");
	jobspec_free(&back.spec);
	t = "{\"version\":1,\"id\":\"a\",\"reaping\":1}";
	CHECK_INT(jobstate_parse(t, strlen(t), &back, err, sizeof(err)), -1);
	CHECK_STR(err, "reaping must be true or false");
	jobspec_free(&back.spec);

	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(jobstate_write(dir, &st), 0);
	st.reaping = 1;			/* overwritten whole */
	CHECK_INT(jobstate_write(dir, &st), 0);
	strcpy(st.spec.id, "s2");
	st.reaping = 0;
	CHECK_INT(jobstate_write(dir, &st), 0);
	/* what a crash mid-write leaves, and files that are not jobs' */
	snprintf(path, sizeof(path), "%s/s3.json.tmp", dir);
	f = fopen(path, "w");
	fputs("{\"version\":1,", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/other.json", dir);
	f = fopen(path, "w");
	fputs("{\"version\":1,\"id\":\"s1\"}", f);	/* holds another job */
	fclose(f);
	snprintf(path, sizeof(path), "%s/broken.json", dir);
	f = fopen(path, "w");
	fputs("{\"version\":1,\"id\":", f);
	fclose(f);
	CHECK_INT(jobstate_load_all(dir, take, NULL), 2);
	CHECK_INT(nloaded, 2);
	for (int i = 0; i < nloaded; i++) {
		if (strcmp(loaded[i].spec.id, "s1") == 0)
			CHECK_INT(loaded[i].reaping, 1);
		else
			CHECK_STR(loaded[i].spec.id, "s2");
		CHECK_STR(loaded[i].spec.labels[0], "k=v");
		jobspec_free(&loaded[i].spec);
	}
	CHECK_INT(jobstate_remove(dir, "s1"), 0);
	CHECK_INT(jobstate_remove(dir, "s1"), 0);	/* gone: fine */
	CHECK_INT(jobstate_remove(dir, "s2"), 0);
	nloaded = 0;
	CHECK_INT(jobstate_load_all(dir, take, NULL), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/other.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s3.json.tmp", dir);
	unlink(path);
	CHECK_INT(rmdir(dir), 0);
	CHECK_INT(jobstate_load_all("/nonexistent/sw", take, NULL), 0);
	jobspec_free(&st.spec);
}

int
main(void)
{
	test_good();
	test_bad();
	test_limits();
	test_truncated();
	test_roundtrip();
	test_state();
	jobproto_req_free(&req);
	return t_done();
}
