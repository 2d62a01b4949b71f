/*
 * landlock.c - file-system confinement where the kernel has Landlock
 * (Linux >= 5.13): after start-up the daemon may only read below the
 * directories of its settings and policy files, /etc/sockwarden and /proc
 * (for /proc/PID/cgroup), and may only write or remove files below the
 * directories of its audit log and its own socket files (when it removes
 * them itself); with jobs on, it may also make and remove job sockets and
 * their directories beneath the job directory, and state files beneath
 * the state directory.  Connecting to Unix sockets is not a file access Landlock
 * governs, so the engine stays reachable.  The ruleset is built while
 * still root (the directories may be root's) and enforced after the
 * privilege drop and no_new_privs, before seccomp.  A kernel without
 * Landlock is not an error: the seccomp filter still applies.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif

#define LL_READ	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_WRITE (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_REMOVE_FILE)

static int ll_fd = -1;
static uint64_t ll_handled;

static int
ll_add(const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb;
	int fd;

	if (path == NULL || *path == '\0')
		return 0;
	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		log_debug("landlock: %s: %s; no rule", path, strerror(errno));
		return 0;
	}
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = access & ll_handled;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ll_fd, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) == -1) {
		log_warn("landlock: rule for %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Build the ruleset (as root, before the drop).  ro and rw are
 * NULL-terminated lists of directories.  Returns 0, also when the kernel
 * has no Landlock (then landlock_enforce() does nothing).
 */
int
landlock_prepare(const char *const *ro, const char *const *rw)
{
	struct landlock_ruleset_attr ra;
	long abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		log_info("landlock: not available (%s); seccomp only",
		    strerror(errno));
		return 0;
	}
	ll_handled = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;	/* ABI 1 */
	if (abi >= 2)
		ll_handled |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		ll_handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		ll_handled |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = ll_handled;
	ll_fd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (ll_fd == -1) {
		log_warn("landlock: create ruleset");
		return -1;
	}
	for (size_t i = 0; ro != NULL && ro[i] != NULL; i++)
		if (ll_add(ro[i], LL_READ) != 0)
			return -1;
	for (size_t i = 0; rw != NULL && rw[i] != NULL; i++)
		if (ll_add(rw[i], LL_READ | LL_WRITE) != 0)
			return -1;
	return 0;
}

int
landlock_add_jobs(const char *dir, int sockets)
{
	if (ll_fd == -1)
		return 0;
	return ll_add(dir, sockets ? LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE :
	    LL_READ | LL_WRITE | LANDLOCK_ACCESS_FS_TRUNCATE);
}

/* Enforce the prepared ruleset (needs no_new_privs). */
int
landlock_enforce(void)
{
	if (ll_fd == -1)
		return 0;
	if (syscall(SYS_landlock_restrict_self, ll_fd, 0) == -1) {
		log_warn("landlock: restrict_self");
		close(ll_fd);
		ll_fd = -1;
		return -1;
	}
	close(ll_fd);
	ll_fd = -1;
	log_debug("landlock: file access confined");
	return 0;
}
