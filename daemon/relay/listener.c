/*
 * listener.c - the substitute docker.sock and its siblings: every socket
 * callers connect to, each with a name (the "listener" of audit records),
 * a policy of its own or the server's, and how it tells callers apart
 * (all one tenant, or one per peer container).  A socket is created with
 * the configured owner, group and mode (bound under a temporary name and
 * renamed into place, so it is never visible with looser permissions); a
 * stale socket file is replaced, a live one or anything that is not a
 * socket is refused.  Sockets systemd passed are used as they are and
 * never removed.  Connections are accepted up to max_connections.  The
 * metrics socket is bound the same way.  It does not parse anything;
 * conn.c does.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/listener.h>

#include "daemon.h"

struct listener {
	TAILQ_ENTRY(listener)	 l_entry;
	char			*l_name;	/* "listener" of records */
	char			*l_path;	/* host path, NULL if unknown */
	int			 l_owns_file;	/* we remove it on shutdown */
	enum listener_ident	 l_ident;
	char			*l_tenant;	/* NULL: "l:NAME" */
	char			*l_job;		/* the job's ID, NULL: none */
	char			*l_policy_path;	/* NULL: the server's policy */
	struct policy		*l_policy;
	struct evconnlistener	*l_ev;
};

static TAILQ_HEAD(, listener) listeners = TAILQ_HEAD_INITIALIZER(listeners);
static struct event *listener_backoff;

static int
listener_lookup_ids(const char *owner, const char *group, uid_t *uid,
    gid_t *gid)
{
	char *end;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (owner != NULL) {
		struct passwd *pw = getpwnam(owner);
		unsigned long v = strtoul(owner, &end, 10);
		if (pw != NULL)
			*uid = pw->pw_uid;
		else if (*end == '\0' && end != owner)
			*uid = (uid_t)v;
		else {
			log_warnx("listener owner: no such user '%s'", owner);
			return -1;
		}
	}
	if (group != NULL) {
		struct group *gr = getgrnam(group);
		unsigned long v = strtoul(group, &end, 10);
		if (gr != NULL)
			*gid = gr->gr_gid;
		else if (*end == '\0' && end != group)
			*gid = (gid_t)v;
		else {
			log_warnx("listener group: no such group '%s'", group);
			return -1;
		}
	}
	return 0;
}

/* Is something already serving at path?  1 yes, 0 stale/absent, -1 error. */
static int
listener_in_use(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode)) {
		/* What the engine leaves when a container binds the socket
		 * path while nothing listens there. */
		log_warnx("%s is a directory, not a socket: a container that "
		    "bound this path while sockwarden was not running made "
		    "the engine create it; remove that container, then "
		    "'rmdir %s', and start sockwarden again", path, path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("%s exists and is not a socket; refusing to replace it",
		    path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		log_warnx("%s: another process is listening there", path);
		return 1;
	}
	return 0;	/* ECONNREFUSED: nobody home, a stale file */
}

int
listener_bind_unix(const char *path, uid_t uid, gid_t gid, mode_t mode,
    int backlog)
{
	struct sockaddr_un sun;
	char tmp[sizeof(sun.sun_path)];
	mode_t old;
	int fd;

	if (strlen(path) + 16 >= sizeof(sun.sun_path)) {
		log_warnx("%s is too long for a unix socket path", path);
		return -1;
	}
	if (listener_in_use(path) != 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.%d~", path, (int)getpid());
	(void)unlink(tmp);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, tmp, strlen(tmp) + 1);

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("socket");
		return -1;
	}
	old = umask(0177);	/* nobody can connect before chmod */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("bind %s", tmp);
		goto bad;
	}
	umask(old);
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(tmp, uid, gid) == -1) {
		log_warn("chown %s", tmp);
		goto bad;
	}
	if (chmod(tmp, mode) == -1) {
		log_warn("chmod %s", tmp);
		goto bad;
	}
	if (listen(fd, backlog) == -1) {
		log_warn("listen %s", tmp);
		goto bad;
	}
	if (rename(tmp, path) == -1) {
		log_warn("rename %s to %s", tmp, path);
		goto bad;
	}
	return fd;
bad:
	(void)unlink(tmp);
	close(fd);
	return -1;
}

/* The path of a unix socket systemd passed (what containers bind). */
static char *
listener_fd_path(int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);

	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) != 0 ||
	    sun.sun_family != AF_UNIX || sun.sun_path[0] != '/')
		return NULL;
	return strndup(sun.sun_path, sizeof(sun.sun_path));
}

static void
listener_free(struct listener *l)
{
	if (l->l_ev != NULL)
		evconnlistener_free(l->l_ev);
	if (l->l_policy != NULL && l->l_policy != policy_default())
		policy_free(l->l_policy);
	free(l->l_name);
	free(l->l_path);
	free(l->l_tenant);
	free(l->l_job);
	free(l->l_policy_path);
	free(l);
}

static void listener_accept(struct evconnlistener *, evutil_socket_t,
    struct sockaddr *, int, void *);
static void listener_resume_all(evutil_socket_t, short, void *);
static void listener_error(struct evconnlistener *, void *);

/* policy: compiled already (a job's), taken over even on failure. */
struct listener *
listener_open(const struct sw_listener *spec, int fd, struct policy *policy)
{
	struct listener *l;
	uid_t uid;
	gid_t gid;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		goto oom;
	l->l_ident = spec->ident;
	l->l_policy = policy;
	policy = NULL;
	if ((l->l_name = strdup(spec->name)) == NULL ||
	    (spec->policy != NULL &&
	    (l->l_policy_path = strdup(spec->policy)) == NULL) ||
	    (spec->tenant != NULL &&
	    (l->l_tenant = strdup(spec->tenant)) == NULL) ||
	    (spec->job != NULL && (l->l_job = strdup(spec->job)) == NULL))
		goto oom;
	if (l->l_policy_path != NULL && (l->l_policy =
	    pfile_load_policy(l->l_policy_path, NULL, 0)) == NULL) {
		listener_free(l);
		return NULL;
	}
	if (fd != -1) {
		l->l_path = listener_fd_path(fd);	/* systemd's file */
	} else {
		if (listener_lookup_ids(spec->owner, spec->group, &uid,
		    &gid) != 0 || (fd = listener_bind_unix(spec->path, uid,
		    gid, (mode_t)(spec->mode >= 0 ? spec->mode : 0660),
		    1024)) == -1) {
			listener_free(l);
			return NULL;
		}
		l->l_owns_file = 1;
		if ((l->l_path = strdup(spec->path)) == NULL) {
			(void)unlink(spec->path);
			close(fd);
			goto oom;
		}
	}
	if (listener_backoff == NULL && (listener_backoff = evtimer_new(
	    srv->base, listener_resume_all, NULL)) == NULL)
		goto oom_fd;
	if ((l->l_ev = evconnlistener_new(srv->base, listener_accept, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd)) == NULL) {
		log_warn("evconnlistener_new");
		goto oom_fd;
	}
	evconnlistener_set_error_cb(l->l_ev, listener_error);
	TAILQ_INSERT_TAIL(&listeners, l, l_entry);
	return l;
oom_fd:
	if (l->l_owns_file)
		(void)unlink(l->l_path);
	close(fd);
oom:
	log_warnx("listener %s: out of memory", spec->name);
	if (policy != NULL)
		policy_free(policy);
	if (l != NULL)
		listener_free(l);
	return NULL;
}

int
listener_add(const struct sw_listener *spec, int fd)
{
	return listener_open(spec, fd, NULL) != NULL ? 0 : -1;
}

/*
 * One listener goes for good (a job closed): no more accepting, its file
 * removed, every connection that came in on it closed (streams and
 * hijacked sessions end now), then the struct freed: no conn points at it
 * any more (closed ones are only freed by the reaper, which does not look).
 */
void
listener_remove(struct listener *l, const char *reason)
{
	if (l->l_ev != NULL) {
		evconnlistener_free(l->l_ev);
		l->l_ev = NULL;
	}
	if (l->l_owns_file)
		(void)unlink(l->l_path);
	l->l_owns_file = 0;
	conn_close_listener(l, reason);
	TAILQ_REMOVE(&listeners, l, l_entry);
	listener_free(l);
}

static void
listener_resume_all(evutil_socket_t fd, short ev, void *arg)
{
	struct listener *l;

	TAILQ_FOREACH(l, &listeners, l_entry)
		if (l->l_ev != NULL)
			evconnlistener_enable(l->l_ev);
}

static void
listener_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	static const char busy[] =
	    "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 54\r\n"
	    "Connection: close\r\n\r\n"
	    "{\"message\":\"sockwarden: too many connections, retry\"}\n";

	if (conn_count() >= srv->conf->max_connections) {
		/* Best effort: the reply fits any socket buffer. */
		(void)!send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
		close(fd);
		log_warnx("connection refused: max_connections (%u) reached",
		    srv->conf->max_connections);
		return;
	}
	conn_accept(fd, arg);
}

static void
listener_error(struct evconnlistener *l, void *arg)
{
	struct timeval one = { 1, 0 };
	int err = EVUTIL_SOCKET_ERROR();
	struct listener *ls;

	/* Out of descriptors: pause accepting for a second, or libevent
	 * would spin on the ready listeners. */
	log_warnx("accept: %s; pausing for 1s", strerror(err));
	TAILQ_FOREACH(ls, &listeners, l_entry)
		if (ls->l_ev != NULL)
			evconnlistener_disable(ls->l_ev);
	evtimer_add(listener_backoff, &one);
}

/*
 * Stop accepting and remove our files, but keep the records: connections
 * still draining name their listener in their exchange records.
 */
void
listener_stop(void)
{
	struct listener *l;

	TAILQ_FOREACH(l, &listeners, l_entry) {
		if (l->l_ev != NULL) {
			evconnlistener_free(l->l_ev);
			l->l_ev = NULL;
		}
		if (l->l_owns_file) {
			(void)unlink(l->l_path);
			l->l_owns_file = 0;
		}
	}
	if (listener_backoff != NULL) {
		event_free(listener_backoff);
		listener_backoff = NULL;
	}
}

/* At exit, once no connection is left. */
void
listener_free_all(void)
{
	struct listener *l;

	listener_stop();
	while ((l = TAILQ_FIRST(&listeners)) != NULL) {
		TAILQ_REMOVE(&listeners, l, l_entry);
		listener_free(l);
	}
}

size_t
listener_files(const char **paths, size_t max)
{
	const struct listener *l;
	size_t n = 0;

	TAILQ_FOREACH(l, &listeners, l_entry)
		if (l->l_owns_file && n < max)
			paths[n++] = l->l_path;
	return n;
}

size_t
listener_self_sockets(const char **paths, size_t max)
{
	const struct listener *l;
	size_t n = 0;

	/* Not a job's: no job may bind its own or another job's socket
	 * into a container, whatever a "socket" root admits. */
	TAILQ_FOREACH(l, &listeners, l_entry)
		if (l->l_path != NULL && l->l_job == NULL && n < max)
			paths[n++] = l->l_path;
	return n;
}

void
listener_forget_files(void)
{
	struct listener *l;

	TAILQ_FOREACH(l, &listeners, l_entry)
		l->l_owns_file = 0;
}

int
listener_reload_policies(char *why, size_t whylen)
{
	struct listener *l;
	struct policy **fresh;
	size_t n = 0, i = 0;

	TAILQ_FOREACH(l, &listeners, l_entry)
		n++;
	if ((fresh = calloc(n + 1, sizeof(*fresh))) == NULL)
		return -1;
	/* All or nothing: a broken file keeps every listener's policy. */
	TAILQ_FOREACH(l, &listeners, l_entry) {
		if (l->l_policy_path != NULL && (fresh[i] = pfile_load_policy(
		    l->l_policy_path, why, whylen)) == NULL) {
			while (i-- > 0)
				policy_free(fresh[i]);
			free(fresh);
			return -1;
		}
		i++;
	}
	i = 0;
	TAILQ_FOREACH(l, &listeners, l_entry) {
		if (l->l_policy_path != NULL) {
			policy_free(l->l_policy);
			l->l_policy = fresh[i];
		}
		i++;
	}
	free(fresh);
	return 0;
}

const char *
listener_name(const struct listener *l)
{
	return l->l_name;
}

const struct policy *
listener_policy(const struct listener *l)
{
	return l->l_policy != NULL ? l->l_policy : srv->policy;
}

enum listener_ident
listener_ident(const struct listener *l)
{
	return l->l_ident;
}

const char *
listener_tenant(const struct listener *l)
{
	return l->l_tenant;
}

const char *
listener_job(const struct listener *l)
{
	return l->l_job;
}
