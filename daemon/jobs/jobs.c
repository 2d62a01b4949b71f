/*
 * jobs.c - one socket per CI job.  `job open` makes a listener of its own
 * for the job, JOB_DIR/ID/docker.sock, whose every caller is the job's
 * tenant "j:ID": everything the job makes carries that owner label, and it
 * sees and touches only that.  `job close` removes the listener (the file,
 * the live connections and streams), then, unless kept, reaps every
 * container, volume and network the job owns (reap.c), retrying with
 * backoff while the engine does not answer.  A TTL closes a job the same
 * way.  Open jobs and unfinished reaps are kept in the state directory
 * (state.c), so a restart, even after kill -9, restores every open job's
 * socket in the same place and finishes every reap.
 *
 * A job's socket is bound by the daemon itself, after the privilege drop,
 * in a directory the daemon owns whose set-group-ID bit gives every
 * socket the job group (job_group): no root helper, no chown, and the
 * sandbox grants only socket, directory and state-file changes beneath
 * those two directories.  It does not speak the control protocol
 * (control.c) or count objects (census.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "jobs_int.h"

#define JOBS_MAX		1024
#define JOB_SOCK_NAME		"docker.sock"
#define JOB_RETRY_MIN_S		1
#define JOB_RETRY_MAX_S		60

struct jobs_table jobtab = { .list = TAILQ_HEAD_INITIALIZER(jobtab.list) };

static void job_timer_cb(evutil_socket_t, short, void *);
static void job_reap_try(struct job *);

struct job *
job_find(const char *id)
{
	struct job *j;

	TAILQ_FOREACH(j, &jobtab.list, j_entry)
		if (strcmp(j->j_spec.id, id) == 0)
			return j;
	return NULL;
}

int
jobs_enabled(void)
{
	return jobtab.on;
}

static void
job_free(struct job *j)
{
	if (j->j_listener != NULL)
		listener_remove(j->j_listener, "exit");
	reap_cancel(j->j_reap);
	if (j->j_timer != NULL)
		event_free(j->j_timer);
	jobspec_free(&j->j_spec);
	free(j);
}

static void
job_state_of(const struct job *j, struct job_state *st)
{
	memset(st, 0, sizeof(*st));
	st->spec = j->j_spec;		/* borrowed: not freed */
	st->reaping = j->j_reaping;
	st->deadline_s = j->j_deadline_s;
}

static int
job_persist(const struct job *j)
{
	struct job_state st;

	job_state_of(j, &st);
	return jobstate_write(jobtab.state, &st);
}

/* A job, its paths and timer; spec is taken over (zeroed). */
static struct job *
job_new(struct job_spec *spec, char *err, size_t errlen)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	j->j_spec = *spec;
	memset(spec, 0, sizeof(*spec));
	snprintf(j->j_tenant, sizeof(j->j_tenant), "j:%s", j->j_spec.id);
	snprintf(j->j_name, sizeof(j->j_name), "job:%s", j->j_spec.id);
	/* listener_bind_unix's temporary name adds up to 16 bytes */
	if (strlen(jobtab.dir) + strlen(j->j_spec.id) + sizeof(JOB_SOCK_NAME) +
	    1 + 16 >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "job id too long: %s/%s/%s would be "
		    "over the 91 bytes a unix socket path may have here",
		    jobtab.dir, j->j_spec.id, JOB_SOCK_NAME);
		job_free(j);
		return NULL;
	}
	snprintf(j->j_dir, sizeof(j->j_dir), "%.200s/%s", jobtab.dir,
	    j->j_spec.id);
	snprintf(j->j_sock, sizeof(j->j_sock), "%.300s/%s", j->j_dir,
	    JOB_SOCK_NAME);
	if ((j->j_timer = evtimer_new(srv->base, job_timer_cb, j)) == NULL) {
		snprintf(err, errlen, "out of memory");
		job_free(j);
		return NULL;
	}
	j->j_opened = time(NULL);
	return j;
}

/* The job's directory: ours, a real directory, never a symlink. */
static int
job_mkdir(const struct job *j, char *err, size_t errlen)
{
	struct stat st;
	mode_t old;
	int rc;

	/* Not chmod afterwards: from a non-member of the job group that
	 * would clear the set-group-ID bit the directory inherits, and its
	 * socket would lose the group.  The umask (UMask=0077 under the
	 * unit) must not take the group's access either. */
	old = umask(0027);
	rc = mkdir(j->j_dir, 0750);
	umask(old);
	if (rc == -1 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", j->j_dir, strerror(errno));
		return -1;
	}
	if (lstat(j->j_dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != jobtab.uid) {
		snprintf(err, errlen, "%s is not a directory of sockwarden's",
		    j->j_dir);
		return -1;
	}
	return 0;
}

/* Bind the job's socket: a listener of its own, caller = the job. */
static int
job_listen(struct job *j, char *err, size_t errlen)
{
	struct sw_listener spec;
	struct policy_errors errs;
	struct policy *p = NULL;

	if (j->j_spec.policy_text != NULL) {
		memset(&errs, 0, sizeof(errs));
		if (policy_compile(j->j_spec.policy_name ? j->j_spec.policy_name :
		    "job policy", j->j_spec.policy_text,
		    strlen(j->j_spec.policy_text), &p, &errs) != 0) {
			snprintf(err, errlen, "invalid policy: %.*s",
			    errs.text ? (int)strcspn(errs.text, "\n") : 0,
			    errs.text ? errs.text : "");
			policy_errors_free(&errs);
			return -1;
		}
		policy_errors_free(&errs);
	}
	if (job_mkdir(j, err, errlen) != 0) {
		if (p != NULL)
			policy_free(p);
		return -1;
	}
	memset(&spec, 0, sizeof(spec));
	spec.name = j->j_name;
	spec.path = j->j_sock;
	spec.mode = jobtab.mode;
	spec.ident = IDENT_LISTENER;
	spec.tenant = j->j_tenant;
	spec.job = j->j_spec.id;
	if ((j->j_listener = listener_open(&spec, -1, p)) == NULL) {
		snprintf(err, errlen, "cannot create %s (see the log)",
		    j->j_sock);
		(void)rmdir(j->j_dir);
		return -1;
	}
	return 0;
}

static void
job_arm(struct job *j, unsigned seconds)
{
	struct timeval tv = { (time_t)seconds, 0 };

	evtimer_add(j->j_timer, &tv);
}

static void
job_arm_ttl(struct job *j)
{
	long long left;

	if (j->j_deadline_s == 0)
		return;
	left = j->j_deadline_s - (long long)time(NULL);
	job_arm(j, left > 0 ? (unsigned)(left > INT_MAX ? INT_MAX : left) : 0);
}

int
jobs_open(struct job_spec *spec, char *sock, size_t socklen, char *err,
    size_t errlen)
{
	struct job *j;

	if (!jobtab.on) {
		snprintf(err, errlen, "jobs are off (no control_listen)");
		return -1;
	}
	if ((j = job_find(spec->id)) != NULL) {
		snprintf(err, errlen, j->j_reaping ? "job %s was closed and is "
		    "still being reaped" : "job %s is already open", spec->id);
		return -1;
	}
	if (jobtab.n >= JOBS_MAX) {
		snprintf(err, errlen, "too many jobs (%d)", JOBS_MAX);
		return -1;
	}
	if ((j = job_new(spec, err, errlen)) == NULL)
		return -1;
	if (j->j_spec.ttl_ms > 0)
		j->j_deadline_s = (long long)time(NULL) +
		    (long long)((j->j_spec.ttl_ms + 999) / 1000);
	if (job_listen(j, err, errlen) != 0) {
		job_free(j);
		return -1;
	}
	/* Not kept, not opened: a job a restart would forget must fail. */
	if (job_persist(j) != 0) {
		snprintf(err, errlen, "cannot write its state file under %s",
		    jobtab.state);
		listener_remove(j->j_listener, "job not opened");
		j->j_listener = NULL;
		(void)rmdir(j->j_dir);
		job_free(j);
		return -1;
	}
	job_arm_ttl(j);
	TAILQ_INSERT_TAIL(&jobtab.list, j, j_entry);
	jobtab.n++;
	jobtab.opened++;
	snprintf(sock, socklen, "%s", j->j_sock);
	log_info("job %s: open on %s (tenant %s)", j->j_spec.id, j->j_sock,
	    j->j_tenant);
	return 0;
}

static void job_tell(struct job *, int, const char *);

/* Gone for good: state file, directory, the struct; a `job close` still
 * waiting hears it first (never a dangling waiter). */
static void
job_gone(struct job *j)
{
	job_tell(j, 0, "closed with --keep: its objects are kept");
	(void)jobstate_remove(jobtab.state, j->j_spec.id);
	if (rmdir(j->j_dir) == -1 && errno != ENOENT)
		log_warn("job %s: rmdir %s", j->j_spec.id, j->j_dir);
	TAILQ_REMOVE(&jobtab.list, j, j_entry);
	jobtab.n--;
	job_free(j);
}

static void
job_tell(struct job *j, int done, const char *why)
{
	jobs_close_cb cb = j->j_wait_cb;

	j->j_wait_cb = NULL;
	if (cb != NULL)
		cb(j->j_wait_arg, done, why, &j->j_removed);
}

static void
job_reaped(void *arg, int done, const char *why, const struct census *rm)
{
	struct job *j = arg;

	j->j_reap = NULL;
	j->j_removed.containers += rm->containers;
	j->j_removed.volumes += rm->volumes;
	j->j_removed.networks += rm->networks;
	if (done) {
		log_info("job %s: reaped (%u containers, %u volumes, %u "
		    "networks removed)", j->j_spec.id, j->j_removed.containers,
		    j->j_removed.volumes, j->j_removed.networks);
		jobtab.reaped++;
		job_tell(j, 1, NULL);
		job_gone(j);
		return;
	}
	snprintf(j->j_why, sizeof(j->j_why), "%s", why ? why : "?");
	jobtab.reap_failures++;
	j->j_tries++;
	j->j_backoff_s = j->j_backoff_s == 0 ? JOB_RETRY_MIN_S :
	    j->j_backoff_s * 2 > JOB_RETRY_MAX_S ? JOB_RETRY_MAX_S :
	    j->j_backoff_s * 2;
	log_warnx("job %s: reap not finished (%s); again in %us", j->j_spec.id,
	    j->j_why, j->j_backoff_s);
	job_tell(j, 0, j->j_why);
	job_arm(j, j->j_backoff_s);
}

static void
job_reap_try(struct job *j)
{
	if (j->j_reap != NULL)
		return;
	if ((j->j_reap = reap_start(j->j_tenant, job_reaped, j)) == NULL) {
		/* never a callback from here: the timer tries again */
		snprintf(j->j_why, sizeof(j->j_why), "the engine client is "
		    "busy");
		job_arm(j, JOB_RETRY_MIN_S);
	}
}

/*
 * Close: the socket and its connections go at once; then the reap (or,
 * kept, the job is simply forgotten).  Returns 0 when it ended here
 * (nothing more is said), 1 when cb will be told how the reap went,
 * -1 with err.
 */
static int
job_close(struct job *j, int keep, jobs_close_cb cb, void *arg)
{
	evtimer_del(j->j_timer);
	if (j->j_listener != NULL) {
		listener_remove(j->j_listener, "job closed");
		j->j_listener = NULL;
	}
	(void)unlink(j->j_sock);	/* a stale one a crash left */
	jobtab.closed++;
	if (keep) {
		log_info("job %s: closed, its objects kept", j->j_spec.id);
		job_gone(j);
		return 0;
	}
	j->j_reaping = 1;
	if (job_persist(j) != 0)
		log_warnx("job %s: the reap is not kept across a restart",
		    j->j_spec.id);
	log_info("job %s: closed; reaping", j->j_spec.id);
	j->j_wait_cb = cb;
	j->j_wait_arg = arg;
	job_reap_try(j);
	return 1;
}

int
jobs_close(const char *id, int keep, jobs_close_cb cb, void *arg,
    struct job **waiting, char *err, size_t errlen)
{
	struct job *j = job_find(id);
	int rc;

	*waiting = NULL;
	if (j == NULL) {
		snprintf(err, errlen, "no such job: %s", id);
		return -1;
	}
	if (j->j_reaping) {
		if (keep) {
			/* stop reaping: the operator wants the rest kept */
			reap_cancel(j->j_reap);
			j->j_reap = NULL;
			job_gone(j);
			return 0;
		}
		if (j->j_wait_cb != NULL) {
			snprintf(err, errlen, "job %s is being closed already",
			    id);
			return -1;
		}
		j->j_wait_cb = cb;
		j->j_wait_arg = arg;
		*waiting = j;
		/* try now rather than at the next backoff */
		evtimer_del(j->j_timer);
		job_reap_try(j);
		return 1;
	}
	if ((rc = job_close(j, keep, cb, arg)) == 1)
		*waiting = j;
	return rc;
}

void
jobs_unwait(struct job *j)
{
	if (j != NULL)
		j->j_wait_cb = NULL;
}

static void
job_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct job *j = arg;

	if (j->j_reaping) {
		job_reap_try(j);
		return;
	}
	log_info("job %s: TTL of %llums is over; closing", j->j_spec.id,
	    j->j_spec.ttl_ms);
	(void)job_close(j, 0, NULL, NULL);
}

const char *
jobs_tenant(const char *id)
{
	const struct job *j = job_find(id);

	return j != NULL ? j->j_tenant : NULL;
}

const struct job_quota *
jobs_quota(const char *id)
{
	const struct job *j = job_find(id);

	return j != NULL ? &j->j_spec.quota : NULL;
}

unsigned *
jobs_creating(const char *id)
{
	struct job *j = job_find(id);

	return j != NULL ? &j->j_creating : NULL;
}

/* --------------------------------------------------------- start-up */

/* A directory for the daemon: made if missing, owner uid (-1: keep). */
static int
jobs_dir_prepare(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st;
	char parent[PATH_MAX], *p;

	/* parents as root's, 0755: /var/lib/sockwarden may not exist yet */
	snprintf(parent, sizeof(parent), "%s", path);
	for (p = strchr(parent + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(parent, 0755) == -1 && errno != EEXIST) {
			log_warn("mkdir %s", parent);
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, mode & 0777) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", path);
		return -1;
	}
	if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_warnx("%s is not a directory", path);
		return -1;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    chown(path, uid, gid) == -1) {
		log_warn("chown %s", path);
		return -1;
	}
	if (chmod(path, mode) == -1) {
		log_warn("chmod %s", path);
		return -1;
	}
	return 0;
}

static void
jobs_take_loaded(void *arg, const struct job_state *st)
{
	struct job_state *n;
	char *text;
	char err[64];

	(void)arg;
	/* A deep copy through the format: st is freed by the loader. */
	if ((text = jobstate_format(st)) == NULL ||
	    (n = realloc(jobtab.loaded, (jobtab.nloaded + 1) * sizeof(*n))) ==
	    NULL) {
		cJSON_free(text);
		log_warnx("job %s: out of memory loading its state", st->spec.id);
		return;
	}
	jobtab.loaded = n;
	if (jobstate_parse(text, strlen(text), &n[jobtab.nloaded], err,
	    sizeof(err)) == 0)
		jobtab.nloaded++;
	cJSON_free(text);
}

/*
 * Before the privilege drop: the two directories, made and given to the
 * user the daemon becomes (uid -1: not dropping), and the state read.
 */
int
jobs_prepare(const struct sw_conf *cf, uid_t uid, gid_t gid)
{
	gid_t jg = (gid_t)-1;

	if (cf->control_listen == NULL)
		return 0;
	jobtab.on = 1;
	jobtab.dir = cf->job_dir ? cf->job_dir : SW_DEFAULT_JOB_DIR;
	jobtab.state = cf->job_state_dir ? cf->job_state_dir :
	    SW_DEFAULT_JOB_STATE_DIR;
	jobtab.mode = cf->job_mode >= 0 ? cf->job_mode : 0660;
	jobtab.uid = uid != (uid_t)-1 ? uid : geteuid();	/* not allowed later */
	if (cf->job_group != NULL) {
		struct group *gr = getgrnam(cf->job_group);
		char *end;
		unsigned long v = strtoul(cf->job_group, &end, 10);

		if (gr != NULL)
			jg = gr->gr_gid;
		else if (*end == '\0' && end != cf->job_group)
			jg = (gid_t)v;
		else {
			log_warnx("job_group: no such group '%s'", cf->job_group);
			return -1;
		}
	} else if (gid != (gid_t)-1) {
		jg = gid;
	}
	/* set-group-ID: every job's directory and socket get the group
	 * without the daemon being in it or changing owners */
	if (jobs_dir_prepare(jobtab.dir, uid, jg, 02750) != 0 ||
	    jobs_dir_prepare(jobtab.state, uid, (gid_t)-1, 0700) != 0)
		return -1;
	if (jobstate_load_all(jobtab.state, jobs_take_loaded, NULL) < 0)
		return -1;
	return 0;
}

/*
 * After the drop: every open job's socket re-created where it was (its
 * TTL runs on from the saved deadline), every unfinished reap resumed.
 * A job whose socket cannot be made again is closed and reaped, never
 * forgotten.
 */
void
jobs_restore(void)
{
	char err[256], sock[PATH_MAX];

	for (size_t i = 0; i < jobtab.nloaded; i++) {
		struct job_state *st = &jobtab.loaded[i];
		struct job *j;

		if (job_find(st->spec.id) != NULL ||
		    (j = job_new(&st->spec, err, sizeof(err))) == NULL) {
			log_warnx("job %s: not restored: %s", st->spec.id,
			    "a duplicate or out of memory");
			continue;
		}
		j->j_deadline_s = st->deadline_s;
		j->j_reaping = st->reaping;
		TAILQ_INSERT_TAIL(&jobtab.list, j, j_entry);
		jobtab.n++;
		if (j->j_reaping) {
			log_info("job %s: resuming its reap", j->j_spec.id);
			job_reap_try(j);
			continue;
		}
		if (job_listen(j, err, sizeof(err)) != 0) {
			log_warnx("job %s: cannot restore its socket (%s); "
			    "closing it", j->j_spec.id, err);
			(void)job_close(j, 0, NULL, NULL);
			continue;
		}
		snprintf(sock, sizeof(sock), "%s", j->j_sock);
		log_info("job %s: restored on %s", j->j_spec.id, sock);
		job_arm_ttl(j);
	}
	for (size_t i = 0; i < jobtab.nloaded; i++)
		jobspec_free(&jobtab.loaded[i].spec);
	free(jobtab.loaded);
	jobtab.loaded = NULL;
	jobtab.nloaded = 0;
}

/* At exit: sockets closed, state kept for the next start. */
void
jobs_shutdown(void)
{
	struct job *j;

	while ((j = TAILQ_FIRST(&jobtab.list)) != NULL) {
		TAILQ_REMOVE(&jobtab.list, j, j_entry);
		job_tell(j, 0, "sockwarden is stopping; it goes on at the next "
		    "start");
		job_free(j);
	}
	jobtab.n = 0;
	for (size_t i = 0; i < jobtab.nloaded; i++)
		jobspec_free(&jobtab.loaded[i].spec);
	free(jobtab.loaded);
	jobtab.loaded = NULL;
	jobtab.nloaded = 0;
}

const char *
jobs_dir(void)
{
	return jobtab.on ? jobtab.dir : NULL;
}

const char *
jobs_state_dir(void)
{
	return jobtab.on ? jobtab.state : NULL;
}
