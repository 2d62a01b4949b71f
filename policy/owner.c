/*
 * owner.c - jobs are tenants: what the caller creates carries its owner
 * label, what it acts on must be its own, and what it lists is filtered
 * to its own.  The policy cannot look anything up (no I/O): it stamps the
 * label into create bodies (and refuses a body that sets it), names every
 * object a request acts on or refers to (struct policy_ref) for the
 * daemon to resolve with the engine, and adds the owner label filter to
 * lists, events and prunes.  Images are a shared cache and have no owner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "policy_int.h"

/* Ownership applies: the check is on and the daemon named the tenant. */
int
owner_on(const struct eval *e)
{
	return e->req->tenant != NULL && e->req->tenant[0] != '\0' &&
	    eval_check_on(e, CK_OWNERSHIP);
}

/* 1: enforce, 2: audit only (struct policy_ref.own). */
static int
owner_mode(const struct eval *e)
{
	enum check_mode m = e->pol->ck_mode[CK_OWNERSHIP];

	if (m == MODE_INHERIT)
		m = e->pol->mode;
	return m == MODE_AUDIT ? 2 : 1;
}

static struct policy_ref *
owner_ref_new(struct eval *e, enum policy_obj kind, const char *name,
    size_t len, const char *where)
{
	struct policy_decision *d = e->d;
	struct policy_ref *nr, *r;

	if ((nr = realloc(d->refs, (d->nrefs + 1) * sizeof(*nr))) == NULL)
		goto oom;
	d->refs = nr;
	r = &d->refs[d->nrefs];
	memset(r, 0, sizeof(*r));
	if ((r->name = strndup(name, len)) == NULL)
		goto oom;
	r->kind = kind;
	r->own = owner_mode(e);
	strfmt(r->where, sizeof(r->where), "%s", where);
	d->nrefs++;
	return r;
oom:
	eval_reject(e, 500, "out of memory");
	return NULL;
}

/* The object in the path of a per-object operation, or 0. */
static enum policy_obj
owner_path_kind(const char *op)
{
	static const struct { const char *prefix; enum policy_obj kind; } k[] = {
		{ "container.", POLICY_OBJ_CONTAINER },
		{ "exec.create", POLICY_OBJ_CONTAINER },
		{ "exec.", POLICY_OBJ_EXEC },
		{ "volume.", POLICY_OBJ_VOLUME },
		{ "network.", POLICY_OBJ_NETWORK },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strncmp(op, k[i].prefix, strlen(k[i].prefix)) == 0)
			return k[i].kind;
	return 0;
}

int
owner_path(struct eval *e, size_t prefix_len)
{
	enum policy_obj kind;
	struct policy_ref *r;

	if (!owner_on(e) || e->var == NULL || e->varlen == 0 ||
	    (kind = owner_path_kind(e->rt->op)) == 0)
		return 0;
	/* The engine's default networks are nobody's but every job's
	 * containers use them: reading one is not reaching another job's
	 * object (testcontainers inspects "bridge" for its gateway when it
	 * runs in a container).  The engine refuses these names to
	 * user-created networks and resolves a name before an ID prefix. */
	if (strcmp(e->rt->op, "network.inspect") == 0 &&
	    ns_network_is_shared(e->var, e->varlen)) {
		e->d->scrub = 1;	/* its Containers are other jobs' */
		return 0;
	}
	if ((r = owner_ref_new(e, kind, e->var, e->varlen, "path")) == NULL)
		return -1;
	/* names obey [A-Za-z0-9][A-Za-z0-9_.-]*: the same bytes encoded */
	r->off = prefix_len + (size_t)(e->var - e->t.path);
	r->len = e->varlen;
	return 0;
}

/* "io.sockwarden.owner=<tenant>", the owner's label filter, as JSON. */
static void
owner_label_filter(struct strbuf *b, const char *tenant)
{
	struct strbuf kv = { NULL, 0, 0, 0 };

	strbuf_add(&kv, SW_OWNER_LABEL "=");
	strbuf_add(&kv, tenant);
	if (kv.oom)
		b->oom = 1;
	else
		strbuf_json(b, kv.s, kv.len);
	free(kv.s);
}

/*
 * One filter's values, {"v": true, ...}: from a list of strings or from a
 * map to true; add, when not NULL, the owner's label filter too.
 */
static int
owner_filter_value(struct eval *e, const struct jdoc *d, uint32_t v,
    struct strbuf *b, const char *owner)
{
	uint32_t m;
	int n = 0;

	strbuf_add(b, "{");
	for (m = d->n[v].child; m != JNONE; m = d->n[m].next, n++) {
		const struct jnode *x = &d->n[m];
		int map = d->n[v].type == J_OBJ;
		if (map ? x->type != J_BOOL : x->type != J_STR) {
			eval_reject(e, 400, "filters must map names to lists "
			    "of strings or to {\"value\": true}");
			return -1;
		}
		strbuf_add(b, n ? "," : "");
		strbuf_json(b, map ? x->key : x->s, map ? x->klen : x->slen);
		strbuf_add(b, x->type == J_BOOL && !x->b ? ":false" : ":true");
	}
	if (owner != NULL) {
		strbuf_add(b, n ? "," : "");
		owner_label_filter(b, owner);
		strbuf_add(b, ":true");
	}
	strbuf_add(b, "}");
	return 0;
}

/* Does the filters object have the key twice (Go keeps the last)? */
static int
owner_filter_dup(const struct jdoc *d, uint32_t root, uint32_t m)
{
	for (uint32_t o = d->n[root].child; o != m; o = d->n[o].next)
		if (d->n[o].klen == d->n[m].klen &&
		    memcmp(d->n[o].key, d->n[m].key, d->n[m].klen) == 0)
			return 1;
	return 0;
}

/*
 * Lists, events and prunes see only the caller's objects: the engine
 * filters by the owner label, ANDed with the caller's own label filters,
 * so those can only narrow it.  Returns the new filters value, malloc'd,
 * in *out (NULL: unchanged); -1 when the request was rejected.
 */
int
owner_filters(struct eval *e, char **out)
{
	const struct qparam *q = target_param(&e->t, "filters");
	struct strbuf b = { NULL, 0, 0, 0 };
	struct jdoc d;
	uint32_t root = JNONE, m;
	int rc = -1, have_label = 0, n = 0;

	*out = NULL;
	if (!owner_on(e))
		return 0;
	memset(&d, 0, sizeof(d));
	if (q != NULL && q->vlen > 0) {
		if (json_parse(q->val, q->vlen, 0, &d) != 0 ||
		    d.n[json_root(&d)].type != J_OBJ) {
			eval_reject(e, 400, "the query parameter 'filters' is "
			    "not a JSON object");
			goto out;
		}
		root = json_root(&d);
	}
	strbuf_add(&b, "{");
	for (m = root != JNONE ? d.n[root].child : JNONE; m != JNONE;
	    m = d.n[m].next, n++) {
		int label = d.n[m].klen == 5 &&
		    memcmp(d.n[m].key, "label", 5) == 0;
		if (owner_filter_dup(&d, root, m)) {
			eval_reject(e, 400, "filters has the key '%.*s' twice",
			    (int)(d.n[m].klen > 40 ? 40 : d.n[m].klen),
			    d.n[m].key);
			goto out;
		}
		if (d.n[m].type != J_ARR && d.n[m].type != J_OBJ) {
			eval_reject(e, 400, "filters must map names to lists");
			goto out;
		}
		strbuf_add(&b, n ? "," : "");
		strbuf_json(&b, d.n[m].key, d.n[m].klen);
		strbuf_add(&b, ":");
		have_label |= label;
		if (owner_filter_value(e, &d, m, &b, label ? e->req->tenant :
		    NULL) == -1)
			goto out;
	}
	if (!have_label) {
		strbuf_add(&b, n ? ",\"label\":{" : "\"label\":{");
		owner_label_filter(&b, e->req->tenant);
		strbuf_add(&b, ":true}");
	}
	strbuf_add(&b, "}");
	if (b.oom) {
		eval_reject(e, 500, "out of memory");
		goto out;
	}
	*out = b.s;
	b.s = NULL;
	rc = 0;
out:
	free(b.s);
	json_free(&d);
	return rc;
}

/* Lists, events and prunes: the owner label filter joins the query. */
int
owner_query(struct eval *e)
{
	static const char *const ops[] = { "container.list", "volume.list",
	    "network.list", "system.events", "container.prune",
	    "volume.prune", "network.prune" };
	const char *verb = strrchr(e->rt->op, '.');
	char *f;

	/* on every request: only lists, events and prunes go on */
	if (!owner_on(e) || verb == NULL || (strcmp(verb, ".list") != 0 &&
	    strcmp(verb, ".events") != 0 && strcmp(verb, ".prune") != 0))
		return 0;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(e->rt->op, ops[i]) != 0)
			continue;
		if (owner_filters(e, &f) == -1)
			return -1;
		if (f != NULL && target_set_param(&e->t, "filters", f) == -1) {
			eval_reject(e, 500, "out of memory");
			return -1;
		}
		return 0;
	}
	return 0;
}

/* A label set by the caller on the owner key is a forged owner. */
static int
owner_forged(struct eval *e, const struct jdoc *d, uint32_t labels,
    const char *where)
{
	uint32_t m;

	for (m = labels != JNONE && d->n[labels].type == J_OBJ ?
	    d->n[labels].child : JNONE; m != JNONE; m = d->n[m].next)
		if (d->n[m].klen == strlen(SW_OWNER_LABEL) &&
		    memcmp(d->n[m].key, SW_OWNER_LABEL, d->n[m].klen) == 0)
			return eval_deny(e, CK_OWNERSHIP, "%s sets the owner "
			    "label '%s', which only sockwarden sets", where,
			    SW_OWNER_LABEL);
	return 0;
}

/*
 * Stamp the owner label into a create body: into its Labels object, or as
 * a new Labels member.  The rest of the body is forwarded byte for byte.
 * Run it after the body's refs were named: their offsets move with it.
 */
int
owner_stamp(struct eval *e, const struct jdoc *d, uint32_t root,
    const char *where)
{
	const struct policy_request *r = e->req;
	const char *body = r->body_len ? (const char *)r->body : "{}";
	size_t blen = r->body_len ? r->body_len : 2, at, cut = 0;
	uint32_t labels = json_get(d, root, "Labels");
	struct strbuf b = { NULL, 0, 0, 0 };

	if (!owner_on(e))
		return 0;
	if (owner_forged(e, d, labels, where))
		return 1;
	if (labels != JNONE && d->n[labels].type == J_OBJ) {
		at = d->n[labels].off + 1;	/* just inside its '{' */
	} else if (labels != JNONE) {		/* "Labels": null */
		at = d->n[labels].off;
		cut = d->n[labels].end - d->n[labels].off;
	} else {
		at = d->n[root].off + 1;
	}
	strbuf_addn(&b, body, at);
	if (labels == JNONE)
		strbuf_add(&b, "\"Labels\":");
	if (labels == JNONE || d->n[labels].type != J_OBJ)
		strbuf_add(&b, "{");
	strbuf_json(&b, SW_OWNER_LABEL, strlen(SW_OWNER_LABEL));
	strbuf_add(&b, ":");
	strbuf_json(&b, r->tenant, strlen(r->tenant));
	if (labels == JNONE || d->n[labels].type != J_OBJ)
		strbuf_add(&b, "}");
	if ((labels != JNONE && d->n[labels].type == J_OBJ &&
	    d->n[labels].count > 0) || (labels == JNONE &&
	    d->n[root].count > 0))
		strbuf_add(&b, ",");
	strbuf_addn(&b, body + at + cut, blen - at - cut);
	if (b.oom) {
		free(b.s);
		eval_reject(e, 500, "out of memory");
		return 1;
	}
	/* refs found before the stamp point to the new body's bytes */
	for (size_t i = 0; i < e->d->nrefs; i++)
		if (e->d->refs[i].in_body && e->d->refs[i].off >= at + cut)
			e->d->refs[i].off += b.len - blen;
	free(e->d->body);
	e->d->body = (unsigned char *)b.s;
	e->d->body_len = b.len;
	return 0;
}

/* A JSON string in the body (raw bytes off..end, decoded text) whose
 * text is prefix + name + suffix: the daemon rewrites the whole string. */
static int
owner_body_text(struct eval *e, enum policy_obj kind, const char *text,
    size_t tlen, size_t pre, size_t namelen, size_t off, size_t end,
    int create, const char *where)
{
	struct policy_ref *r;

	if (!owner_on(e))
		return 0;
	if ((r = owner_ref_new(e, kind, text + pre, namelen, where)) == NULL)
		return 1;
	r->in_body = 1;
	r->create = create;
	r->off = off;
	r->len = end - off;
	if ((r->prefix = strndup(text, pre)) == NULL ||
	    (r->suffix = strndup(text + pre + namelen, tlen - pre -
	    namelen)) == NULL) {
		eval_reject(e, 500, "out of memory");
		return 1;
	}
	return 0;
}

int
owner_body_ref(struct eval *e, const struct jdoc *d, uint32_t n,
    enum policy_obj kind, size_t pre, size_t namelen, int create,
    const char *where)
{
	const struct jnode *s = &d->n[n];

	return owner_body_text(e, kind, s->s, s->slen, pre, namelen, s->off,
	    s->end, create, where);
}

int
owner_body_key(struct eval *e, const struct jdoc *d, uint32_t m,
    enum policy_obj kind, const char *where)
{
	const struct jnode *s = &d->n[m];

	return owner_body_text(e, kind, s->key, s->klen, 0, s->klen, s->koff,
	    s->kend, 0, where);
}
