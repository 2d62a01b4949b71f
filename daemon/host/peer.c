/*
 * peer.c - who is calling: the peer's uid, gid and pid from SO_PEERCRED
 * at accept time, and, when that process runs in a container, the
 * container's id read from /proc/PID/cgroup.  The pid is pinned with a
 * pidfd (SO_PEERPIDFD, or pidfd_open on kernels without it) and the
 * process is checked to be alive (not yet exited) after its cgroup was
 * read, so a pid that
 * was recycled in between never lends its cgroup to another caller.  It
 * trusts nothing the client says; it does not ask the engine (an id found
 * here is what the kernel's cgroups say, not yet a confirmed container).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77	/* Linux 6.5; Debian 12's headers lack it */
#endif

static char peer_own_cgroup[4096];	/* our own: its ids are no caller's */

static ssize_t
peer_read_small(const char *path, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd == -1)
		return -1;
	while ((size_t)got < len - 1) {
		n = read(fd, buf + got, len - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

void
peer_init(void)
{
	if (peer_read_small("/proc/self/cgroup", peer_own_cgroup,
	    sizeof(peer_own_cgroup)) < 0)
		peer_own_cgroup[0] = '\0';
}

static int
peer_ishex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/*
 * The container id in a cgroup file: the last run of exactly 64 lowercase
 * hex digits in any cgroup path ("/docker/<id>", "docker-<id>.scope",
 * ".../<id>") that does not also appear in our own cgroup (when the daemon
 * itself runs in a container, its id is no caller's).
 */
int
peer_container_id(const char *cg, const char *own, char id[65])
{
	const char *p = cg, *found = NULL;

	while (*p != '\0') {
		if (peer_ishex((unsigned char)*p) &&
		    (p == cg || !peer_ishex((unsigned char)p[-1]))) {
			size_t n = 0;
			while (peer_ishex((unsigned char)p[n]))
				n++;
			if (n == 64) {
				char cand[65];
				memcpy(cand, p, 64);
				cand[64] = '\0';
				if (own == NULL || strstr(own, cand) == NULL)
					found = p;
			}
			p += n;
			continue;
		}
		p++;
	}
	if (found == NULL)
		return -1;
	memcpy(id, found, 64);
	id[64] = '\0';
	return 0;
}

/* A pidfd for the peer: the kernel's own (race-free), else one opened now. */
static int
peer_pidfd(int fd, pid_t pid)
{
	socklen_t len = sizeof(int);
	int pidfd = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 &&
	    pidfd >= 0)
		return pidfd;
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

void
peer_identify(int fd, struct peer *p)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char path[64], cg[4096];
	struct pollfd pfd;
	int pidfd;

	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0)
		return;
	p->pid = cred.pid;
	p->uid = cred.uid;
	p->gid = cred.gid;
	if (p->pid <= 0 || (pidfd = peer_pidfd(fd, p->pid)) == -1)
		return;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)p->pid);
	if (peer_read_small(path, cg, sizeof(cg)) <= 0 ||
	    peer_container_id(cg, peer_own_cgroup, p->container) != 0)
		p->container[0] = '\0';
	/* Still the same process after the read?  Then the pid was not
	 * recycled and the cgroup was its own.  (A pidfd turns readable
	 * when its process exits; no permission needed to ask.) */
	pfd.fd = pidfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) != 0)
		p->container[0] = '\0';
	close(pidfd);
}
