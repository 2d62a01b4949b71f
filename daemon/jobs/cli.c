/*
 * cli.c - `sockwarden [--control PATH] job open|close|list ...`, the
 * runner's side of the control socket: builds the request (proto.c), sends
 * it, prints the answer.  `job open` prints the job's socket path as its
 * last (only) line on stdout, so `sock=$(sockwarden job open ID)` works.
 * The policy file is read here, by the caller (root), and sent as text:
 * the daemon opens no path a runner names.  It runs no event loop; it
 * blocks on one connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "jobs_int.h"

static void
cli_usage(FILE *f)
{
	fprintf(f,
	    "usage: sockwarden [--control PATH] job open ID [--policy FILE]\n"
	    "           [--label K=V]... [--ttl DURATION] [--max-containers N]\n"
	    "           [--max-memory SIZE] [--max-cpus N] [--max-volumes N]\n"
	    "           [--max-networks N]\n"
	    "       sockwarden [--control PATH] job close ID [--keep]\n"
	    "       sockwarden [--control PATH] job list [--json]\n");
}

/* "512m", "2g", "1048576": bytes. */
static int
cli_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno != 0 || s[0] == '-')
		return -1;
	switch (*end) {
	case '\0': case 'b': case 'B':
		break;
	case 'k': case 'K':
		v <<= 10;
		break;
	case 'm': case 'M':
		v <<= 20;
		break;
	case 'g': case 'G':
		v <<= 30;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	*out = v;
	return v > 0 ? 0 : -1;
}

static int
cli_count(const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return *s == '\0' || *end != '\0' || errno || s[0] == '-' ||
	    *out == 0 ? -1 : 0;
}

/* "1.5" CPUs: nano-CPUs. */
static int
cli_cpus(const char *s, unsigned long long *out)
{
	char *end;
	double d = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || !(d > 0) || d > 1e6)
		return -1;
	*out = (unsigned long long)(d * 1e9 + 0.5);
	return 0;
}

/* The request's fields from the verb's arguments; 0, or an exit code. */
static int
cli_build(int argc, char **argv, struct job_req *r)
{
	const char *verb = argv[1];
	int i = 3;

	if (argc < 3 && strcmp(verb, "list") != 0)
		goto usage;
	if (strcmp(verb, "list") == 0) {
		r->op = JOB_OP_LIST;
		i = 2;
	} else if (strcmp(verb, "open") == 0) {
		r->op = JOB_OP_OPEN;
	} else if (strcmp(verb, "close") == 0) {
		r->op = JOB_OP_CLOSE;
	} else {
		goto usage;
	}
	if (r->op != JOB_OP_LIST) {
		if (!job_id_valid(argv[2])) {
			fprintf(stderr, "sockwarden: bad job id '%s' (1-63 of "
			    "A-Z a-z 0-9 _ . -, starting with a letter or "
			    "digit)\n", argv[2]);
			return 2;
		}
		memcpy(r->spec.id, argv[2], strlen(argv[2]) + 1);
	}
	for (; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		struct job_spec *s = &r->spec;
		unsigned ms;
		int bad = 0;

		if (r->op == JOB_OP_CLOSE && strcmp(o, "--keep") == 0) {
			r->keep = 1;
			continue;
		}
		if (r->op == JOB_OP_LIST && strcmp(o, "--json") == 0) {
			r->keep = 1;	/* list: print the JSON as it came */
			continue;
		}
		if (r->op != JOB_OP_OPEN || v == NULL)
			goto usage;
		i++;
		if (strcmp(o, "--policy") == 0) {
			size_t len;

			free(s->policy_text);
			free(s->policy_name);
			if ((s->policy_text = pfile_read(v, JOB_POLICY_MAX,
			    &len)) == NULL)
				return 1;
			if (strlen(s->policy_text) != len) {
				fprintf(stderr, "sockwarden: %s: has a NUL byte\n",
				    v);
				return 1;
			}
			if ((s->policy_name = strdup(v)) == NULL)
				return 1;
		} else if (strcmp(o, "--label") == 0) {
			if (s->nlabels == JOB_LABELS_MAX ||
			    (s->labels[s->nlabels] = strdup(v)) == NULL)
				bad = 1;
			else
				s->nlabels++;
		} else if (strcmp(o, "--ttl") == 0) {
			bad = conf_parse_duration_ms(v, &ms) != 0 || ms == 0;
			s->ttl_ms = ms;
		} else if (strcmp(o, "--max-containers") == 0) {
			bad = cli_count(v, &s->quota.containers);
		} else if (strcmp(o, "--max-volumes") == 0) {
			bad = cli_count(v, &s->quota.volumes);
		} else if (strcmp(o, "--max-networks") == 0) {
			bad = cli_count(v, &s->quota.networks);
		} else if (strcmp(o, "--max-memory") == 0) {
			bad = cli_size(v, &s->quota.memory);
		} else if (strcmp(o, "--max-cpus") == 0) {
			bad = cli_cpus(v, &s->quota.nano_cpus);
		} else {
			goto usage;
		}
		if (bad) {
			fprintf(stderr, "sockwarden: job open: bad %s '%s'\n",
			    o, v);
			return 2;
		}
	}
	return 0;
usage:
	cli_usage(stderr);
	return 2;
}

/* One request, one answer line (malloc'd); NULL after saying why. */
static char *
cli_exchange(const char *path, const char *req)
{
	struct sockaddr_un sun;
	size_t cap = 4096, len = 0, n = strlen(req);
	char *buf = NULL;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "sockwarden: %s: path too long\n", path);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "sockwarden: cannot reach the control socket "
		    "%s: %s (is sockwarden running with control_listen?)\n",
		    path, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	/* A refusal (not root) may come before the request is read: then
	 * the send fails, and the answer is still there to read. */
	for (size_t off = 0; off <= n;) {
		ssize_t w = off < n ? send(fd, req + off, n - off,
		    MSG_NOSIGNAL) : send(fd, "\n", 1, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += off < n ? (size_t)w : 1;
	}
	if ((buf = malloc(cap)) == NULL)
		goto fail;
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap) {
			char *nb;
			if (cap >= JOB_LINE_MAX ||
			    (nb = realloc(buf, cap * 2)) == NULL)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	close(fd);
	buf[len] = '\0';
	if (len == 0 || buf[len - 1] != '\n') {
		fprintf(stderr, "sockwarden: the control socket closed without "
		    "an answer\n");
		free(buf);
		return NULL;
	}
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

static double
cli_num(const cJSON *o, const char *k)
{
	double d = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));

	return d == d ? d : 0;		/* NaN: absent */
}

static void
cli_print_list(const cJSON *jobs)
{
	const cJSON *j;
	time_t now = time(NULL);

	printf("%-24s %-8s %-10s %-8s %-8s %-10s %-8s %s\n", "JOB", "STATE",
	    "CONTAINERS", "VOLUMES", "NETWORKS", "MEMORY", "TTL", "SOCKET");
	cJSON_ArrayForEach(j, jobs) {
		char ctr[32], ttl[32], mem[32];
		double dl = cli_num(j, "deadline");

		if (cJSON_GetObjectItemCaseSensitive(j, "containers") != NULL)
			snprintf(ctr, sizeof(ctr), "%.0f/%.0f", cli_num(j,
			    "running"), cli_num(j, "containers"));
		else
			snprintf(ctr, sizeof(ctr), "?");
		snprintf(mem, sizeof(mem), "%.0fm", cli_num(j, "memory") /
		    (1024 * 1024));
		if (dl > 0)
			snprintf(ttl, sizeof(ttl), "%.0fs", dl - (double)now > 0 ?
			    dl - (double)now : 0);
		else
			snprintf(ttl, sizeof(ttl), "-");
		printf("%-24s %-8s %-10s %-8.0f %-8.0f %-10s %-8s %s\n",
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j,
		    "id")), cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(j, "state")), ctr,
		    cli_num(j, "volumes"), cli_num(j, "networks"), mem, ttl,
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j,
		    "socket")));
	}
}

static int
cli_report(const struct job_req *r, const char *line)
{
	cJSON *o = cJSON_Parse(line);
	const cJSON *rm;
	int rc = 1;

	if (!cJSON_IsObject(o)) {
		fprintf(stderr, "sockwarden: a garbled answer from the control "
		    "socket\n");
		goto out;
	}
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ok"))) {
		fprintf(stderr, "sockwarden: job %s: %s\n", r->op == JOB_OP_OPEN ?
		    "open" : r->op == JOB_OP_CLOSE ? "close" : "list",
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o,
		    "error")));
		goto out;
	}
	rc = 0;
	switch (r->op) {
	case JOB_OP_OPEN:
		printf("%s\n", cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(o, "socket")));
		break;
	case JOB_OP_CLOSE:
		rm = cJSON_GetObjectItemCaseSensitive(o, "removed");
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "kept")))
			printf("job %s closed; its objects are kept\n",
			    r->spec.id);
		else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o,
		    "reaped")))
			printf("job %s closed; removed %.0f containers, %.0f "
			    "volumes, %.0f networks\n", r->spec.id,
			    cli_num(rm, "containers"), cli_num(rm, "volumes"),
			    cli_num(rm, "networks"));
		else
			printf("job %s closed; its objects are not all removed "
			    "yet (%s): sockwarden keeps trying\n", r->spec.id,
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			    o, "pending")));
		break;
	case JOB_OP_LIST:
		if (r->keep)
			printf("%s", line);
		else
			cli_print_list(cJSON_GetObjectItemCaseSensitive(o,
			    "jobs"));
		break;
	}
out:
	cJSON_Delete(o);
	return rc;
}

int
jobs_cli(const char *control, int argc, char **argv)
{
	struct job_req r;
	char *line, *answer;
	int rc;

	memset(&r, 0, sizeof(r));
	if (argc < 2) {
		cli_usage(stderr);
		return 2;
	}
	if ((rc = cli_build(argc, argv, &r)) != 0) {
		jobproto_req_free(&r);
		return rc;
	}
	if ((line = jobproto_format(&r)) == NULL) {
		jobproto_req_free(&r);
		fprintf(stderr, "sockwarden: out of memory\n");
		return 1;
	}
	answer = cli_exchange(control ? control : SW_DEFAULT_CONTROL, line);
	cJSON_free(line);
	rc = answer != NULL ? cli_report(&r, answer) : 1;
	free(answer);
	jobproto_req_free(&r);
	return rc;
}
