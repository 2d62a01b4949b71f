/*
 * bk_check.c - policy_grpc_eval(): one call on buildx's /grpc tunnel
 * against the "buildkit" check.  Which calls pass unread (read-only, or
 * what the build already has), which follow an endpoint the REST API
 * names (Session as "session", Prune as "build.prune"), which are decoded
 * (bk_decode.c) and what of them is judged: the entitlements a build asks
 * for, its frontend and the attributes that reach the host (network mode,
 * contexts naming URLs or images, cache sources, frontend images, cgroup
 * parent), its exporters and caches, and the interactive containers that
 * BuildKit 0.8 (the Debian 20.10 engine) starts without checking the
 * build's entitlements.  Unknown calls are denied.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "policy_int.h"

/* grpc-go's default receive limit, which the engine keeps: no larger
 * message reaches it, so none needs holding here. */
#define BK_MSG_MAX	(4u * 1024 * 1024 + 5)

enum bk_class {
	BK_ALLOW,	/* relayed unread */
	BK_ENDPOINT,	/* as the REST operation it equals */
	BK_FIRST,	/* decide on the first client message */
	BK_EACH,	/* decide on every client message (streams) */
};

struct bk_method {
	const char	*service, *name;
	enum bk_class	 cls;
	const char	*op;		/* BK_ENDPOINT: the REST operation */
	int		(*check)(struct eval *, const struct bk_msg *);
	int		(*decode)(const uint8_t *, size_t, struct bk_msg *,
			    char *, size_t);
};

#define CONTROL		"moby.buildkit.v1.Control"
#define BRIDGE		"moby.buildkit.v1.frontend.LLBBridge"

static int check_solve(struct eval *, const struct bk_msg *);
static int check_llbsolve(struct eval *, const struct bk_msg *);
static int check_container(struct eval *, const struct bk_msg *);
static int check_exec(struct eval *, const struct bk_msg *);

static const struct bk_method methods[] = {
	{ CONTROL, "DiskUsage", BK_ALLOW, NULL, NULL, NULL },
	{ CONTROL, "Status", BK_ALLOW, NULL, NULL, NULL },
	{ CONTROL, "ListWorkers", BK_ALLOW, NULL, NULL, NULL },
	{ CONTROL, "Info", BK_ALLOW, NULL, NULL, NULL },
	{ CONTROL, "ListenBuildHistory", BK_ALLOW, NULL, NULL, NULL },
	{ CONTROL, "Solve", BK_FIRST, NULL, check_solve, bk_decode_solve },
	/* the engine becomes the client of the caller's services, as on
	 * POST /session */
	{ CONTROL, "Session", BK_ENDPOINT, "session", NULL, NULL },
	/* both remove what every build on the engine shares */
	{ CONTROL, "Prune", BK_ENDPOINT, "build.prune", NULL, NULL },
	{ CONTROL, "UpdateBuildHistory", BK_ENDPOINT, "build.prune", NULL,
	    NULL },
	/* the gateway: reads of what the build already has */
	{ BRIDGE, "ResolveImageConfig", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "ResolveSourceMeta", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "ReadFile", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "ReadDir", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "StatFile", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "Evaluate", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "Ping", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "Return", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "Inputs", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "ReleaseContainer", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "ReadFileContainer", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "ReadDirContainer", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "StatFileContainer", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "Warn", BK_ALLOW, NULL, NULL, NULL },
	{ BRIDGE, "Solve", BK_FIRST, NULL, check_llbsolve,
	    bk_decode_llbsolve },
	{ BRIDGE, "NewContainer", BK_FIRST, NULL, check_container,
	    bk_decode_container },
	{ BRIDGE, "ExecProcess", BK_EACH, NULL, check_exec, bk_decode_exec },
	/* current engines: the client's trace spans, into the history */
	{ "opentelemetry.proto.collector.trace.v1.TraceService", "Export",
	    BK_ALLOW, NULL, NULL, NULL },
	{ "grpc.health.v1.Health", "Check", BK_ALLOW, NULL, NULL, NULL },
};

static int
bk_is(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

static int
bk_has_prefix(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(s, lit, n) == 0;
}

static const struct bk_method *
bk_method(const char *path, size_t len)
{
	size_t i, sl;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		sl = strlen(methods[i].service);
		if (len == sl + strlen(methods[i].name) + 2 &&
		    path[0] == '/' && memcmp(path + 1, methods[i].service,
		    sl) == 0 && path[sl + 1] == '/' &&
		    bk_is(path + sl + 2, len - sl - 2, methods[i].name))
			return &methods[i];
	}
	return NULL;
}

static int
bk_endpoint_allowed(const struct policy *p, const char *op)
{
	size_t i;

	for (i = 0; i < route_count(); i++)
		if (strcmp(route_at(i)->op, op) == 0 && p->ep_allow[i])
			return 1;
	return 0;
}

static int
bk_entitled(const struct eval *e, const char *name)
{
	return strlist_has(&e->pol->bk_entitlements, name, strlen(name));
}

/* "device=<name>,alias=x" is the entitlement "device" with options. */
static int
check_entitlement(struct eval *e, const char *v, size_t len)
{
	const char *eq = memchr(v, '=', len);
	size_t n = eq != NULL ? (size_t)(eq - v) : len;

	if (strlist_has(&e->pol->bk_entitlements, v, n))
		return 0;
	return eval_deny_key(e, CK_BUILDKIT, "checks.buildkit.entitlements",
	    "the build asks for the entitlement '%.*s'", (int)(n > 64 ? 64 :
	    n), v) ? -1 : 0;
}

/* "" is a frontend run by the client: raw LLB, or buildx's gateway
 * client whose own frontend Solve calls are judged here too. */
static int
check_frontend(struct eval *e, const char *v, size_t len)
{
	if (len == 0)
		return e->pol->bk_client_frontend ? 0 : eval_deny_key(e,
		    CK_BUILDKIT, "checks.buildkit.client_frontend", "a "
		    "frontend run by the client (raw LLB, buildx) is not "
		    "allowed") ? -1 : 0;
	if (strlist_has(&e->pol->bk_frontends, v, len))
		return 0;
	return eval_deny_key(e, CK_BUILDKIT, "checks.buildkit.frontends",
	    "the frontend '%.*s' is not allowed", (int)(len > 64 ? 64 : len),
	    v) ? -1 : 0;
}

/* Each ','-separated piece of v through image_check(_remote). */
static int
check_image_list(struct eval *e, const char *what, const char *v,
    size_t len, int remote)
{
	const char *c;
	size_t pl;

	while (len > 0) {
		pl = (c = memchr(v, ',', len)) != NULL ? (size_t)(c - v) : len;
		if (pl > 0 && (remote ? image_check_remote(e, what, v, pl) :
		    image_check(e, what, v, pl)) == -1)
			return -1;
		v += pl + (c != NULL);
		len -= pl + (c != NULL);
	}
	return 0;
}

/* strconv.ParseBool's false spellings, and absent; anything else might
 * be true to the engine. */
static int
bk_false(const char *v, size_t len)
{
	return len == 0 || bk_is(v, len, "0") || bk_is(v, len, "f") ||
	    bk_is(v, len, "F") || bk_is(v, len, "false") ||
	    bk_is(v, len, "FALSE") || bk_is(v, len, "False");
}

/* The attrs are a map field of m.  Image exporters name images (a
 * tag, and on push the registry they go to); local, tar, oci and docker
 * write to the client. */
static int
check_exporter(struct eval *e, const char *type, size_t tlen,
    const struct bk_msg *m, uint32_t field)
{
	struct bk_it it;
	struct bk_val a;
	int push = 0;

	if (tlen > 0 && !strlist_has(&e->pol->bk_exporters, type, tlen) &&
	    eval_deny_key(e, CK_BUILDKIT, "checks.buildkit.exporters",
	    "the exporter '%.*s' is not allowed", (int)(tlen > 64 ? 64 : tlen),
	    type))
		return -1;
	bk_iter(m, field, 1, &it);
	while (bk_next(&it, &a) == 1)
		if (bk_is(a.k, a.klen, "push") && !bk_false(a.v, a.vlen))
			push = 1;
	bk_iter(m, field, 1, &it);
	while (bk_next(&it, &a) == 1)
		if (bk_is(a.k, a.klen, "name") && check_image_list(e,
		    push ? "pushed image" : "build image name", a.v, a.vlen,
		    push) == -1)
			return -1;
	return 0;
}

/* A cache import or export: registry ones are pulled or pushed by the
 * engine (ref); gha, s3, azblob contact URLs from the host. */
static int
check_cache(struct eval *e, const char *type, size_t tlen, const char *ref,
    size_t rlen)
{
	if (!strlist_has(&e->pol->bk_caches, type, tlen) &&
	    eval_deny_key(e, CK_BUILDKIT, "checks.buildkit.caches",
	    "the build cache type '%.*s' is not allowed", (int)(tlen > 64 ?
	    64 : tlen), type))
		return -1;
	if (bk_is(type, tlen, "registry") && rlen > 0)
		return image_check_remote(e, "build cache source", ref, rlen);
	return 0;
}

/* An entry {1 Type, 2 Attrs} of a cache list. */
static int
check_cache_entry(struct eval *e, const struct bk_msg *entry)
{
	struct bk_val type, a, ref;
	struct bk_it it;

	memset(&ref, 0, sizeof(ref));
	bk_last(entry, 1, &type);
	bk_iter(entry, 2, 1, &it);
	while (bk_next(&it, &a) == 1)	/* a map: the last "ref" wins */
		if (bk_is(a.k, a.klen, "ref"))
			ref = a;
	return check_cache(e, type.v, type.vlen, ref.v, ref.vlen);
}

/* The Dockerfile frontend's cache-imports: a JSON list of {Type, Attrs}
 * read with Go's encoding/json (member names folded, map keys exact). */
static int
check_cache_imports(struct eval *e, const char *v, size_t len)
{
	struct jdoc doc;
	uint32_t o, a, k;
	int rc = 0;

	if (json_parse(v, len, 0, &doc) != 0 || JN(&doc,
	    json_root(&doc))->type != J_ARR) {
		json_free(&doc);
		return eval_deny_fixed(e, CK_BUILDKIT, "the frontend "
		    "attribute cache-imports is not a JSON list") ? -1 : 0;
	}
	for (o = JN(&doc, json_root(&doc))->child; o != JNONE && rc == 0;
	    o = JN(&doc, o)->next) {
		const char *t = NULL, *ref = NULL;
		size_t tl = 0, rl = 0;

		if (JN(&doc, o)->type == J_OBJ) {
			t = json_get_str(&doc, o, "Type", &tl);
			a = json_get(&doc, o, "Attrs");
			if (a != JNONE && JN(&doc, a)->type == J_OBJ)
				for (k = JN(&doc, a)->child; k != JNONE;
				    k = JN(&doc, k)->next)
					if (bk_is(JN(&doc, k)->key,
					    JN(&doc, k)->klen, "ref") &&
					    JN(&doc, k)->type == J_STR) {
						ref = JN(&doc, k)->s;
						rl = JN(&doc, k)->slen;
					}
		}
		rc = check_cache(e, t != NULL ? t : "", tl, ref, rl);
	}
	json_free(&doc);
	return rc;
}

/*
 * A build context: the session's own directories, another input, an
 * image (pulled), or a git repository or URL the engine fetches from
 * the host's network.  What is not recognizably local counts as remote.
 */
static int
check_context(struct eval *e, const char *v, size_t len)
{
	if (bk_has_prefix(v, len, "docker-image://"))
		return image_check_remote(e, "build context image", v + 15,
		    len - 15);
	if (bk_has_prefix(v, len, "local:") || bk_has_prefix(v, len,
	    "input:") || bk_has_prefix(v, len, "oci-layout://"))
		return 0;
	if (e->pol->build_remote || (memchr(v, '@', len) == NULL &&
	    !bk_has_prefix(v, len, "github.com/") &&
	    (len < 3 || memmem(v, len, "://", 3) == NULL)))
		return 0;
	return eval_deny(e, CK_BUILD, "a build context from a URL or git "
	    "repository ('%.*s') makes the engine fetch it", (int)(len > 80 ?
	    80 : len), v) ? -1 : 0;
}

static int
check_frontend_attrs(struct eval *e, const struct bk_msg *m, uint32_t field)
{
	const struct policy *p = e->pol;
	struct bk_it it;
	struct bk_val a;
	int rc = 0;

	bk_iter(m, field, 1, &it);
	while (rc == 0 && bk_next(&it, &a) == 1) {
		if (bk_is(a.k, a.klen, "force-network-mode")) {
			if (bk_is(a.v, a.vlen, "host") &&
			    !bk_entitled(e, "network.host") &&
			    eval_deny_key(e, CK_BUILDKIT,
			    "checks.buildkit.entitlements", "host networking "
			    "(force-network-mode=host) needs the entitlement "
			    "'network.host'"))
				rc = -1;
		} else if (bk_is(a.k, a.klen, "context") ||
		    bk_has_prefix(a.k, a.klen, "context:"))
			rc = check_context(e, a.v, a.vlen);
		else if (bk_is(a.k, a.klen, "cache-from"))
			rc = check_image_list(e, "build cache source", a.v,
			    a.vlen, 1);
		else if (bk_is(a.k, a.klen, "cache-imports"))
			rc = check_cache_imports(e, a.v, a.vlen);
		else if (bk_is(a.k, a.klen, "build-arg:BUILDKIT_SYNTAX") ||
		    bk_is(a.k, a.klen, "source"))
			rc = image_check_remote(e, "BuildKit frontend image",
			    a.v, a.vlen);
		else if (bk_is(a.k, a.klen, "cgroup-parent") && a.vlen > 0 &&
		    !strlist_has(&p->cgroup_parent_allow, a.v, a.vlen) &&
		    eval_deny(e, CK_CGROUP_PARENT, "the build's cgroup parent "
		    "'%.*s' is not allowed", (int)(a.vlen > 64 ? 64 :
		    a.vlen), a.v))
			rc = -1;
	}
	return rc;
}

/* Every occurrence of a string field (none: Go's ""), through fn. */
static int
each_str(struct eval *e, const struct bk_msg *m, uint32_t field,
    int (*fn)(struct eval *, const char *, size_t))
{
	struct bk_it it;
	struct bk_val v;
	int seen = 0;

	bk_iter(m, field, 0, &it);
	while (bk_next(&it, &v) == 1) {
		seen = 1;
		if (fn(e, v.v, v.vlen) == -1)
			return -1;
	}
	return seen ? 0 : fn(e, "", 0);
}

static int
check_solve(struct eval *e, const struct bk_msg *m)
{
	struct bk_it it, cit;
	struct bk_val v, c, type;

	bk_iter(m, 9, 0, &it);
	while (bk_next(&it, &v) == 1)
		if (check_entitlement(e, v.v, v.vlen) == -1)
			return -1;
	if (each_str(e, m, 6, check_frontend) == -1 ||
	    check_frontend_attrs(e, m, 7) == -1)
		return -1;
	/* the old single exporter: its type (last wins) and attrs */
	bk_last(m, 3, &type);
	if (check_exporter(e, type.v, type.vlen, m, 4) == -1)
		return -1;
	bk_iter(m, 13, 0, &it);
	while (bk_next(&it, &v) == 1) {
		bk_last(&v.msg, 1, &type);
		if (check_exporter(e, type.v, type.vlen, &v.msg, 2) == -1)
			return -1;
	}
	bk_iter(m, 8, 0, &it);		/* Go merges repeated occurrences */
	while (bk_next(&it, &v) == 1) {
		bk_iter(&v.msg, 1, 0, &cit);	/* registry refs, old form */
		while (bk_next(&cit, &c) == 1)
			if (check_cache(e, "registry", 8, c.v, c.vlen) == -1)
				return -1;
		bk_iter(&v.msg, 2, 0, &cit);
		while (bk_next(&cit, &c) == 1)
			if (check_cache(e, "registry", 8, c.v, c.vlen) == -1)
				return -1;
		bk_iter(&v.msg, 4, 0, &cit);
		while (bk_next(&cit, &c) == 1)
			if (check_cache_entry(e, &c.msg) == -1)
				return -1;
		bk_iter(&v.msg, 5, 0, &cit);
		while (bk_next(&cit, &c) == 1)
			if (check_cache_entry(e, &c.msg) == -1)
				return -1;
	}
	return 0;
}

static int
check_llbsolve(struct eval *e, const struct bk_msg *m)
{
	struct bk_it it;
	struct bk_val v;

	if (each_str(e, m, 2, check_frontend) == -1 ||
	    check_frontend_attrs(e, m, 3) == -1)
		return -1;
	bk_iter(m, 4, 0, &it);
	while (bk_next(&it, &v) == 1)
		if (check_cache(e, "registry", 8, v.v, v.vlen) == -1)
			return -1;
	bk_iter(m, 12, 0, &it);
	while (bk_next(&it, &v) == 1)
		if (check_cache_entry(e, &v.msg) == -1)
			return -1;
	return 0;
}

/* pb.NetMode and pb.SecurityMode: 1 is host / insecure; values the
 * engine does not define are refused rather than guessed at. */
static int
check_mode(struct eval *e, uint64_t n, const char *what,
    const char *entitlement)
{
	int32_t v = pb_int32(n);

	if (v == 0 || (v == 2 && strcmp(what, "network mode") == 0))
		return 0;
	if (v != 1)
		return eval_deny_fixed(e, CK_BUILDKIT, "unknown %s %d", what,
		    (int)v) ? -1 : 0;
	if (bk_entitled(e, entitlement))
		return 0;
	return eval_deny_key(e, CK_BUILDKIT, "checks.buildkit.entitlements",
	    "an interactive build container with %s needs the entitlement "
	    "'%s'", strcmp(entitlement, "network.host") == 0 ?
	    "host networking" : "insecure security mode", entitlement) ?
	    -1 : 0;
}

static int
check_container(struct eval *e, const struct bk_msg *m)
{
	struct bk_it it;
	struct bk_val v;

	bk_iter(m, 3, 0, &it);
	while (bk_next(&it, &v) == 1)
		if (check_mode(e, v.n, "network mode", "network.host") == -1)
			return -1;
	return 0;
}

static int
check_exec(struct eval *e, const struct bk_msg *m)
{
	struct bk_it it, sit;
	struct bk_val v, s;

	bk_iter(m, 2, 0, &it);		/* Init; every occurrence */
	while (bk_next(&it, &v) == 1) {
		bk_iter(&v.msg, 5, 0, &sit);
		while (bk_next(&sit, &s) == 1)
			if (check_mode(e, s.n, "security mode",
			    "security.insecure") == -1)
				return -1;
	}
	return 0;
}

static void
bk_eval(struct eval *e, const char *path, size_t plen,
    const unsigned char *buf, size_t len)
{
	struct policy_decision *d = e->d;
	const struct bk_method *bm = bk_method(path, plen);
	const uint8_t *msg;
	struct bk_msg m;
	char why[160];
	size_t mlen;
	int bridge;

	if (bm == NULL) {
		strfmt(d->what, sizeof(d->what), "BuildKit call");
		strfmt(d->operation, sizeof(d->operation), "buildkit.unknown");
		eval_deny_fixed(e, CK_BUILDKIT, "'%.*s' is not a call "
		    "sockwarden knows", (int)(plen > 120 ? 120 : plen), path);
		return;
	}
	bridge = strcmp(bm->service, BRIDGE) == 0;
	strfmt(d->what, sizeof(d->what), "BuildKit %s%s", bridge ?
	    "frontend " : "", bm->name);
	strfmt(d->operation, sizeof(d->operation), "buildkit.%s%s", bridge ?
	    "frontend." : "", bm->name);
	switch (bm->cls) {
	case BK_ALLOW:
		return;
	case BK_ENDPOINT:
		if (!bk_endpoint_allowed(e->pol, bm->op))
			eval_deny(e, CK_ENDPOINT, "%s is allowed only with "
			    "the operation %s", d->what, bm->op);
		return;
	case BK_FIRST:
	case BK_EACH:
		d->grpc_each = bm->cls == BK_EACH;
		d->body_limit = BK_MSG_MAX;
		if (buf == NULL) {
			d->verdict = POLICY_NEED_BODY;
			return;
		}
		break;
	}
	if (len > BK_MSG_MAX) {
		eval_deny_fixed(e, CK_BUILDKIT, "a message larger than the "
		    "engine accepts");
		return;
	}
	if (bk_grpc_message(buf, len, &msg, &mlen, why, sizeof(why)) != 0 ||
	    bm->decode(msg, mlen, &m, why, sizeof(why)) != 0) {
		eval_deny_fixed(e, CK_BUILDKIT, "%s", why);
		return;
	}
	bm->check(e, &m);
}

void
policy_grpc_eval(const struct policy *p, const char *method,
    size_t method_len, const unsigned char *msg, size_t len,
    struct policy_decision *d)
{
	struct eval e;

	memset(d, 0, sizeof(*d));
	memset(&e, 0, sizeof(e));
	e.pol = p;
	e.d = d;
	d->verdict = POLICY_ALLOW;
	bk_eval(&e, method, method_len, msg, len);
	if ((d->verdict == POLICY_NEED_BODY || d->verdict == POLICY_ALLOW) &&
	    !d->audit) {
		d->rule[0] = '\0';
		d->reason[0] = '\0';
		d->key = NULL;
	}
}
