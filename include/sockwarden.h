/*
 * sockwarden.h - settings shared by the daemon's modules and their defaults.
 * Every limit here is configurable (config file or flag); the defaults are
 * what a CI host wants without tuning.
 */
#ifndef SOCKWARDEN_H
#define SOCKWARDEN_H
#include <stddef.h>
#include <sys/types.h>

#define SW_DEFAULT_LISTEN	"/run/sockwarden/docker.sock"
#define SW_DEFAULT_UPSTREAM	"unix:/var/run/docker.sock"

#define SW_DEFAULT_MAX_HEADER_BYTES	(64 * 1024)
#define SW_DEFAULT_MAX_BODY_BYTES	(1024 * 1024)
#define SW_DEFAULT_HEADER_TIMEOUT_MS	(30 * 1000)
#define SW_DEFAULT_IDLE_TIMEOUT_MS	(300 * 1000)
#define SW_DEFAULT_CONNECT_TIMEOUT_MS	(10 * 1000)
#define SW_DEFAULT_RESPONSE_TIMEOUT_MS	(0)	/* off: stop/wait can take hours */
#define SW_DEFAULT_SHUTDOWN_GRACE_MS	(10 * 1000)
#define SW_DEFAULT_MAX_CONNECTIONS	4096
#define SW_MAX_HEADERS			128

/* Relay buffering: stop reading a side once its peer holds this much. */
#define SW_RELAY_HIGH_WATER	(512 * 1024)
/* After an early answer, how long to read and discard a client body. */
#define SW_LINGER_MS		5000

enum upstream_kind { UPSTREAM_UNIX, UPSTREAM_TCP };

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
	unsigned idle_timeout_ms;
	unsigned connect_timeout_ms;
	unsigned response_timeout_ms;	/* 0 = none */
	unsigned shutdown_grace_ms;
	unsigned max_connections;
	/* build hosts (issue 4) */
	char	*user;			/* drop to this user when root */
	char	*keep_group;		/* supplementary group kept, NULL =
					   the engine socket's group */
	char	*audit_log;		/* NULL/"stderr", "off" or a path */
	char	*metrics_listen;	/* "unix:/PATH" or "tcp:127.0.0.1:PORT" */
	char	*listener_name;		/* "listener" in audit records */
	int	 sandbox;		/* enum sw_sandbox, -1 = default on */
};

enum sw_sandbox { SW_SANDBOX_OFF = 0, SW_SANDBOX_ON, SW_SANDBOX_DEBUG };

/* config.c */
void	 conf_defaults(struct sw_conf *);
int	 conf_load_file(struct sw_conf *, const char *path);
int	 conf_set(struct sw_conf *, const char *key, const char *value,
	    const char *file, int line);
int	 conf_check(const struct sw_conf *);
void	 conf_free(struct sw_conf *);
int	 conf_parse_duration_ms(const char *, unsigned *);
#endif
