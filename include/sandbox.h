/*
 * sandbox.h - the last line of start-up: no_new_privs, then a libseccomp
 * allowlist of exactly the system calls the running daemon makes (event
 * loop, relay, reload, log reopen, shutdown).  Callers never need #ifdefs:
 * without libseccomp sandbox_none.c provides the same API and reports that
 * no filter is available.  It does not drop privileges (privdrop.c).
 */
#ifndef SW_SANDBOX_H
#define SW_SANDBOX_H

#include "sockwarden.h"

/*
 * Install the worker's filter.  mode is SW_SANDBOX_ON (a violation kills
 * the process) or SW_SANDBOX_DEBUG (a violation is logged with the syscall
 * name and fails with ENOSYS).  upstream_family is AF_UNIX, AF_INET or
 * AF_INET6: the only families socket(2) may create besides AF_UNIX.
 * allow_unlink lets the daemon remove its own socket files on shutdown
 * (off when the root helper of privdrop.c does that).
 * Returns 0, or -1 after logging why.
 */
int	 sandbox_apply(enum sw_sandbox mode, int upstream_family,
	    int allow_unlink);
/* Filter for the privileged helper (privdrop.c): a handful of calls. */
int	 sandbox_apply_helper(void);
/* 1 when built with libseccomp. */
int	 sandbox_available(void);
/* Write the worker filter as libseccomp PFC text to fd (for review). */
int	 sandbox_export(int fd, int upstream_family);

/* landlock.c: file access confined to a few directories (Linux >= 5.13).
 * prepare builds the rules while still root; enforce applies them after
 * the drop and no_new_privs.  Without Landlock both succeed and do nothing. */
int	 landlock_prepare(const char *const *ro_dirs, const char *const *rw_dirs);
int	 landlock_enforce(void);

#endif /* SW_SANDBOX_H */
