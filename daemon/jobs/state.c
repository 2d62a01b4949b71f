/*
 * state.c - open jobs kept across restarts: one file per job, ID.json
 * under the state directory, holding the job as `job open` asked for it
 * (policy text included), the wall-clock end of its TTL, and whether it
 * was closed with its objects still to be reaped.  A file is written
 * whole: a temporary name, fsync, rename over the old one, fsync of the
 * directory, so a crash leaves the old file or the new one, never half of
 * one.  A job's file goes when the job is gone (closed and reaped).  The
 * format and its parser are pure (unit-tested); loading reads every file
 * once at start-up.  It does not decide what a loaded job becomes
 * (jobs.c restores open ones and reaps closed ones).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "jobs_int.h"

#define STATE_VERSION	1

char *
jobstate_format(const struct job_state *st)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;

	if (o != NULL &&
	    cJSON_AddNumberToObject(o, "version", STATE_VERSION) != NULL &&
	    jobspec_to_json(&st->spec, o) == 0 &&
	    cJSON_AddBoolToObject(o, "reaping", st->reaping) != NULL &&
	    cJSON_AddNumberToObject(o, "deadline_s",
	    (double)st->deadline_s) != NULL)
		text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

int
jobstate_parse(const char *buf, size_t len, struct job_state *st, char *err,
    size_t errlen)
{
	const cJSON *v;
	cJSON *o;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if ((o = proto_json(buf, len)) == NULL) {
		snprintf(err, errlen, "not a JSON object");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "version");
	if (!cJSON_IsNumber(v) || v->valuedouble != STATE_VERSION) {
		snprintf(err, errlen, "unknown state version");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "reaping");
	if (v != NULL && !cJSON_IsBool(v)) {
		snprintf(err, errlen, "reaping must be true or false");
		goto out;
	}
	st->reaping = cJSON_IsTrue(v);
	v = cJSON_GetObjectItemCaseSensitive(o, "deadline_s");
	if (v != NULL && (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 1e15)) {
		snprintf(err, errlen, "deadline_s must be a time in seconds");
		goto out;
	}
	st->deadline_s = v != NULL ? (long long)v->valuedouble : 0;
	rc = jobspec_from_json(o, &st->spec, err, errlen);
out:
	cJSON_Delete(o);
	return rc;
}

static int
state_path(char *out, size_t len, const char *dir, const char *id,
    const char *suffix)
{
	int n = snprintf(out, len, "%s/%s%s", dir, id, suffix);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
jobstate_write(const char *dir, const struct job_state *st)
{
	char path[4096], tmp[4096];
	char *text;
	size_t len, off = 0;
	int fd, dfd;

	if (state_path(path, sizeof(path), dir, st->spec.id, ".json") != 0 ||
	    state_path(tmp, sizeof(tmp), dir, st->spec.id, ".json.tmp") != 0) {
		log_warnx("job %s: state path too long", st->spec.id);
		return -1;
	}
	if ((text = jobstate_format(st)) == NULL) {
		log_warnx("job %s: state: out of memory", st->spec.id);
		return -1;
	}
	len = strlen(text);
	text[len] = '\n';	/* over the NUL: written as bytes from here */
	len++;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		log_warn("job %s: state: %s", st->spec.id, tmp);
		cJSON_free(text);
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	cJSON_free(text);
	if (off != len || fsync(fd) == -1) {
		log_warn("job %s: state: writing %s", st->spec.id, tmp);
		close(fd);
		(void)unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		log_warn("job %s: state: rename %s", st->spec.id, tmp);
		(void)unlink(tmp);
		return -1;
	}
	/* the rename itself survives a crash only once the directory is
	 * on disk */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

int
jobstate_remove(const char *dir, const char *id)
{
	char path[4096];

	if (state_path(path, sizeof(path), dir, id, ".json") != 0)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("job %s: state: remove %s", id, path);
		return -1;
	}
	return 0;
}

int
jobstate_load_all(const char *dir,
    void (*cb)(void *, const struct job_state *), void *arg)
{
	struct job_state st;
	struct dirent *de;
	char path[4096], err[256];
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("job state directory %s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name), len;
		char *text;

		if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0 ||
		    de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((text = pfile_read(path, JOB_LINE_MAX, &len)) == NULL)
			continue;
		if (jobstate_parse(text, len, &st, err, sizeof(err)) != 0) {
			log_warnx("%s: %s; left alone", path, err);
		} else if (strlen(st.spec.id) + 5 != nl ||
		    strncmp(st.spec.id, de->d_name, nl - 5) != 0) {
			log_warnx("%s: holds job %s; left alone", path,
			    st.spec.id);
		} else {
			cb(arg, &st);
			n++;
		}
		jobspec_free(&st.spec);
		free(text);
	}
	closedir(d);
	return n;
}
