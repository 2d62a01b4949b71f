/*
 * proto.c - the control protocol between `sockwarden job ...` and the
 * daemon: one JSON object per line each way, a request from the CLI and
 * one answer from the daemon, then the connection closes.  A request is
 *
 *   {"op":"open","id":"ID","policy":{"name":N,"text":T},"labels":["K=V"],
 *    "ttl_ms":N,"quota":{"containers":N,"memory":N,"nano_cpus":N,
 *    "volumes":N,"networks":N}}
 *   {"op":"close","id":"ID","keep":false}
 *   {"op":"list"}
 *
 * The policy travels as text: the CLI (root) reads the file, so the
 * daemon never opens a path a runner names.  Parsing is strict (unknown
 * keys, wrong types, bad IDs and labels are errors with a reason) and
 * pure: no I/O, no globals; the fuzz target and the unit test drive it.
 * The answer's shape is control.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jobs_int.h"

/* 2^53: every integer a JSON number holds exactly */
#define PROTO_NUM_MAX	9007199254740992.0

int
job_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > JOB_ID_MAX)
		return 0;
	if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z') ||
	    (id[0] >= '0' && id[0] <= '9')))
		return 0;	/* no ".", "..", "-x" (an option to a tool) */
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") == n;
}

/* "K=V": K like a Docker label key, V printable; never our own keys. */
static const char *
proto_label_bad(const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (strlen(kv) > JOB_LABEL_MAX)
		return "is too long";
	if (eq == NULL || eq == kv)
		return "is not K=V";
	for (const char *p = kv; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "has a control character";
	if (strncmp(kv, "io.sockwarden.", 14) == 0)
		return "uses the reserved prefix io.sockwarden.";
	return NULL;
}

void
jobspec_free(struct job_spec *s)
{
	free(s->policy_name);
	free(s->policy_text);
	for (size_t i = 0; i < s->nlabels; i++)
		free(s->labels[i]);
	memset(s, 0, sizeof(*s));
}

void
jobproto_req_free(struct job_req *r)
{
	jobspec_free(&r->spec);
	memset(r, 0, sizeof(*r));
}

static int __attribute__((format(printf, 3, 4)))
proto_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole non-negative number of at most 2^53. */
static int
proto_num(const cJSON *j, unsigned long long *out)
{
	double d;

	if (!cJSON_IsNumber(j))
		return -1;
	d = j->valuedouble;
	if (!(d >= 0 && d <= PROTO_NUM_MAX) || d != (double)(unsigned long long)d)
		return -1;
	*out = (unsigned long long)d;
	return 0;
}

static int
proto_quota(const cJSON *q, struct job_quota *out, char *err, size_t len)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "containers", offsetof(struct job_quota, containers) },
		{ "memory", offsetof(struct job_quota, memory) },
		{ "nano_cpus", offsetof(struct job_quota, nano_cpus) },
		{ "volumes", offsetof(struct job_quota, volumes) },
		{ "networks", offsetof(struct job_quota, networks) },
	};
	const cJSON *it;

	if (!cJSON_IsObject(q))
		return proto_err(err, len, "%s must be an object", "quota");
	cJSON_ArrayForEach(it, q) {
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(it->string, keys[i].key) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0]))
			return proto_err(err, len, "unknown quota \"%.64s\"",
			    it->string);
		if (proto_num(it, (unsigned long long *)(void *)((char *)out +
		    keys[i].off)) != 0)
			return proto_err(err, len, "quota %s must be a whole "
			    "number >= 0", keys[i].key);
	}
	return 0;
}

static int
proto_policy(const cJSON *p, struct job_spec *s, char *err, size_t len)
{
	const cJSON *it;
	const char *name = NULL, *text = NULL;

	if (!cJSON_IsObject(p))
		return proto_err(err, len, "%s must be an object", "policy");
	cJSON_ArrayForEach(it, p) {
		if (strcmp(it->string, "name") == 0 && cJSON_IsString(it))
			name = it->valuestring;
		else if (strcmp(it->string, "text") == 0 && cJSON_IsString(it))
			text = it->valuestring;
		else
			return proto_err(err, len, "policy: unknown or bad key "
			    "\"%.64s\"", it->string);
	}
	if (name == NULL || text == NULL)
		return proto_err(err, len, "%s needs name and text", "policy");
	if (strlen(text) > JOB_POLICY_MAX)
		return proto_err(err, len, "%s is over 1 MiB", "policy");
	if ((s->policy_name = strdup(name)) == NULL ||
	    (s->policy_text = strdup(text)) == NULL)
		return proto_err(err, len, "%s", "out of memory");
	return 0;
}

static int
proto_labels(const cJSON *a, struct job_spec *s, char *err, size_t len)
{
	const cJSON *it;
	const char *bad;

	if (!cJSON_IsArray(a))
		return proto_err(err, len, "%s must be an array", "labels");
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it))
			return proto_err(err, len, "%s must be strings",
			    "labels");
		if ((bad = proto_label_bad(it->valuestring)) != NULL) {
			snprintf(err, len, "label \"%.64s\" %s", it->valuestring,
			    bad);
			return -1;
		}
		if (s->nlabels == JOB_LABELS_MAX)
			return proto_err(err, len, "%s: at most 32", "labels");
		for (size_t i = 0; i < s->nlabels; i++)
			if (strcspn(s->labels[i], "=") == strcspn(it->valuestring,
			    "=") && strncmp(s->labels[i], it->valuestring,
			    strcspn(it->valuestring, "=")) == 0)
				return proto_err(err, len, "label %.64s given "
				    "twice", it->valuestring);
		if ((s->labels[s->nlabels] = strdup(it->valuestring)) == NULL)
			return proto_err(err, len, "%s", "out of memory");
		s->nlabels++;
	}
	return 0;
}

/* The fields a spec has in common between a request and a state file;
 * other keys are left to the caller (skip lists them). */
static int
proto_spec(const cJSON *o, struct job_spec *s, const char *const *skip,
    char *err, size_t len)
{
	const cJSON *it;
	const char *id = NULL;

	cJSON_ArrayForEach(it, o) {
		int skipped = 0;

		for (size_t i = 0; skip != NULL && skip[i] != NULL; i++)
			if (strcmp(it->string, skip[i]) == 0)
				skipped = 1;
		if (skipped)
			continue;
		if (strcmp(it->string, "id") == 0) {
			if (!cJSON_IsString(it))
				return proto_err(err, len, "%s must be a string",
				    "id");
			id = it->valuestring;
		} else if (strcmp(it->string, "policy") == 0) {
			if (proto_policy(it, s, err, len) != 0)
				return -1;
		} else if (strcmp(it->string, "labels") == 0) {
			if (proto_labels(it, s, err, len) != 0)
				return -1;
		} else if (strcmp(it->string, "ttl_ms") == 0) {
			if (proto_num(it, &s->ttl_ms) != 0)
				return proto_err(err, len, "%s must be a whole "
				    "number >= 0", "ttl_ms");
		} else if (strcmp(it->string, "quota") == 0) {
			if (proto_quota(it, &s->quota, err, len) != 0)
				return -1;
		} else {
			return proto_err(err, len, "unknown key \"%.64s\"",
			    it->string);
		}
	}
	if (id == NULL)
		return proto_err(err, len, "%s is missing", "id");
	if (!job_id_valid(id))
		return proto_err(err, len, "bad job id \"%.80s\" (1-63 of "
		    "A-Z a-z 0-9 _ . -, starting with a letter or digit)", id);
	memcpy(s->id, id, strlen(id) + 1);
	return 0;
}

/*
 * The whole buffer as one JSON object, nothing after it.  A NUL, raw or
 * escaped (\u0000), is refused: cJSON would cut the string there, and a
 * job ID or label that is not what was sent must not pass.
 */
cJSON *
proto_json(const char *buf, size_t len)
{
	const char *end = NULL;
	cJSON *o;

	if (memchr(buf, '\0', len) != NULL || memmem(buf, len, "\\u0000", 6))
		return NULL;
	if ((o = cJSON_ParseWithLengthOpts(buf, len, &end, 0)) == NULL)
		return NULL;
	while (end != NULL && end < buf + len && (*end == ' ' || *end == '\t' ||
	    *end == '\r' || *end == '\n'))
		end++;
	if (!cJSON_IsObject(o) || end != buf + len) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int
jobspec_from_json(const cJSON *o, struct job_spec *s, char *err, size_t len)
{
	static const char *const skip[] = { "op", "keep", "reaping",
	    "deadline_s", "version", NULL };

	return proto_spec(o, s, skip, err, len);
}

int
jobproto_parse(const char *buf, size_t len, struct job_req *r, char *err,
    size_t errlen)
{
	static const char *const open_skip[] = { "op", NULL };
	cJSON *o;
	const cJSON *op, *it;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (len > JOB_LINE_MAX)
		return proto_err(err, errlen, "%s", "request too long");
	if ((o = proto_json(buf, len)) == NULL)
		return proto_err(err, errlen, "%s", "not a JSON object");
	op = cJSON_GetObjectItemCaseSensitive(o, "op");
	if (!cJSON_IsString(op)) {
		proto_err(err, errlen, "%s", "op is missing");
	} else if (strcmp(op->valuestring, "open") == 0) {
		r->op = JOB_OP_OPEN;
		rc = proto_spec(o, &r->spec, open_skip, err, errlen);
	} else if (strcmp(op->valuestring, "close") == 0) {
		const char *id = NULL;

		r->op = JOB_OP_CLOSE;
		rc = 0;
		cJSON_ArrayForEach(it, o) {
			if (strcmp(it->string, "op") == 0)
				continue;
			if (strcmp(it->string, "id") == 0 && cJSON_IsString(it))
				id = it->valuestring;
			else if (strcmp(it->string, "keep") == 0 &&
			    cJSON_IsBool(it))
				r->keep = cJSON_IsTrue(it);
			else
				rc = proto_err(err, errlen, "close: unknown or "
				    "bad key \"%.64s\"", it->string);
		}
		if (rc == 0 && (id == NULL || !job_id_valid(id)))
			rc = proto_err(err, errlen, "close: bad job id \"%.80s\"",
			    id ? id : "");
		if (rc == 0)
			memcpy(r->spec.id, id, strlen(id) + 1);
	} else if (strcmp(op->valuestring, "list") == 0) {
		r->op = JOB_OP_LIST;
		rc = cJSON_GetArraySize(o) == 1 ? 0 :
		    proto_err(err, errlen, "%s", "list takes no arguments");
	} else {
		proto_err(err, errlen, "unknown op \"%.32s\"", op->valuestring);
	}
	cJSON_Delete(o);
	return rc;
}

int
jobspec_to_json(const struct job_spec *s, cJSON *o)
{
	cJSON *q, *a, *p;

	if (cJSON_AddStringToObject(o, "id", s->id) == NULL)
		return -1;
	if (s->policy_text != NULL) {
		if ((p = cJSON_AddObjectToObject(o, "policy")) == NULL ||
		    cJSON_AddStringToObject(p, "name", s->policy_name ?
		    s->policy_name : "job") == NULL ||
		    cJSON_AddStringToObject(p, "text", s->policy_text) == NULL)
			return -1;
	}
	if (s->nlabels > 0) {
		if ((a = cJSON_AddArrayToObject(o, "labels")) == NULL)
			return -1;
		for (size_t i = 0; i < s->nlabels; i++)
			if (!cJSON_AddItemToArray(a, cJSON_CreateString(
			    s->labels[i])))
				return -1;
	}
	if (s->ttl_ms > 0 &&
	    cJSON_AddNumberToObject(o, "ttl_ms", (double)s->ttl_ms) == NULL)
		return -1;
	if ((q = cJSON_AddObjectToObject(o, "quota")) == NULL)
		return -1;
#define Q(k) if (s->quota.k > 0 && cJSON_AddNumberToObject(q, #k, \
	    (double)s->quota.k) == NULL) return -1
	Q(containers);
	Q(memory);
	Q(nano_cpus);
	Q(volumes);
	Q(networks);
#undef Q
	return 0;
}

char *
jobproto_format(const struct job_req *r)
{
	static const char *const ops[] = { "", "open", "close", "list" };
	cJSON *o = cJSON_CreateObject();
	char *line = NULL;

	if (o == NULL || cJSON_AddStringToObject(o, "op", ops[r->op]) == NULL)
		goto out;
	switch (r->op) {
	case JOB_OP_OPEN:
		if (jobspec_to_json(&r->spec, o) != 0)
			goto out;
		break;
	case JOB_OP_CLOSE:
		if (cJSON_AddStringToObject(o, "id", r->spec.id) == NULL ||
		    cJSON_AddBoolToObject(o, "keep", r->keep) == NULL)
			goto out;
		break;
	case JOB_OP_LIST:
		break;
	}
	line = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return line;
}
