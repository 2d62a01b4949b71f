/*
 * activation.c - socket activation: listening sockets passed by systemd
 * (or systemd-socket-activate) as fds 3.. with $LISTEN_FDS, $LISTEN_PID
 * and $LISTEN_FDNAMES.  Each fd is checked to be a listening stream socket,
 * made close-on-exec and non-blocking, and handed out once by name; the
 * variables are removed from the environment.  Activated sockets belong to
 * systemd: the daemon never unlinks their paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"

#define ACT_FDS_START	3
#define ACT_MAX		16

static struct {
	int	 fd;
	char	 name[256];
} act[ACT_MAX];
static int act_n;

static int
activation_check(int fd)
{
	int type = 0, acc = 0, fl;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != SOCK_STREAM) {
		log_warnx("activation: fd %d is not a stream socket", fd);
		return -1;
	}
	len = sizeof(acc);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == -1 ||
	    acc != 1) {
		log_warnx("activation: fd %d is not listening (Accept=yes "
		    "is not supported)", fd);
		return -1;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    (fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_warn("activation: fd %d", fd);
		return -1;
	}
	return 0;
}

int
activation_init(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	char *end;
	long n, p;

	if (pid == NULL || fds == NULL)
		return 0;
	errno = 0;
	p = strtol(pid, &end, 10);
	if (errno != 0 || *end != '\0' || p != (long)getpid())
		return 0;		/* meant for another process */
	n = strtol(fds, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > ACT_MAX) {
		log_warnx("LISTEN_FDS=%s: expected 0..%d", fds, ACT_MAX);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *colon;
		size_t len = 0;

		act[i].fd = ACT_FDS_START + i;
		act[i].name[0] = '\0';
		if (names != NULL) {
			colon = strchr(names, ':');
			len = colon ? (size_t)(colon - names) : strlen(names);
			if (len >= sizeof(act[i].name))
				len = sizeof(act[i].name) - 1;
			memcpy(act[i].name, names, len);
			act[i].name[len] = '\0';
			names = colon ? colon + 1 : NULL;
		}
		if (activation_check(act[i].fd) != 0)
			return -1;
	}
	act_n = (int)n;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return act_n;
}

/* name "" takes the first fd not named "metrics". */
int
activation_take(const char *name, const char **namep)
{
	for (int i = 0; i < act_n; i++) {
		if (act[i].fd == -1)
			continue;
		if (name[0] == '\0' ? strcmp(act[i].name, "metrics") == 0 :
		    strcmp(act[i].name, name) != 0)
			continue;
		int fd = act[i].fd;
		act[i].fd = -1;
		if (namep != NULL)
			*namep = act[i].name;
		return fd;
	}
	return -1;
}

/* Sockets passed but not used: close them rather than leak them. */
void
activation_close_rest(void)
{
	for (int i = 0; i < act_n; i++)
		if (act[i].fd != -1) {
			log_warnx("activation: fd %d (%s) not used; closed",
			    act[i].fd, act[i].name[0] ? act[i].name : "unnamed");
			close(act[i].fd);
			act[i].fd = -1;
		}
}
