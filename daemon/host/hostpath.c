/*
 * hostpath.c - a bind source checked on the host as the engine will find
 * it, before the request goes upstream: it must lie beneath the root that
 * admits it without crossing a symbolic link (a job that can write inside
 * a root could plant `x -> /` there and bind it from its next container),
 * and it must exist where the engine would otherwise create it (as a
 * root-owned directory on the host).  The root is the operator's and is
 * resolved normally (/var/run -> /run is fine); only what lies below it is
 * walked with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS).  It opens
 * with O_PATH only and never writes.  A check that cannot be made fails
 * closed.  The engine resolves the path again later: a symlink swapped in
 * between is the race this cannot close (docs/policy.md says so).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"

int
hostpath_check(const char *root, const char *path, int must_exist,
    char *why, size_t whylen)
{
	struct open_how how;
	size_t rl = strlen(root);
	const char *rel;
	int rfd, fd, err;

	if (strncmp(path, root, rl) != 0 ||
	    (path[rl] != '\0' && path[rl] != '/' && rl != 1)) {
		snprintf(why, whylen, "the host path '%s' is not below its root "
		    "'%s'", path, root);
		return -1;
	}
	rel = path + rl;
	while (*rel == '/')
		rel++;
	if ((rfd = open(root, O_PATH | O_CLOEXEC)) == -1) {
		err = errno;
		if (err == ENOENT && !must_exist && *rel == '\0')
			return 0;	/* the engine refuses it itself */
		snprintf(why, whylen, "the bind root '%s' cannot be checked on "
		    "the host: %s", root, strerror(err));
		return -1;
	}
	if (*rel == '\0') {
		close(rfd);
		return 0;
	}
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, rfd, rel, &how, sizeof(how));
	err = errno;
	close(rfd);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	switch (err) {
	case ENOENT:
		if (!must_exist)
			return 0;	/* the engine refuses it itself */
		snprintf(why, whylen, "the host path '%s' does not exist: the "
		    "engine would create it, owned by root", path);
		return -1;
	case ELOOP:
	case EXDEV:
		snprintf(why, whylen, "the host path '%s' crosses a symbolic "
		    "link below its root '%s'", path, root);
		return -1;
	default:
		snprintf(why, whylen, "the host path '%s' cannot be checked on "
		    "the host: %s", path, strerror(err));
		return -1;
	}
}
