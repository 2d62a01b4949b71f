/*
 * service.h - the build-host side of the daemon (issue 4), one group per
 * file like daemon.h: systemd activation and notify, the privilege drop
 * and its root helper, the audit log and the metrics listener.  These
 * modules surround the proxy; none of them parses client traffic.
 */
#ifndef SW_SERVICE_H
#define SW_SERVICE_H

#include <stdint.h>
#include <sys/types.h>

#include "daemon.h"

/* activation.c: sockets passed by systemd (LISTEN_FDS, LISTEN_FDNAMES) */
int	 activation_init(void);	/* number taken (0 = none), -1 on error */
/* The passed fd with this name ("" = the first not otherwise named),
 * or -1; *namep gets its name.  Each fd is handed out once. */
int	 activation_take(const char *name, const char **namep);
void	 activation_close_rest(void);

/* sdnotify.c: the sd_notify datagram protocol, without libsystemd */
int	 sdnotify_init(void);		/* 0 also when not under systemd */
void	 sdnotify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	 sdnotify_watchdog_start(struct event_base *);
void	 sdnotify_stop(void);

/* privdrop.c: leave root for a dedicated user, keeping one group */
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

/* audit.c: one JSON line per decision */
int	 audit_open(const char *spec, const char *listener);
int	 audit_reopen(void);		/* SIGUSR1 */
void	 audit_close(void);
/* JSON-escape untrusted bytes into out (always NUL-terminated). */
size_t	 audit_json_escape(const void *, size_t, char *out, size_t outlen);
/* 64-hex container id of a peer from its cgroup file text, or -1. */
int	 audit_container_id(const char *cgroup, const char *own_cgroup,
	    char id[65]);

/* metrics.c: Prometheus text exposition on a listener of its own */
int	 metrics_open(const char *spec, int activated_fd);
void	 metrics_stop(int remove);
void	 metrics_observe(const struct conn *, const char *decision);
void	 metrics_reload(int ok);
const char *metrics_unix_path(void);

#endif /* SW_SERVICE_H */
