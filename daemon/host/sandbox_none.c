/*
 * sandbox_none.c - stubs for builds without libseccomp: callers need no
 * #ifdefs; asking for the sandbox fails with a clear message, so a host
 * that expects one does not silently run without it.
 */
#include "daemon.h"

int
sandbox_apply(enum sw_sandbox mode, int upstream_family, int allow_unlink)
{
	if (mode == SW_SANDBOX_OFF)
		return 0;
	log_warnx("sandbox: built without libseccomp; set \"sandbox off\"");
	return -1;
}

void
sandbox_allow_jobs(void)
{
}

int
sandbox_apply_helper(void)
{
	return 0;
}

int
sandbox_available(void)
{
	return 0;
}
