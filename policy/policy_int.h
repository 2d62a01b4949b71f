/*
 * policy_int.h - the map of policy/: what each file offers the others,
 * grouped by file from the ground floor up.  A file calls only what is
 * declared above its own section, so the files form layers, not circles:
 *
 *   util.c check.c presets.c json.c json_get.c (json.h)   no policy/ calls
 *   pb.c (pb.h) bk_decode.c                                protobuf, BuildKit
 *   normalize.c route.c                                    requests
 *   policy.c eval.c                                        policy, one eval
 *   images.c schema.c rules_host.c rules_container.c
 *     rules_other.c query.c body.c bk_check.c              the rules
 *   compile.c                                              policy files
 *   default.c decide.c                                     policy.h's top
 *
 * The daemon never includes this; it sees only include/policy.h, whose
 * functions are defined in the files named below.  Nothing here does I/O;
 * the only static state is default.c's cached default policy.
 */
#ifndef SW_POLICY_INT_H
#define SW_POLICY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "pb.h"
#include "policy.h"

struct jdoc;		/* json.h: the files that read JSON include it */

/* ---- util.c: string lists, globs, messages */
struct strlist {
	char	**v;
	size_t	  n;
};

int	 strlist_add(struct strlist *, const char *s, size_t len);
int	 strlist_has(const struct strlist *, const char *s, size_t len);
int	 strlist_glob(const struct strlist *, const char *s, size_t len);
void	 strlist_free(struct strlist *);
int	 glob_match(const char *pat, const char *s, size_t len);
/* Go's path.Clean of p into out (NUL-terminated). */
void	 path_go_clean(const char *p, size_t len, char *out, size_t outsz);
/* Replace control bytes (and DEL) by '?': messages stay one line. */
void	 str_sanitize(char *);
/* A growing string; on allocation failure oom is set and adds stop. */
struct strbuf {
	char	*s;
	size_t	 len, cap;
	int	 oom;
};
void	 strbuf_add(struct strbuf *, const char *);
void	 strbuf_addn(struct strbuf *, const char *, size_t);
void	 strbuf_json(struct strbuf *, const char *, size_t);	/* "..." */
/* snprintf for messages and paths where truncation is acceptable */
void	 strfmt(char *buf, size_t size, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* ---- check.c: one check per rule id, named in this order */
enum check_id {
	CK_ENDPOINT = 0,
	CK_UNKNOWN_FIELD,
	CK_PRIVILEGED,
	CK_CAPABILITIES,
	CK_NAMESPACES,
	CK_DEVICES,
	CK_BINDS,
	CK_PROPAGATION,
	CK_VOLUME_OPTIONS,
	CK_VOLUMES_FROM,
	CK_SECURITY_OPTIONS,
	CK_SYSCTLS,
	CK_RUNTIME,
	CK_CGROUP_PARENT,
	CK_VOLUME_DRIVER,
	CK_IMAGES,
	CK_LABELS,
	CK_RESOURCES,
	CK_PORTS,
	CK_USER,
	CK_LOGGING,
	CK_EXTRA_HOSTS,
	CK_WORKDIR,
	CK_ENV,
	CK_BUILD,
	CK_NETWORK,
	CK_IMAGE_SOURCE,
	CK_REGISTRY,
	CK_OWNERSHIP,
	CK_BUILDKIT,
	CK_COUNT
};

enum check_mode {
	MODE_INHERIT = 0,	/* per check: follow the policy's mode */
	MODE_ENFORCE,
	MODE_AUDIT,
	MODE_OFF,		/* per check only: never evaluated */
};

const char	*check_name(enum check_id);
int		 check_lookup(const char *name);	/* -1 if unknown */
/* The policy key an operator changes to let through what the check
 * denies ("checks.binds.roots"), NULL when its only setting is "mode";
 * also policy_rule_key() (policy.h) */
const char	*check_key(enum check_id);

/* ---- presets.c: policy_preset_text() (policy.h) */

/* ---- bk_decode.c: BuildKit's gRPC messages on /grpc (pb.h below).  A
 * decode validates the whole message against the fields sockwarden
 * knows (-1 and why otherwise); bk_next() then walks one field's
 * occurrences, in order, and cannot fail. */
struct bk_msg {
	const uint8_t	*p;
	size_t		 len;
};

struct bk_val {
	const char	*k, *v;		/* map: key, value; string: v */
	size_t		 klen, vlen;
	uint64_t	 n;		/* varint */
	struct bk_msg	 msg;		/* embedded message */
};

struct bk_it {
	struct pb_reader r;
	uint32_t	 field;
	int		 map;
};

/* The one message of a gRPC frame: 1 flag byte (0: not compressed), 4
 * bytes big-endian length, exactly the rest of buf. */
int	 bk_grpc_message(const uint8_t *buf, size_t len, const uint8_t **msg,
	    size_t *mlen, char *why, size_t whylen);
int	 bk_decode_solve(const uint8_t *, size_t, struct bk_msg *, char *why,
	    size_t whylen);		/* moby.buildkit.v1.SolveRequest */
int	 bk_decode_llbsolve(const uint8_t *, size_t, struct bk_msg *,
	    char *why, size_t whylen);	/* frontend SolveRequest */
int	 bk_decode_container(const uint8_t *, size_t, struct bk_msg *,
	    char *why, size_t whylen);	/* NewContainerRequest */
int	 bk_decode_exec(const uint8_t *, size_t, struct bk_msg *, char *why,
	    size_t whylen);		/* ExecMessage */
void	 bk_iter(const struct bk_msg *, uint32_t field, int map,
	    struct bk_it *);
int	 bk_next(struct bk_it *, struct bk_val *);	/* 1, or 0 at end */
/* The last occurrence (Go: last wins): 1, or 0 and *out zeroed. */
int	 bk_last(const struct bk_msg *, uint32_t field, struct bk_val *out);

/* ---- normalize.c: the request-target */
#define SW_API_MIN		24	/* lowest accepted /v1.NN/ minor */
#define SW_API_MAX		56	/* highest accepted /v1.NN/ minor */

struct qparam {
	char	*key, *val;	/* decoded, NUL-terminated */
	size_t	 klen, vlen;
	int	 used;		/* claimed by the route's parameter list */
};

struct target {
	char		*path;		/* decoded, without /v1.NN prefix */
	size_t		 path_len;
	int		 version;	/* minor of /v1.NN/, 0 when absent */
	struct qparam	*q;
	size_t		 nq;
	char		*store;		/* owns path and parameter strings */
	char		*set;		/* owns a value target_set_param set */
};

/* Parse a raw request-target.  Returns 0, or an HTTP status (400/404) with
 * a one-sentence reason. */
int	 target_parse(const char *raw, size_t len, struct target *t,
	    char *why, size_t whylen);
void	 target_free(struct target *);
/* "/v1.41/containers/create?name=x": canonical form of the parsed target,
 * keeping only the parameters marked used; malloc'd. */
char	*target_canonical(const struct target *);
const struct qparam *target_param(const struct target *, const char *key);
/* Set a (single-valued) parameter to val, which the target then owns;
 * key must outlive the target.  -1 when out of memory. */
int	 target_set_param(struct target *, const char *key, char *val);
size_t	 target_param_count(const struct target *, const char *key);

/* ---- route.c: the engine's routes */
enum id_kind { ID_NONE = 0, ID_NAME, ID_IMAGE };

#define RT_HIJACK	0x01
#define RT_JSON		0x02	/* JSON body, inspected */
#define RT_STREAM	0x04	/* opaque streamed body */

struct route {
	const char	*method;
	const char	*pattern;	/* "{}": one segment, "{*}": greedy */
	const char	*op;		/* "container.create" */
	const char	*what;		/* "container create" */
	unsigned	 flags;
	enum id_kind	 id_kind;	/* charset the path variables obey */
	const char	*params;	/* "name platform t*": the forwarded
					   parameters ('*': may repeat) */
};

size_t	 route_count(void);
const struct route *route_at(size_t i);
/* Match method+path in the engine's order.  Returns the index or -1; *var
 * and *varlen point at the first path variable in path (NULL if none). */
int	 route_match(const char *method, const char *path, size_t len,
	    const char **var, size_t *varlen);
int	 route_id_valid(enum id_kind, const char *s, size_t len);

/* ---- policy.c: struct policy; also policy_free(), policy_name() */
#define SW_BODY_LIMIT_DEFAULT	(1024 * 1024)

struct bind_root {
	char	*path;		/* canonical absolute path, no trailing '/' */
	int	 readonly;	/* only read-only binds below it */
	int	 subpaths;	/* paths below it too, not just itself (the
				   daemon checks they cross no symlink) */
	int	 socket;	/* admitted only while it is one of
				   sockwarden's own live sockets */
};

/* Compiled policy; immutable after policy_compile(). */
struct policy {
	char		 name[64];
	int		 shared;		/* policy_default()'s: never freed */
	enum check_mode	 mode;			/* ENFORCE or AUDIT */
	enum check_mode	 ck_mode[CK_COUNT];	/* INHERIT/ENFORCE/AUDIT/OFF */
	size_t		 body_limit;
	unsigned char	*ep_allow;		/* [route_count()] 0/1 */

	struct strlist	 cap_allow;		/* "CAP_CHOWN", ... */
	struct strlist	 ns_host_allow;		/* "network", "pid", ... */
	int		 ns_container_join;	/* container:<id> allowed */
	struct bind_root *bind_roots;
	size_t		 nbind_roots;
	struct strlist	 volumes_from_allow;	/* name globs */
	struct strlist	 secopt_allow;		/* exact SecurityOpt values */
	int		 systempaths_allow;	/* MaskedPaths/ReadonlyPaths */
	struct strlist	 sysctl_allow;		/* key globs */
	struct strlist	 runtime_allow;		/* "" always allowed */
	struct strlist	 cgroup_parent_allow;	/* "" always allowed */
	struct strlist	 volume_driver_allow;	/* "" always allowed */
	struct strlist	 image_allow;		/* globs on normalized names */
	struct strlist	 registry_allow;	/* local registries allowed */
	int		 import_body;		/* image import from the body */
	struct strlist	 label_required;	/* keys */
	struct strlist	 label_forbidden;	/* key globs */
	int64_t		 mem_max;		/* bytes, 0 = no ceiling */
	int		 mem_required;		/* 0 (unlimited) denied */
	int64_t		 cpu_max;		/* NanoCpus, 0 = no ceiling */
	int		 cpu_required;
	int64_t		 pids_max;		/* 0 = no ceiling */
	int		 pids_required;
	int		 oom_protect_allow;	/* OomKillDisable, OomScoreAdj<0 */
	int		 port_min, port_max;	/* host port range */
	int		 port_publish_all;	/* PublishAllPorts allowed */
	int		 user_nonroot;		/* require a non-root User */
	struct strlist	 log_driver_allow;	/* "" always allowed */
	struct strlist	 log_opt_allow;		/* LogConfig.Config keys */
	int		 extra_hosts_gateway;	/* "host-gateway" allowed */
	struct strlist	 env_forbidden;		/* name globs, e.g. NVIDIA_* */
	struct strlist	 build_network_allow;	/* networkmode values */
	int		 build_remote;		/* remote= allowed */
	struct strlist	 net_driver_allow;	/* network create drivers */
	int		 net_options;		/* Options/IPAM config allowed */
	/* BuildKit over /grpc (bk_check.c) */
	struct strlist	 bk_entitlements;	/* "network.host", ... */
	struct strlist	 bk_frontends;		/* "dockerfile.v0", ... */
	int		 bk_client_frontend;	/* "" frontend: client LLB */
	struct strlist	 bk_exporters;		/* "moby", "local", ... */
	struct strlist	 bk_caches;		/* "registry", "inline", ... */
};

/* A policy with the values a file leaves unset; NULL when out of memory. */
struct policy *policy_new(const char *name);

/* ---- eval.c: one evaluation, and how checks record into it */
struct eval {
	const struct policy		*pol;
	const struct policy_request	*req;
	struct policy_decision		*d;
	const struct route		*rt;
	const char			*var;	/* first path variable */
	size_t				 varlen;
	struct target			 t;
	int				 done;	/* verdict final */
	int				 stored; /* reading an inspect answer:
						   the engine's defaults filled
						   in (policy_stored) */
};

/* Record a denial by check ck; returns 1 when evaluation must stop
 * (enforced), 0 when the check is audited or off and evaluation goes on.
 * The first audited denial is kept in the decision. */
int	 eval_deny(struct eval *, enum check_id, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same for a denial no setting of the check lifts (an invalid name, a
 * URL import): the message names no policy key. */
int	 eval_deny_fixed(struct eval *, enum check_id, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same naming a narrower policy key than the check's own. */
int	 eval_deny_key(struct eval *, enum check_id, const char *key,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Malformed or ambiguous request: status 400/404/413/500, rule "request". */
void	 eval_reject(struct eval *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	 eval_check_on(const struct eval *, enum check_id);
/* The allow holds only if the daemon finds this host path in order
 * (struct policy_host_path); -1 when out of memory (rejected). */
int	 eval_host_path(struct eval *, const char *path, size_t len,
	    const char *root, int must_exist, const char *where);

/* ---- owner.c: tenants (the label, refs to resolve, filters) */
#define SW_OWNER_LABEL	POLICY_OWNER_LABEL
int	 owner_on(const struct eval *);
/* The object in a per-object operation's path, at prefix_len + its
 * offset in the decoded path of the canonical target. */
int	 owner_path(struct eval *, size_t prefix_len);
int	 owner_filters(struct eval *, char **out);
int	 owner_query(struct eval *);	/* -1: rejected */
/* Create bodies: refuse a forged owner label, stamp the caller's. */
int	 owner_stamp(struct eval *, const struct jdoc *, uint32_t root,
	    const char *where);
/* A JSON string in the body naming an object: prefix + name + suffix;
 * or the key of member m (EndpointsConfig's network names). */
int	 owner_body_ref(struct eval *, const struct jdoc *, uint32_t n,
	    enum policy_obj kind, size_t pre, size_t namelen, int create,
	    const char *where);
int	 owner_body_key(struct eval *, const struct jdoc *, uint32_t m,
	    enum policy_obj kind, const char *where);

/* ---- images.c: image references and registries, for body and query
 * rules.  image_check: the allowlist (the name may be put on local
 * content); image_check_remote: also the registry the engine contacts. */
int	 image_check(struct eval *, const char *what, const char *ref,
	    size_t len);
int	 image_check_remote(struct eval *, const char *what, const char *ref,
	    size_t len);
int	 registry_check(struct eval *, const char *what, const char *host,
	    size_t len);
int	 registry_is_local(const char *host, size_t len);

/* ---- schema.c: the body types and the type walk (the tables are read
 * by tests/spec/schema_dump.c too) */
enum ftype {
	F_BOOL, F_INT, F_UINT, F_STR,
	F_STRS,		/* []string */
	F_STRSLICE,	/* strslice.StrSlice: string or []string */
	F_STRSS,	/* [][]string */
	F_INTS,		/* [2]uint and friends */
	F_STRMAP,	/* map[string]string */
	F_MAP_EMPTY,	/* map[string]struct{} */
	F_OBJ,		/* struct */
	F_OBJS,		/* []struct */
	F_MAP_OBJ,	/* map[string]struct */
	F_MAP_OBJS,	/* map[string][]struct */
	F_ANY,		/* not modelled: must be null/absent */
};

struct field {
	const char		*name;	/* JSON member name (tag) */
	enum ftype		 type;
	const struct schema	*sub;	/* F_OBJ, F_OBJS, F_MAP_OBJ(S) */
};

struct schema {
	const char		*name;	/* Go type, for messages */
	const struct field	*f;
	size_t			 n;
	const struct schema	*embed;	/* promoted members (one level) */
};

extern const struct schema schema_create;	/* container.CreateRequest */
extern const struct schema schema_update;	/* container.UpdateConfig */
extern const struct schema schema_exec_create;
extern const struct schema schema_exec_start;
extern const struct schema schema_volume_create;
extern const struct schema schema_network_create;
extern const struct schema schema_network_connect;
extern const struct schema schema_network_disconnect;
extern const struct schema schema_auth;		/* registry.AuthConfig */

/*
 * Check the value at node against schema s (path names it in messages).
 * Type errors and members that fold to the same field are rejected (400);
 * members no field matches are denied by the unknown-field check when not
 * zero.  Returns -1 when evaluation must stop.
 */
int	 schema_check(struct eval *, const struct jdoc *, uint32_t node,
	    const struct schema *s, const char *path);

/*
 * ---- rules_*.c: the field rules of JSON bodies, called by body.c after
 * schema_check() has proven every member known, typed and unambiguous, so
 * they read members with json_get_*() and never see duplicates.  Each
 * returns 1 when evaluation must stop.
 */
/* rules_host.c: HostConfig, and the Resources shared with update */
/* hint.c: "; did you mean 'K'?" for the closest of n known keys, or "" */
const char *hint_key(const char *key, const char *(*at)(size_t, const void *),
	    const void *arg, size_t n, char *buf, size_t size);
int	 rules_hostconfig(struct eval *, const struct jdoc *, uint32_t hc);
int	 rules_volume_device(struct eval *, const char *device,
	    const char *where);
int	 rules_resources(struct eval *, const struct jdoc *, uint32_t obj,
	    const char *prefix);
int	 rules_endpoint(struct eval *, const struct jdoc *, uint32_t ep,
	    const char *path);
/* bridge, none, default (and empty): networks nobody owns */
int	 ns_network_is_shared(const char *name, size_t len);
/* rules_container.c: container create and update, and the process rules
 * shared with exec create */
int	 rules_create(struct eval *, const struct jdoc *, uint32_t root);
int	 rules_update(struct eval *, const struct jdoc *, uint32_t root);
int	 rules_user(struct eval *, const char *user, size_t len,
	    int empty_is_root, const char *path);
int	 rules_workdir(struct eval *, const char *dir, size_t len,
	    const char *path);
int	 rules_env(struct eval *, const struct jdoc *, uint32_t obj,
	    const char *path);
/* rules_other.c: exec, volume and network create */
int	 rules_exec_create(struct eval *, const struct jdoc *, uint32_t root);
int	 rules_volume_create(struct eval *, const struct jdoc *,
	    uint32_t root);
int	 rules_auth(struct eval *, const struct jdoc *, uint32_t root);
int	 rules_network_create(struct eval *, const struct jdoc *,
	    uint32_t root);

/* ---- query.c: the query parameters of a routed request */
int	 query_check(struct eval *);

/* ---- body.c: the JSON body of a routed request */
int	 body_check(struct eval *);

/* ---- bk_check.c: policy_grpc_eval() (policy.h) */

/* ---- compile.c: policy_compile(), policy_errors_free() (policy.h) */

/* ---- default.c: policy_default() (policy.h) */

/* ---- decide.c: policy_eval(), policy_decision_clear(),
 * policy_format_message() (policy.h) */

#endif /* SW_POLICY_INT_H */
