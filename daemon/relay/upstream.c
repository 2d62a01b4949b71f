/*
 * upstream.c - where the engine is and how to reach it: parses
 * "unix:/path" or "tcp:host:port" once at start-up, and opens one
 * non-blocking connection per client connection on demand.  It does not
 * relay bytes (conn.c) and never retries: a failed connect is a 502 to the
 * client and the next request simply tries again.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

int
upstream_parse(const char *spec, struct upstream_addr *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", spec);
	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&u->ss;
		const char *path = spec + 5;
		if (path[0] != '/' || strlen(path) >= sizeof(sun->sun_path)) {
			log_warnx("upstream %s: path must be absolute and "
			    "shorter than %zu bytes", spec, sizeof(sun->sun_path));
			return -1;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, path, strlen(path) + 1);
		u->sslen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    strlen(path) + 1);
		u->kind = UPSTREAM_UNIX;
		return 0;
	}
	if (strncmp(spec, "tcp:", 4) == 0) {
		char host[256], *colon;
		struct addrinfo hints, *res;
		int rc;

		snprintf(host, sizeof(host), "%s", spec + 4);
		if ((colon = strrchr(host, ':')) == NULL || colon[1] == '\0') {
			log_warnx("upstream %s: expected tcp:HOST:PORT", spec);
			return -1;
		}
		*colon = '\0';
		if (host[0] == '[' && colon[-1] == ']') {	/* [v6]:port */
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
			log_warnx("upstream %s: %s", spec, gai_strerror(rc));
			return -1;
		}
		memcpy(&u->ss, res->ai_addr, res->ai_addrlen);
		u->sslen = res->ai_addrlen;
		u->kind = UPSTREAM_TCP;
		freeaddrinfo(res);
		return 0;
	}
	log_warnx("upstream %s: expected unix:PATH or tcp:HOST:PORT", spec);
	return -1;
}

/*
 * Start a connection.  Returns a sock owning the fd (connected, or
 * connecting: a failure arrives as an ERROR or TIMEOUT event), or NULL
 * with *err set when the connect failed at once (ENOENT, ECONNREFUSED, ...).
 */
struct sock *
upstream_connect(struct event_base *base, const struct upstream_addr *u,
    unsigned connect_timeout_ms, int *err)
{
	struct sock *s;
	int fd, one = 1;

	fd = socket(u->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		*err = errno;
		return NULL;
	}
	if (u->kind == UPSTREAM_TCP)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&u->ss, u->sslen) == 0) {
		if ((s = sock_new(base, fd, 0)) == NULL) {
			close(fd);
			*err = ENOMEM;
		}
		return s;
	}
	if (errno == EAGAIN && u->kind != UPSTREAM_TCP) {
		/* A full Unix-socket backlog: wait for the engine to accept,
		 * as a client blocking in connect() would, up to the time-out. */
		unsigned ms = connect_timeout_ms ? connect_timeout_ms :
		    SW_DEFAULT_CONNECT_TIMEOUT_MS;
		if ((s = sock_new(base, fd, ms)) == NULL) {
			close(fd);
			*err = ENOMEM;
			return NULL;
		}
		if (sock_connect_later(s, (const struct sockaddr *)&u->ss,
		    (unsigned int)u->sslen, ms) != 0) {
			sock_free(s);
			*err = ENOMEM;
			return NULL;
		}
		return s;
	}
	if (errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return NULL;
	}
	if ((s = sock_new(base, fd, connect_timeout_ms ? connect_timeout_ms :
	    SW_DEFAULT_CONNECT_TIMEOUT_MS)) == NULL) {
		close(fd);
		*err = ENOMEM;
	}
	return s;
}
