/*
 * policy.c - the lifetime of struct policy: a new one holds the values a
 * policy file leaves unset (enforce, 1 MiB bodies, host ports 1024-65535,
 * nothing else allowed), and policy_free() releases every list it owns.
 * Filling it in is compile.c; the shared built-in one is default.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

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
free_lists(struct policy *p)
{
	/* every strlist member of struct policy */
	struct strlist *lists[] = { &p->cap_allow, &p->ns_host_allow,
	    &p->volumes_from_allow, &p->secopt_allow, &p->sysctl_allow,
	    &p->runtime_allow, &p->cgroup_parent_allow,
	    &p->volume_driver_allow, &p->image_allow, &p->registry_allow, &p->label_required,
	    &p->label_forbidden, &p->log_driver_allow, &p->log_opt_allow,
	    &p->env_forbidden, &p->build_network_allow, &p->net_driver_allow,
	    &p->bk_entitlements, &p->bk_frontends, &p->bk_exporters,
	    &p->bk_caches };
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		strlist_free(lists[i]);
}

void
policy_free(struct policy *p)
{
	size_t i;

	if (p == NULL || p->shared)
		return;
	free_lists(p);
	for (i = 0; i < p->nbind_roots; i++)
		free(p->bind_roots[i].path);
	free(p->bind_roots);
	free(p->ep_allow);
	free(p);
}

const char *
policy_name(const struct policy *p)
{
	return p->name;
}
