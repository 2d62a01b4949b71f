/*
 * daemon.h - daemon-private types and prototypes, grouped by file.
 * Read it as the map of daemon/: the server state, one struct conn per
 * client connection, and which file owns what.
 */
#ifndef SW_DAEMON_H
#define SW_DAEMON_H

#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>

#include <event2/event.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "http.h"
#include "log.h"
#include "policy.h"
#include "sockwarden.h"

#define CONN_MAGIC	0x53570c0du	/* "SW" conn */

enum body_framing { BODY_NONE, BODY_LENGTH, BODY_CHUNKED };

enum conn_state {
	CONN_HEAD,		/* reading a request head */
	CONN_BODY_WAIT,		/* buffering a body for the policy */
	CONN_FORWARD,		/* request sent: body and response relayed */
	CONN_TUNNEL,		/* hijacked: raw bytes both ways */
	CONN_CLOSING,		/* flushing our last bytes, then free */
};

enum conn_timer { TIMER_NONE, TIMER_HEADER, TIMER_IDLE, TIMER_RESPONSE };

struct upstream_addr {
	enum upstream_kind	 kind;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 name[160];	/* "unix:/path" for messages */
};

struct conn {
	uint32_t		 c_magic;
	uint64_t		 c_id;
	TAILQ_ENTRY(conn)	 c_entry;	/* server.conns or server.dead */
	enum conn_state		 c_state;
	struct sock		*c_bev;		/* client side, owns the fd */
	struct sock		*c_up;		/* upstream side, NULL when none */
	struct event		*c_timer;	/* header/idle/response timer */
	enum conn_timer		 c_timer_kind;
	struct http_reqp	*c_reqp;	/* request head parser */
	struct http_respp	*c_respp;	/* response parser */
	struct policy_decision	 c_dec;		/* decision for the request */
	struct evbuffer		*c_body;	/* body held for inspection */
	enum body_framing	 c_req_body;	/* framing of the client body */
	uint64_t		 c_body_left;	/* Content-Length bytes to go */
	unsigned		 c_nreq;	/* requests seen on this conn */
	struct timespec		 c_t0;		/* exchange start (monotonic) */
	uint64_t		 c_bytes_in;	/* client bytes sent upstream */
	uint64_t		 c_bytes_out;	/* bytes relayed to the client */
	int			 c_status;	/* status the client got */
	unsigned		 c_audited:1;	/* exchange already logged */
	pid_t			 c_peer_pid;
	uid_t			 c_peer_uid;
	gid_t			 c_peer_gid;
	unsigned		 c_req_done:1;	/* request fully sent upstream */
	unsigned		 c_resp_done:1;	/* response fully relayed */
	unsigned		 c_resp_started:1; /* bytes reached the client */
	unsigned		 c_hijack:1;	/* request may hijack */
	unsigned		 c_keepalive:1;	/* client keeps the connection */
	unsigned		 c_client_eof:1;
	unsigned		 c_up_eof:1;
	unsigned		 c_up_shut:1;	/* SHUT_WR sent upstream */
	unsigned		 c_client_shut:1; /* SHUT_WR sent to client */
	unsigned		 c_closing:1;	/* on the dead list */
};

struct server {
	struct event_base	*base;
	struct sw_conf		*conf;
	struct policy		*policy;
	struct upstream_addr	 up;
	struct evconnlistener	*listener;
	char			*listen_path;	/* unlinked on shutdown */
	unsigned		 nconns;
	uint64_t		 next_id;
	int			 draining;
	struct event		*reaper;	/* frees dead conns */
	struct event		*grace;		/* shutdown deadline */
	TAILQ_HEAD(, conn)	 conns;
	TAILQ_HEAD(, conn)	 dead;
};

extern struct server server;

/* sock.c: buffered non-blocking socket (owns its fd) */
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
void	 sock_read(struct sock *, int on);
struct evbuffer *sock_input(struct sock *);
struct evbuffer *sock_output(struct sock *);
int	 sock_fd(const struct sock *);
void	 sock_free(struct sock *);

/* conn.c */
void	 conn_init(void);
void	 conn_accept(int fd);
void	 conn_close(struct conn *, const char *reason);
void	 conn_drain_all(void);
void	 conn_close_all(const char *reason);
void	 conn_reap(evutil_socket_t, short, void *);

/* audit.c: one record per exchange (decision, status, bytes, duration) */
void	 audit_exchange_end(struct conn *);

/* http_write.c */
int	 http_write_request(struct evbuffer *, const struct http_request *,
	    const char *target, enum body_framing, size_t length, int upgrade);
int	 http_write_error(struct evbuffer *, int status, const char *message,
	    int close);
const char *http_status_text(int);

/* upstream.c */
int	 upstream_parse(const char *spec, struct upstream_addr *);
struct sock *upstream_connect(struct event_base *,
	    const struct upstream_addr *, unsigned connect_timeout_ms, int *err);

/* listener.c */
int	 listener_open(const struct sw_conf *, int *fdp);
int	 listener_start(int fd);
void	 listener_stop(void);

#endif /* SW_DAEMON_H */
