/*
 * listener.c - the substitute docker.sock: creates it with the configured
 * owner, group and mode (bound under a temporary name and renamed into
 * place, so it is never visible with looser permissions), replaces a stale
 * socket file but refuses to steal a live one or replace anything that is
 * not a socket, and accepts connections up to max_connections.  The
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
#include <sys/stat.h>
#include <unistd.h>

#include <event2/listener.h>

#include "daemon.h"

static struct evconnlistener *listener_ev;
static struct event *listener_backoff;
static char *listener_file;		/* the socket file we created */

static int
listener_lookup_ids(const struct sw_conf *conf, uid_t *uid, gid_t *gid)
{
	char *end;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (conf->listen_owner != NULL) {
		struct passwd *pw = getpwnam(conf->listen_owner);
		unsigned long v = strtoul(conf->listen_owner, &end, 10);
		if (pw != NULL)
			*uid = pw->pw_uid;
		else if (*end == '\0' && end != conf->listen_owner)
			*uid = (uid_t)v;
		else {
			log_warnx("listen_owner: no such user '%s'",
			    conf->listen_owner);
			return -1;
		}
	}
	if (conf->listen_group != NULL) {
		struct group *gr = getgrnam(conf->listen_group);
		unsigned long v = strtoul(conf->listen_group, &end, 10);
		if (gr != NULL)
			*gid = gr->gr_gid;
		else if (*end == '\0' && end != conf->listen_group)
			*gid = (gid_t)v;
		else {
			log_warnx("listen_group: no such group '%s'",
			    conf->listen_group);
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

int
listener_open(const struct sw_conf *conf, int *fdp)
{
	uid_t uid;
	gid_t gid;
	int fd, mode = conf->listen_mode >= 0 ? conf->listen_mode : 0660;

	if (listener_lookup_ids(conf, &uid, &gid) != 0)
		return -1;
	if ((fd = listener_bind_unix(conf->listen, uid, gid, (mode_t)mode,
	    1024)) == -1)
		return -1;
	free(listener_file);
	if ((listener_file = strdup(conf->listen)) == NULL) {
		(void)unlink(conf->listen);
		close(fd);
		return -1;
	}
	*fdp = fd;
	return 0;
}

static void
listener_resume(evutil_socket_t fd, short ev, void *arg)
{
	if (listener_ev != NULL)
		evconnlistener_enable(listener_ev);
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
	conn_accept(fd);
}

static void
listener_error(struct evconnlistener *l, void *arg)
{
	struct timeval one = { 1, 0 };
	int err = EVUTIL_SOCKET_ERROR();

	/* Out of descriptors: pause accepting for a second, or libevent
	 * would spin on the ready listener. */
	log_warnx("accept: %s; pausing for 1s", strerror(err));
	evconnlistener_disable(l);
	evtimer_add(listener_backoff, &one);
}

int
listener_start(int fd)
{
	listener_ev = evconnlistener_new(srv->base, listener_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (listener_ev == NULL) {
		log_warn("evconnlistener_new");
		return -1;
	}
	evconnlistener_set_error_cb(listener_ev, listener_error);
	listener_backoff = evtimer_new(srv->base, listener_resume, NULL);
	return listener_backoff == NULL ? -1 : 0;
}

void
listener_stop(void)
{
	if (listener_ev != NULL) {
		evconnlistener_free(listener_ev);
		listener_ev = NULL;
	}
	if (listener_backoff != NULL) {
		event_free(listener_backoff);
		listener_backoff = NULL;
	}
	if (listener_file != NULL) {
		(void)unlink(listener_file);
		free(listener_file);
		listener_file = NULL;
	}
}

const char *
listener_path(void)
{
	return listener_file;
}

void
listener_forget_path(void)
{
	free(listener_file);
	listener_file = NULL;
}
