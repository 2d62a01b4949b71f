/*
 * sandbox_seccomp.c - the libseccomp allowlists, installed as the last step
 * of start-up (after the privilege drop, with no_new_privs set).
 *
 * One table of system calls allowed with any arguments, then one small
 * sb_<syscall>() per call whose arguments are checked (socket families,
 * ioctl FIONREAD, fcntl commands, no PROT_EXEC mappings).  Everything else
 * kills the process (SCMP_ACT_KILL_PROCESS), or in debug mode traps into
 * a SIGSYS handler that names the call and lets it fail with ENOSYS.
 * The list is what strace -f shows the daemon doing after seccomp_load()
 * (epoll, accept4, readv/writev, ioctl FIONREAD, socket+connect upstream,
 * openat/newfstatat/lseek/read/close for reload and /proc/PID/cgroup,
 * sendto/recvmsg to the notify socket and the root helper, rt_sigaction
 * when libevent restores handlers at exit) plus malloc's memory calls, and
 * was checked by running the whole integration tier in debug mode (no
 * call reported).  Sanitizer builds add what LeakSanitizer needs at exit.
 * This file does not decide when to sandbox (main.c) or drop users
 * (privdrop.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <ucontext.h>
#include <unistd.h>

#include <seccomp.h>

#include "daemon.h"

#if defined(__SANITIZE_ADDRESS__)
#define SW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SW_ASAN 1
#endif
#endif

/* Allowed with any arguments. */
static const int sb_noargs[] = {
	/* event loop and time (clock_gettime is normally the vDSO) */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
#ifdef __NR_epoll_pwait2
	SCMP_SYS(epoll_pwait2),
#endif
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
	/* client, upstream, metrics, notify and helper sockets */
	SCMP_SYS(accept4), SCMP_SYS(connect),
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(sendto),
	SCMP_SYS(sendmsg), SCMP_SYS(shutdown), SCMP_SYS(close),
	SCMP_SYS(getsockopt), SCMP_SYS(getpeername), SCMP_SYS(getsockname),
	/* reload, log reopen, /proc/PID/cgroup */
	SCMP_SYS(openat), SCMP_SYS(newfstatat), SCMP_SYS(fstat),
	SCMP_SYS(openat2),		/* bind sources, hostpath.c */
	/* the caller's process, peer.c */
	SCMP_SYS(pidfd_open), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(statx), SCMP_SYS(lseek),
#ifdef __NR_open
	SCMP_SYS(open), SCMP_SYS(stat),
#endif
	/* memory (malloc) */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	/* process */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getrandom),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigaction),		/* libevent restores handlers on exit */
	SCMP_SYS(restart_syscall), SCMP_SYS(futex), SCMP_SYS(exit),
	SCMP_SYS(exit_group),
};

#ifdef SW_ASAN
/*
 * AddressSanitizer/LeakSanitizer at exit: the leak check stops the world
 * with a ptrace()ing clone, reads /proc/self/maps and task/, and the
 * reports symbolize through /proc/self/exe.  Only in sanitizer builds;
 * no execve even here (reports stay unsymbolized instead).
 */
static const int sb_asan[] = {
	SCMP_SYS(clone), SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(prctl),
	SCMP_SYS(sigaltstack), SCMP_SYS(tgkill),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(set_robust_list), SCMP_SYS(getppid), SCMP_SYS(kill),
	SCMP_SYS(pipe2), SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3),
	SCMP_SYS(getrlimit), SCMP_SYS(prlimit64), SCMP_SYS(setrlimit),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(rt_sigtimedwait), SCMP_SYS(sysinfo), SCMP_SYS(msync),
	SCMP_SYS(mincore), SCMP_SYS(getdents64), SCMP_SYS(sched_yield),
	SCMP_SYS(uname), SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep),
#ifdef __NR_getdents
	SCMP_SYS(getdents),
#endif
};
#endif

/*
 * Jobs (control_listen set): the daemon binds each job's socket itself, in
 * its own set-group-ID directory, and keeps their state files: binding
 * and listening on AF_UNIX sockets (socket() is AF_UNIX already), the
 * umask around bind, chmod, rename into place, the job's directory made
 * and removed, files removed, fsync of state files.  No chown, no other
 * socket family; Landlock keeps all of it beneath the two directories.
 */
static int sb_jobs;

void
sandbox_allow_jobs(void)
{
	sb_jobs = 1;
}

static const int sb_jobs_calls[] = {
	SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(umask),
	SCMP_SYS(fchmodat), SCMP_SYS(renameat), SCMP_SYS(renameat2),
	SCMP_SYS(mkdirat), SCMP_SYS(unlinkat), SCMP_SYS(fsync),
#ifdef __NR_chmod
	SCMP_SYS(chmod), SCMP_SYS(rename), SCMP_SYS(mkdir), SCMP_SYS(rmdir),
	SCMP_SYS(unlink),
#endif
};

#define SB_ADD(ctx, nr, ...) \
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, __VA_ARGS__)

/* socket(2): AF_UNIX streams (upstream, notify already open) and the
 * upstream's family when it is TCP. */
static int
sb_socket(scmp_filter_ctx ctx, int family)
{
	int rc = SB_ADD(ctx, SCMP_SYS(socket), 1, SCMP_A0_32(SCMP_CMP_EQ, AF_UNIX));

	if (rc == 0 && family != AF_UNIX)
		rc = SB_ADD(ctx, SCMP_SYS(socket), 1,
		    SCMP_A0_32(SCMP_CMP_EQ, (uint32_t)family));
	return rc;
}

/* setsockopt(2): only TCP_NODELAY on a new TCP upstream connection. */
static int
sb_setsockopt(scmp_filter_ctx ctx)
{
	return SB_ADD(ctx, SCMP_SYS(setsockopt), 2,
	    SCMP_A1_32(SCMP_CMP_EQ, IPPROTO_TCP),
	    SCMP_A2_32(SCMP_CMP_EQ, TCP_NODELAY));
}

/* ioctl(2): libevent sizes reads with FIONREAD, nothing else. */
static int
sb_ioctl(scmp_filter_ctx ctx)
{
	return SB_ADD(ctx, SCMP_SYS(ioctl), 1,
	    SCMP_A1_64(SCMP_CMP_EQ, FIONREAD));
}

/* fcntl(2): flag and close-on-exec get/set only. */
static int
sb_fcntl(scmp_filter_ctx ctx)
{
	static const int cmds[] = { F_GETFL, F_SETFL, F_GETFD, F_SETFD };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		rc = SB_ADD(ctx, SCMP_SYS(fcntl), 1,
		    SCMP_A1_32(SCMP_CMP_EQ, (uint32_t)cmds[i]));
	return rc;
}

/* mmap/mprotect: never executable memory. */
static int
sb_mem(scmp_filter_ctx ctx)
{
	int rc;

	rc = SB_ADD(ctx, SCMP_SYS(mmap), 1,
	    SCMP_A2_64(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc == 0)
		rc = SB_ADD(ctx, SCMP_SYS(mprotect), 1,
		    SCMP_A2_64(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	return rc;
}

/* Debug mode: name the offending call, let it fail with ENOSYS. */
static void
sb_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char buf[160], *name;
	int n;

	(void)sig;
	/* The call was skipped: make it return -ENOSYS. */
#if defined(__x86_64__)
	((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	((ucontext_t *)ctx)->uc_mcontext.regs[0] = (unsigned long long)-ENOSYS;
#endif
	/* Not async-signal-safe in general, but this is the debug path and
	 * seccomp_syscall_resolve_num_arch only looks up a static table. */
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, si->si_syscall);
	n = snprintf(buf, sizeof(buf), "sockwarden[%d]: error: sandbox: "
	    "system call %s (%d) is not allowed\n", (int)getpid(),
	    name ? name : "?", si->si_syscall);
	if (n > 0)
		(void)!write(STDERR_FILENO, buf, (size_t)n < sizeof(buf) ?
		    (size_t)n : sizeof(buf) - 1);
	/* the name came from strdup in libseccomp; leaking it is harmless */
}

static scmp_filter_ctx
sb_build(enum sw_sandbox mode, int family, int allow_unlink)
{
	uint32_t dflt = mode == SW_SANDBOX_DEBUG ? SCMP_ACT_TRAP :
	    SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	int rc = 0;

	if ((ctx = seccomp_init(dflt)) == NULL)
		return NULL;
	for (size_t i = 0; rc == 0 && i < sizeof(sb_noargs) / sizeof(sb_noargs[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sb_noargs[i], 0);
#ifdef SW_ASAN
	for (size_t i = 0; rc == 0 && i < sizeof(sb_asan) / sizeof(sb_asan[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sb_asan[i], 0);
#endif
	for (size_t i = 0; rc == 0 && sb_jobs &&
	    i < sizeof(sb_jobs_calls) / sizeof(sb_jobs_calls[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sb_jobs_calls[i], 0);
	if (rc == 0)
		rc = sb_socket(ctx, family);
	if (rc == 0 && allow_unlink && !sb_jobs)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlink), 0);
	if (rc == 0 && allow_unlink && !sb_jobs)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlinkat), 0);
	if (rc == 0 && family != AF_UNIX)
		rc = sb_setsockopt(ctx);
	if (rc == 0)
		rc = sb_ioctl(ctx);
	if (rc == 0)
		rc = sb_fcntl(ctx);
	if (rc == 0)
		rc = sb_mem(ctx);
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (rc != 0) {
		errno = -rc;
		log_warn("sandbox: building the seccomp filter");
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

int
sandbox_apply(enum sw_sandbox mode, int family, int allow_unlink)
{
	scmp_filter_ctx ctx;
	int rc;

	if (mode == SW_SANDBOX_OFF)
		return 0;
	if (mode == SW_SANDBOX_DEBUG) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sb_sigsys;
		sa.sa_flags = SA_SIGINFO;
		if (sigaction(SIGSYS, &sa, NULL) == -1) {
			log_warn("sandbox: sigaction SIGSYS");
			return -1;
		}
	}
	if ((ctx = sb_build(mode, family, allow_unlink)) == NULL)
		return -1;
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		errno = -rc;
		log_warn("sandbox: seccomp_load");
		return -1;
	}
	return 0;
}

/* The root helper only reads requests, opens/unlinks and answers. */
int
sandbox_apply_helper(void)
{
	static const int calls[] = {
		SCMP_SYS(read), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
		SCMP_SYS(recvfrom), SCMP_SYS(sendto),
		SCMP_SYS(write), SCMP_SYS(openat), SCMP_SYS(unlink),
		SCMP_SYS(unlinkat), SCMP_SYS(newfstatat), SCMP_SYS(fstat),
		SCMP_SYS(close), SCMP_SYS(exit_group), SCMP_SYS(exit),
		SCMP_SYS(getpid), SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap),
		SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(fchown), SCMP_SYS(fchmod), SCMP_SYS(futex),
#ifdef __NR_lstat
		SCMP_SYS(lstat),
#endif
#ifdef SW_ASAN
		SCMP_SYS(clone), SCMP_SYS(ptrace), SCMP_SYS(wait4),
		SCMP_SYS(prctl), SCMP_SYS(sigaltstack), SCMP_SYS(readlink),
		SCMP_SYS(readlinkat), SCMP_SYS(mprotect), SCMP_SYS(madvise),
		SCMP_SYS(getdents64), SCMP_SYS(sched_yield), SCMP_SYS(gettid),
		SCMP_SYS(rt_sigaction), SCMP_SYS(ioctl), SCMP_SYS(fcntl),
		SCMP_SYS(sched_getaffinity), SCMP_SYS(getrlimit),
		SCMP_SYS(prlimit64), SCMP_SYS(tgkill), SCMP_SYS(kill),
		SCMP_SYS(getppid), SCMP_SYS(lseek), SCMP_SYS(pread64),
#ifdef __NR_getdents
		SCMP_SYS(getdents),
#endif
#endif
	};
	scmp_filter_ctx ctx;
	int rc = 0;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return -1;
	for (size_t i = 0; rc == 0 && i < sizeof(calls) / sizeof(calls[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		errno = -rc;
		log_warn("sandbox: helper filter");
		return -1;
	}
	return 0;
}

int
sandbox_available(void)
{
	return 1;
}
