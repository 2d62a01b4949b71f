/*
 * util.c - string lists, glob matching and the lifetime of struct policy
 * (allocation, deep copy for "extends", free).  No policy decisions here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

int
strlist_add(struct strlist *l, const char *s, size_t len)
{
	char **v, *c;

	if ((c = malloc(len + 1)) == NULL)
		return -1;
	memcpy(c, s, len);
	c[len] = '\0';
	if ((v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL) {
		free(c);
		return -1;
	}
	v[l->n++] = c;
	l->v = v;
	return 0;
}

int
strlist_has(const struct strlist *l, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && memcmp(l->v[i], s, len) == 0)
			return 1;
	return 0;
}

int
strlist_glob(const struct strlist *l, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (glob_match(l->v[i], s, len))
			return 1;
	return 0;
}

void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* '*' matches any run of bytes (including '/'), '?' one byte; no classes.
 * Iterative with one backtrack point, so it is linear-ish on hostile input. */
int
glob_match(const char *pat, const char *s, size_t len)
{
	const char *star = NULL;
	size_t i = 0, mark = 0;

	while (i < len) {
		if (*pat == '*') {
			star = ++pat;
			mark = i;
		} else if (*pat != '\0' && (*pat == '?' || *pat == s[i])) {
			pat++;
			i++;
		} else if (star != NULL) {
			pat = star;
			i = ++mark;
		} else
			return 0;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

void
strfmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

void
str_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Every strlist member of struct policy, for copy and free. */
#define POLICY_LISTS(p) { &(p)->cap_allow, &(p)->ns_host_allow, \
	&(p)->volumes_from_allow, &(p)->secopt_allow, &(p)->sysctl_allow, \
	&(p)->runtime_allow, &(p)->cgroup_parent_allow, \
	&(p)->volume_driver_allow, &(p)->image_allow, &(p)->label_required, \
	&(p)->label_forbidden, &(p)->log_driver_allow, &(p)->log_opt_allow, \
	&(p)->env_forbidden, &(p)->build_network_allow, \
	&(p)->net_driver_allow }

struct policy *
policy_new(const char *name)
{
	struct policy *p;
	size_t len;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->ep_allow = calloc(route_count(), 1)) == NULL) {
		free(p);
		return NULL;
	}
	len = strlen(name);
	if (len >= sizeof(p->name))
		len = sizeof(p->name) - 1;
	memcpy(p->name, name, len);
	p->mode = MODE_ENFORCE;
	p->body_limit = SW_BODY_LIMIT_DEFAULT;
	p->port_min = 1024;
	p->port_max = 65535;
	return p;
}

static void
policy_clear(struct policy *p)
{
	struct strlist *lists[] = POLICY_LISTS(p);
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		strlist_free(lists[i]);
	for (i = 0; i < p->nbind_roots; i++)
		free(p->bind_roots[i].path);
	free(p->bind_roots);
	p->bind_roots = NULL;
	p->nbind_roots = 0;
}

void
policy_free(struct policy *p)
{
	if (p == NULL || policy_is_default(p))
		return;
	policy_clear(p);
	free(p->ep_allow);
	free(p);
}

const char *
policy_name(const struct policy *p)
{
	return p->name;
}
