/*
 * schema.c - field tables of the request bodies we inspect (moby's
 * api/types, every member up to API 1.56, so a newer client talking to an
 * older engine is still understood) and the type walk.
 *
 * Why a walk and not just lookups: encoding/json applies members we do not
 * look at too, so every member must be known (or zero), typed as the engine
 * would type it, and unambiguous after Go's case folding.  The walk decides
 * on types, duplicates and unknown members only; what a known value may be
 * is the rules' job (rules_*.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "policy_int.h"

#define NF(a)	(sizeof(a) / sizeof((a)[0]))
#define SCHEMA(id, goname, tbl, emb) \
	const struct schema id = { goname, tbl, NF(tbl), emb }
#define SSCHEMA(id, goname, tbl, emb) \
	static SCHEMA(id, goname, tbl, emb)

static const struct field f_empty[] = { { "", F_ANY, NULL } };
static const struct schema s_empty = { "struct{}", f_empty, 0, NULL };

static const struct field f_health[] = {
	{ "Test", F_STRS, NULL }, { "Interval", F_INT, NULL },
	{ "Timeout", F_INT, NULL }, { "StartPeriod", F_INT, NULL },
	{ "StartInterval", F_INT, NULL }, { "Retries", F_INT, NULL },
};
SSCHEMA(s_health, "HealthConfig", f_health, NULL);

static const struct field f_config[] = {
	{ "Hostname", F_STR, NULL }, { "Domainname", F_STR, NULL },
	{ "User", F_STR, NULL }, { "AttachStdin", F_BOOL, NULL },
	{ "AttachStdout", F_BOOL, NULL }, { "AttachStderr", F_BOOL, NULL },
	{ "ExposedPorts", F_MAP_EMPTY, NULL }, { "Tty", F_BOOL, NULL },
	{ "OpenStdin", F_BOOL, NULL }, { "StdinOnce", F_BOOL, NULL },
	{ "Env", F_STRS, NULL }, { "Cmd", F_STRSLICE, NULL },
	{ "Healthcheck", F_OBJ, &s_health }, { "ArgsEscaped", F_BOOL, NULL },
	{ "Image", F_STR, NULL }, { "Volumes", F_MAP_EMPTY, NULL },
	{ "WorkingDir", F_STR, NULL }, { "Entrypoint", F_STRSLICE, NULL },
	{ "NetworkDisabled", F_BOOL, NULL }, { "MacAddress", F_STR, NULL },
	{ "OnBuild", F_STRS, NULL }, { "Labels", F_STRMAP, NULL },
	{ "StopSignal", F_STR, NULL }, { "StopTimeout", F_INT, NULL },
	{ "Shell", F_STRSLICE, NULL },
};
SSCHEMA(s_config, "Config", f_config, NULL);

static const struct field f_weight_dev[] = {
	{ "Path", F_STR, NULL }, { "Weight", F_UINT, NULL },
};
SSCHEMA(s_weight_dev, "WeightDevice", f_weight_dev, NULL);

static const struct field f_throttle_dev[] = {
	{ "Path", F_STR, NULL }, { "Rate", F_UINT, NULL },
};
SSCHEMA(s_throttle_dev, "ThrottleDevice", f_throttle_dev, NULL);

static const struct field f_device[] = {
	{ "PathOnHost", F_STR, NULL }, { "PathInContainer", F_STR, NULL },
	{ "CgroupPermissions", F_STR, NULL },
};
SSCHEMA(s_device, "DeviceMapping", f_device, NULL);

static const struct field f_device_req[] = {
	{ "Driver", F_STR, NULL }, { "Count", F_INT, NULL },
	{ "DeviceIDs", F_STRS, NULL }, { "Capabilities", F_STRSS, NULL },
	{ "Options", F_STRMAP, NULL },
};
SSCHEMA(s_device_req, "DeviceRequest", f_device_req, NULL);

static const struct field f_ulimit[] = {
	{ "Name", F_STR, NULL }, { "Soft", F_INT, NULL },
	{ "Hard", F_INT, NULL },
};
SSCHEMA(s_ulimit, "Ulimit", f_ulimit, NULL);

static const struct field f_resources[] = {
	{ "CpuShares", F_INT, NULL }, { "Memory", F_INT, NULL },
	{ "NanoCpus", F_INT, NULL }, { "CgroupParent", F_STR, NULL },
	{ "BlkioWeight", F_UINT, NULL },
	{ "BlkioWeightDevice", F_OBJS, &s_weight_dev },
	{ "BlkioDeviceReadBps", F_OBJS, &s_throttle_dev },
	{ "BlkioDeviceWriteBps", F_OBJS, &s_throttle_dev },
	{ "BlkioDeviceReadIOps", F_OBJS, &s_throttle_dev },
	{ "BlkioDeviceWriteIOps", F_OBJS, &s_throttle_dev },
	{ "CpuPeriod", F_INT, NULL }, { "CpuQuota", F_INT, NULL },
	{ "CpuRealtimePeriod", F_INT, NULL },
	{ "CpuRealtimeRuntime", F_INT, NULL },
	{ "CpusetCpus", F_STR, NULL }, { "CpusetMems", F_STR, NULL },
	{ "Devices", F_OBJS, &s_device },
	{ "DeviceCgroupRules", F_STRS, NULL },
	{ "DeviceRequests", F_OBJS, &s_device_req },
	{ "KernelMemory", F_INT, NULL }, { "KernelMemoryTCP", F_INT, NULL },
	{ "MemoryReservation", F_INT, NULL }, { "MemorySwap", F_INT, NULL },
	{ "MemorySwappiness", F_INT, NULL }, { "OomKillDisable", F_BOOL, NULL },
	{ "PidsLimit", F_INT, NULL }, { "Ulimits", F_OBJS, &s_ulimit },
	{ "CpuCount", F_INT, NULL }, { "CpuPercent", F_INT, NULL },
	{ "IOMaximumIOps", F_UINT, NULL },
	{ "IOMaximumBandwidth", F_UINT, NULL },
};
SSCHEMA(s_resources, "Resources", f_resources, NULL);

static const struct field f_log[] = {
	{ "Type", F_STR, NULL }, { "Config", F_STRMAP, NULL },
};
SSCHEMA(s_log, "LogConfig", f_log, NULL);

static const struct field f_restart[] = {
	{ "Name", F_STR, NULL }, { "MaximumRetryCount", F_INT, NULL },
};
SSCHEMA(s_restart, "RestartPolicy", f_restart, NULL);

static const struct field f_port_binding[] = {
	{ "HostIp", F_STR, NULL }, { "HostPort", F_STR, NULL },
};
SSCHEMA(s_port_binding, "PortBinding", f_port_binding, NULL);

static const struct field f_bind_opts[] = {
	{ "Propagation", F_STR, NULL }, { "NonRecursive", F_BOOL, NULL },
	{ "CreateMountpoint", F_BOOL, NULL },
	{ "ReadOnlyNonRecursive", F_BOOL, NULL },
	{ "ReadOnlyForceRecursive", F_BOOL, NULL },
};
SSCHEMA(s_bind_opts, "BindOptions", f_bind_opts, NULL);

static const struct field f_driver[] = {
	{ "Name", F_STR, NULL }, { "Options", F_STRMAP, NULL },
};
SSCHEMA(s_driver, "Driver", f_driver, NULL);

static const struct field f_vol_opts[] = {
	{ "NoCopy", F_BOOL, NULL }, { "Labels", F_STRMAP, NULL },
	{ "Subpath", F_STR, NULL }, { "DriverConfig", F_OBJ, &s_driver },
};
SSCHEMA(s_vol_opts, "VolumeOptions", f_vol_opts, NULL);

static const struct field f_img_opts[] = { { "Subpath", F_STR, NULL } };
SSCHEMA(s_img_opts, "ImageOptions", f_img_opts, NULL);

static const struct field f_tmpfs_opts[] = {
	{ "SizeBytes", F_INT, NULL }, { "Mode", F_UINT, NULL },
	{ "Options", F_STRSS, NULL },
};
SSCHEMA(s_tmpfs_opts, "TmpfsOptions", f_tmpfs_opts, NULL);

static const struct field f_mount[] = {
	{ "Type", F_STR, NULL }, { "Source", F_STR, NULL },
	{ "Target", F_STR, NULL }, { "ReadOnly", F_BOOL, NULL },
	{ "Consistency", F_STR, NULL },
	{ "BindOptions", F_OBJ, &s_bind_opts },
	{ "VolumeOptions", F_OBJ, &s_vol_opts },
	{ "ImageOptions", F_OBJ, &s_img_opts },
	{ "TmpfsOptions", F_OBJ, &s_tmpfs_opts },
	{ "ClusterOptions", F_OBJ, &s_empty },
};
SSCHEMA(s_mount, "Mount", f_mount, NULL);

static const struct field f_hostconfig[] = {
	{ "Binds", F_STRS, NULL }, { "ContainerIDFile", F_STR, NULL },
	{ "LogConfig", F_OBJ, &s_log }, { "NetworkMode", F_STR, NULL },
	{ "PortBindings", F_MAP_OBJS, &s_port_binding },
	{ "RestartPolicy", F_OBJ, &s_restart }, { "AutoRemove", F_BOOL, NULL },
	{ "VolumeDriver", F_STR, NULL }, { "VolumesFrom", F_STRS, NULL },
	{ "ConsoleSize", F_INTS, NULL }, { "Annotations", F_STRMAP, NULL },
	{ "CapAdd", F_STRSLICE, NULL }, { "CapDrop", F_STRSLICE, NULL },
	{ "CgroupnsMode", F_STR, NULL }, { "Dns", F_STRS, NULL },
	{ "DnsOptions", F_STRS, NULL }, { "DnsSearch", F_STRS, NULL },
	{ "ExtraHosts", F_STRS, NULL }, { "GroupAdd", F_STRS, NULL },
	{ "IpcMode", F_STR, NULL }, { "Cgroup", F_STR, NULL },
	{ "Links", F_STRS, NULL }, { "OomScoreAdj", F_INT, NULL },
	{ "PidMode", F_STR, NULL }, { "Privileged", F_BOOL, NULL },
	{ "PublishAllPorts", F_BOOL, NULL }, { "ReadonlyRootfs", F_BOOL, NULL },
	{ "SecurityOpt", F_STRS, NULL }, { "StorageOpt", F_STRMAP, NULL },
	{ "Tmpfs", F_STRMAP, NULL }, { "UTSMode", F_STR, NULL },
	{ "UsernsMode", F_STR, NULL }, { "ShmSize", F_INT, NULL },
	{ "Sysctls", F_STRMAP, NULL }, { "Runtime", F_STR, NULL },
	{ "Isolation", F_STR, NULL }, { "MaskedPaths", F_STRS, NULL },
	{ "ReadonlyPaths", F_STRS, NULL }, { "Mounts", F_OBJS, &s_mount },
	{ "Init", F_BOOL, NULL },
	{ "Capabilities", F_STRS, NULL },	/* API 1.40 only */
};
SSCHEMA(s_hostconfig, "HostConfig", f_hostconfig, &s_resources);

static const struct field f_ep_ipam[] = {
	{ "IPv4Address", F_STR, NULL }, { "IPv6Address", F_STR, NULL },
	{ "LinkLocalIPs", F_STRS, NULL },
};
SSCHEMA(s_ep_ipam, "EndpointIPAMConfig", f_ep_ipam, NULL);

static const struct field f_endpoint[] = {
	{ "IPAMConfig", F_OBJ, &s_ep_ipam }, { "Links", F_STRS, NULL },
	{ "Aliases", F_STRS, NULL }, { "DriverOpts", F_STRMAP, NULL },
	{ "GwPriority", F_INT, NULL }, { "MacAddress", F_STR, NULL },
	{ "NetworkID", F_STR, NULL }, { "EndpointID", F_STR, NULL },
	{ "Gateway", F_STR, NULL }, { "IPAddress", F_STR, NULL },
	{ "IPPrefixLen", F_INT, NULL }, { "IPv6Gateway", F_STR, NULL },
	{ "GlobalIPv6Address", F_STR, NULL },
	{ "GlobalIPv6PrefixLen", F_INT, NULL }, { "DNSNames", F_STRS, NULL },
};
SSCHEMA(s_endpoint, "EndpointSettings", f_endpoint, NULL);

static const struct field f_netconf[] = {
	{ "EndpointsConfig", F_MAP_OBJ, &s_endpoint },
};
SSCHEMA(s_netconf, "NetworkingConfig", f_netconf, NULL);

static const struct field f_create[] = {
	{ "HostConfig", F_OBJ, &s_hostconfig },
	{ "NetworkingConfig", F_OBJ, &s_netconf },
	/* The legacy wrapper's CPU set, read by engines up to 26.x (API
	 * 1.45) into HostConfig.CpusetCpus; no current client sends it. */
	{ "Cpuset", F_ANY, NULL },
};
SCHEMA(schema_create, "CreateRequest", f_create, &s_config);

static const struct field f_update[] = {
	{ "RestartPolicy", F_OBJ, &s_restart },
};
SCHEMA(schema_update, "UpdateConfig", f_update, &s_resources);

static const struct field f_exec_create[] = {
	{ "User", F_STR, NULL }, { "Privileged", F_BOOL, NULL },
	{ "Tty", F_BOOL, NULL }, { "ConsoleSize", F_INTS, NULL },
	{ "AttachStdin", F_BOOL, NULL }, { "AttachStderr", F_BOOL, NULL },
	{ "AttachStdout", F_BOOL, NULL }, { "Detach", F_BOOL, NULL },
	{ "DetachKeys", F_STR, NULL }, { "Env", F_STRS, NULL },
	{ "WorkingDir", F_STR, NULL }, { "Cmd", F_STRSLICE, NULL },
	/* Sent by docker-py; the engine ignores it (the path names the
	 * container), so any string is harmless. */
	{ "Container", F_STR, NULL },
};
SCHEMA(schema_exec_create, "ExecOptions", f_exec_create, NULL);

static const struct field f_exec_start[] = {
	{ "Detach", F_BOOL, NULL }, { "Tty", F_BOOL, NULL },
	{ "ConsoleSize", F_INTS, NULL },
};
SCHEMA(schema_exec_start, "ExecStartOptions", f_exec_start, NULL);

static const struct field f_volume_create[] = {
	{ "Name", F_STR, NULL }, { "Driver", F_STR, NULL },
	{ "DriverOpts", F_STRMAP, NULL }, { "Labels", F_STRMAP, NULL },
	{ "ClusterVolumeSpec", F_ANY, NULL },
};
SCHEMA(schema_volume_create, "volume.CreateRequest", f_volume_create,
    NULL);

static const struct field f_ipam_config[] = {
	{ "Subnet", F_STR, NULL }, { "IPRange", F_STR, NULL },
	{ "Gateway", F_STR, NULL }, { "AuxiliaryAddresses", F_STRMAP, NULL },
};
SSCHEMA(s_ipam_config, "IPAMConfig", f_ipam_config, NULL);

static const struct field f_ipam[] = {
	{ "Driver", F_STR, NULL }, { "Options", F_STRMAP, NULL },
	{ "Config", F_OBJS, &s_ipam_config },
};
SSCHEMA(s_ipam, "IPAM", f_ipam, NULL);

static const struct field f_config_ref[] = { { "Network", F_STR, NULL } };
SSCHEMA(s_config_ref, "ConfigReference", f_config_ref, NULL);

static const struct field f_network_create[] = {
	{ "Name", F_STR, NULL }, { "CheckDuplicate", F_BOOL, NULL },
	{ "Driver", F_STR, NULL }, { "Scope", F_STR, NULL },
	{ "EnableIPv4", F_BOOL, NULL }, { "EnableIPv6", F_BOOL, NULL },
	{ "IPAM", F_OBJ, &s_ipam }, { "Internal", F_BOOL, NULL },
	{ "Attachable", F_BOOL, NULL }, { "Ingress", F_BOOL, NULL },
	{ "ConfigOnly", F_BOOL, NULL },
	{ "ConfigFrom", F_OBJ, &s_config_ref },
	{ "Options", F_STRMAP, NULL }, { "Labels", F_STRMAP, NULL },
};
SCHEMA(schema_network_create, "network.CreateRequest", f_network_create,
    NULL);

static const struct field f_network_connect[] = {
	{ "Container", F_STR, NULL },
	{ "EndpointConfig", F_OBJ, &s_endpoint },
};
SCHEMA(schema_network_connect, "network.ConnectOptions", f_network_connect,
    NULL);

/* registry.AuthConfig (POST /auth); the engine also reads the
 * lower-case members the swagger omits. */
static const struct field f_auth[] = {
	{ "username", F_STR, NULL }, { "password", F_STR, NULL },
	{ "auth", F_STR, NULL }, { "email", F_STR, NULL },
	{ "serveraddress", F_STR, NULL }, { "identitytoken", F_STR, NULL },
	{ "registrytoken", F_STR, NULL },
};
SCHEMA(schema_auth, "registry.AuthConfig", f_auth, NULL);

static const struct field f_network_disconnect[] = {
	{ "Container", F_STR, NULL }, { "Force", F_BOOL, NULL },
};
SCHEMA(schema_network_disconnect, "network.DisconnectOptions",
    f_network_disconnect, NULL);

/* ---- the walk */

static const char *
type_word(enum ftype t)
{
	switch (t) {
	case F_BOOL: return "a boolean";
	case F_INT: return "an integer";
	case F_UINT: return "a non-negative integer";
	case F_STR: return "a string";
	case F_STRS: return "an array of strings";
	case F_STRSLICE: return "a string or an array of strings";
	case F_STRSS: return "an array of arrays of strings";
	case F_INTS: return "an array of non-negative integers";
	case F_STRMAP: return "an object of strings";
	case F_MAP_EMPTY: case F_MAP_OBJ: case F_MAP_OBJS: case F_OBJ:
		return "an object";
	case F_OBJS: return "an array of objects";
	case F_ANY: return "null";
	}
	return "?";
}

static int
bad_type(struct eval *e, const char *path, enum ftype t)
{
	eval_reject(e, 400, "%s must be %s", path, type_word(t));
	return -1;
}

static int
is_uint(const struct jnode *n)
{
	int64_t v;

	return json_int(n, &v) == 0 && v >= 0;
}

static int
str_array(const struct jdoc *d, uint32_t arr)
{
	uint32_t m;

	if (d->n[arr].type != J_ARR)
		return 0;
	for (m = d->n[arr].child; m != JNONE; m = d->n[m].next)
		if (d->n[m].type != J_STR && d->n[m].type != J_NULL)
			return 0;
	return 1;
}

static int
key_cmp(const void *a, const void *b, void *arg)
{
	const struct jdoc *d = arg;
	const struct jnode *x = &d->n[*(const uint32_t *)a];
	const struct jnode *y = &d->n[*(const uint32_t *)b];

	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return memcmp(x->key, y->key, x->klen);
}

/* Map members: exact duplicate keys are ambiguous (Go keeps the last).
 * Sorted, so a map with many keys costs n log n, not n^2. */
static int
map_dups(struct eval *e, const struct jdoc *d, uint32_t obj, const char *path)
{
	uint32_t *idx, m;
	size_t n = 0, i;
	int rc = 0;

	if (d->n[obj].count < 2)
		return 0;
	if ((idx = malloc(d->n[obj].count * sizeof(*idx))) == NULL) {
		eval_reject(e, 500, "out of memory");
		return -1;
	}
	for (m = d->n[obj].child; m != JNONE; m = d->n[m].next)
		idx[n++] = m;
	qsort_r(idx, n, sizeof(*idx), key_cmp, (void *)(uintptr_t)d);
	for (i = 1; i < n; i++) {
		const struct jnode *a = &d->n[idx[i - 1]], *b = &d->n[idx[i]];
		if (a->klen == b->klen && memcmp(a->key, b->key, a->klen) == 0) {
			eval_reject(e, 400, "%s has the key '%.*s' twice", path,
			    (int)(a->klen > 64 ? 64 : a->klen), a->key);
			rc = -1;
			break;
		}
	}
	free(idx);
	return rc;
}

static int check_value(struct eval *, const struct jdoc *, uint32_t,
    const struct field *, const char *);

static void
sub_path(char *buf, size_t size, const char *path, const char *name)
{
	if (path[0] == '\0')
		strfmt(buf, size, "%s", name);
	else
		strfmt(buf, size, "%s.%s", path, name);
}

static int
check_elems(struct eval *e, const struct jdoc *d, uint32_t node,
    const struct schema *sub, const char *path, int map)
{
	char p[256];
	uint32_t m;
	size_t k = 0;

	for (m = d->n[node].child; m != JNONE; m = d->n[m].next, k++) {
		if (map)
			strfmt(p, sizeof(p), "%s[\"%.*s\"]", path,
			    (int)(d->n[m].klen > 40 ? 40 : d->n[m].klen),
			    d->n[m].key);
		else
			strfmt(p, sizeof(p), "%s[%zu]", path, k);
		if (d->n[m].type == J_NULL)
			continue;
		if (d->n[m].type != J_OBJ) {
			eval_reject(e, 400, "%s must be an object", p);
			return -1;
		}
		if (schema_check(e, d, m, sub, p) == -1)
			return -1;
	}
	return 0;
}

static int
check_value(struct eval *e, const struct jdoc *d, uint32_t v,
    const struct field *f, const char *path)
{
	const struct jnode *n = &d->n[v];
	uint32_t m;

	if (n->type == J_NULL)
		return 0;	/* null leaves any Go value unset */
	switch (f->type) {
	case F_BOOL:
		return n->type == J_BOOL ? 0 : bad_type(e, path, f->type);
	case F_INT:
		{
			int64_t x;
			return json_int(n, &x) == 0 ? 0 :
			    bad_type(e, path, f->type);
		}
	case F_UINT:
		return is_uint(n) ? 0 : bad_type(e, path, f->type);
	case F_STR:
		return n->type == J_STR ? 0 : bad_type(e, path, f->type);
	case F_STRS:
		return str_array(d, v) ? 0 : bad_type(e, path, f->type);
	case F_STRSLICE:
		return n->type == J_STR || str_array(d, v) ? 0 :
		    bad_type(e, path, f->type);
	case F_STRSS:
		if (n->type != J_ARR)
			return bad_type(e, path, f->type);
		for (m = n->child; m != JNONE; m = d->n[m].next)
			if (d->n[m].type != J_NULL && !str_array(d, m))
				return bad_type(e, path, f->type);
		return 0;
	case F_INTS:
		if (n->type != J_ARR)
			return bad_type(e, path, f->type);
		for (m = n->child; m != JNONE; m = d->n[m].next)
			if (!is_uint(&d->n[m]))
				return bad_type(e, path, f->type);
		return 0;
	case F_STRMAP:
		if (n->type != J_OBJ)
			return bad_type(e, path, f->type);
		for (m = n->child; m != JNONE; m = d->n[m].next)
			if (d->n[m].type != J_STR && d->n[m].type != J_NULL)
				return bad_type(e, path, f->type);
		return map_dups(e, d, v, path);
	case F_MAP_EMPTY:
		if (n->type != J_OBJ)
			return bad_type(e, path, f->type);
		if (map_dups(e, d, v, path) == -1)
			return -1;
		return check_elems(e, d, v, &s_empty, path, 1);
	case F_OBJ:
		if (n->type != J_OBJ)
			return bad_type(e, path, f->type);
		return schema_check(e, d, v, f->sub, path);
	case F_OBJS:
		if (n->type != J_ARR)
			return bad_type(e, path, f->type);
		return check_elems(e, d, v, f->sub, path, 0);
	case F_MAP_OBJ:
		if (n->type != J_OBJ)
			return bad_type(e, path, f->type);
		if (map_dups(e, d, v, path) == -1)
			return -1;
		return check_elems(e, d, v, f->sub, path, 1);
	case F_MAP_OBJS:
		if (n->type != J_OBJ)
			return bad_type(e, path, f->type);
		if (map_dups(e, d, v, path) == -1)
			return -1;
		for (m = n->child; m != JNONE; m = d->n[m].next) {
			char p[256];
			strfmt(p, sizeof(p), "%s[\"%.*s\"]", path,
			    (int)(d->n[m].klen > 40 ? 40 : d->n[m].klen),
			    d->n[m].key);
			if (d->n[m].type == J_NULL)
				continue;
			if (d->n[m].type != J_ARR)
				return bad_type(e, p, F_OBJS);
			if (check_elems(e, d, m, f->sub, p, 0) == -1)
				return -1;
		}
		return 0;
	case F_ANY:
		return 0;	/* the rules decide on it */
	}
	return bad_type(e, path, f->type);
}

/* Index of the field key folds to in s (embedded members after s's own). */
static int
field_find(const struct schema *s, const char *key, size_t klen,
    const struct field **out)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (json_key_matches(key, klen, s->f[i].name)) {
			*out = &s->f[i];
			return (int)i;
		}
	if (s->embed != NULL)
		for (i = 0; i < s->embed->n; i++)
			if (json_key_matches(key, klen, s->embed->f[i].name)) {
				*out = &s->embed->f[i];
				return (int)(s->n + i);
			}
	return -1;
}

int
schema_check(struct eval *e, const struct jdoc *d, uint32_t node,
    const struct schema *s, const char *path)
{
	uint32_t first[128];
	const struct field *f;
	char p[256];
	uint32_t m;
	int idx;

	if (d->n[node].type == J_NULL)
		return 0;
	if (d->n[node].type != J_OBJ) {
		eval_reject(e, 400, "%s must be an object", path[0] ? path :
		    "the body");
		return -1;
	}
	memset(first, 0, sizeof(first));
	for (m = d->n[node].child; m != JNONE; m = d->n[m].next) {
		const struct jnode *mn = &d->n[m];
		int kl = (int)(mn->klen > 64 ? 64 : mn->klen);

		idx = field_find(s, mn->key, mn->klen, &f);
		if (idx < 0 && s == &schema_create && !json_is_zero(d, m) &&
		    field_find(&s_hostconfig, mn->key, mn->klen, &f) >= 0) {
			/* Engines up to 20.10 read HostConfig fields given at
			 * the top level (the deprecated embedded HostConfig).
			 * Refuse the form outright: as a check it could be
			 * put in audit mode and let Privileged through. */
			eval_reject(e, 400, "HostConfig field '%.*s' at the top "
			    "level of the body (a legacy form the engine still "
			    "reads); put it inside HostConfig", kl, mn->key);
			return -1;
		}
		if (idx < 0) {
			/* The tables hold every member any engine version
			 * reads (tests/spec keeps them to the specs), with
			 * Go's case folding: no engine reads this one. */
			continue;
		}
		if (idx >= (int)(sizeof(first) / sizeof(first[0]))) {
			eval_reject(e, 500, "%s has more members than the "
			    "checker can track", s->name);
			return -1;
		}
		sub_path(p, sizeof(p), path, f->name);
		if (first[idx] != JNONE) {
			const struct jnode *o = &d->n[first[idx]];
			eval_reject(e, 400, "%s is given twice ('%.*s' and "
			    "'%.*s'); the engine would merge them", p,
			    (int)(o->klen > 64 ? 64 : o->klen), o->key, kl,
			    mn->key);
			return -1;
		}
		first[idx] = m;
		if (f->type == F_ANY && mn->type != J_NULL) {
			if (eval_deny(e, CK_UNKNOWN_FIELD, "the field '%s' is "
			    "not modelled by the policy and is set", p))
				return -1;
			continue;
		}
		if (check_value(e, d, m, f, p) == -1)
			return -1;
		if (e->done)
			return -1;
	}
	return 0;
}
