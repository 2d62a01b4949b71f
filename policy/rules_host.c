/*
 * rules_host.c - HostConfig rules: everything in a container create that
 * can reach the host (privilege, capabilities, namespaces, devices, mounts,
 * confinement, runtime, cgroups, resources, ports, logging).
 *
 * Values are compared the way the engine compares them: namespace modes
 * exactly and case-sensitively, capabilities after Go's strings.ToUpper
 * (non-ASCII refused instead), Binds split like moby's linux parser.
 * Container-level fields (Image, User, ...) are in rules_container.c.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "policy_int.h"

#define LEN(n)	((int)((n) > 200 ? 200 : (n)))

/* ---- namespaces */

/* The networks every engine has and nobody owns. */
int
ns_network_is_shared(const char *v, size_t len)
{
	return (len == 6 && memcmp(v, "bridge", 6) == 0) ||
	    (len == 4 && memcmp(v, "none", 4) == 0) ||
	    (len == 7 && memcmp(v, "default", 7) == 0) || len == 0;
}

static int
ns_mode(struct eval *e, const struct jdoc *d, uint32_t hc, const char *field,
    const char *ns, int may_join)
{
	const struct policy *p = e->pol;
	uint32_t n = json_get(d, hc, field);
	char where[48];
	const char *v;
	size_t len;

	v = json_get_str(d, hc, field, &len);
	if (len == 4 && memcmp(v, "host", 4) == 0 &&
	    !strlist_has(&p->ns_host_allow, ns, strlen(ns)))
		return eval_deny(e, CK_NAMESPACES, "HostConfig.%s=host shares "
		    "the host's %s namespace", field, ns);
	snprintf(where, sizeof(where), "HostConfig.%s", field);
	if (e->stored)
		return 0;	/* joins were the caller's own at create */
	if (may_join && len > 10 && memcmp(v, "container:", 10) == 0) {
		/* with tenants, joining one's own container is fine */
		if (owner_on(e))
			return owner_body_ref(e, d, n, POLICY_OBJ_CONTAINER, 10,
			    len - 10, 0, where);
		if (!p->ns_container_join)
			return eval_deny(e, CK_NAMESPACES, "HostConfig.%s "
			    "joins the %s namespace of another container "
			    "(%.*s)", field, ns, LEN(len - 10), v + 10);
		return 0;
	}
	/* A user network, by name or ID: the caller's own, never the host
	 * network under another name (the daemon checks what it resolves). */
	if (strcmp(field, "NetworkMode") == 0 && !ns_network_is_shared(v, len) &&
	    !(len == 4 && memcmp(v, "host", 4) == 0))
		return owner_body_ref(e, d, n, POLICY_OBJ_NETWORK, 0, len, 0,
		    where);
	return 0;
}

static int
rules_namespaces(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	if (ns_mode(e, d, hc, "NetworkMode", "network", 1) ||
	    ns_mode(e, d, hc, "PidMode", "pid", 1) ||
	    ns_mode(e, d, hc, "IpcMode", "ipc", 1) ||
	    ns_mode(e, d, hc, "UTSMode", "uts", 0) ||
	    ns_mode(e, d, hc, "UsernsMode", "userns", 0) ||
	    (!e->stored && ns_mode(e, d, hc, "CgroupnsMode", "cgroup", 0)) ||
	    ns_mode(e, d, hc, "Cgroup", "cgroup", 1))
		return 1;
	/* An empty CgroupnsMode is the daemon's default: "host" on cgroup v1
	 * hosts at every API version (checked on engine 20.10), "private" on
	 * v2.  The caller gains nothing by leaving it empty, so only an
	 * explicit host mode is a choice the policy can refuse. */
	return 0;
}

/* ---- capabilities */

static int
cap_normalize(const char *s, size_t len, char *out, size_t size)
{
	size_t i, o = 0;

	if (len == 3 && (s[0] | 32) == 'a' && (s[1] | 32) == 'l' &&
	    (s[2] | 32) == 'l') {
		snprintf(out, size, "ALL");
		return 0;
	}
	if (!(len >= 4 && (s[0] | 32) == 'c' && (s[1] | 32) == 'a' &&
	    (s[2] | 32) == 'p' && s[3] == '_'))
		o = (size_t)snprintf(out, size, "CAP_");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || c < 0x20)
			return -1;	/* ToUpper maps some onto ASCII */
		if (o + 1 >= size)
			return -1;
		out[o++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
	}
	out[o] = '\0';
	return 0;
}

static int
cap_check(struct eval *e, const struct jnode *n)
{
	char cap[64];

	if (n->type != J_STR)
		return 0;
	if (cap_normalize(n->s, n->slen, cap, sizeof(cap)) == -1)
		return eval_deny(e, CK_CAPABILITIES, "the capability '%.*s' in "
		    "HostConfig.CapAdd is not plain ASCII", LEN(n->slen),
		    n->s);
	if (!strlist_has(&e->pol->cap_allow, cap, strlen(cap)))
		return eval_deny(e, CK_CAPABILITIES, "adding capability %s is "
		    "not allowed", cap);
	return 0;
}

static int
rules_caps(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	uint32_t add = json_get(d, hc, "CapAdd"), m;

	if (add != JNONE && d->n[add].type == J_STR) {
		if (cap_check(e, &d->n[add]))
			return 1;
	} else
		for (m = json_get_first(d, hc, "CapAdd"); m != JNONE;
		    m = d->n[m].next)
			if (cap_check(e, &d->n[m]))
				return 1;
	if (json_is_set(d, hc, "Capabilities"))
		return eval_deny(e, CK_CAPABILITIES, "the legacy "
		    "HostConfig.Capabilities field is not allowed");
	return 0;
}

/* ---- mounts */

/* Is p a clean absolute path (what path.Clean would leave unchanged)? */
static int
path_clean(const char *p, size_t len)
{
	size_t i, seg;

	if (len == 0 || p[0] != '/')
		return 0;
	if (len == 1)
		return 1;
	if (p[len - 1] == '/')
		return 0;
	for (i = 0; i < len; i = seg) {
		seg = i + 1;
		while (seg < len && p[seg] != '/')
			seg++;
		if (seg - i == 1 ||
		    (seg - i == 2 && p[i + 1] == '.') ||
		    (seg - i == 3 && p[i + 1] == '.' && p[i + 2] == '.'))
			return 0;
	}
	return 1;
}

/* The root that admits src, or NULL. */
static const struct bind_root *
bind_root_for(const struct policy *p, const char *src, size_t len)
{
	size_t i, rl;

	for (i = 0; i < p->nbind_roots; i++) {
		const char *r = p->bind_roots[i].path;
		rl = strlen(r);
		if (rl == 1 && r[0] == '/' && p->bind_roots[i].subpaths)
			return &p->bind_roots[i];
		if (len == rl && memcmp(src, r, rl) == 0)
			return &p->bind_roots[i];
		if (p->bind_roots[i].subpaths && len > rl &&
		    memcmp(src, r, rl) == 0 && src[rl] == '/')
			return &p->bind_roots[i];
	}
	return NULL;
}

/* A root without subpaths that src is below, for a precise message. */
static const struct bind_root *
root_above(const struct policy *p, const char *src, size_t len)
{
	size_t i, rl;

	for (i = 0; i < p->nbind_roots; i++) {
		rl = strlen(p->bind_roots[i].path);
		if (len > rl && memcmp(src, p->bind_roots[i].path, rl) == 0 &&
		    (src[rl] == '/' || rl == 1))
			return &p->bind_roots[i];
	}
	return NULL;
}

static int
propagation_shared(const char *v, size_t len)
{
	return (len == 6 && memcmp(v, "shared", 6) == 0) ||
	    (len == 7 && memcmp(v, "rshared", 7) == 0);
}

/* Is src one of sockwarden's own listening sockets? */
static int
self_socket(const struct eval *e, const char *src, size_t len)
{
	for (size_t i = 0; i < e->req->nself_sockets; i++)
		if (strlen(e->req->self_sockets[i]) == len &&
		    memcmp(e->req->self_sockets[i], src, len) == 0)
			return 1;
	return 0;
}

/*
 * A host path bind, from Binds or Mounts; ro is the effective read-only,
 * creates: the engine would create a missing source.  An admitted path
 * is handed to the daemon to check on the host (it must not cross a
 * symlink a job planted, and must exist where the engine would create it).
 */
static int
host_bind(struct eval *e, const char *src, size_t len, int ro, int creates,
    const char *where)
{
	const struct bind_root *r;

	if (!path_clean(src, len))
		return eval_deny(e, CK_BINDS, "the host path '%.*s' in %s is "
		    "not in canonical form", LEN(len), src, where);
	if ((r = bind_root_for(e->pol, src, len)) == NULL) {
		if ((r = root_above(e->pol, src, len)) != NULL)
			return eval_deny(e, CK_BINDS, "the host path '%.*s' "
			    "(%s) is below the root '%s', which admits only "
			    "itself (subpaths could be symlinks)", LEN(len),
			    src, where, r->path);
		return eval_deny(e, CK_BINDS, "binding the host path '%.*s' "
		    "(%s) is not allowed", LEN(len), src, where);
	}
	if (r->readonly && !ro)
		return eval_deny(e, CK_BINDS, "the host path '%.*s' (%s) may "
		    "only be bound read-only", LEN(len), src, where);
	if (r->socket) {
		/* Bound while nothing listens there, the engine would make
		 * a root-owned directory in its place. */
		if (!self_socket(e, src, len))
			return eval_deny(e, CK_BINDS, "the host path '%.*s' "
			    "(%s) is admitted only as sockwarden's own socket, "
			    "and sockwarden is not listening there", LEN(len),
			    src, where);
		return 0;
	}
	return eval_host_path(e, src, len, r->path, creates, where) == -1;
}

/* A local volume that is a bind of a host directory: its device, judged
 * as a bind of that path (never created by the engine: mount fails). */
int
rules_volume_device(struct eval *e, const char *device, const char *where)
{
	return host_bind(e, device, strlen(device), 0, 0, where);
}

static int
rules_binds(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	uint32_t m;
	char where[48];
	size_t k = 0;

	for (m = json_get_first(d, hc, "Binds"); m != JNONE;
	    m = d->n[m].next, k++) {
		const struct jnode *n = &d->n[m];
		const char *s = n->s, *c1, *c2, *mode = "", *opt;
		size_t len = n->slen, srclen, modelen = 0, ol;
		int ro = 0;

		if (n->type != J_STR)
			continue;
		snprintf(where, sizeof(where), "HostConfig.Binds[%zu]", k);
		c1 = memchr(s, ':', len);
		if (c1 == NULL)
			continue;	/* anonymous volume */
		srclen = (size_t)(c1 - s);
		c2 = memchr(c1 + 1, ':', len - srclen - 1);
		if (c2 != NULL) {
			mode = c2 + 1;
			modelen = len - (size_t)(mode - s);
			if (memchr(mode, ':', modelen) != NULL)
				return eval_deny(e, CK_BINDS, "%s has too "
				    "many ':' separators", where);
		}
		/* mode: comma-separated ro/rw, z/Z, propagation, ... */
		for (opt = mode; opt < mode + modelen; opt += ol + 1) {
			const char *comma = memchr(opt, ',',
			    (size_t)(mode + modelen - opt));
			ol = comma ? (size_t)(comma - opt) :
			    (size_t)(mode + modelen - opt);
			if (ol == 2 && memcmp(opt, "ro", 2) == 0)
				ro = 1;
			if (ol == 1 && (*opt == 'z' || *opt == 'Z') &&
			    s[0] == '/' && eval_deny(e, CK_BINDS, "%s "
			    "relabels the host path (SELinux '%c')", where,
			    *opt))
				return 1;
			if (propagation_shared(opt, ol) && eval_deny(e,
			    CK_PROPAGATION, "%s uses %.*s mount propagation",
			    where, (int)ol, opt))
				return 1;
		}
		if (srclen > 0 && s[0] == '/' &&
		    host_bind(e, s, srclen, ro, 1, where))
			return 1;
		/* a named volume: the caller's own; a missing one the engine
		 * would create, unlabelled, so sockwarden creates it owned */
		if (srclen > 0 && s[0] != '/' && owner_body_ref(e, d, m,
		    POLICY_OBJ_VOLUME, 0, srclen, 1, where))
			return 1;
	}
	return 0;
}

static int
mount_volume(struct eval *e, const struct jdoc *d, uint32_t mnt,
    const char *where)
{
	const struct policy *p = e->pol;
	uint32_t vo = json_get_obj(d, mnt, "VolumeOptions"), dc;
	const char *v;
	size_t len;

	if (vo == JNONE)
		return 0;
	v = json_get_str(d, vo, "Subpath", &len);
	if (len > 0 && (v[0] == '/' || strstr(v, "..") != NULL) &&
	    eval_deny(e, CK_BINDS, "%s.VolumeOptions.Subpath '%.*s' leaves "
	    "the volume", where, LEN(len), v))
		return 1;
	if ((dc = json_get_obj(d, vo, "DriverConfig")) == JNONE)
		return 0;
	v = json_get_str(d, dc, "Name", &len);
	if (len > 0 && !strlist_has(&p->volume_driver_allow, v, len) &&
	    eval_deny(e, CK_VOLUME_DRIVER, "the volume driver '%.*s' in %s "
	    "is not allowed", LEN(len), v, where))
		return 1;
	if (json_get_first(d, dc, "Options") != JNONE && eval_deny(e,
	    CK_VOLUME_OPTIONS, "%s sets volume driver options (a local "
	    "driver bind such as type=none,o=bind reaches the host)", where))
		return 1;
	return 0;
}

static int
rules_mounts(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	uint32_t m, bo;
	char where[48];
	size_t k = 0, tl, sl, pl;
	const char *type, *src, *prop;

	for (m = json_get_first(d, hc, "Mounts"); m != JNONE;
	    m = d->n[m].next, k++) {
		if (d->n[m].type != J_OBJ)
			continue;
		snprintf(where, sizeof(where), "HostConfig.Mounts[%zu]", k);
		type = json_get_str(d, m, "Type", &tl);
		src = json_get_str(d, m, "Source", &sl);
		bo = json_get_obj(d, m, "BindOptions");
		prop = json_get_str(d, bo, "Propagation", &pl);
		if (propagation_shared(prop, pl) && eval_deny(e,
		    CK_PROPAGATION, "%s uses %.*s mount propagation", where,
		    (int)pl, prop))
			return 1;
		if (tl == 4 && memcmp(type, "bind", 4) == 0) {
			int ro = json_get_bool(d, m, "ReadOnly");
			if (json_get_bool(d, bo, "ReadOnlyNonRecursive") ||
			    json_get_bool(d, bo, "NonRecursive"))
				ro = 0;	/* sub-mounts stay writable */
			/* a missing source is an error for Mounts, unless
			 * CreateMountpoint makes the engine create it */
			if (host_bind(e, src, sl, ro, json_get_bool(d, bo,
			    "CreateMountpoint"), where))
				return 1;
		} else if (tl == 6 && memcmp(type, "volume", 6) == 0) {
			if (mount_volume(e, d, m, where))
				return 1;
			if (sl > 0 && owner_body_ref(e, d, json_get(d, m,
			    "Source"), POLICY_OBJ_VOLUME, 0, sl, 1, where))
				return 1;
		} else if (tl == 5 && memcmp(type, "image", 5) == 0) {
			if (image_check(e, "mounted image", src, sl) == -1)
				return 1;
		} else if (!(tl == 5 && memcmp(type, "tmpfs", 5) == 0)) {
			if (eval_deny(e, CK_BINDS, "%s has mount type '%.*s', "
			    "which is not allowed", where, LEN(tl), type))
				return 1;
		}
	}
	return 0;
}

static int
rules_volumes_from(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	uint32_t m;

	if (e->stored)
		return 0;	/* the caller's own containers, at create */
	for (m = json_get_first(d, hc, "VolumesFrom"); m != JNONE;
	    m = d->n[m].next) {
		const struct jnode *n = &d->n[m];
		const char *c;
		size_t len;

		if (n->type != J_STR)
			continue;
		c = memchr(n->s, ':', n->slen);
		len = c ? (size_t)(c - n->s) : n->slen;
		if (owner_on(e)) {
			/* with tenants: any container of the caller's own */
			if (owner_body_ref(e, d, m, POLICY_OBJ_CONTAINER, 0, len,
			    0, "HostConfig.VolumesFrom"))
				return 1;
			continue;
		}
		if (!strlist_glob(&e->pol->volumes_from_allow, n->s, len) &&
		    eval_deny(e, CK_VOLUMES_FROM, "inheriting the volumes of "
		    "container '%.*s' is not allowed", LEN(len), n->s))
			return 1;
	}
	return 0;
}

/* ---- confinement, runtime, cgroups */

/* Stored: the engine shows its default masked paths; an empty list is
 * what systempaths=unconfined leaves. */
static int
stored_unmasked(const struct jdoc *d, uint32_t hc, const char *field)
{
	uint32_t n = json_get(d, hc, field);

	return n != JNONE && d->n[n].type == J_ARR && d->n[n].count == 0;
}

static int
rules_confinement(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	const struct policy *p = e->pol;
	uint32_t m;
	const char *v;
	size_t len;

	if (json_get_bool(d, hc, "Privileged") && eval_deny(e, CK_PRIVILEGED,
	    "privileged containers are not allowed"))
		return 1;
	for (m = json_get_first(d, hc, "SecurityOpt"); m != JNONE;
	    m = d->n[m].next) {
		const struct jnode *n = &d->n[m];
		/* stored: the engine adds label=disable to a privileged
		 * container; the privileged check judges that */
		if (e->stored && n->type == J_STR && n->slen == 13 &&
		    (memcmp(n->s, "label=disable", 13) == 0 ||
		    memcmp(n->s, "label:disable", 13) == 0) &&
		    json_get_bool(d, hc, "Privileged"))
			continue;
		if (n->type == J_STR &&
		    !strlist_has(&p->secopt_allow, n->s, n->slen) &&
		    eval_deny(e, CK_SECURITY_OPTIONS, "the security option "
		    "'%.*s' is not allowed", LEN(n->slen), n->s))
			return 1;
	}
	if (!p->systempaths_allow && (e->stored ?
	    stored_unmasked(d, hc, "MaskedPaths") ||
	    stored_unmasked(d, hc, "ReadonlyPaths") :
	    json_is_set(d, hc, "MaskedPaths") ||
	    json_is_set(d, hc, "ReadonlyPaths")) && eval_deny(e,
	    CK_SECURITY_OPTIONS, "setting MaskedPaths or ReadonlyPaths "
	    "replaces the engine's protected system paths"))
		return 1;
	for (m = json_get_first(d, hc, "Sysctls"); m != JNONE; m = d->n[m].next)
		if (!strlist_glob(&p->sysctl_allow, d->n[m].key,
		    d->n[m].klen) && eval_deny(e, CK_SYSCTLS, "the sysctl "
		    "'%.*s' is not allowed", LEN(d->n[m].klen), d->n[m].key))
			return 1;
	v = json_get_str(d, hc, "Runtime", &len);
	if (len > 0 && !strlist_has(&p->runtime_allow, v, len) &&
	    eval_deny(e, CK_RUNTIME, "the runtime '%.*s' is not allowed",
	    LEN(len), v))
		return 1;
	if (json_get_first(d, hc, "Annotations") != JNONE && eval_deny(e,
	    CK_RUNTIME, "annotations are passed to the OCI runtime and are not "
	    "allowed"))
		return 1;
	v = json_get_str(d, hc, "VolumeDriver", &len);
	if (len > 0 && !strlist_has(&p->volume_driver_allow, v, len) &&
	    eval_deny(e, CK_VOLUME_DRIVER, "the volume driver '%.*s' is not "
	    "allowed", LEN(len), v))
		return 1;
	return 0;
}

static int
rules_devices(struct eval *e, const struct jdoc *d, uint32_t obj)
{
	/* The blkio lists name host device paths the engine stat()s as
	 * root at start: a job would learn whether any host file exists. */
	static const char *const fields[] = { "Devices", "DeviceRequests",
	    "DeviceCgroupRules", "BlkioWeightDevice", "BlkioDeviceReadBps",
	    "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
	    "BlkioDeviceWriteIOps" };
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (json_get_first(d, obj, fields[i]) != JNONE && eval_deny(e,
		    CK_DEVICES, "host devices (%s) are not allowed%s",
		    fields[i], i >= 3 ? ": the engine looks their paths up on "
		    "the host" : ""))
			return 1;
	return 0;
}

int
rules_resources(struct eval *e, const struct jdoc *d, uint32_t obj,
    const char *prefix)
{
	const struct policy *p = e->pol;
	int64_t mem, cpu, quota, period, pids;
	const char *v;
	size_t len;

	if (rules_devices(e, d, obj))
		return 1;
	v = json_get_str(d, obj, "CgroupParent", &len);
	if (len > 0 && !strlist_has(&p->cgroup_parent_allow, v, len) &&
	    eval_deny(e, CK_CGROUP_PARENT, "the cgroup parent '%.*s' is not "
	    "allowed", LEN(len), v))
		return 1;
	if (!eval_check_on(e, CK_RESOURCES))
		return 0;
	mem = json_get_int(d, obj, "Memory");
	if (p->mem_max > 0 && mem > p->mem_max && eval_deny(e, CK_RESOURCES,
	    "%sMemory %lld exceeds the ceiling of %lld bytes", prefix,
	    (long long)mem, (long long)p->mem_max))
		return 1;
	if (p->mem_required && mem <= 0 && eval_deny(e, CK_RESOURCES,
	    "a memory limit (%sMemory) is required", prefix))
		return 1;
	cpu = json_get_int(d, obj, "NanoCpus");
	quota = json_get_int(d, obj, "CpuQuota");
	period = json_get_int(d, obj, "CpuPeriod");
	if (cpu <= 0 && quota > 0)
		cpu = quota * (1000000000 / (period > 0 ? period : 100000));
	if (p->cpu_max > 0 && cpu > p->cpu_max && eval_deny(e, CK_RESOURCES,
	    "the CPU limit of %lld nano-CPUs exceeds the ceiling of %lld",
	    (long long)cpu, (long long)p->cpu_max))
		return 1;
	if (p->cpu_required && cpu <= 0 && eval_deny(e, CK_RESOURCES,
	    "a CPU limit (%sNanoCpus) is required", prefix))
		return 1;
	pids = json_get_int(d, obj, "PidsLimit");
	if (p->pids_max > 0 && pids > p->pids_max && eval_deny(e,
	    CK_RESOURCES, "%sPidsLimit %lld exceeds the ceiling of %lld",
	    prefix, (long long)pids, (long long)p->pids_max))
		return 1;
	if (p->pids_required && pids <= 0 && eval_deny(e, CK_RESOURCES,
	    "a positive %sPidsLimit is required", prefix))
		return 1;
	if (!p->oom_protect_allow && json_get_bool(d, obj, "OomKillDisable") &&
	    eval_deny(e, CK_RESOURCES, "disabling the OOM killer is not "
	    "allowed"))
		return 1;
	if ((json_get_int(d, obj, "CpuRealtimePeriod") != 0 ||
	    json_get_int(d, obj, "CpuRealtimeRuntime") != 0) && eval_deny(e,
	    CK_RESOURCES, "real-time CPU scheduling is not allowed"))
		return 1;
	return 0;
}

/* ---- ports, logging, hosts */

static int
port_in_range(const struct policy *p, const char *v, size_t len)
{
	long lo = 0, hi;
	size_t i = 0;

	while (i < len && v[i] >= '0' && v[i] <= '9' && lo < 100000)
		lo = lo * 10 + (v[i++] - '0');
	hi = lo;
	if (i < len && v[i] == '-') {
		hi = 0;
		for (i++; i < len && v[i] >= '0' && v[i] <= '9' &&
		    hi < 100000; i++)
			hi = hi * 10 + (v[i] - '0');
	}
	if (i != len || len == 0)
		return 0;
	return lo >= p->port_min && hi <= p->port_max && lo <= hi;
}

static int
rules_ports(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	const struct policy *p = e->pol;
	uint32_t k, b;
	const char *hp;
	size_t len;

	if (json_get_bool(d, hc, "PublishAllPorts") && !p->port_publish_all &&
	    eval_deny(e, CK_PORTS, "publishing all exposed ports on the host "
	    "is not allowed"))
		return 1;
	for (k = json_get_first(d, hc, "PortBindings"); k != JNONE;
	    k = d->n[k].next) {
		if (d->n[k].type != J_ARR)
			continue;
		for (b = d->n[k].child; b != JNONE; b = d->n[b].next) {
			hp = json_get_str(d, b, "HostPort", &len);
			if (len == 0 || (len == 1 && hp[0] == '0'))
				continue;	/* engine picks a free port */
			if (!port_in_range(p, hp, len) && eval_deny(e,
			    CK_PORTS, "host port '%.*s' for %.*s is outside "
			    "the allowed range %d-%d", LEN(len), hp,
			    LEN(d->n[k].klen), d->n[k].key, p->port_min,
			    p->port_max))
				return 1;
		}
	}
	return 0;
}

static int
rules_logging(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	const struct policy *p = e->pol;
	uint32_t lc = json_get_obj(d, hc, "LogConfig"), m;
	const char *v;
	size_t len;

	if (lc == JNONE)
		return 0;
	v = json_get_str(d, lc, "Type", &len);
	if (len > 0 && !strlist_has(&p->log_driver_allow, v, len) &&
	    eval_deny(e, CK_LOGGING, "the log driver '%.*s' is not allowed",
	    LEN(len), v))
		return 1;
	for (m = json_get_first(d, lc, "Config"); m != JNONE; m = d->n[m].next)
		if (!strlist_has(&p->log_opt_allow, d->n[m].key,
		    d->n[m].klen) && eval_deny(e, CK_LOGGING, "the log "
		    "option '%.*s' is not allowed", LEN(d->n[m].klen),
		    d->n[m].key))
			return 1;
	return 0;
}

static int
rules_extra_hosts(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	uint32_t m;

	if (e->pol->extra_hosts_gateway)
		return 0;
	for (m = json_get_first(d, hc, "ExtraHosts"); m != JNONE;
	    m = d->n[m].next)
		if (d->n[m].type == J_STR && d->n[m].slen >= 12 &&
		    memmem(d->n[m].s, d->n[m].slen, "host-gateway", 12) &&
		    eval_deny(e, CK_EXTRA_HOSTS, "the extra host '%.*s' "
		    "points at the host", LEN(d->n[m].slen), d->n[m].s))
			return 1;
	return 0;
}

int
rules_endpoint(struct eval *e, const struct jdoc *d, uint32_t ep,
    const char *path)
{
	if (!e->pol->net_options &&
	    json_get_first(d, ep, "DriverOpts") != JNONE &&
	    eval_deny(e, CK_NETWORK, "%s.DriverOpts (interface sysctls and "
	    "names) are not allowed", path))
		return 1;
	return 0;
}

int
rules_hostconfig(struct eval *e, const struct jdoc *d, uint32_t hc)
{
	if (hc == JNONE)
		return 0;
	if (rules_confinement(e, d, hc) || rules_caps(e, d, hc) ||
	    rules_namespaces(e, d, hc) || rules_binds(e, d, hc) ||
	    rules_mounts(e, d, hc) || rules_volumes_from(e, d, hc) ||
	    rules_resources(e, d, hc, "HostConfig.") ||
	    rules_ports(e, d, hc) || rules_logging(e, d, hc) ||
	    rules_extra_hosts(e, d, hc))
		return 1;
	if (!e->pol->oom_protect_allow &&
	    json_get_int(d, hc, "OomScoreAdj") < 0 &&
	    eval_deny(e, CK_RESOURCES, "a negative OomScoreAdj protects the "
	    "container from the OOM killer"))
		return 1;
	return 0;
}
