/*
 * privdrop.c - leaving root.  When started as root the daemon becomes a
 * dedicated user (setting "user", default "sockwarden", or "nobody" where
 * that account does not exist), keeping as its only supplementary group
 * the one that reaches the engine socket (setting "keep_group", default
 * the socket's group), in the order setgroups -> setresgid -> setresuid,
 * each checked.  Started as non-root (systemd User=) it changes nothing.
 * An engine socket that is not there yet means group "docker" (dockerd's
 * default) when it exists.  Without an explicit "user", a root start whose
 * engine socket the new user could not reach (no group/other write bit,
 * or absent with no docker group) stays root, still under no_new_privs
 * and seccomp, and says so; with "user" set the drop always happens.
 *
 * Two things an unprivileged process cannot do for itself are kept in a
 * tiny root helper forked before the drop: removing the daemon's own
 * socket files on shutdown (their directory may be root's) and opening the
 * audit log file on SIGUSR1 (the fd is passed back over SCM_RIGHTS).  The
 * helper answers one-byte requests of fixed size, only on its socketpair,
 * runs under its own seccomp filter and exits when the daemon goes away.
 * It does not read configuration or policy: reloads use the daemon's own
 * credentials, so those files must be readable by the dropped user.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"

#define PRIV_MAX_UNLINK	4

#define PRIV_REQ_UNLINK	'U'
#define PRIV_REQ_AUDIT	'A'

static int priv_fd = -1;		/* worker's end of the socketpair */

static int
priv_lookup_user(const char *name, struct passwd *out, char *buf, size_t blen)
{
	struct passwd *pw = NULL;
	char *end;
	unsigned long v;

	if (getpwnam_r(name, out, buf, blen, &pw) == 0 && pw != NULL)
		return 0;
	v = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0' && v < UINT_MAX &&
	    getpwuid_r((uid_t)v, out, buf, blen, &pw) == 0 && pw != NULL)
		return 0;
	return -1;
}

static int
priv_lookup_group(const char *name, gid_t *gid)
{
	struct group *gr = getgrnam(name);
	char *end;
	unsigned long v;

	if (gr != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	v = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0' && v < UINT_MAX) {
		*gid = (gid_t)v;
		return 0;
	}
	return -1;
}

/*
 * Decide who the daemon becomes.  Returns -1 (after saying why) when the
 * settings cannot be honoured.
 */
int
privdrop_plan(const struct sw_conf *conf, const struct upstream_addr *up,
    struct privdrop_plan *p)
{
	struct passwd pw;
	char buf[4096];
	const char *name = conf->user;
	struct stat st;

	memset(p, 0, sizeof(*p));
	if (geteuid() != 0) {
		if (conf->user != NULL)
			log_info("not started as root: setting \"user %s\" "
			    "ignored, running as uid %d", conf->user,
			    (int)geteuid());
		return 0;
	}
	if (name == NULL) {
		name = "sockwarden";
		if (priv_lookup_user(name, &pw, buf, sizeof(buf)) != 0) {
			log_info("no \"sockwarden\" account; dropping to "
			    "\"nobody\" (set \"user\" to choose)");
			name = "nobody";
		}
	}
	if (priv_lookup_user(name, &pw, buf, sizeof(buf)) != 0) {
		log_warnx("user: no such user '%s'", name);
		return -1;
	}
	if (pw.pw_uid == 0) {
		if (conf->user == NULL) {
			log_warnx("refusing to run as root: set \"user\"");
			return -1;
		}
		log_warnx("running as root because \"user %s\" says so",
		    conf->user);
		return 0;
	}
	p->drop = 1;
	p->uid = pw.pw_uid;
	p->gid = pw.pw_gid;
	snprintf(p->user, sizeof(p->user), "%s", pw.pw_name);
	if (conf->keep_group != NULL) {
		if (priv_lookup_group(conf->keep_group, &p->keep) != 0) {
			log_warnx("keep_group: no such group '%s'",
			    conf->keep_group);
			return -1;
		}
		p->keep_set = 1;
	} else if (up->kind == UPSTREAM_UNIX) {
		const struct sockaddr_un *sun =
		    (const struct sockaddr_un *)&up->ss;

		if (stat(sun->sun_path, &st) == -1) {
			struct group *gr = getgrnam("docker");

			if (gr != NULL) {
				/* The engine may start later; dockerd's
				 * default group is the best guess. */
				log_info("%s: engine socket not there yet; "
				    "keeping group docker (dockerd's default; "
				    "set keep_group to choose)", sun->sun_path);
				p->keep = gr->gr_gid;
				p->keep_set = 1;
				goto done;
			}
			if (conf->user == NULL) {
				/* Nobody knows yet which identity will reach
				 * the engine: stay root (sandboxed), loudly. */
				log_warn("%s: engine socket not there to learn "
				    "its group; staying root. Set \"user\" and "
				    "\"keep_group\"", sun->sun_path);
				memset(p, 0, sizeof(*p));
				return 0;
			}
			log_warn("%s: cannot find the engine socket's group "
			    "(set keep_group); keeping no group", sun->sun_path);
			goto done;
		}
		p->keep = st.st_gid;
		p->keep_set = 1;
		if (st.st_gid == 0)
			log_warnx("engine socket %s belongs to group root; "
			    "keeping gid 0 (give the engine a group: dockerd "
			    "--group docker)", sun->sun_path);
		if (st.st_uid != p->uid && !(st.st_mode & S_IWGRP) &&
		    !(st.st_mode & S_IWOTH)) {
			if (conf->user == NULL) {
				/* Nothing configured and no identity that can
				 * reach the engine: stay root (still under
				 * no_new_privs and seccomp), loudly. */
				log_warnx("engine socket %s is mode %04o uid %d "
				    "gid %d: user %s could not connect; staying "
				    "root. Set \"user\" and give the socket a "
				    "group (dockerd --group)", sun->sun_path,
				    (unsigned)(st.st_mode & 07777),
				    (int)st.st_uid, (int)st.st_gid, p->user);
				memset(p, 0, sizeof(*p));
				return 0;
			}
			log_warnx("engine socket %s is mode %04o: user %s will "
			    "not be able to connect", sun->sun_path,
			    (unsigned)(st.st_mode & 07777), p->user);
		}
	}
done:
	if (p->keep_set) {
		struct group *gr = getgrgid(p->keep);
		snprintf(p->keep_name, sizeof(p->keep_name), "%s",
		    gr ? gr->gr_name : "?");
	}
	return 0;
}

/*
 * The engine socket's directory may not be searchable by the dropped user
 * (a private engine under a 0700 directory): enter it while still root and
 * connect by the relative name from then on.  Only for a planned drop.
 */
int
privdrop_pin_upstream(struct upstream_addr *up)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&up->ss;
	char dir[sizeof(sun->sun_path)], *slash;
	const char *base;

	if (up->kind != UPSTREAM_UNIX || sun->sun_path[0] != '/')
		return 0;
	memcpy(dir, sun->sun_path, sizeof(dir));
	slash = strrchr(dir, '/');
	base = sun->sun_path + (slash - dir) + 1;
	*slash = '\0';
	if (chdir(dir[0] ? dir : "/") == -1) {
		/* Not there yet: connect by the full path, as the new user. */
		log_warn("chdir %s; connecting by absolute path", dir[0] ? dir : "/");
		return 0;
	}
	memmove(sun->sun_path, base, strlen(base) + 1);
	up->sslen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(sun->sun_path) + 1);
	return 0;
}

int
privdrop_apply(const struct privdrop_plan *p)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (!p->drop)
		return 0;
	if (setgroups(p->keep_set ? 1 : 0, &p->keep) == -1) {
		log_warn("setgroups");
		return -1;
	}
	if (setresgid(p->gid, p->gid, p->gid) == -1) {
		log_warn("setresgid %d", (int)p->gid);
		return -1;
	}
	if (setresuid(p->uid, p->uid, p->uid) == -1) {
		log_warn("setresuid %d", (int)p->uid);
		return -1;
	}
	if (getresuid(&r, &e, &s) == -1 || r != p->uid || e != p->uid ||
	    s != p->uid || getresgid(&rg, &eg, &sg) == -1 || rg != p->gid ||
	    eg != p->gid || sg != p->gid) {
		log_warnx("privilege drop did not take");
		return -1;
	}
	if (setuid(0) != -1) {
		log_warnx("privilege drop did not take: setuid(0) succeeded");
		return -1;
	}
	log_info("running as user %s (uid %d, gid %d)%s%s", p->user,
	    (int)p->uid, (int)p->gid, p->keep_set ? ", keeping group " : "",
	    p->keep_set ? p->keep_name : "");
	return 0;
}

int
privdrop_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("prctl(PR_SET_NO_NEW_PRIVS)");
		return -1;
	}
	return 0;
}

/* --------------------------------------------------------------- helper */

struct priv_file {
	char	*path;
	dev_t	 dev;
	ino_t	 ino;
};

static int
priv_send_fd(int sock, int fd, int err)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr msg;
	struct iovec iov;
	int32_t e = err;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &e;
	iov.iov_len = sizeof(e);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		cm.hdr.cmsg_level = SOL_SOCKET;
		cm.hdr.cmsg_type = SCM_RIGHTS;
		cm.hdr.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&cm.hdr), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(e) ? 0 : -1;
}

static void __attribute__((noreturn))
priv_helper_main(int sock, struct priv_file *files, size_t nfiles,
    const char *audit_path, const struct privdrop_plan *plan, int sandbox)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2,
	    SIGPIPE };
	unsigned char req[8];
	struct stat st;
	ssize_t n;
	int fd;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_IGN);
	(void)prctl(PR_SET_NAME, "sockwarden-priv", 0, 0, 0);
	/* Only the socketpair and stdio stay open. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != sock)
			(void)close(fd);
	if (privdrop_no_new_privs() != 0)
		_exit(1);
	if (sandbox != SW_SANDBOX_OFF && sandbox_available() &&
	    sandbox_apply_helper() != 0)
		_exit(1);
	for (;;) {
		n = recv(sock, req, sizeof(req), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);	/* the daemon is gone */
		if (n != 1) {
			log_warnx("priv helper: bad request size %zd", n);
			_exit(1);
		}
		switch (req[0]) {
		case PRIV_REQ_UNLINK:
			for (size_t i = 0; i < nfiles; i++) {
				/* Only the very socket we created. */
				if (lstat(files[i].path, &st) == 0 &&
				    S_ISSOCK(st.st_mode) &&
				    st.st_dev == files[i].dev &&
				    st.st_ino == files[i].ino)
					(void)unlink(files[i].path);
			}
			(void)priv_send_fd(sock, -1, 0);
			break;
		case PRIV_REQ_AUDIT:
			if (audit_path == NULL) {
				(void)priv_send_fd(sock, -1, EINVAL);
				break;
			}
			fd = open(audit_path, O_WRONLY | O_APPEND | O_CREAT |
			    O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
			if (fd == -1) {
				(void)priv_send_fd(sock, -1, errno);
				break;
			}
			if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
				close(fd);
				(void)priv_send_fd(sock, -1, EINVAL);
				break;
			}
			(void)priv_send_fd(sock, fd, 0);
			close(fd);
			break;
		default:
			log_warnx("priv helper: unknown request %#x", req[0]);
			_exit(1);
		}
	}
}

/*
 * Fork the root helper (only when dropping privileges).  unlink_paths is a
 * NULL-terminated list of socket files the daemon created; each is
 * identified by device and inode now, so the helper never removes a file
 * that replaced it.
 */
int
privdrop_helper_start(const char *const *unlink_paths, const char *audit_path,
    const struct privdrop_plan *plan, int sandbox)
{
	struct priv_file files[PRIV_MAX_UNLINK];
	size_t nfiles = 0;
	struct stat st;
	int sv[2];
	pid_t pid;

	if (!plan->drop)
		return 0;
	for (size_t i = 0; unlink_paths != NULL && unlink_paths[i] != NULL &&
	    nfiles < PRIV_MAX_UNLINK; i++) {
		if (lstat(unlink_paths[i], &st) == -1)
			continue;
		files[nfiles].path = (char *)unlink_paths[i];
		files[nfiles].dev = st.st_dev;
		files[nfiles].ino = st.st_ino;
		nfiles++;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("socketpair");
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_warn("fork");
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		priv_helper_main(sv[1], files, nfiles, audit_path, plan, sandbox);
	}
	close(sv[1]);
	priv_fd = sv[0];
	return 0;
}

int
privdrop_helper_active(void)
{
	return priv_fd != -1;
}

/* One request, one answer (an errno and maybe an fd). */
static int
priv_call(unsigned char op, int *fdp)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr msg;
	struct cmsghdr *h;
	struct iovec iov;
	int32_t err = 0;
	ssize_t n;

	if (fdp != NULL)
		*fdp = -1;
	if (priv_fd == -1)
		return -1;
	if (send(priv_fd, &op, 1, MSG_NOSIGNAL) != 1)
		return -1;
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &err;
	iov.iov_len = sizeof(err);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	do
		n = recvmsg(priv_fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(err))
		return -1;
	for (h = CMSG_FIRSTHDR(&msg); h != NULL; h = CMSG_NXTHDR(&msg, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS &&
		    h->cmsg_len == CMSG_LEN(sizeof(int))) {
			int fd;
			memcpy(&fd, CMSG_DATA(h), sizeof(int));
			if (fdp != NULL)
				*fdp = fd;
			else
				close(fd);
		}
	}
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

void
privdrop_helper_unlink(void)
{
	if (priv_fd != -1 && priv_call(PRIV_REQ_UNLINK, NULL) != 0)
		log_warnx("priv helper did not remove the socket files");
}

int
privdrop_helper_open_audit(void)
{
	int fd;

	if (priv_call(PRIV_REQ_AUDIT, &fd) != 0)
		return -1;
	return fd;
}
