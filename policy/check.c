/*
 * check.c - the table of checks: one rule id per enum check_id, the names
 * that policy files configure ("checks": {"binds": ...}) and that denials
 * quote ("denied by rule binds").  How a denial becomes a verdict is
 * eval.c; what each check looks at is in query.c, schema.c and rules_*.c.
 */
#include <string.h>

#include "policy_int.h"

static const char *const check_names[CK_COUNT] = {
	[CK_ENDPOINT] = "endpoint",
	[CK_UNKNOWN_FIELD] = "unknown-field",
	[CK_PRIVILEGED] = "privileged",
	[CK_CAPABILITIES] = "capabilities",
	[CK_NAMESPACES] = "namespaces",
	[CK_DEVICES] = "devices",
	[CK_BINDS] = "binds",
	[CK_PROPAGATION] = "propagation",
	[CK_VOLUME_OPTIONS] = "volume-options",
	[CK_VOLUMES_FROM] = "volumes-from",
	[CK_SECURITY_OPTIONS] = "security-options",
	[CK_SYSCTLS] = "sysctls",
	[CK_RUNTIME] = "runtime",
	[CK_CGROUP_PARENT] = "cgroup-parent",
	[CK_VOLUME_DRIVER] = "volume-driver",
	[CK_IMAGES] = "images",
	[CK_LABELS] = "labels",
	[CK_RESOURCES] = "resources",
	[CK_PORTS] = "ports",
	[CK_USER] = "user",
	[CK_LOGGING] = "logging",
	[CK_EXTRA_HOSTS] = "extra-hosts",
	[CK_WORKDIR] = "workdir",
	[CK_ENV] = "env",
	[CK_BUILD] = "build",
	[CK_NETWORK] = "network",
	[CK_IMAGE_SOURCE] = "image-source",
	[CK_REGISTRY] = "registry",
	[CK_OWNERSHIP] = "ownership",
};

const char *
check_name(enum check_id id)
{
	return (unsigned)id < CK_COUNT ? check_names[id] : "?";
}

int
check_lookup(const char *name)
{
	int i;

	for (i = 0; i < CK_COUNT; i++)
		if (strcmp(check_names[i], name) == 0)
			return i;
	return -1;
}
