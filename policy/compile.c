/*
 * compile.c - policy files (JSON with comments) into struct policy.
 *
 * Strict: an unknown key, a wrong type or a bad value is an error reported
 * as "file:line:col: message" naming the JSON path (an unknown key also
 * the known key it resembles); every error is collected, not just the
 * first.  "extends" starts from a built-in preset;
 * scalars and lists then replace the preset's values, except the endpoint
 * set, which "allow" adds to and "deny" removes from.  The file format is
 * documented in docs/policy.md.  Reading the file is the caller's job.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "policy_int.h"

#define MAX_EXTENDS	4	/* readonly -> deny-all: depth 2 today */

struct cctx {
	const char		*file;
	const char		*text;
	const struct jdoc	*d;
	struct policy		*p;
	struct policy_errors	*errs;
	int			 depth;
};

static void errs_add(struct cctx *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
errs_add(struct cctx *c, size_t off, const char *fmt, ...)
{
	struct policy_errors *e = c->errs;
	char msg[512];
	int line, col, n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	str_sanitize(msg);	/* keys and values are the file's bytes */
	json_linecol(c->text, off, &line, &col);
	n = snprintf(NULL, 0, "%s:%d:%d: %s\n", c->file, line, col, msg);
	if (n < 0)
		return;
	if (e->len + (size_t)n + 1 > e->cap) {
		size_t cap = (e->len + (size_t)n + 1) * 2;
		char *t = realloc(e->text, cap);
		if (t == NULL)
			return;
		e->text = t;
		e->cap = cap;
	}
	snprintf(e->text + e->len, e->cap - e->len, "%s:%d:%d: %s\n", c->file,
	    line, col, msg);
	e->len += (size_t)n;
	e->count++;
}

static const char *
type_name(enum jtype t)
{
	static const char *const names[] = { "null", "a boolean", "a number",
	    "a string", "an array", "an object" };

	return names[t];
}

/* Check that node has type t; report "<path> must be <what>" if not. */
static int
want(struct cctx *c, uint32_t v, enum jtype t, const char *path)
{
	if (c->d->n[v].type == t)
		return 0;
	errs_add(c, c->d->n[v].off, "%s must be %s, not %s", path,
	    type_name(t), type_name(c->d->n[v].type));
	return -1;
}

static const char *
key_at_list(size_t i, const void *keys)
{
	return ((const char *const *)keys)[i];
}

/* Members of obj must be unique and among keys (NULL-terminated). */
static int
keys_check(struct cctx *c, uint32_t obj, const char *const *keys,
    const char *path)
{
	const struct jdoc *d = c->d;
	char hint[96];
	uint32_t m, o;
	size_t i;
	int bad = 0;

	for (m = d->n[obj].child; m != JNONE; m = d->n[m].next) {
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], d->n[m].key) == 0)
				break;
		if (keys[i] == NULL) {
			errs_add(c, d->n[m].koff, "unknown key '%s' at %s%s",
			    d->n[m].key, path, hint_key(d->n[m].key,
			    key_at_list, keys, i, hint, sizeof(hint)));
			bad = 1;
		}
		for (o = d->n[obj].child; o != m; o = d->n[o].next)
			if (strcmp(d->n[o].key, d->n[m].key) == 0) {
				errs_add(c, d->n[m].koff, "duplicate key "
				    "'%s' at %s", d->n[m].key, path);
				bad = 1;
				break;
			}
	}
	return bad ? -1 : 0;
}

static int
get_bool(struct cctx *c, uint32_t v, const char *path, int *out)
{
	if (want(c, v, J_BOOL, path) == -1)
		return -1;
	*out = c->d->n[v].b;
	return 0;
}

static int
get_int(struct cctx *c, uint32_t v, const char *path, int64_t lo, int64_t hi,
    int64_t *out)
{
	if (want(c, v, J_NUM, path) == -1)
		return -1;
	if (json_int(&c->d->n[v], out) == -1 || *out < lo || *out > hi) {
		errs_add(c, c->d->n[v].off, "%s must be an integer from %lld "
		    "to %lld", path, (long long)lo, (long long)hi);
		return -1;
	}
	return 0;
}

/* A list of strings; check validates each (NULL: any non-empty string). */
static int
get_strs(struct cctx *c, uint32_t v, const char *path, struct strlist *out,
    int (*check)(struct cctx *, uint32_t, const char *, char *, size_t))
{
	const struct jdoc *d = c->d;
	struct strlist l = { 0 };
	char ep[192], norm[128];
	uint32_t m;
	size_t k = 0;
	int bad = 0;

	if (want(c, v, J_ARR, path) == -1)
		return -1;
	for (m = d->n[v].child; m != JNONE; m = d->n[m].next, k++) {
		const char *s = d->n[m].s;
		size_t len = d->n[m].slen;

		strfmt(ep, sizeof(ep), "%s[%zu]", path, k);
		if (want(c, m, J_STR, ep) == -1) {
			bad = 1;
			continue;
		}
		if (len == 0 || memchr(s, '\0', len) != NULL) {
			errs_add(c, d->n[m].off, "%s must not be empty", ep);
			bad = 1;
			continue;
		}
		if (check != NULL) {
			if (check(c, m, ep, norm, sizeof(norm)) == -1) {
				bad = 1;
				continue;
			}
			s = norm;
			len = strlen(norm);
		}
		if (strlist_add(&l, s, len) == -1)
			bad = 1;
	}
	if (bad) {
		strlist_free(&l);
		return -1;
	}
	strlist_free(out);
	*out = l;
	return 0;
}

static int
check_cap(struct cctx *c, uint32_t v, const char *path, char *out,
    size_t size)
{
	const struct jnode *n = &c->d->n[v];
	size_t i, o = 0;

	if (n->slen == 3 && strcmp(n->s, "ALL") == 0) {
		snprintf(out, size, "ALL");
		return 0;
	}
	if (strncmp(n->s, "CAP_", 4) != 0)
		o = (size_t)snprintf(out, size, "CAP_");
	for (i = 0; i < n->slen && o + 1 < size; i++) {
		char ch = n->s[i];
		if (!((ch >= 'A' && ch <= 'Z') || ch == '_' ||
		    (ch >= '0' && ch <= '9'))) {
			errs_add(c, n->off, "%s: '%s' is not a capability "
			    "name (upper case, e.g. CAP_NET_ADMIN)", path,
			    n->s);
			return -1;
		}
		out[o++] = ch;
	}
	out[o] = '\0';
	return 0;
}

static int
check_ns(struct cctx *c, uint32_t v, const char *path, char *out,
    size_t size)
{
	static const char *const ns[] = { "network", "pid", "ipc", "uts",
	    "userns", "cgroup", NULL };
	const struct jnode *n = &c->d->n[v];
	size_t i;

	for (i = 0; ns[i] != NULL; i++)
		if (strcmp(ns[i], n->s) == 0) {
			strfmt(out, size, "%s", n->s);
			return 0;
		}
	errs_add(c, n->off, "%s: unknown namespace '%s' (network, pid, ipc, "
	    "uts, userns, cgroup)", path, n->s);
	return -1;
}

static int
check_op(struct cctx *c, uint32_t v, const char *path, char *out,
    size_t size)
{
	const struct jnode *n = &c->d->n[v];
	size_t i;

	for (i = 0; i < route_count(); i++)
		if (glob_match(n->s, route_at(i)->op, strlen(route_at(i)->op))) {
			strfmt(out, size, "%s", n->s);
			return 0;
		}
	errs_add(c, n->off, "%s: '%s' matches no operation", path, n->s);
	return -1;
}

static int
get_mode(struct cctx *c, uint32_t v, const char *path, int check,
    enum check_mode *out)
{
	const struct jnode *n = &c->d->n[v];

	if (want(c, v, J_STR, path) == -1)
		return -1;
	if (strcmp(n->s, "enforce") == 0)
		*out = MODE_ENFORCE;
	else if (strcmp(n->s, "audit") == 0)
		*out = MODE_AUDIT;
	else if (check && strcmp(n->s, "off") == 0)
		*out = MODE_OFF;
	else if (check && strcmp(n->s, "inherit") == 0)
		*out = MODE_INHERIT;
	else {
		errs_add(c, n->off, "%s must be %s, not \"%s\"", path, check ?
		    "\"enforce\", \"audit\", \"off\" or \"inherit\"" :
		    "\"enforce\" or \"audit\"", n->s);
		return -1;
	}
	return 0;
}

static int
get_roots(struct cctx *c, uint32_t v, const char *path)
{
	static const char *const keys[] = { "path", "readonly", "subpaths",
	    "socket", NULL };
	const struct jdoc *d = c->d;
	struct bind_root *r;
	char ep[192], kp[224];
	uint32_t m, f;
	size_t k = 0, n = 0, i;
	int bad = 0;

	if (want(c, v, J_ARR, path) == -1)
		return -1;
	if ((r = calloc(d->n[v].count + 1, sizeof(*r))) == NULL)
		return -1;
	for (m = d->n[v].child; m != JNONE; m = d->n[m].next, k++) {
		const char *s = NULL;
		int ro = 0, sub, sock = 0;

		strfmt(ep, sizeof(ep), "%s[%zu]", path, k);
		if (want(c, m, J_OBJ, ep) == -1 ||
		    keys_check(c, m, keys, ep) == -1) {
			bad = 1;
			continue;
		}
		strfmt(kp, sizeof(kp), "%s.readonly", ep);
		if ((f = json_get(d, m, "readonly")) != JNONE &&
		    get_bool(c, f, kp, &ro) == -1)
			bad = 1;
		/* below a writable root a job can plant symlinks */
		sub = ro;
		strfmt(kp, sizeof(kp), "%s.subpaths", ep);
		if ((f = json_get(d, m, "subpaths")) != JNONE &&
		    get_bool(c, f, kp, &sub) == -1)
			bad = 1;
		strfmt(kp, sizeof(kp), "%s.socket", ep);
		if ((f = json_get(d, m, "socket")) != JNONE &&
		    get_bool(c, f, kp, &sock) == -1)
			bad = 1;
		if (sock && sub) {
			errs_add(c, d->n[m].off, "%s: a socket root admits only "
			    "itself; subpaths cannot be set", ep);
			bad = 1;
		}
		if ((f = json_get(d, m, "path")) == JNONE) {
			errs_add(c, d->n[m].off, "%s.path is required", ep);
			bad = 1;
			continue;
		}
		strfmt(kp, sizeof(kp), "%s.path", ep);
		if (want(c, f, J_STR, kp) == -1) {
			bad = 1;
			continue;
		}
		s = d->n[f].s;
		if (s[0] != '/' || strstr(s, "//") || strstr(s, "/./") ||
		    strstr(s, "/../") || (strlen(s) > 1 &&
		    s[strlen(s) - 1] == '/') || (strlen(s) >= 2 &&
		    strcmp(s + strlen(s) - 2, "/.") == 0) ||
		    (strlen(s) >= 3 && strcmp(s + strlen(s) - 3, "/..") == 0)) {
			errs_add(c, d->n[f].off, "%s.path must be an absolute "
			    "path in canonical form, not '%s'", ep, s);
			bad = 1;
			continue;
		}
		r[n].path = strdup(s);
		r[n].readonly = ro;
		r[n].subpaths = sub;
		r[n].socket = sock;
		n++;
	}
	if (bad) {
		for (i = 0; i < n; i++)
			free(r[i].path);
		free(r);
		return -1;
	}
	for (i = 0; i < c->p->nbind_roots; i++)
		free(c->p->bind_roots[i].path);
	free(c->p->bind_roots);
	c->p->bind_roots = r;
	c->p->nbind_roots = n;
	return 0;
}

static int
get_limit(struct cctx *c, uint32_t v, const char *path, int64_t *max,
    int *required)
{
	static const char *const keys[] = { "max", "required", NULL };
	uint32_t f;
	char ep[192];
	int bad = 0;

	if (want(c, v, J_OBJ, path) == -1 || keys_check(c, v, keys, path))
		return -1;
	strfmt(ep, sizeof(ep), "%s.max", path);
	if ((f = json_get(c->d, v, "max")) != JNONE &&
	    get_int(c, f, ep, 0, INT64_MAX, max) == -1)
		bad = 1;
	strfmt(ep, sizeof(ep), "%s.required", path);
	if ((f = json_get(c->d, v, "required")) != JNONE &&
	    get_bool(c, f, ep, required) == -1)
		bad = 1;
	return bad ? -1 : 0;
}

/* ---- the checks table: which keys each check takes, and where to */

enum ptype { P_BOOL, P_PORT, P_STRS, P_CAPS, P_NS, P_ROOTS, P_LIMIT };

struct param {
	enum check_id	 ck;
	const char	*key;
	enum ptype	 type;
	size_t		 off, off2;
};

#define O(f)	offsetof(struct policy, f)
static const struct param params[] = {
	{ CK_CAPABILITIES, "allow", P_CAPS, O(cap_allow), 0 },
	{ CK_NAMESPACES, "host", P_NS, O(ns_host_allow), 0 },
	{ CK_NAMESPACES, "container_join", P_BOOL, O(ns_container_join), 0 },
	{ CK_BINDS, "roots", P_ROOTS, 0, 0 },
	{ CK_VOLUMES_FROM, "allow", P_STRS, O(volumes_from_allow), 0 },
	{ CK_SECURITY_OPTIONS, "allow", P_STRS, O(secopt_allow), 0 },
	{ CK_SECURITY_OPTIONS, "systempaths", P_BOOL, O(systempaths_allow),
	    0 },
	{ CK_SYSCTLS, "allow", P_STRS, O(sysctl_allow), 0 },
	{ CK_RUNTIME, "allow", P_STRS, O(runtime_allow), 0 },
	{ CK_CGROUP_PARENT, "allow", P_STRS, O(cgroup_parent_allow), 0 },
	{ CK_VOLUME_DRIVER, "allow", P_STRS, O(volume_driver_allow), 0 },
	{ CK_IMAGES, "allow", P_STRS, O(image_allow), 0 },
	{ CK_REGISTRY, "allow", P_STRS, O(registry_allow), 0 },
	{ CK_IMAGE_SOURCE, "body", P_BOOL, O(import_body), 0 },
	{ CK_LABELS, "required", P_STRS, O(label_required), 0 },
	{ CK_LABELS, "forbidden", P_STRS, O(label_forbidden), 0 },
	{ CK_RESOURCES, "memory", P_LIMIT, O(mem_max), O(mem_required) },
	{ CK_RESOURCES, "nano_cpus", P_LIMIT, O(cpu_max), O(cpu_required) },
	{ CK_RESOURCES, "pids", P_LIMIT, O(pids_max), O(pids_required) },
	{ CK_RESOURCES, "oom_protect", P_BOOL, O(oom_protect_allow), 0 },
	{ CK_PORTS, "min", P_PORT, O(port_min), 0 },
	{ CK_PORTS, "max", P_PORT, O(port_max), 0 },
	{ CK_PORTS, "publish_all", P_BOOL, O(port_publish_all), 0 },
	{ CK_USER, "non_root", P_BOOL, O(user_nonroot), 0 },
	{ CK_LOGGING, "drivers", P_STRS, O(log_driver_allow), 0 },
	{ CK_LOGGING, "options", P_STRS, O(log_opt_allow), 0 },
	{ CK_EXTRA_HOSTS, "host_gateway", P_BOOL, O(extra_hosts_gateway), 0 },
	{ CK_ENV, "forbidden", P_STRS, O(env_forbidden), 0 },
	{ CK_BUILD, "network_modes", P_STRS, O(build_network_allow), 0 },
	{ CK_BUILD, "remote", P_BOOL, O(build_remote), 0 },
	{ CK_NETWORK, "drivers", P_STRS, O(net_driver_allow), 0 },
	{ CK_NETWORK, "options", P_BOOL, O(net_options), 0 },
	{ CK_BUILDKIT, "entitlements", P_STRS, O(bk_entitlements), 0 },
	{ CK_BUILDKIT, "frontends", P_STRS, O(bk_frontends), 0 },
	{ CK_BUILDKIT, "client_frontend", P_BOOL, O(bk_client_frontend), 0 },
	{ CK_BUILDKIT, "exporters", P_STRS, O(bk_exporters), 0 },
	{ CK_BUILDKIT, "caches", P_STRS, O(bk_caches), 0 },
};
#undef O

static int
compile_param(struct cctx *c, const struct param *pa, uint32_t v,
    const char *path)
{
	char *base = (char *)c->p;
	int64_t n;

	switch (pa->type) {
	case P_BOOL:
		return get_bool(c, v, path, (int *)(void *)(base + pa->off));
	case P_PORT:
		if (get_int(c, v, path, 0, 65535, &n) == -1)
			return -1;
		*(int *)(void *)(base + pa->off) = (int)n;
		return 0;
	case P_STRS:
		return get_strs(c, v, path,
		    (struct strlist *)(void *)(base + pa->off), NULL);
	case P_CAPS:
		return get_strs(c, v, path,
		    (struct strlist *)(void *)(base + pa->off), check_cap);
	case P_NS:
		return get_strs(c, v, path,
		    (struct strlist *)(void *)(base + pa->off), check_ns);
	case P_ROOTS:
		return get_roots(c, v, path);
	case P_LIMIT:
		return get_limit(c, v, path,
		    (int64_t *)(void *)(base + pa->off),
		    (int *)(void *)(base + pa->off2));
	}
	return -1;
}

static void
compile_check(struct cctx *c, enum check_id ck, uint32_t obj)
{
	const char *keys[8];
	char path[96], kp[160];
	size_t i, n = 0;
	uint32_t v;

	strfmt(path, sizeof(path), "checks.%s", check_name(ck));
	if (want(c, obj, J_OBJ, path) == -1)
		return;
	keys[n++] = "mode";
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (params[i].ck == ck && n < 7)
			keys[n++] = params[i].key;
	keys[n] = NULL;
	keys_check(c, obj, keys, path);
	if ((v = json_get(c->d, obj, "mode")) != JNONE &&
	    strcmp(c->d->n[v].key, "mode") == 0) {
		strfmt(kp, sizeof(kp), "%s.mode", path);
		get_mode(c, v, kp, 1, &c->p->ck_mode[ck]);
	}
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		if (params[i].ck != ck)
			continue;
		for (v = c->d->n[obj].child; v != JNONE; v = c->d->n[v].next)
			if (strcmp(c->d->n[v].key, params[i].key) == 0)
				break;
		if (v == JNONE)
			continue;
		strfmt(kp, sizeof(kp), "%s.%s", path, params[i].key);
		compile_param(c, &params[i], v, kp);
	}
}

static void
compile_endpoints(struct cctx *c, uint32_t obj)
{
	static const char *const keys[] = { "allow", "deny", NULL };
	struct strlist l = { 0 };
	uint32_t v;
	size_t i, j;
	int allow;

	if (want(c, obj, J_OBJ, "endpoints") == -1)
		return;
	keys_check(c, obj, keys, "endpoints");
	/* deny first, so "allow" can re-open single operations */
	for (allow = 0; allow <= 1; allow++) {
		for (v = c->d->n[obj].child; v != JNONE; v = c->d->n[v].next)
			if (strcmp(c->d->n[v].key, allow ? "allow" : "deny") ==
			    0)
				break;
		if (v == JNONE)
			continue;
		if (get_strs(c, v, allow ? "endpoints.allow" :
		    "endpoints.deny", &l, check_op) == -1)
			continue;
		for (i = 0; i < l.n; i++)
			for (j = 0; j < route_count(); j++)
				if (glob_match(l.v[i], route_at(j)->op,
				    strlen(route_at(j)->op)))
					c->p->ep_allow[j] = (unsigned char)allow;
		strlist_free(&l);
	}
}

static int compile_text(const char *file, const char *text, size_t len,
    struct policy *p, struct policy_errors *errs, int depth);

static void
compile_extends(struct cctx *c, uint32_t v)
{
	const char *text;
	struct policy_errors sub = { 0 };
	char name[64];

	if (want(c, v, J_STR, "extends") == -1)
		return;
	if ((text = policy_preset_text(c->d->n[v].s)) == NULL) {
		errs_add(c, c->d->n[v].off, "extends: unknown preset '%s' "
		    "(ci, readonly, deny-all)", c->d->n[v].s);
		return;
	}
	if (c->depth >= MAX_EXTENDS) {
		errs_add(c, c->d->n[v].off, "extends: presets nest too deep");
		return;
	}
	strfmt(name, sizeof(name), "builtin:%s", c->d->n[v].s);
	if (compile_text(name, text, strlen(text), c->p, &sub,
	    c->depth + 1) == -1)
		errs_add(c, c->d->n[v].off, "extends: preset '%s' does not "
		    "compile: %s", c->d->n[v].s, sub.text ? sub.text : "?");
	policy_errors_free(&sub);
}

static const char *
key_at_check(size_t i, const void *unused)
{
	return check_name((enum check_id)i);
}

static const char *const top_keys[] = { "extends", "mode", "body_limit",
	"endpoints", "checks", NULL };

static int
compile_text(const char *file, const char *text, size_t len,
    struct policy *p, struct policy_errors *errs, int depth)
{
	struct cctx c;
	struct jdoc d;
	char hint[96];
	size_t before = errs->count;
	uint32_t root, v;
	int64_t n;
	int ck;

	memset(&c, 0, sizeof(c));
	c.file = file;
	c.text = text;
	c.d = &d;
	c.p = p;
	c.errs = errs;
	c.depth = depth;
	if (memchr(text, '\0', len) != NULL) {
		errs_add(&c, (size_t)((const char *)memchr(text, '\0', len) -
		    text), "NUL byte in the policy file");
		return -1;
	}
	if (json_parse(text, len, JSON_COMMENTS, &d) == -1) {
		errs_add(&c, d.erroff, "%s", d.err);
		json_free(&d);
		return -1;
	}
	root = json_root(&d);
	if (want(&c, root, J_OBJ, "the policy") == -1)
		goto done;
	keys_check(&c, root, top_keys, "the top level");
	/* extends first: everything else overrides the preset */
	for (v = d.n[root].child; v != JNONE; v = d.n[v].next)
		if (strcmp(d.n[v].key, "extends") == 0)
			compile_extends(&c, v);
	for (v = d.n[root].child; v != JNONE; v = d.n[v].next) {
		const char *k = d.n[v].key;
		if (strcmp(k, "mode") == 0)
			get_mode(&c, v, "mode", 0, &p->mode);
		else if (strcmp(k, "body_limit") == 0) {
			if (get_int(&c, v, "body_limit", 1024, 64 << 20, &n) ==
			    0)
				p->body_limit = (size_t)n;
		} else if (strcmp(k, "endpoints") == 0)
			compile_endpoints(&c, v);
		else if (strcmp(k, "checks") == 0 &&
		    want(&c, v, J_OBJ, "checks") == 0) {
			uint32_t m;
			for (m = d.n[v].child; m != JNONE; m = d.n[m].next) {
				if ((ck = check_lookup(d.n[m].key)) < 0) {
					errs_add(&c, d.n[m].koff, "unknown key "
					    "'%s' at checks (not a check name)"
					    "%s", d.n[m].key, hint_key(
					    d.n[m].key, key_at_check, NULL,
					    CK_COUNT, hint, sizeof(hint)));
					continue;
				}
				compile_check(&c, (enum check_id)ck, m);
			}
			for (m = d.n[v].child; m != JNONE; m = d.n[m].next) {
				uint32_t o;
				for (o = d.n[v].child; o != m; o = d.n[o].next)
					if (strcmp(d.n[o].key, d.n[m].key) ==
					    0) {
						errs_add(&c, d.n[m].koff,
						    "duplicate key '%s' at "
						    "checks", d.n[m].key);
						break;
					}
			}
		}
	}
	if (p->port_min > p->port_max)
		errs_add(&c, d.n[root].off, "checks.ports: min (%d) is above "
		    "max (%d)", p->port_min, p->port_max);
done:
	json_free(&d);
	return errs->count > before ? -1 : 0;
}

int
policy_compile(const char *name, const char *text, size_t len,
    struct policy **out, struct policy_errors *errs)
{
	struct policy *p;

	*out = NULL;
	if ((p = policy_new(name)) == NULL)
		return -1;
	if (compile_text(name, text, len, p, errs, 0) == -1) {
		policy_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void
policy_errors_free(struct policy_errors *e)
{
	free(e->text);
	memset(e, 0, sizeof(*e));
}
