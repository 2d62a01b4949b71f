/*
 * test_buildhost.c - the build-host pieces that need no engine: JSON
 * escaping of audit fields, the container id found in /proc/PID/cgroup
 * text (cgroup v1 and v2 layouts, the daemon's own container excluded),
 * the new settings keys, and the seccomp allowlist itself, installed in
 * forked children that try forbidden system calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "t.h"

#define ID1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static void
test_escape(void)
{
	static const struct { const char *in; size_t len; const char *out; } t[] = {
		{ "/v1.41/containers/json", 22, "/v1.41/containers/json" },
		{ "a\"b\\c", 5, "a\\\"b\\\\c" },
		{ "\n\r\t", 3, "\\u000a\\u000d\\u0009" },
		{ "x\0y", 3, "x\\u0000y" },
		{ "\xff\xc3\xa9", 3, "\\u00ff\\u00c3\\u00a9" },
		{ "\",\"decision\":\"allow", 19,
		  "\\\",\\\"decision\\\":\\\"allow" },
	};
	char out[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		audit_json_escape(t[i].in, t[i].len, out, sizeof(out));
		CHECK_STR(out, t[i].out);
	}
	/* truncation never splits an escape */
	audit_json_escape("\n\n\n", 3, out, 10);
	CHECK_STR(out, "\\u000a");
	audit_json_escape("abc", 3, out, 1);
	CHECK_STR(out, "");
}

static void
test_container_id(void)
{
	char id[65];

	CHECK_INT(peer_container_id("12:pids:/docker/" ID1 "\n"
	    "11:memory:/docker/" ID1 "\n0::/\n", "0::/\n", id), 0);
	CHECK_STR(id, ID1);
	CHECK_INT(peer_container_id("0::/system.slice/docker-" ID1 ".scope\n",
	    "0::/system.slice/sockwarden.service\n", id), 0);
	CHECK_STR(id, ID1);
	/* nested: the caller's container inside ours */
	CHECK_INT(peer_container_id("4:memory:/docker/" ID2 "/docker/" ID1 "\n",
	    "4:memory:/docker/" ID2 "\n", id), 0);
	CHECK_STR(id, ID1);
	/* a process in the daemon's own container is no container caller */
	CHECK_INT(peer_container_id("4:memory:/docker/" ID2 "\n",
	    "4:memory:/docker/" ID2 "\n", id), -1);
	CHECK_INT(peer_container_id("9:name=systemd:/\n0::/user.slice\n",
	    "", id), -1);
	/* 63 or 65 hex digits, upper case: not an id */
	CHECK_INT(peer_container_id("1:cpu:/docker/" ID1 "0\n", "", id), -1);
	CHECK_INT(peer_container_id("1:cpu:/docker/" "0123456789ABCDEF0123456789"
	    "abcdef0123456789abcdef0123456789abcdef\n", "", id), -1);
	CHECK_INT(peer_container_id("1:cpu:/x/" "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcde\n", "", id), -1);
}

static void
test_config(void)
{
	static const struct { const char *key, *val; int ok; } t[] = {
		{ "user", "sockwarden", 0 }, { "user", "65534", 0 },
		{ "user", "a b", -1 }, { "user", "-x", -1 },
		{ "keep_group", "docker", 0 }, { "keep_group", "do;cker", -1 },
		{ "audit_log", "stderr", 0 }, { "audit_log", "off", 0 },
		{ "audit_log", "/var/log/sockwarden/audit.log", 0 },
		{ "audit_log", "audit.log", -1 },
		{ "metrics_listen", "unix:/run/sockwarden/metrics.sock", 0 },
		{ "metrics_listen", "tcp:127.0.0.1:9323", 0 },
		{ "metrics_listen", "off", 0 }, { "metrics_listen", "9323", -1 },
		{ "sandbox", "on", 0 }, { "sandbox", "off", 0 },
		{ "sandbox", "debug", 0 }, { "sandbox", "yes", -1 },
		{ "listener_name", "docker-api", 0 },
		{ "listener_name", "a\"b", -1 }, { "listener_name", "a b", -1 },
	};
	struct sw_conf c;
	FILE *saved = stderr;

	stderr = fopen("/dev/null", "w");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		conf_defaults(&c);
		CHECK_INT(conf_set(&c, t[i].key, t[i].val, "t.conf", 1), t[i].ok);
		conf_free(&c);
	}
	fclose(stderr);
	stderr = saved;
	conf_defaults(&c);
	CHECK_INT(c.sandbox, -1);
	CHECK_INT(conf_set(&c, "sandbox", "debug", NULL, 0), 0);
	CHECK_INT(c.sandbox, SW_SANDBOX_DEBUG);
	conf_free(&c);
}

enum sb_try { TRY_OK, TRY_EXECVE, TRY_INET, TRY_PROT_EXEC, TRY_IOCTL,
    TRY_PTRACE_FREE, TRY_UNLINK, TRY_FORK };

/* Run one attempt in a sandboxed child; returns its wait status. */
static int
sb_child(enum sw_sandbox mode, enum sb_try what)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		int fd = -1, n;
		void *p;

		if (sandbox_apply(mode, AF_UNIX, 0) != 0)
			_exit(90);
		switch (what) {
		case TRY_OK:
			fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			n = 0;
			if (fd < 0 || ioctl(fd, FIONREAD, &n) != 0)
				_exit(91);
			close(fd);
			p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(92);
			if ((fd = open("/proc/self/cgroup", O_RDONLY)) < 0)
				_exit(93);
			close(fd);
			_exit(0);
		case TRY_EXECVE:
			execl("/bin/true", "true", (char *)NULL);
			_exit(errno == ENOSYS ? 80 : 81);
		case TRY_INET:
			fd = socket(AF_INET, SOCK_STREAM, 0);
			_exit(fd < 0 && errno == ENOSYS ? 80 : 81);
		case TRY_PROT_EXEC:
			p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			_exit(p == MAP_FAILED && errno == ENOSYS ? 80 : 81);
		case TRY_IOCTL:
			n = ioctl(0, TIOCSTI, "x");
			_exit(n < 0 && errno == ENOSYS ? 80 : 81);
		case TRY_PTRACE_FREE:
			n = (int)syscall(SYS_ptrace, 0, 0, 0, 0);
			_exit(n < 0 ? 80 : 81);
		case TRY_UNLINK:
			n = unlink("/nonexistent/sockwarden-test");
			_exit(n < 0 && errno == ENOSYS ? 80 : 81);
		case TRY_FORK:
			n = (int)syscall(SYS_fork);
			_exit(n < 0 && errno == ENOSYS ? 80 : 81);
		}
		_exit(99);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

#define KILLED(st)	(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
#define EXITED(st, c)	(WIFEXITED(st) && WEXITSTATUS(st) == (c))

static void
test_seccomp(void)
{
	static const enum sb_try bad[] = { TRY_EXECVE, TRY_INET, TRY_PROT_EXEC,
	    TRY_IOCTL, TRY_UNLINK, TRY_FORK };
	int st;

	if (!sandbox_available()) {
		printf("# no libseccomp: seccomp checks skipped\n");
		return;
	}
	st = sb_child(SW_SANDBOX_ON, TRY_OK);
	CHECK(EXITED(st, 0));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = sb_child(SW_SANDBOX_ON, bad[i]);
		if (!KILLED(st))
			fprintf(stderr, "try %d: status %#x\n", (int)bad[i], st);
		CHECK(KILLED(st));
		/* debug mode: logged and failed with ENOSYS, not killed */
		st = sb_child(SW_SANDBOX_DEBUG, bad[i]);
		if (!EXITED(st, 80))
			fprintf(stderr, "debug try %d: status %#x\n", (int)bad[i], st);
		CHECK(EXITED(st, 80));
	}
#ifndef __SANITIZE_ADDRESS__
	st = sb_child(SW_SANDBOX_ON, TRY_PTRACE_FREE);
	CHECK(KILLED(st));
#endif
	CHECK_INT(sandbox_apply(SW_SANDBOX_OFF, AF_UNIX, 0), 0);
}

int
main(void)
{
	test_escape();
	test_container_id();
	test_config();
	test_seccomp();
	return t_done();
}
