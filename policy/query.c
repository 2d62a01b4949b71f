/*
 * query.c - query-parameter rules: which parameters a route forwards, which
 * may repeat, and the checks on parameters that reach the host: /build's
 * (both builders': networkmode, remote contexts, outputs, cache sources,
 * the BuildKit frontend), images the engine pulls, pushes, imports or
 * looks up in a registry, checkpoints.
 *
 * Parameters a route does not list are dropped from the forwarded target,
 * never passed through: a newer engine may give them a meaning.  A repeated
 * single-valued parameter is ambiguous (Go reads the first, a form reader
 * the last) and rejected.  Splitting and decoding the query is normalize.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
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

/* Parse a JSON query value; -1 (rejected) when it is not JSON. */
static int
query_json(struct eval *e, const char *key, const char *v, size_t len,
    struct jdoc *doc)
{
	if (json_parse(v, len, 0, doc) == 0)
		return 0;
	json_free(doc);
	eval_reject(e, 400, "the query parameter '%s' is not valid JSON", key);
	return -1;
}

/*
 * BuildKit exporters (outputs=): only the ones that write to the client
 * (local, tar) or nowhere (cacheonly).  moby/image take a name= that
 * bypasses the tag check and, on the containerd store, push=true.
 */
static int
query_build_outputs(struct eval *e, const char *v, size_t len)
{
	static const char *const client_side[] = { "local", "tar",
	    "cacheonly" };
	struct jdoc doc;
	uint32_t o;
	int rc = 0;

	if (json_param_empty(v, len))
		return 0;
	if (query_json(e, "outputs", v, len, &doc) == -1)
		return -1;
	if (JN(&doc, json_root(&doc))->type != J_ARR) {
		json_free(&doc);
		eval_reject(e, 400, "build outputs must be a JSON array");
		return -1;
	}
	for (o = JN(&doc, json_root(&doc))->child; o != JNONE && rc == 0;
	    o = JN(&doc, o)->next) {
		const char *t;
		size_t tl, i;

		t = json_get_str(&doc, o, "Type", &tl);
		for (i = 0; i < 3; i++)
			if (tl == strlen(client_side[i]) &&
			    memcmp(t, client_side[i], tl) == 0)
				break;
		if (i == 3 && eval_deny(e, CK_BUILD, "build output type "
		    "'%.*s' is not allowed (only local, tar and cacheonly, "
		    "which write to the client)", (int)(tl > 40 ? 40 : tl), t))
			rc = -1;
	}
	json_free(&doc);
	return rc;
}

/* cachefrom=["a","b,c"]: BuildKit splits each entry on ',' and imports
 * every piece from its registry. */
static int
query_build_cachefrom(struct eval *e, const char *v, size_t len)
{
	struct jdoc doc;
	uint32_t o;
	int rc = 0;

	if (json_param_empty(v, len))
		return 0;
	if (query_json(e, "cachefrom", v, len, &doc) == -1)
		return -1;
	for (o = JN(&doc, json_root(&doc))->child; o != JNONE && rc == 0;
	    o = JN(&doc, o)->next) {
		const char *s = JN(&doc, o)->s, *c;
		size_t sl = JN(&doc, o)->slen;

		if (JN(&doc, o)->type != J_STR)
			continue;
		while (rc == 0 && sl > 0) {
			size_t pl = (c = memchr(s, ',', sl)) ? (size_t)(c - s) : sl;
			rc = image_check_remote(e, "build cache source", s, pl);
			s += pl + (c != NULL);
			sl -= pl + (c != NULL);
		}
	}
	json_free(&doc);
	return rc;
}

/* buildargs: BUILDKIT_SYNTAX names a frontend image BuildKit pulls and
 * runs in place of the Dockerfile frontend. */
static int
query_build_args(struct eval *e, const char *v, size_t len)
{
	struct jdoc doc;
	uint32_t o;
	int rc = 0;

	if (json_param_empty(v, len))
		return 0;
	if (query_json(e, "buildargs", v, len, &doc) == -1)
		return -1;
	for (o = JN(&doc, json_root(&doc))->child; o != JNONE && rc == 0;
	    o = JN(&doc, o)->next)
		if (JN(&doc, o)->klen == 15 && JN(&doc, o)->type == J_STR &&
		    memcmp(JN(&doc, o)->key, "BUILDKIT_SYNTAX", 15) == 0)
			rc = image_check_remote(e, "BuildKit frontend image",
			    JN(&doc, o)->s, JN(&doc, o)->slen);
	json_free(&doc);
	return rc;
}

/* remote=: "" (the body), client-session (BuildKit: the context comes
 * over the caller's session), upload-request (a second request's body);
 * anything else is a URL or git repository the engine fetches. */
static int
query_build_remote(struct eval *e, const char *v, size_t len)
{
	if (len == 0 || e->pol->build_remote ||
	    (len == 14 && memcmp(v, "client-session", 14) == 0) ||
	    (len == 14 && memcmp(v, "upload-request", 14) == 0))
		return 0;
	return eval_deny(e, CK_BUILD, "a remote build context (remote=) makes "
	    "the engine fetch a URL or git repository") ? -1 : 0;
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
	if (query_build_remote(e, v, len) == -1)
		return -1;
	v = qval(e, "version", &len);
	if (len > 0 && !(len == 1 && (v[0] == '1' || v[0] == '2'))) {
		eval_reject(e, 400, "build version must be 1 or 2");
		return -1;
	}
	v = qval(e, "outputs", &len);
	if (query_build_outputs(e, v, len) == -1)
		return -1;
	v = qval(e, "cachefrom", &len);
	if (query_build_cachefrom(e, v, len) == -1)
		return -1;
	v = qval(e, "buildargs", &len);
	if (query_build_args(e, v, len) == -1)
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

/* fromSrc=- imports the request body; any other value is a URL. */
static int
query_image_import(struct eval *e, const char *src, size_t len)
{
	const char *repo, *tag;
	size_t rl, tl;
	char ref[512];

	if (!(len == 1 && src[0] == '-'))
		return eval_deny_fixed(e, CK_IMAGE_SOURCE, "importing an image "
		    "from a URL is not allowed: the engine would fetch it") ?
		    -1 : 0;
	if (!e->pol->import_body && eval_deny(e, CK_IMAGE_SOURCE, "importing "
	    "an image from the request body is not allowed"))
		return -1;
	e->d->body_kind = POLICY_BODY_STREAM;
	repo = qval(e, "repo", &rl);
	tag = qval(e, "tag", &tl);
	if (rl == 0)
		return 0;		/* an untagged image: no name taken */
	if (rl + tl + 2 > sizeof(ref))
		return eval_deny_fixed(e, CK_IMAGES, "the imported image name "
		    "is too long") ? -1 : 0;
	snprintf(ref, sizeof(ref), "%.*s%s%.*s", (int)rl, repo, tl ? ":" : "",
	    (int)tl, tag);
	return image_check(e, "imported image", ref, strlen(ref));
}

static int
query_image_create(struct eval *e)
{
	const char *v, *tag;
	size_t len, tlen;
	char *ref;
	int rc;

	v = qval(e, "fromImage", &len);
	if (len == 0 && (v = qval(e, "fromSrc", &len), len > 0))
		return query_image_import(e, v, len);
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
	rc = image_check_remote(e, "pulled image", ref, len);
	free(ref);
	return rc;
}

/* /images/{name}/push?tag=, /distribution/{name}/json: a registry
 * named by the path's image reference (and tag). */
static int
query_image_remote(struct eval *e, const char *what)
{
	const char *tag;
	size_t tlen;
	char ref[512];

	tag = qval(e, "tag", &tlen);
	if (e->varlen + tlen + 2 > sizeof(ref))
		return eval_deny_fixed(e, CK_IMAGES, "the %s is too long",
		    what) ? -1 : 0;
	/* the path variable ends where the route's suffix begins */
	snprintf(ref, sizeof(ref), "%.*s%s%.*s", (int)e->varlen, e->var,
	    tlen ? ":" : "", (int)tlen, tag);
	return image_check_remote(e, what, ref, strlen(ref));
}

/* GET /images/search?term=host:5000/x: the engine asks that registry. */
static int
query_image_search(struct eval *e)
{
	const char *v, *slash;
	size_t len;

	v = qval(e, "term", &len);
	if ((slash = memchr(v, '/', len)) == NULL)
		return 0;
	if (memchr(v, '.', (size_t)(slash - v)) == NULL &&
	    memchr(v, ':', (size_t)(slash - v)) == NULL &&
	    !((size_t)(slash - v) == 9 && memcmp(v, "localhost", 9) == 0))
		return 0;		/* a Docker Hub namespace */
	return registry_check(e, "search term", v, (size_t)(slash - v));
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
	if (strcmp(op, "image.push") == 0)
		return query_image_remote(e, "pushed image");
	if (strcmp(op, "distribution.inspect") == 0)
		return query_image_remote(e, "looked-up image");
	if (strcmp(op, "image.search") == 0)
		return query_image_search(e);
	if (strcmp(op, "plugin.install") == 0) {
		v = qval(e, "remote", &len);
		return image_check_remote(e, "plugin", v, len);
	}
	if (strcmp(op, "container.start") == 0) {
		v = qval(e, "checkpoint-dir", &len);
		if (len == 0)
			v = qval(e, "checkpoint", &len);
		if (len > 0 && eval_deny_fixed(e, CK_ENDPOINT, "starting from "
		    "a checkpoint is not allowed"))
			return -1;
	}
	return 0;
}
