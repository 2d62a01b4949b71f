/*
 * rules_other.c - exec create, volume create, network create and registry
 * login: the other bodies through which a CI job could reach the host
 * (privileged exec, a local volume that is really a host bind, a bridge
 * on a host interface, a login that makes the engine connect to a service
 * on the host's network).
 * User, working directory and environment rules come from rules_container.c.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "policy_int.h"

#define LEN(n)	((int)((n) > 200 ? 200 : (n)))

int
rules_exec_create(struct eval *e, const struct jdoc *d, uint32_t root)
{
	const char *v;
	size_t len;

	if (json_get_bool(d, root, "Privileged") && eval_deny(e, CK_PRIVILEGED,
	    "privileged exec is not allowed"))
		return 1;
	/* an empty exec User is the container's user, checked at create */
	v = json_get_str(d, root, "User", &len);
	if (rules_user(e, v, len, 0, "User"))
		return 1;
	v = json_get_str(d, root, "WorkingDir", &len);
	if (rules_workdir(e, v, len, "WorkingDir"))
		return 1;
	return rules_env(e, d, root, "Env");
}

int
rules_volume_create(struct eval *e, const struct jdoc *d, uint32_t root)
{
	const char *v;
	size_t len;

	v = json_get_str(d, root, "Driver", &len);
	if (len > 0 && !strlist_has(&e->pol->volume_driver_allow, v, len) &&
	    eval_deny(e, CK_VOLUME_DRIVER, "the volume driver '%.*s' is not "
	    "allowed", LEN(len), v))
		return 1;
	if (json_get_first(d, root, "DriverOpts") != JNONE && eval_deny(e,
	    CK_VOLUME_OPTIONS, "volume driver options are not allowed (a "
	    "local volume with type=none,o=bind is a host bind mount)"))
		return 1;
	return owner_stamp(e, d, root, "Labels");
}

int
rules_network_create(struct eval *e, const struct jdoc *d, uint32_t root)
{
	const struct policy *p = e->pol;
	uint32_t ipam = json_get_obj(d, root, "IPAM");
	const char *v;
	size_t len;

	v = json_get_str(d, root, "Driver", &len);
	if (len == 0)
		v = "bridge", len = 6;
	if (!strlist_has(&p->net_driver_allow, v, len) && eval_deny(e,
	    CK_NETWORK, "the network driver '%.*s' is not allowed", LEN(len),
	    v))
		return 1;
	if (json_get_bool(d, root, "Ingress") ||
	    json_get_bool(d, root, "ConfigOnly") ||
	    json_is_set(d, root, "ConfigFrom"))
		return eval_deny(e, CK_NETWORK, "ingress and config-only "
		    "networks are not allowed");
	if (owner_stamp(e, d, root, "Labels"))
		return 1;
	if (p->net_options)
		return 0;
	if (json_get_first(d, root, "Options") != JNONE && eval_deny(e,
	    CK_NETWORK, "network driver options are not allowed"))
		return 1;
	v = json_get_str(d, ipam, "Driver", &len);
	if (len > 0 && !(len == 7 && memcmp(v, "default", 7) == 0) &&
	    eval_deny(e, CK_NETWORK, "the IPAM driver '%.*s' is not allowed",
	    LEN(len), v))
		return 1;
	if ((json_get_first(d, ipam, "Config") != JNONE ||
	    json_get_first(d, ipam, "Options") != JNONE) && eval_deny(e,
	    CK_NETWORK, "explicit subnets and IPAM options are not allowed "
	    "(a subnet can capture host traffic)"))
		return 1;
	return 0;
}

/* POST /auth: the engine logs in to serveraddress ("host[:port]", maybe
 * with a scheme and a path; empty is Docker Hub) from the host. */
int
rules_auth(struct eval *e, const struct jdoc *d, uint32_t root)
{
	const char *v, *slash;
	size_t len;

	v = json_get_str(d, root, "serveraddress", &len);
	if (len >= 8 && strncmp(v, "https://", 8) == 0)
		v += 8, len -= 8;
	else if (len >= 7 && strncmp(v, "http://", 7) == 0)
		v += 7, len -= 7;
	if ((slash = memchr(v, '/', len)) != NULL)
		len = (size_t)(slash - v);
	if (len == 0)
		return 0;
	return registry_check(e, "login server", v, len) == -1;
}
