/*
 * rules_container.c - container create (the top-level Config members plus
 * HostConfig and NetworkingConfig) and container update, and the small
 * rules shared with exec create (user, working directory, environment).
 * HostConfig's own rules are rules_host.c; types were checked by schema.c.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "policy_int.h"

#define LEN(n)	((int)((n) > 200 ? 200 : (n)))

/* Root has many spellings: "", "root", "0", "00", "0:0", "root:x", ... */
static int
user_is_root(const char *u, size_t len, int empty_is_root)
{
	const char *c = memchr(u, ':', len);
	size_t ul = c ? (size_t)(c - u) : len, i;

	if (ul == 0)
		return empty_is_root || c != NULL;
	if (ul == 4 && memcmp(u, "root", 4) == 0)
		return 1;
	for (i = 0; i < ul; i++)
		if (u[i] != '0')
			return 0;
	return 1;
}

int
rules_user(struct eval *e, const char *user, size_t len, int empty_is_root,
    const char *path)
{
	if (!e->pol->user_nonroot || !user_is_root(user, len, empty_is_root))
		return 0;
	return eval_deny(e, CK_USER, "%s '%.*s' runs as root; a non-root user "
	    "is required", path, LEN(len), user);
}

int
rules_workdir(struct eval *e, const char *dir, size_t len, const char *path)
{
	char clean[4096];
	size_t i;

	/* runc CVE-2024-21626: a /proc/self/fd working directory leaks a
	 * host fd; refuse /proc and anything not plainly below /, judged on
	 * the path the engine uses (filepath.Clean: //proc, /./proc and
	 * /x/../proc are /proc) */
	if (len >= sizeof(clean))
		goto deny;
	path_go_clean(dir, len, clean, sizeof(clean));
	if (strncmp(clean, "/proc", 5) == 0 &&
	    (clean[5] == '\0' || clean[5] == '/'))
		goto deny;
	for (i = 0; i + 1 < len; i++)
		if (dir[i] == '.' && dir[i + 1] == '.' &&
		    (i == 0 || dir[i - 1] == '/') &&
		    (i + 2 == len || dir[i + 2] == '/'))
			goto deny;
	return 0;
deny:
	return eval_deny(e, CK_WORKDIR, "the working directory '%.*s' in %s "
	    "is not allowed", LEN(len), dir, path);
}

int
rules_env(struct eval *e, const struct jdoc *d, uint32_t obj,
    const char *path)
{
	uint32_t m;

	for (m = json_get_first(d, obj, "Env"); m != JNONE; m = d->n[m].next) {
		const struct jnode *n = &d->n[m];
		const char *eq;
		size_t nl;

		if (n->type != J_STR)
			continue;
		eq = memchr(n->s, '=', n->slen);
		nl = eq ? (size_t)(eq - n->s) : n->slen;
		if (strlist_glob(&e->pol->env_forbidden, n->s, nl) &&
		    eval_deny(e, CK_ENV, "the environment variable '%.*s' in "
		    "%s is not allowed", LEN(nl), n->s, path))
			return 1;
	}
	return 0;
}

static int
rules_labels(struct eval *e, const struct jdoc *d, uint32_t root)
{
	const struct policy *p = e->pol;
	uint32_t labels = json_get_obj(d, root, "Labels"), m;
	size_t i;

	for (i = 0; i < p->label_required.n; i++) {
		const char *k = p->label_required.v[i];
		size_t kl = strlen(k);
		for (m = labels ? d->n[labels].child : JNONE; m != JNONE;
		    m = d->n[m].next)
			if (d->n[m].klen == kl && memcmp(d->n[m].key, k, kl) ==
			    0 && d->n[m].type == J_STR)
				break;
		if (m == JNONE && eval_deny(e, CK_LABELS, "the label '%s' is "
		    "required", k))
			return 1;
	}
	for (m = labels ? d->n[labels].child : JNONE; m != JNONE;
	    m = d->n[m].next)
		if (strlist_glob(&p->label_forbidden, d->n[m].key,
		    d->n[m].klen) && eval_deny(e, CK_LABELS, "the label "
		    "'%.*s' is reserved", LEN(d->n[m].klen), d->n[m].key))
			return 1;
	return 0;
}

int
rules_create(struct eval *e, const struct jdoc *d, uint32_t root)
{
	uint32_t nc, m;
	const char *v;
	size_t len;
	char path[96];

	v = json_get_str(d, root, "Image", &len);
	if (image_check(e, "image", v, len) == -1)
		return 1;
	if (rules_hostconfig(e, d, json_get_obj(d, root, "HostConfig")))
		return 1;
	v = json_get_str(d, root, "User", &len);
	if (rules_user(e, v, len, 1, "User"))
		return 1;
	v = json_get_str(d, root, "WorkingDir", &len);
	if (rules_workdir(e, v, len, "WorkingDir"))
		return 1;
	if (rules_env(e, d, root, "Env") || rules_labels(e, d, root))
		return 1;
	nc = json_get_obj(d, root, "NetworkingConfig");
	for (m = json_get_first(d, nc, "EndpointsConfig"); m != JNONE;
	    m = d->n[m].next) {
		if (d->n[m].type != J_OBJ)
			continue;
		strfmt(path, sizeof(path), "NetworkingConfig.EndpointsConfig"
		    "[\"%.*s\"]", (int)(d->n[m].klen > 32 ? 32 :
		    d->n[m].klen), d->n[m].key);
		if (rules_endpoint(e, d, m, path))
			return 1;
		if (!ns_network_is_shared(d->n[m].key, d->n[m].klen) &&
		    owner_body_key(e, d, m, POLICY_OBJ_NETWORK, path))
			return 1;
	}
	return owner_stamp(e, d, root, "Labels");
}

int
rules_update(struct eval *e, const struct jdoc *d, uint32_t root)
{
	return rules_resources(e, d, root, "");
}
