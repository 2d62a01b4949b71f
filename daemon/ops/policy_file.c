/*
 * policy_file.c - reading operators' files: a bounded whole-file read
 * (policy files, explain's request files) and compiling a policy file with
 * every error printed as file:line:col.  Relative paths resolve against
 * the directory sockwarden started in, also for reloads after chdir("/").
 * It does not decide when to load (main.c, reload.c, tools.c do).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

static int pfile_base = AT_FDCWD;

void
pfile_set_base(int dirfd)
{
	pfile_base = dirfd;
}

char *
pfile_read(const char *path, size_t max, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
	    openat(pfile_base, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			fprintf(stderr, "%s: larger than %zu bytes\n", path, max);
			goto fail;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return NULL;
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return NULL;
}

struct policy *
pfile_load_policy(const char *path, char *why, size_t whylen)
{
	struct policy_errors errs;
	struct policy *p = NULL;
	char *text;
	size_t len;

	if ((text = pfile_read(path, SW_POLICY_FILE_MAX, &len)) == NULL) {
		if (why != NULL)
			snprintf(why, whylen, "%s: cannot read: %s", path,
			    strerror(errno));
		return NULL;
	}
	memset(&errs, 0, sizeof(errs));
	if (policy_compile(path, text, len, &p, &errs) != 0) {
		if (errs.text != NULL)
			fputs(errs.text, stderr);
		else
			fprintf(stderr, "%s: invalid policy\n", path);
		if (why != NULL)
			snprintf(why, whylen, "%.*s", (int)(errs.text ?
			    strcspn(errs.text, "\n") : 0), errs.text ? errs.text : "");
		p = NULL;
	}
	policy_errors_free(&errs);
	free(text);
	return p;
}
