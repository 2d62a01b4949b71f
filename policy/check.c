/*
 * check.c - the table of checks: one rule id per enum check_id, the names
 * that policy files configure ("checks": {"binds": ...}) and that denials
 * quote ("denied by rule binds"), and the policy key a denial names as
 * the way to allow it.  How a denial becomes a verdict is
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
	[CK_BUILDKIT] = "buildkit",
};

/*
 * What a denial names as the way to allow it (policy_format_message).  A
 * check with several settings names its object; a check whose only
 * setting is "mode" names nothing: the way out would be switching a
 * protection off, which a denial should not advertise.
 */
static const char *const check_keys[CK_COUNT] = {
	[CK_ENDPOINT] = "endpoints.allow",
	[CK_CAPABILITIES] = "checks.capabilities.allow",
	[CK_NAMESPACES] = "checks.namespaces",
	[CK_BINDS] = "checks.binds.roots",
	[CK_VOLUMES_FROM] = "checks.volumes-from.allow",
	[CK_SECURITY_OPTIONS] = "checks.security-options",
	[CK_SYSCTLS] = "checks.sysctls.allow",
	[CK_RUNTIME] = "checks.runtime.allow",
	[CK_CGROUP_PARENT] = "checks.cgroup-parent.allow",
	[CK_VOLUME_DRIVER] = "checks.volume-driver.allow",
	[CK_IMAGES] = "checks.images.allow",
	[CK_LABELS] = "checks.labels",
	[CK_RESOURCES] = "checks.resources",
	[CK_PORTS] = "checks.ports",
	[CK_USER] = "checks.user.non_root",
	[CK_LOGGING] = "checks.logging",
	[CK_EXTRA_HOSTS] = "checks.extra-hosts.host_gateway",
	[CK_ENV] = "checks.env.forbidden",
	[CK_BUILD] = "checks.build",
	[CK_NETWORK] = "checks.network",
	[CK_IMAGE_SOURCE] = "checks.image-source.body",
	[CK_REGISTRY] = "checks.registry.allow",
	[CK_BUILDKIT] = "checks.buildkit",
};

const char *
check_key(enum check_id id)
{
	return (unsigned)id < CK_COUNT ? check_keys[id] : NULL;
}

const char *
policy_rule_key(const char *rule)
{
	int ck = rule != NULL ? check_lookup(rule) : -1;

	return ck < 0 ? NULL : check_key((enum check_id)ck);
}

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
