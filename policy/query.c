/*
 * query.c - query-parameter rules: which parameters a route forwards, which
 * may repeat, and the checks on parameters that reach the host (/build's
 * networkmode and cgroupparent, image pulls and imports, checkpoints).
 *
 * Parameters a route does not list are dropped from the forwarded target,
 * never passed through: a newer engine may give them a meaning.  A repeated
 * single-valued parameter is ambiguous (Go reads the first, a form reader
 * the last) and rejected.  Splitting and decoding the query is normalize.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

/* Mark the route's parameters used; reject repeats of single ones. */
static int
query_claim(struct eval *e)
{
	const char *p = e->rt->params, *w;
	char key[48];
	size_t n, i;
	int multi;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		for (w = p; *p != '\0' && *p != ' '; p++)
			;
		n = (size_t)(p - w);
		if (n == 0)
			break;
		multi = w[n - 1] == '*';
		if (multi)
			n--;
		if (n >= sizeof(key))
			continue;
		memcpy(key, w, n);
		key[n] = '\0';
		if (!multi && target_param_count(&e->t, key) > 1) {
			eval_reject(e, 400, "the query parameter '%s' is given "
			    "more than once", key);
			return -1;
		}
		for (i = 0; i < e->t.nq; i++)
			if (e->t.q[i].klen == n &&
			    memcmp(e->t.q[i].key, key, n) == 0)
				e->t.q[i].used = 1;
	}
	return 0;
}

static const char *
qval(const struct eval *e, const char *key, size_t *len)
{
	const struct qparam *q = target_param(&e->t, key);

	*len = q ? q->vlen : 0;
	return q ? q->val : "";
}

/* A JSON value in a query parameter that must stay empty. */
static int
json_param_empty(const char *v, size_t len)
{
	return len == 0 || (len == 4 && memcmp(v, "null", 4) == 0) ||
	    (len == 2 && memcmp(v, "[]", 2) == 0) ||
	    (len == 2 && memcmp(v, "{}", 2) == 0);
}

/* Go's Int64ValueOrZero: a parse error reads as 0. */
static long long
query_int(const char *v, size_t len)
{
	char buf[24], *end;
	long long n;

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, v, len);
	buf[len] = '\0';
	n = strtoll(buf, &end, 10);
	return *end == '\0' ? n : 0;
}

static int
query_build(struct eval *e)
{
	const struct policy *p = e->pol;
	const char *v;
	size_t len, i;

	v = qval(e, "networkmode", &len);
	if (len > 0 && !strlist_has(&p->build_network_allow, v, len) &&
	    eval_deny(e, CK_BUILD, "build networkmode '%.*s' is not allowed",
	    (int)len, v))
		return -1;
	v = qval(e, "cgroupparent", &len);
	if (len > 0 && !strlist_has(&p->cgroup_parent_allow, v, len) &&
	    eval_deny(e, CK_CGROUP_PARENT, "build cgroupparent '%.*s' is not "
	    "allowed", (int)len, v))
		return -1;
	v = qval(e, "remote", &len);
	if (len > 0 && !p->build_remote && eval_deny(e, CK_BUILD, "a remote "
	    "build context (remote=) makes the engine fetch a URL"))
		return -1;
	v = qval(e, "version", &len);
	if (len > 0 && !(len == 1 && v[0] == '1') && eval_deny(e, CK_BUILD,
	    "only the classic builder (version=1) can be inspected"))
		return -1;
	v = qval(e, "outputs", &len);
	if (!json_param_empty(v, len) && eval_deny(e, CK_BUILD, "build "
	    "outputs are not allowed"))
		return -1;
	v = qval(e, "ulimits", &len);
	if (!json_param_empty(v, len) && eval_deny(e, CK_RESOURCES, "build "
	    "ulimits are not allowed"))
		return -1;
	v = qval(e, "isolation", &len);
	if (len > 0 && !(len == 7 && memcmp(v, "default", 7) == 0) &&
	    eval_deny(e, CK_BUILD, "build isolation '%.*s' is not allowed",
	    (int)len, v))
		return -1;
	if (target_param_count(&e->t, "securityopt") > 0 &&
	    eval_deny(e, CK_SECURITY_OPTIONS, "build security options are "
	    "not allowed"))
		return -1;
	for (i = 0; i < e->t.nq; i++) {
		const struct qparam *q = &e->t.q[i];
		if (strcmp(q->key, "extrahosts") != 0)
			continue;
		if (!p->extra_hosts_gateway && strstr(q->val,
		    "host-gateway") != NULL && eval_deny(e, CK_EXTRA_HOSTS,
		    "build extra host '%s' points at the host", q->val))
			return -1;
	}
	for (i = 0; i < e->t.nq; i++)	/* a tag can take over a name */
		if (strcmp(e->t.q[i].key, "t") == 0 && image_check(e,
		    "build tag", e->t.q[i].val, e->t.q[i].vlen) == -1)
			return -1;
	v = qval(e, "memory", &len);
	if (p->mem_max > 0 && query_int(v, len) > p->mem_max &&
	    eval_deny(e, CK_RESOURCES, "build memory %lld exceeds the "
	    "ceiling of %lld bytes", query_int(v, len),
	    (long long)p->mem_max))
		return -1;
	return 0;
}

static int
query_image_create(struct eval *e)
{
	const char *v, *tag;
	size_t len, tlen;
	char *ref;
	int rc;

	v = qval(e, "fromSrc", &len);
	if (len > 0) {
		if (len == 1 && v[0] == '-')
			e->d->body_kind = POLICY_BODY_STREAM;
		if (eval_deny(e, CK_IMAGE_SOURCE, "importing an image from %s "
		    "is not allowed", len == 1 && v[0] == '-' ?
		    "the request body" : "a URL"))
			return -1;
		return 0;
	}
	v = qval(e, "fromImage", &len);
	tag = qval(e, "tag", &tlen);
	if ((ref = malloc(len + tlen + 2)) == NULL) {
		eval_reject(e, 500, "out of memory");
		return -1;
	}
	/* the engine appends tag (or @digest) to fromImage */
	memcpy(ref, v, len);
	if (tlen > 0) {
		ref[len] = (tag[0] == '@' || strncmp(tag, "sha256:", 7) == 0) ?
		    '@' : ':';
		memcpy(ref + len + 1, tag + (tag[0] == '@'), tlen -
		    (tag[0] == '@'));
		len += 1 + tlen - (tag[0] == '@');
	}
	rc = image_check(e, "pulled image", ref, len);
	free(ref);
	return rc;
}

int
query_check(struct eval *e)
{
	const char *op = e->rt->op;
	const char *v;
	size_t len;

	if (query_claim(e) == -1)
		return -1;
	if (strcmp(op, "image.build") == 0)
		return query_build(e);
	if (strcmp(op, "image.create") == 0)
		return query_image_create(e);
	if (strcmp(op, "image.tag") == 0) {
		v = qval(e, "repo", &len);
		return image_check(e, "tag target", v, len);
	}
	if (strcmp(op, "container.start") == 0) {
		v = qval(e, "checkpoint-dir", &len);
		if (len == 0)
			v = qval(e, "checkpoint", &len);
		if (len > 0 && eval_deny(e, CK_ENDPOINT, "starting from a "
		    "checkpoint is not allowed"))
			return -1;
	}
	return 0;
}
