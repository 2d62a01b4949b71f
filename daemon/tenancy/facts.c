/*
 * facts.c - what the policy cannot know, asked of the engine before a
 * request goes upstream: every object the decision names (struct
 * policy_ref) is resolved to its full ID, must belong to the caller's
 * tenant (else the engine's own 404 message, so another job's objects do
 * not even show), and takes the full ID's place in the forwarded target or
 * body, so a rename or re-create in between cannot swap it.  A named volume
 * the engine would create on the fly is created first, owned.  A network
 * that turns out to be the host's is refused whatever name it went by, and
 * a volume that is a bind of a host directory is judged as that bind.
 * The engine's answers are trusted and read with cJSON; its calls use the
 * API version the client's request named.  It fails closed: no answer from
 * the engine, no request.  It decides nothing the policy decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "daemon.h"

enum facts_stage { ASK_OBJECT, ASK_EXEC_CONTAINER, ASK_CREATE_VOLUME };

struct facts {
	const struct policy	*pol;		/* the caller's listener's */
	struct policy_decision	*d;
	char			 tenant[SW_TENANT_MAX];
	char			 version[8];	/* "/v1.41" or "" */
	const unsigned char	*body;		/* the body as the policy saw it */
	size_t			 body_len;
	size_t			 next;		/* the ref being resolved */
	enum facts_stage	 stage;
	char			**ids;		/* full IDs, one per ref */
	struct engine_call	*call;		/* creating a volume */
	struct engine_lookup	*look;		/* resolving a ref */
	facts_cb		 cb;
	void			*arg;
	int			 starting;	/* inside facts_start() */
	int			 finished;	/* ...and it ended there */
	int			 status;
	char			 msg[512];
};

static void facts_step(struct facts *);

static const char *
facts_what(enum policy_obj kind)
{
	switch (kind) {
	case POLICY_OBJ_CONTAINER:
		return "container";
	case POLICY_OBJ_EXEC:
		return "exec";
	case POLICY_OBJ_VOLUME:
		return "volume";
	case POLICY_OBJ_NETWORK:
		return "network";
	}
	return "object";
}

/* The engine's own words for a missing object (what clients expect). */
static void
facts_missing(const struct policy_ref *r, char *msg, size_t len)
{
	switch (r->kind) {
	case POLICY_OBJ_CONTAINER:
		snprintf(msg, len, "No such container: %s", r->name);
		return;
	case POLICY_OBJ_EXEC:
		snprintf(msg, len, "No such exec instance: %s", r->name);
		return;
	case POLICY_OBJ_VOLUME:
		snprintf(msg, len, "get %s: no such volume", r->name);
		return;
	case POLICY_OBJ_NETWORK:
		snprintf(msg, len, "network %s not found", r->name);
		return;
	}
}

static void
facts_done(struct facts *f, int status, const char *msg)
{
	f->call = NULL;
	f->look = NULL;
	if (f->starting) {	/* never call back before facts_start returns */
		f->finished = 1;
		f->status = status;
		snprintf(f->msg, sizeof(f->msg), "%s", msg ? msg : "");
		return;
	}
	f->cb(f->arg, status, msg);	/* the owner frees f */
}

/* Another tenant's (or nobody's): answered as if it did not exist. */
static void
facts_not_theirs(struct facts *f, const struct policy_ref *r)
{
	struct policy_decision *d = f->d;
	char msg[512];

	/* The engine answers a missing object named inside a create body
	 * with 400 (a 404 there makes the docker CLI try to pull the image),
	 * anywhere else with 404. */
	int status = r->in_body &&
	    strcmp(d->operation, "container.create") == 0 ? 400 : 404;

	d->verdict = POLICY_DENY;
	d->status = status;
	snprintf(d->rule, sizeof(d->rule), "ownership");
	snprintf(d->reason, sizeof(d->reason), "the %s '%s' (%s) is not the "
	    "caller's", facts_what(r->kind), r->name, r->where);
	facts_missing(r, msg, sizeof(msg));
	facts_done(f, status, msg);
}

static void
facts_engine_down(struct facts *f, const struct policy_ref *r,
    const char *why)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "sockwarden: cannot ask the engine about "
	    "the %s '%s': %s", facts_what(r->kind), r->name, why);
	facts_done(f, 502, msg);
}

static void facts_created_volume(void *, const struct engine_reply *);
static void facts_looked(void *, int, const char *, const struct engine_obj *);

/* Resolve a ref through engine/lookup.c: its cache, else an inspect. */
static void
facts_ask(struct facts *f, enum policy_obj kind, const char *name)
{
	f->look = engine_lookup(kind, name, facts_looked, f);
}

/* A named volume the engine would create unlabelled: create it owned. */
static void
facts_create_volume(struct facts *f, const struct policy_ref *r)
{
	cJSON *o = cJSON_CreateObject(), *labels = cJSON_CreateObject();
	char target[32], *body;

	if (o == NULL || labels == NULL || cJSON_AddStringToObject(o, "Name",
	    r->name) == NULL || cJSON_AddStringToObject(labels, POLICY_OWNER_LABEL,
	    f->tenant) == NULL || !cJSON_AddItemToObject(o, "Labels", labels) ||
	    (body = cJSON_PrintUnformatted(o)) == NULL) {
		cJSON_Delete(o);
		facts_engine_down(f, r, "out of memory");
		return;
	}
	f->stage = ASK_CREATE_VOLUME;
	snprintf(target, sizeof(target), "%s/volumes/create", f->version);
	f->call = engine_call("POST", target, body, strlen(body),
	    facts_created_volume, f);
	cJSON_free(body);
	cJSON_Delete(o);
	if (f->call == NULL)
		facts_engine_down(f, r, "the engine client is busy");
}

static const char *
facts_str(const cJSON *j, const char *a, const char *b)
{
	if (b != NULL)
		j = cJSON_GetObjectItemCaseSensitive(j, a), a = b;
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, a));
}

static void
facts_host_network(struct facts *f, const struct policy_ref *r)
{
	struct policy_decision *d = f->d;
	char msg[512];

	d->verdict = POLICY_DENY;
	d->status = 403;
	snprintf(d->rule, sizeof(d->rule), "namespaces");
	snprintf(d->reason, sizeof(d->reason), "%s names the host network "
	    "('%s')", r->where, r->name);
	snprintf(msg, sizeof(msg), "sockwarden: %s denied by rule namespaces: "
	    "%s", d->what, d->reason);
	facts_done(f, 403, msg);
}

/*
 * A volume the create mounts that the engine keeps as a bind of a host
 * directory (local driver, o=bind/rbind, device=PATH) is a host bind in
 * all but name: the binds rule judges its device, then the host check.
 * 0: not one, or admitted; -1: refused (answered).
 */
static int
facts_volume_bind(struct facts *f, const struct policy_ref *r,
    const struct engine_obj *vol)
{
	const char *driver = vol->driver;
	const char *o = facts_str(vol->options, "o", NULL);
	const char *dev = facts_str(vol->options, "device", NULL);
	struct policy_decision vd;
	char msg[1024], why[160], tok[16];
	int bind = 0;

	if (driver == NULL || strcmp(driver, "local") != 0 || o == NULL)
		return 0;
	for (const char *p = o; *p != '\0'; ) {	/* o is mount(8) options */
		size_t n = strcspn(p, ",");
		snprintf(tok, sizeof(tok), "%.*s", (int)(n < 15 ? n : 15), p);
		bind |= strcmp(tok, "bind") == 0 || strcmp(tok, "rbind") == 0;
		p += n + (p[n] == ',');
	}
	if (!bind)
		return 0;
	policy_volume_bind(f->pol, NULL, r->name, dev ? dev : "", &vd);
	for (size_t i = 0; vd.verdict == POLICY_ALLOW && i < vd.npaths; i++) {
		if (hostpath_check(vd.paths[i].root, vd.paths[i].path,
		    vd.paths[i].must_exist, why, sizeof(why)) == 0)
			continue;
		vd.verdict = POLICY_DENY;
		vd.status = 403;
		snprintf(vd.rule, sizeof(vd.rule), "binds");
		snprintf(vd.reason, sizeof(vd.reason), "%.150s (the volume '%.64s')",
		    why, r->name);
	}
	if (vd.verdict == POLICY_ALLOW || vd.audit) {
		policy_decision_clear(&vd);
		return 0;
	}
	f->d->verdict = vd.verdict;
	f->d->status = vd.status ? vd.status : 403;
	memcpy(f->d->rule, vd.rule, sizeof(f->d->rule));
	memcpy(f->d->reason, vd.reason, sizeof(f->d->reason));
	policy_format_message(&vd, msg, sizeof(msg));
	policy_decision_clear(&vd);
	facts_done(f, f->d->status, msg);
	return -1;
}

/* The owned volume facts_create_volume asked for. */
static void
facts_created_volume(void *arg, const struct engine_reply *rep)
{
	struct facts *f = arg;
	struct policy_ref *r = &f->d->refs[f->next];

	f->call = NULL;
	f->stage = ASK_OBJECT;
	if (rep->status == 0) {
		facts_engine_down(f, r, rep->err);
		return;
	}
	if (rep->status != 201 && rep->status != 200) {
		facts_engine_down(f, r, "creating it failed");
		return;
	}
	engine_cache_forget(POLICY_OBJ_VOLUME, r->name);
	if ((f->ids[f->next++] = strdup(r->name)) == NULL) {
		facts_engine_down(f, r, "out of memory");
		return;
	}
	facts_step(f);
}

static void
facts_looked(void *arg, int status, const char *err,
    const struct engine_obj *obj)
{
	struct facts *f = arg;
	struct policy_ref *r = &f->d->refs[f->next];
	enum facts_stage stage = f->stage;

	f->look = NULL;
	f->stage = ASK_OBJECT;
	if (status == 0) {
		facts_engine_down(f, r, err);
		return;
	}
	if (status == 404 && stage == ASK_OBJECT && r->create &&
	    r->kind == POLICY_OBJ_VOLUME) {
		facts_create_volume(f, r);	/* the engine would make it */
		return;
	}
	if (status == 404) {
		facts_not_theirs(f, r);
		return;
	}
	if (status != 200 || obj == NULL || obj->id == NULL) {
		facts_engine_down(f, r, "an answer sockwarden does not expect");
		return;
	}
	if (stage == ASK_OBJECT && r->kind == POLICY_OBJ_EXEC) {
		/* an exec is whoever owns its container's */
		if (obj->container == NULL ||
		    (f->ids[f->next] = strdup(obj->id)) == NULL) {
			facts_engine_down(f, r, "an exec without its container");
			return;
		}
		f->stage = ASK_EXEC_CONTAINER;
		facts_ask(f, POLICY_OBJ_CONTAINER, obj->container);
		if (f->look == NULL)
			facts_engine_down(f, r, "the engine client is busy");
		return;
	}
	if (r->kind == POLICY_OBJ_NETWORK && ((obj->driver != NULL &&
	    strcmp(obj->driver, "host") == 0) || (obj->name != NULL &&
	    strcmp(obj->name, "host") == 0))) {
		facts_host_network(f, r);
		return;
	}
	if (r->own == 1 && (obj->owner == NULL ||
	    strcmp(obj->owner, f->tenant) != 0)) {
		facts_not_theirs(f, r);
		return;
	}
	if (r->own == 2 && (obj->owner == NULL ||
	    strcmp(obj->owner, f->tenant) != 0))
		log_warnx("audit: the %s '%s' (%s) is not the caller's (%s): "
		    "would be refused by rule ownership", facts_what(r->kind),
		    r->name, r->where, f->tenant);
	if (r->kind == POLICY_OBJ_VOLUME && r->in_body &&
	    strcmp(f->d->operation, "container.create") == 0 &&
	    facts_volume_bind(f, r, obj) != 0)
		return;
	if (f->ids[f->next] == NULL &&
	    (f->ids[f->next] = strdup(obj->id)) == NULL) {
		facts_engine_down(f, r, "out of memory");
		return;
	}
	f->next++;
	facts_step(f);
}

/* Splice replacement text over [off, off+len) of src; malloc'd result. */
struct facts_edit {
	size_t		 off, len;
	char		*text;
};

static int
facts_edit_cmp(const void *a, const void *b)
{
	const struct facts_edit *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static char *
facts_splice(const char *src, size_t slen, struct facts_edit *ed, size_t n,
    size_t *outlen)
{
	size_t len = slen, o = 0, at = 0;
	char *out;

	qsort(ed, n, sizeof(*ed), facts_edit_cmp);
	for (size_t i = 0; i < n; i++)
		len += strlen(ed[i].text) - ed[i].len;
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (ed[i].off < at || ed[i].off + ed[i].len > slen) {
			free(out);	/* overlapping refs: a policy bug */
			return NULL;
		}
		memcpy(out + o, src + at, ed[i].off - at);
		o += ed[i].off - at;
		memcpy(out + o, ed[i].text, strlen(ed[i].text));
		o += strlen(ed[i].text);
		at = ed[i].off + ed[i].len;
	}
	memcpy(out + o, src + at, slen - at);
	o += slen - at;
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* A body reference's new JSON string: prefix + full ID + suffix. */
static char *
facts_body_text(const struct policy_ref *r, const char *id)
{
	size_t n = strlen(r->prefix) + strlen(id) + strlen(r->suffix) + 1;
	char *s = malloc(n), *out;
	cJSON *j;

	if (s == NULL)
		return NULL;
	snprintf(s, n, "%s%s%s", r->prefix, id, r->suffix);
	j = cJSON_CreateString(s);
	free(s);
	out = j != NULL ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	return out;
}

/* Every ref resolved: the full IDs take the names' places. */
static int
facts_rewrite(struct facts *f)
{
	struct policy_decision *d = f->d;
	struct facts_edit *ed = calloc(d->nrefs + 1, sizeof(*ed));
	const char *body = d->body ? (const char *)d->body :
	    (const char *)f->body;
	size_t body_len = d->body ? d->body_len : f->body_len;
	size_t nt = 0, nb = 0, len;
	char *nbody = NULL, *ntarget = NULL;
	int rc = -1;

	if (ed == NULL)
		return -1;
	/* target edits first in the array, then body edits */
	for (size_t i = 0; i < d->nrefs; i++)
		if (!d->refs[i].in_body) {
			ed[nt].off = d->refs[i].off;
			ed[nt].len = d->refs[i].len;
			if ((ed[nt++].text = strdup(f->ids[i])) == NULL)
				goto out;
		}
	for (size_t i = 0; i < d->nrefs; i++)
		if (d->refs[i].in_body) {
			ed[nt + nb].off = d->refs[i].off;
			ed[nt + nb].len = d->refs[i].len;
			if ((ed[nt + nb++].text = facts_body_text(&d->refs[i],
			    f->ids[i])) == NULL)
				goto out;
		}
	if (nt > 0) {
		if ((ntarget = facts_splice(d->target, strlen(d->target), ed,
		    nt, &len)) == NULL)
			goto out;
		free(d->target);
		d->target = ntarget;
	}
	if (nb > 0) {
		if (body == NULL || (nbody = facts_splice(body, body_len,
		    ed + nt, nb, &len)) == NULL)
			goto out;
		free(d->body);
		d->body = (unsigned char *)nbody;
		d->body_len = len;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nt + nb; i++)
		if (i < nt)
			free(ed[i].text);
		else
			cJSON_free(ed[i].text);
	free(ed);
	return rc;
}

static void
facts_step(struct facts *f)
{
	if (f->next < f->d->nrefs) {
		facts_ask(f, f->d->refs[f->next].kind,
		    f->d->refs[f->next].name);
		if (f->look == NULL)
			facts_engine_down(f, &f->d->refs[f->next],
			    "the engine client is busy");
		return;
	}
	if (facts_rewrite(f) != 0) {
		facts_done(f, 500, "sockwarden: out of memory");
		return;
	}
	facts_done(f, 0, NULL);
}

struct facts *
facts_start(const struct policy *pol, struct policy_decision *d,
    const char *tenant,
    const unsigned char *body, size_t body_len, facts_cb cb, void *arg,
    int *status, char *msg, size_t msglen)
{
	struct facts *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->ids = calloc(d->nrefs + 1, sizeof(char *))) ==
	    NULL) {
		free(f);
		*status = 500;
		snprintf(msg, msglen, "sockwarden: out of memory");
		return NULL;
	}
	f->pol = pol;
	f->d = d;
	snprintf(f->tenant, sizeof(f->tenant), "%s", tenant);
	/* the client's API version: it negotiated it with this engine */
	if (d->target != NULL && strncmp(d->target, "/v1.", 4) == 0 &&
	    strlen(d->target) > 6 && d->target[6] == '/')
		memcpy(f->version, d->target, 6);
	f->body = body;
	f->body_len = body_len;
	f->cb = cb;
	f->arg = arg;
	f->starting = 1;
	facts_step(f);
	f->starting = 0;
	if (f->finished) {
		*status = f->status;
		snprintf(msg, msglen, "%s", f->msg);
		facts_free(f);
		return NULL;
	}
	return f;
}

void
facts_free(struct facts *f)
{
	if (f == NULL)
		return;
	if (f->call != NULL)
		engine_cancel(f->call);
	if (f->look != NULL)
		engine_lookup_cancel(f->look);
	for (size_t i = 0; i < f->d->nrefs; i++)
		free(f->ids[i]);
	free(f->ids);
	free(f);
}

/*
 * The engine's answer to a request that creates, renames or removes
 * containers, volumes or networks is in: what the cache holds of them
 * goes now, before the client can send its next request (the engine's
 * event saying so may come later).
 */
void
facts_changed(const struct policy_decision *d)
{
	static const char *const ops[] = { "container.create",
	    "container.delete", "container.rename", "container.prune",
	    "volume.create", "volume.delete", "volume.prune",
	    "network.create", "network.delete", "network.prune" };
	const char *op = d->operation, *verb = strchr(op, '.');

	/* every answer passes here: most are none of these, and their
	 * object's and verb's first bytes say so */
	if (verb == NULL || (op[0] != 'c' && op[0] != 'v' && op[0] != 'n') ||
	    (verb[1] != 'c' && verb[1] != 'd' && verb[1] != 'r' &&
	    verb[1] != 'p'))
		return;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(d->operation, ops[i]) == 0) {
			engine_cache_flush();
			return;
		}
}
