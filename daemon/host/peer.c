/*
 * peer.c - who is calling: the peer's uid, gid and pid from SO_PEERCRED
 * at accept time, and, when that process runs in a container, the
 * container's id read from /proc/PID/cgroup.  It trusts nothing the
 * client says; it does not ask the engine (an id found here is a claim of
 * the kernel's cgroup layout, not yet a confirmed container).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

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

void
peer_identify(int fd, struct peer *p)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char path[64], cg[4096];

	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0)
		return;
	p->pid = cred.pid;
	p->uid = cred.uid;
	p->gid = cred.gid;
	if (p->pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)p->pid);
	if (peer_read_small(path, cg, sizeof(cg)) <= 0 ||
	    peer_container_id(cg, peer_own_cgroup, p->container) != 0)
		p->container[0] = '\0';
}
