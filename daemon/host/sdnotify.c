/*
 * sdnotify.c - the sd_notify protocol spoken directly (no libsystemd):
 * one AF_UNIX datagram of newline-separated KEY=VALUE lines to
 * $NOTIFY_SOCKET ("/path" or "@abstract").  The socket is created and
 * connected at start-up, before the sandbox, and only written afterwards.
 * WATCHDOG=1 is sent from a libevent timer every $WATCHDOG_USEC/2, so a
 * stuck event loop stops pinging and systemd restarts the daemon.  Without
 * $NOTIFY_SOCKET every call is a no-op.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

static int notify_fd = -1;
static struct event *watchdog_ev;
static struct timeval watchdog_tv;

int
sdnotify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	size_t len;
	int fd;

	if (path == NULL || *path == '\0')
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sun.sun_path)) {
		log_warnx("NOTIFY_SOCKET=%s: not an absolute or abstract "
		    "socket address; ignored", path);
		return 0;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("notify socket");
		return -1;
	}
	/* The exact length: abstract names are length-sensitive. */
	if (connect(fd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) == -1) {
		/* Not fatal: a Type=notify unit then times out, visibly. */
		log_warn("connect NOTIFY_SOCKET %s; not notifying", path);
		close(fd);
		return 0;
	}
	notify_fd = fd;
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

void
sdnotify(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (send(notify_fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
		log_debug("sd_notify: %s", strerror(errno));
}

static void
sdnotify_watchdog(evutil_socket_t fd, short ev, void *arg)
{
	sdnotify("WATCHDOG=1");
	evtimer_add(watchdog_ev, &watchdog_tv);
}

/* Start pinging when $WATCHDOG_USEC asks for it (and is meant for us). */
int
sdnotify_watchdog_start(struct event_base *base)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *wpid = getenv("WATCHDOG_PID");
	unsigned long long us;
	char *end;

	if (usec == NULL)
		return 0;
	if (wpid != NULL && strtol(wpid, NULL, 10) != (long)getpid())
		return 0;
	errno = 0;
	us = strtoull(usec, &end, 10);
	if (errno != 0 || *end != '\0' || us == 0) {
		log_warnx("WATCHDOG_USEC=%s: not a number; no watchdog", usec);
		return 0;
	}
	us /= 2;
	watchdog_tv.tv_sec = (time_t)(us / 1000000);
	watchdog_tv.tv_usec = (suseconds_t)(us % 1000000);
	if ((watchdog_ev = evtimer_new(base, sdnotify_watchdog, NULL)) == NULL)
		return -1;
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	sdnotify("WATCHDOG=1");
	log_debug("watchdog: pinging every %llu us", us);
	return evtimer_add(watchdog_ev, &watchdog_tv);
}

void
sdnotify_stop(void)
{
	if (watchdog_ev != NULL) {
		event_free(watchdog_ev);
		watchdog_ev = NULL;
	}
	if (notify_fd != -1) {
		close(notify_fd);
		notify_fd = -1;
	}
}
