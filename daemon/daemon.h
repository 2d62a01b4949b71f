/*
 * daemon.h - every daemon-private type and prototype, grouped by folder and
 * file: read it as the map of daemon/.
 *
 *   main.c     options and the ordered start-up; owns `server`
 *   log.c      leveled logging, used by every room
 *   relay/     the proxy itself: listener -> conn -> http -> decision ->
 *              upstream -> relay (listener.c, conn*.c, exchange.c,
 *              http_*.c, decision.c, upstream.c, sock.c)
 *   host/      what the daemon asks of the host: caller identity, privilege
 *              drop, seccomp, Landlock, sd_notify, socket activation
 *   engine/    the daemon's own client of the engine (answers it trusts)
 *   tenancy/   jobs are tenants: whose a caller is, what is theirs, what
 *              the engine really stored
 *   jobs/      one socket per CI job: control socket and CLI, reaping,
 *              state across restarts, quotas
 *   ops/       what operators touch: settings, reload and signals, audit
 *              log, metrics, policy files, the check/explain tools
 *
 * The public interfaces of the two libraries the daemon is built on are
 * include/http.h (the HTTP adapter) and include/policy.h (the pure policy).
 */
#ifndef SW_DAEMON_H
#define SW_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "http.h"
#include "policy.h"

/* ------------------------------------------------------------ settings */

#define SW_DEFAULT_LISTEN	"/run/sockwarden/docker.sock"
#define SW_DEFAULT_UPSTREAM	"unix:/var/run/docker.sock"
#define SW_DEFAULT_CONTROL	"/run/sockwarden/control.sock"
#define SW_DEFAULT_JOB_DIR	"/run/sockwarden/jobs"
#define SW_DEFAULT_JOB_STATE_DIR "/var/lib/sockwarden/jobs"

#define SW_DEFAULT_MAX_HEADER_BYTES	(64 * 1024)
/* http-parser refuses heads above its compile-time HTTP_MAX_HEADER_SIZE
 * (80 KiB); the setting may not promise more than the parser gives. */
#define SW_MAX_HEADER_BYTES_LIMIT	(80 * 1024)
#define SW_DEFAULT_MAX_BODY_BYTES	(1024 * 1024)
#define SW_DEFAULT_HEADER_TIMEOUT_MS	(30 * 1000)
#define SW_DEFAULT_BODY_TIMEOUT_MS	(60 * 1000)
#define SW_DEFAULT_IDLE_TIMEOUT_MS	(300 * 1000)
#define SW_DEFAULT_CONNECT_TIMEOUT_MS	(10 * 1000)
#define SW_DEFAULT_RESPONSE_TIMEOUT_MS	(0)	/* off: stop/wait can take hours */
#define SW_DEFAULT_SHUTDOWN_GRACE_MS	(10 * 1000)
#define SW_DEFAULT_MAX_CONNECTIONS	4096
#define SW_MAX_LISTENERS		16	/* "listener" lines */
#define SW_DEFAULT_MAX_CONNS_PER_CALLER	1024
#define SW_DEFAULT_BODY_MEMORY		(256 * 1024 * 1024)
#define SW_DEFAULT_STREAM_MEMORY	(128 * 1024 * 1024)

/* Relay buffering: stop reading a side once its peer holds this much. */
#define SW_RELAY_HIGH_WATER	(512 * 1024)
#define SW_RELAY_SHARE		(32 * 1024)	/* per client over stream_memory */
/* After an early answer, how long to read and discard a client body. */
#define SW_LINGER_MS		5000

enum upstream_kind { UPSTREAM_UNIX, UPSTREAM_TCP };

/* How a listener tells its callers apart (the owner of what they make). */
enum listener_ident {
	IDENT_CONTAINER = 0,	/* one tenant per peer container; callers
				   outside a container are the listener */
	IDENT_LISTENER,		/* every caller is the listener's tenant */
};

/* A socket callers connect to, as the settings name it. */
struct sw_listener {
	char			*name;		/* audit "listener", tenant */
	char			*path;
	char			*policy;	/* NULL: the server's */
	char			*owner, *group;	/* NULL: unchanged */
	int			 mode;		/* -1: 0660 */
	enum listener_ident	 ident;
	char			*tenant;	/* NULL: "l:NAME" (a job's: "j:ID") */
	char			*job;		/* the job's ID, NULL: none */
};
enum sw_sandbox { SW_SANDBOX_OFF = 0, SW_SANDBOX_ON, SW_SANDBOX_DEBUG };
/* buildx's /grpc tunnel once allowed: relayed opaque, or call by call */
enum sw_grpc_relay { SW_GRPC_TUNNEL = 0, SW_GRPC_POLICE };

struct sw_conf {
	char	*listen;		/* socket path clients connect to */
	char	*listen_owner;		/* user name or uid, NULL = keep */
	char	*listen_group;		/* group name or gid, NULL = keep */
	int	 listen_mode;		/* -1 = default 0660 */
	char	*upstream;		/* "unix:PATH" or "tcp:HOST:PORT" */
	char	*policy;		/* policy file, NULL = built-in ci */
	char	*log_level;
	int	 foreground;
	size_t	 max_header_bytes;
	size_t	 max_body_bytes;
	unsigned header_timeout_ms;
	unsigned body_timeout_ms;	/* no request-body progress */
	unsigned idle_timeout_ms;
	unsigned connect_timeout_ms;
	unsigned response_timeout_ms;	/* 0 = none */
	unsigned shutdown_grace_ms;
	unsigned max_connections;
	unsigned max_conns_per_caller;	/* a caller: peer uid + container */
	size_t	 body_memory;		/* held bodies, all callers */
	size_t	 stream_memory;		/* output queued to clients, all */
	char	*user;			/* drop to this user when root */
	char	*keep_group;		/* supplementary group kept, NULL =
					   the engine socket's group */
	char	*audit_log;		/* NULL/"stderr", "off" or a path */
	char	*metrics_listen;	/* "unix:/PATH" or "tcp:127.0.0.1:PORT" */
	char	*listener_name;		/* "listener" in audit records */
	int	 sandbox;		/* enum sw_sandbox, -1 = default on */
	int	 grpc_relay;		/* enum sw_grpc_relay, -1 = tunnel */
	struct sw_listener *listeners;	/* more sockets ("listener" lines) */
	size_t	 nlisteners;
	char	*control_listen;	/* job control socket, NULL: no jobs */
	char	*job_dir;		/* job sockets, NULL: the default */
	char	*job_state_dir;		/* open jobs kept across restarts */
	char	*job_group;		/* group of job sockets, NULL: ours */
	int	 job_mode;		/* of a job socket, -1: 0660 */
};

/* ops/config.c: the settings file, flags and what a reload may change */
void	 conf_defaults(struct sw_conf *);
int	 conf_load_file(struct sw_conf *, const char *path);
int	 conf_set(struct sw_conf *, const char *key, const char *value,
	    const char *file, int line);
/* Flags win over the file: copy every flag given in f into c, then fill
 * listen and upstream defaults.  -1 when out of memory. */
int	 conf_apply_flags(struct sw_conf *c, const struct sw_conf *f);
/* Log every setting that differs between old and nc but only takes
 * effect after a restart; returns how many. */
int	 conf_warn_restart(const struct sw_conf *old, const struct sw_conf *nc);
/* Move the settings that apply at run time from nc into cur. */
void	 conf_take_runtime(struct sw_conf *cur, struct sw_conf *nc);
void	 conf_free(struct sw_conf *);
int	 conf_parse_duration_ms(const char *, unsigned *);

/* log.c: leveled lines on stderr (journald under systemd).  log_warn
 * appends strerror(errno), log_warnx does not; fatal()/fatalx() are for
 * start-up and broken invariants only, never for peer input. */
enum log_level { LOG_LVL_DEBUG = 0, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };
int	 log_parse_level(const char *, enum log_level *);
void	 log_set_level(enum log_level);
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Untrusted bytes, C-escaped and cut to fit out (always NUL-terminated). */
char	*log_escape(const void *, size_t, char *out, size_t outlen);

/* -------------------------------------------------------------- main.c */

struct upstream_addr {
	enum upstream_kind	 kind;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 name[160];	/* "unix:/path" for messages */
};

/*
 * What every module reads and only main.c writes (reload.c through the
 * hooks main.c gives it).
 */
struct server {
	struct event_base	*base;
	struct sw_conf		*conf;		/* settings in force */
	struct policy		*policy;	/* policy in force */
	uint64_t		 policy_generation; /* 1 at start-up, +1 on
						   each reload that took */
	struct upstream_addr	 up;
	const char		*listener_name;	/* the main listener's */
	int			 draining;	/* SIGTERM seen */
};

extern const struct server *const srv;

/* --------------------------------------------------------------- relay/ */

/* relay/sock.c: buffered non-blocking socket (owns its fd) */
struct sock;
#define SOCK_READING	0x01
#define SOCK_WRITING	0x02
#define SOCK_EOF	0x10
#define SOCK_ERROR	0x20
#define SOCK_TIMEOUT	0x40
typedef void (*sock_cb)(struct sock *, void *);
typedef void (*sock_event_cb)(struct sock *, short, void *);
/* connect_timeout_ms > 0: fd is connecting; only ERROR/TIMEOUT are reported */
struct sock *sock_new(struct event_base *, int fd, unsigned connect_timeout_ms);
void	 sock_setcb(struct sock *, sock_cb readcb, sock_cb writecb,
	    sock_event_cb eventcb, void *arg);
void	 sock_set_read_high(struct sock *, size_t);
void	 sock_set_write_low(struct sock *, size_t);
void	 sock_set_read_cap(struct sock *, size_t);
/* connect again on a timer (EAGAIN: a full Unix-socket backlog) */
struct sockaddr;
int	 sock_connect_later(struct sock *, const struct sockaddr *,
	    unsigned int len, unsigned timeout_ms);
size_t	 sock_queued(void);		/* output queued in every sock */
void	 sock_read(struct sock *, int on);
/* Run the read callback from the loop soon, without new input. */
void	 sock_kick(struct sock *);
struct evbuffer *sock_input(struct sock *);
struct evbuffer *sock_output(struct sock *);
int	 sock_fd(const struct sock *);
void	 sock_free(struct sock *);

/* relay/upstream.c: where the engine is */
int	 upstream_parse(const char *spec, struct upstream_addr *);
struct sock *upstream_connect(struct event_base *,
	    const struct upstream_addr *, unsigned connect_timeout_ms, int *err);

/* relay/listener.c: the sockets callers connect to */
struct listener;
/* Bind a unix socket at path with owner/group (-1: keep) and mode, under a
 * temporary name renamed into place; a stale socket file there is
 * replaced, a live one or anything that is not a socket is refused. */
int	 listener_bind_unix(const char *path, uid_t, gid_t, mode_t, int backlog);
/* Start a listener: on fd when systemd passed one (-1: bind spec->path);
 * loads its policy file.  0, or -1 after logging why. */
int	 listener_add(const struct sw_listener *spec, int fd);
/* The same, with a compiled policy (taken over; NULL: spec's or the
 * server's); the listener, or NULL after logging why. */
struct listener *listener_open(const struct sw_listener *spec, int fd,
	    struct policy *);
/* Close one for good: its file, its live connections, then the struct. */
void	 listener_remove(struct listener *, const char *reason);
void	 listener_stop(void);		/* stop accepting, remove our files */
void	 listener_free_all(void);	/* at exit, after the connections */
/* Socket files we created (the root helper removes them after the drop);
 * listener_forget_files(): from then on we do not remove them. */
size_t	 listener_files(const char **paths, size_t max);
void	 listener_forget_files(void);
/* Host paths of every listening socket: what a "socket" root admits. */
size_t	 listener_self_sockets(const char **paths, size_t max);
/* SIGHUP: reload every listener's own policy file, all or nothing. */
int	 listener_reload_policies(char *why, size_t whylen);
const char *listener_name(const struct listener *);
const struct policy *listener_policy(const struct listener *);
enum listener_ident listener_ident(const struct listener *);
const char *listener_tenant(const struct listener *);	/* NULL: "l:NAME" */
const char *listener_job(const struct listener *);	/* NULL: no job's */

/* relay/http_write.c: what goes on the wire from us */
enum body_framing { BODY_NONE, BODY_LENGTH, BODY_CHUNKED };
int	 http_write_request(struct evbuffer *, const struct http_request *,
	    const char *target, enum body_framing, size_t length, int upgrade);
int	 http_write_error(struct evbuffer *, int status, const char *message,
	    int close);
const char *http_status_text(int);

/*
 * relay/decision.c: the two-phase policy decision (head, then body),
 * written once for conn.c and `sockwarden explain`.
 */
enum verdict_step {
	VERDICT_FORWARD,	/* d->target may go upstream */
	VERDICT_NEED_BODY,	/* read at most limit bytes, then _body() */
	VERDICT_ANSWER,		/* answer status with msg; nothing goes up */
};
struct verdict {
	enum verdict_step step;
	int		 status;	/* ANSWER */
	size_t		 limit;		/* NEED_BODY: body_limit, clamped */
	char		 msg[1024];	/* ANSWER; FORWARD in audit mode: what
					   would have been denied */
};
struct decision_ctx {
	const struct policy	*policy;
	const char		*tenant;	/* NULL: ownership not applied */
	size_t			 max_body;	/* clamp for body_limit */
	const char *const	*self_sockets;	/* our own listening paths */
	size_t			 nself_sockets;
	int			 grpc_policed;	/* grpc_relay police */
};
void	 decision_head(const struct decision_ctx *, const struct http_request *,
	    struct policy_decision *, struct verdict *);
void	 decision_body(const struct decision_ctx *, const struct http_request *,
	    const unsigned char *body, size_t len, struct policy_decision *,
	    struct verdict *);
/* A body over v->limit: 413, or 400 where the engine takes none. */
void	 decision_too_big(const struct policy_decision *, struct verdict *);

/* relay/conn.c: client connections, see the state machine there */
struct exchange;
struct conn_stats {
	unsigned	 open;		/* client connections */
	unsigned	 streams;	/* responses being relayed */
	unsigned	 tunnels;	/* hijacked sessions */
	size_t		 queued;	/* output bytes waiting (stream_memory) */
	uint64_t	 accepted;
};
/* record: where each finished exchange goes (the audit log and the
 * metrics, side by side; main.c wires them). */
void	 conn_init(void (*record)(const struct exchange *));
void	 conn_accept(int fd, const struct listener *);
void	 conn_drain_all(void);		/* SIGTERM: close idle, keep busy */
void	 conn_close_all(const char *reason);
/* Close every connection that came in on this listener. */
void	 conn_close_listener(const struct listener *, const char *reason);
void	 conn_shutdown(void);		/* free what conn_init made */
unsigned conn_count(void);
void	 conn_stats(struct conn_stats *);

/* -------------------------------------------------------------- engine/ */

/*
 * engine/engine.c: the daemon's own client of the engine, on the same
 * loop: a bounded pool of keep-alive connections, a bounded queue behind
 * it and a time-out per call (queue wait included).  A call's callback
 * runs exactly once, always from the loop (never inside engine_call()),
 * and never after engine_cancel(); the call is freed after its callback:
 * forget it there.  NULL: not even queued (not initialised, out of
 * memory, a method or target that cannot go on the wire).  status 0: no
 * answer (engine down, time-out, queue full, garbage, over the size
 * limit): err says why, the caller fails closed.  The target is the whole
 * request target with the caller's version prefix ("/v1.41/...").
 */
#define SW_ENGINE_POOL		4	/* connections, by default */
/* Calls waiting for a connection: a client connection waits on one call
 * at a time, so only a runaway fills a queue as deep as the connection
 * limit. */
#define SW_ENGINE_QUEUE		SW_DEFAULT_MAX_CONNECTIONS
#define SW_ENGINE_ANSWER_MAX	(4 * 1024 * 1024)	/* body of an answer */
struct engine_reply {
	int		 status;	/* HTTP status, 0: no answer */
	const char	*err;		/* status 0: why; else the engine's
					   "message", or NULL */
	struct cJSON	*json;		/* the body parsed, when JSON; owned by
					   the client, valid in the callback */
	const char	*body;		/* the raw body, NUL-terminated */
	size_t		 body_len;
};
struct engine_call;
typedef void (*engine_cb)(void *arg, const struct engine_reply *);
/* up is read at each connect (it must outlive the client: privdrop
 * re-pins main's); pool_max 0: SW_ENGINE_POOL; timeout_ms 0:
 * SW_DEFAULT_CONNECT_TIMEOUT_MS */
int	 engine_init(struct event_base *, const struct upstream_addr *,
	    unsigned pool_max, unsigned timeout_ms);
/* The cache and the watch too; no callback runs after it. */
void	 engine_shutdown(void);
struct engine_call *engine_call(const char *method, const char *target,
	    const void *body, size_t len, engine_cb, void *arg);
void	 engine_cancel(struct engine_call *);

/*
 * engine/watch.c: one long-lived GET /events subscription (containers,
 * networks, volumes) shared by every subscriber, reconnected with backoff.
 * LOST: the stream ended (events may be missed from now on); BACK: it is
 * live again (events since shortly before are replayed).  A subscriber
 * must not stop the watch from its callback.
 */
enum engine_watch_what { ENGINE_WATCH_EVENT, ENGINE_WATCH_LOST,
	ENGINE_WATCH_BACK };
typedef void (*engine_watch_cb)(void *arg, enum engine_watch_what,
	    const struct cJSON *event);
#define SW_ENGINE_WATCH_SUBS	4
/* Subscribe (the first one opens the stream).  0, or -1: full, or the
 * engine client is not initialised. */
int	 engine_watch_start(engine_watch_cb, void *arg);
void	 engine_watch_stop(void);	/* every subscriber, the stream */
int	 engine_watch_live(void);	/* 1 while the stream is up */

/*
 * engine/cache.c, engine/lookup.c: what the engine says an object is,
 * resolved from a name, full ID or ID prefix (the engine's own rules) and
 * kept while the events watch is live: dropped on the events that change
 * what a name or ID means (create, destroy, rename), all of it when the
 * stream is lost, and after ttl_ms anyway.  "Not found" is never kept.
 * Strings are valid during the callback (engine_cache_peek: until the
 * next call into the cache or the loop runs).
 */
struct engine_obj {
	enum policy_obj	 kind;
	const char	*id;		/* full ID; a volume's name */
	const char	*name;		/* a container's without the '/' */
	const char	*owner;		/* the owner label's value, or NULL */
	const char	*image;		/* container: Config.Image */
	const char	*container;	/* exec: its container's full ID */
	const char	*driver;	/* network, volume */
	const struct cJSON *options;	/* volume: Options, or NULL */
};
/* status 200: obj; 404 and other engine statuses: err is the engine's
 * message (obj NULL); 0: no answer (err says why). */
typedef void (*engine_lookup_cb)(void *arg, int status, const char *err,
	    const struct engine_obj *obj);
struct engine_lookup;
struct engine_cache_stats {
	uint64_t	 hits, misses, flushes;
	unsigned	 entries;
};
#define SW_ENGINE_CACHE_MAX	1024
#define SW_ENGINE_CACHE_TTL_MS	(60 * 1000)
/* label NULL: POLICY_OWNER_LABEL; max 0, ttl_ms 0: the defaults above.
 * Subscribes to the watch (after engine_init). */
int	 engine_cache_init(const char *label, unsigned max, unsigned ttl_ms);
void	 engine_cache_shutdown(void);
/* Callback always from the loop, once, never after the cancel (an exec's
 * owner is its container's: look that up).  NULL: not initialised, out
 * of memory. */
struct engine_lookup *engine_lookup(enum policy_obj, const char *ref,
	    engine_lookup_cb, void *arg);
void	 engine_lookup_cancel(struct engine_lookup *);
const struct engine_obj *engine_cache_peek(enum policy_obj, const char *ref);
/* Drop what ref names (ID, name or ID prefix): a request that changes it
 * went through, and its event may come after the next look-up. */
void	 engine_cache_forget(enum policy_obj, const char *ref);
void	 engine_cache_flush(void);
void	 engine_cache_stats(struct engine_cache_stats *);
/* lookup.c: one path segment percent-encoded (all but unreserved bytes),
 * cut to fit out, always NUL-terminated; returns the length it needed. */
size_t	 engine_segment(char *out, size_t outlen, const char *s);

/* ------------------------------------------------------------- tenancy/ */

#define SW_TENANT_MAX	96	/* "l:NAME", "c:<64 hex>", a copied label */

/* tenancy/tenant.c: whose a caller's requests are.  Returns NULL with the
 * tenant in out when known at once ("" on failure: answer 502), else an
 * ask whose callback brings it (tenant NULL: the engine did not answer);
 * the ask is freed after its callback: forget it there. */
struct peer;
typedef void (*tenant_cb)(void *arg, const char *tenant, const char *err);
struct tenant_ask;
struct tenant_ask *tenant_of(const struct listener *, const struct peer *,
	    char *out, size_t len, tenant_cb, void *arg);
void	 tenant_ask_free(struct tenant_ask *);

/* tenancy/facts.c: resolve, own and rewrite the objects a decision names
 * (struct policy_ref).  status 0: go on (d's target and body rewritten
 * with full IDs); else answer status with msg (d says why for the record).
 * NULL when it ended at once (*status, msg). */
typedef void (*facts_cb)(void *arg, int status, const char *msg);
struct facts;
struct facts *facts_start(const struct policy *, struct policy_decision *,
	    const char *tenant,
	    const unsigned char *body, size_t body_len, facts_cb, void *arg,
	    int *status, char *msg, size_t msglen);
void	 facts_free(struct facts *);
/* A forwarded request's answer: forget what it may have changed. */
void	 facts_changed(const struct policy_decision *);

/* tenancy/verify.c: the container the engine stored, judged and removed
 * when denied.  cb status 0: fine; else answer it (d: the stored verdict). */
typedef void (*verify_cb)(void *arg, int status, const char *msg,
	    const struct policy_decision *d);
struct verify;
struct verify *verify_start(const struct policy *,
	    const struct policy_request *facts, const char *version,
	    const char *id, verify_cb, void *arg, int *status, char *msg,
	    size_t msglen);
void	 verify_free(struct verify *);

/* ---------------------------------------------------------------- host/ */

/* host/peer.c: who is calling (SO_PEERCRED, and the container from the
 * peer's cgroup) */
struct peer {
	pid_t		 pid;		/* 0: unknown */
	uid_t		 uid;
	gid_t		 gid;
	char		 container[65];	/* 64-hex id, "" when none */
};
void	 peer_init(void);		/* reads our own cgroup, once */
void	 peer_identify(int fd, struct peer *);
/* 64-hex container id of a peer from its cgroup file text, or -1. */
int	 peer_container_id(const char *cgroup, const char *own_cgroup,
	    char id[65]);

/* host/hostpath.c: a bind source checked on the host (beneath its root,
 * no symlink crossed, existing where the engine would create it).
 * 0, or -1 with the reason in why. */
int	 hostpath_check(const char *root, const char *path, int must_exist,
	    char *why, size_t whylen);

/* host/activation.c: sockets passed by systemd (LISTEN_FDS, LISTEN_FDNAMES) */
int	 activation_init(void);	/* number taken (0 = none), -1 on error */
/* The passed fd with this name ("" = the first not otherwise named),
 * or -1; *namep gets its name.  Each fd is handed out once. */
int	 activation_take(const char *name, const char **namep);
void	 activation_close_rest(void);

/* host/sdnotify.c: the sd_notify datagram protocol, without libsystemd */
int	 sdnotify_init(void);		/* 0 also when not under systemd */
void	 sdnotify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	 sdnotify_watchdog_start(struct event_base *);
void	 sdnotify_stop(void);

/* host/privdrop.c: leave root for a dedicated user, keeping one group */
struct privdrop_plan {
	int	 drop;			/* 1 when a drop will happen */
	uid_t	 uid;
	gid_t	 gid;			/* the user's primary group */
	gid_t	 keep;			/* supplementary group kept */
	int	 keep_set;
	char	 user[64];
	char	 keep_name[64];
};
int	 privdrop_plan(const struct sw_conf *, const struct upstream_addr *,
	    struct privdrop_plan *);
int	 privdrop_pin_upstream(struct upstream_addr *);
int	 privdrop_helper_start(const char *const *unlink_paths,
	    const char *audit_path, const struct privdrop_plan *,
	    int sandbox);
int	 privdrop_apply(const struct privdrop_plan *);
int	 privdrop_no_new_privs(void);
int	 privdrop_helper_active(void);
void	 privdrop_helper_unlink(void);	/* unlink registered sockets */
int	 privdrop_helper_open_audit(void);	/* fd, or -1 */

/*
 * host/sandbox_seccomp.c (host/sandbox_none.c without libseccomp): the
 * last line of start-up, an allowlist of exactly the system calls the
 * running daemon makes.  mode ON kills on a violation, DEBUG logs the call
 * by name and fails it with ENOSYS.  upstream_family: AF_UNIX, AF_INET or
 * AF_INET6.  allow_unlink: the daemon removes its own socket files (off
 * when the root helper does).  Returns 0, or -1 after logging why.
 */
int	 sandbox_apply(enum sw_sandbox mode, int upstream_family,
	    int allow_unlink);
int	 sandbox_apply_helper(void);	/* the root helper's filter */
/* Before sandbox_apply: the calls job sockets and state files need. */
void	 sandbox_allow_jobs(void);
int	 sandbox_available(void);

/* host/landlock.c: file access confined to a few directories (Linux >=
 * 5.13).  prepare builds the rules while still root; enforce applies them
 * after the drop.  Without Landlock both succeed and do nothing. */
int	 landlock_prepare(const char *const *ro_dirs, const char *const *rw_dirs);
int	 landlock_enforce(void);
/* After prepare: jobs' directories.  sockets: job sockets and their
 * directories made and removed beneath it; else state files written,
 * renamed and removed beneath it. */
int	 landlock_add_jobs(const char *dir, int sockets);

/* ----------------------------------------------------------------- ops/ */

/*
 * One finished exchange, as conn.c hands it to the audit log and the
 * metrics side by side.  Pointers are valid for the call only.
 */
struct exchange {
	uint64_t		 conn_id;
	const char		*listener;
	const struct peer	*peer;
	const char		*method;	/* "" if the head never parsed */
	const char		*target;	/* raw, or the canonical target
						   once forwarded */
	size_t			 target_len;
	const char		*operation;	/* "" when none was decided */
	const char		*image;		/* the image it names, "" if none */
	uint64_t		 policy_generation; /* of the policy that
						   decided, 0: none did */
	const char		*decision;	/* allow, deny, reject, incomplete */
	int			 audit_only;	/* allowed by an audit-mode check */
	const char		*rule;
	const char		*reason;
	int			 status;	/* what the client got, 0: none */
	uint64_t		 bytes_in;	/* client bytes sent upstream */
	uint64_t		 bytes_out;	/* bytes sent to the client */
	uint64_t		 duration_us;	/* first head byte to the end */
	const char		*job;		/* the job's ID, NULL: none */
};

/* ops/audit.c: one JSON line per exchange */
int	 audit_open(struct event_base *, const char *spec);
int	 audit_reopen(void);		/* SIGUSR1 */
void	 audit_close(void);
void	 audit_record(const struct exchange *);
/* JSON-escape untrusted bytes into out (always NUL-terminated). */
size_t	 audit_json_escape(const void *, size_t, char *out, size_t outlen);

/* ops/metrics.c: Prometheus text exposition on a listener of its own */
int	 metrics_open(struct event_base *, const char *spec,
	    int activated_fd);
void	 metrics_stop(int remove);
void	 metrics_record(const struct exchange *);
void	 metrics_reload(int ok);
const char *metrics_unix_path(void);

/* ops/policy_file.c: bounded file reads and policy files */
#define SW_POLICY_FILE_MAX	(4 * 1024 * 1024)
/* Relative paths resolve against this directory (the start-up one). */
void	 pfile_set_base(int dirfd);
/* A whole file ("-": stdin), malloc'd and NUL-terminated; NULL after
 * printing why on stderr. */
char	*pfile_read(const char *path, size_t max, size_t *lenp);
/* Compile a policy file; errors on stderr, the first one in why. */
struct policy *pfile_load_policy(const char *path, char *why, size_t whylen);

/* ops/reload.c: signals (SIGHUP reload, SIGUSR1 reopen, SIGTERM drain) */
struct reload_hooks {			/* what only main.c may do */
	void	(*set_policy)(struct policy *);
	void	(*set_draining)(void);
	void	(*remove_sockets)(void);
};
int	 reload_init(struct event_base *, const char *config_path,
	    const struct sw_conf *flags, const struct reload_hooks *);
void	 reload_shutdown(void);

/* ----------------------------------------------------------------- jobs/ */

/*
 * jobs/: one socket per CI job, opened and closed over a root-only
 * control socket (control.c, the CLI in cli.c), everything the job made
 * reaped at the end (jobs.c, reap.c), kept across restarts (state.c),
 * within its quotas (quota.c).
 */
struct job;
struct census;
/* Before the drop (as root): directories made and given to uid/gid (-1:
 * not dropping), the state read; 0 or -1 after logging why. */
int	 jobs_prepare(const struct sw_conf *, uid_t, gid_t);
void	 jobs_restore(void);		/* after the drop: sockets back */
void	 jobs_shutdown(void);		/* sockets closed, state kept */
int	 jobs_enabled(void);
const char *jobs_dir(void);		/* NULL when jobs are off */
const char *jobs_state_dir(void);
void	 jobs_record(const struct exchange *);
struct evbuffer;
void	 jobs_metrics(struct evbuffer *);	/* Prometheus lines */
struct jobs_stats {
	unsigned	 open, reaping;
	uint64_t	 opened, closed, reaped, reap_failures;
};
void	 jobs_stats(struct jobs_stats *);
/* control.c: the control socket (systemd's, fd != -1, or our own). */
int	 control_open(const char *path, int fd);
void	 control_close(void);		/* stop, remove our file */
const char *control_path(void);		/* the file we made, or NULL */
/* cli.c: `sockwarden [--control PATH] job ...`; an exit code. */
int	 jobs_cli(const char *control, int argc, char **argv);
/* quota.c: before a create on a job's socket goes upstream.  NULL: go
 * on (*status 0) or answer *status with msg at once; else cb says. */
typedef void (*quota_cb)(void *arg, int status, const char *msg);
struct quota_check;
struct quota_check *quota_start(const char *job,
	    const struct policy_decision *, const unsigned char *body,
	    size_t len, quota_cb, void *arg, int *status, char *msg,
	    size_t msglen);
void	 quota_free(struct quota_check *);
/* 1: the check let a container create through and counts it as being
 * made until quota_done() (when that create's exchange ends). */
int	 quota_held(const struct quota_check *);
void	 quota_done(const char *job);

/* ops/tools.c: the offline commands */
int	 tools_check(int argc, char **argv);
int	 tools_explain(int argc, char **argv);

#endif /* SW_DAEMON_H */
