/*
 * control.c - the job control socket: root-only (the peer's uid from
 * SO_PEERCRED must be 0, whatever the file's mode says), one request line
 * in, one answer line out, then the connection closes (proto.c parses the
 * request).  Answers are {"ok":true,...} or {"ok":false,"error":"..."}.
 * `open` answers at once with the socket path; `close` answers when the
 * first reap pass ended (reaped, or pending with why: jobs.c retries);
 * `list` counts each job's objects on the engine first.  A client that
 * goes away mid-wait changes nothing: the close or reap goes on.  It
 * makes no job and removes nothing itself (jobs.c does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <event2/listener.h>

#include "jobs_int.h"

#define CTL_MAX_CONNS	32
#define CTL_READ_S	10	/* to send the request line */

struct ctl {
	TAILQ_ENTRY(ctl)	 entry;
	struct sock		*s;
	struct event		*timer;
	int			 answered;	/* closing once flushed */
	struct job		*wait;		/* a close waiting for its reap */
	struct census_ask	*census;	/* a list counting a job */
	char			**ids;		/* list: the jobs' IDs, ours */
	size_t			 nids, next;
	char			 id[JOB_ID_MAX + 1];	/* list: the current */
	cJSON			*list;		/* list: the answer so far */
};

static struct {
	struct evconnlistener	*ev;
	char			*path;		/* our file, NULL: systemd's */
	TAILQ_HEAD(, ctl)	 conns;
	unsigned		 n;
} ctl = { .conns = TAILQ_HEAD_INITIALIZER(ctl.conns) };

static void
ctl_free(struct ctl *c)
{
	if (c->wait != NULL)
		jobs_unwait(c->wait);	/* the close goes on without us */
	census_cancel(c->census);
	for (size_t i = 0; c->ids != NULL && i < c->nids; i++)
		free(c->ids[i]);
	free(c->ids);
	cJSON_Delete(c->list);
	if (c->timer != NULL)
		event_free(c->timer);
	sock_free(c->s);
	TAILQ_REMOVE(&ctl.conns, c, entry);
	ctl.n--;
	free(c);
}

static void
ctl_write_done(struct sock *s, void *arg)
{
	struct ctl *c = arg;

	if (c->answered && evbuffer_get_length(sock_output(s)) == 0)
		ctl_free(c);
}

/* The answer (o is consumed), then close once it is out. */
static void
ctl_answer(struct ctl *c, cJSON *o)
{
	char *line = o != NULL ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	if (line == NULL)
		line = strdup("{\"ok\":false,\"error\":\"out of memory\"}");
	if (line != NULL) {
		evbuffer_add(sock_output(c->s), line, strlen(line));
		evbuffer_add(sock_output(c->s), "\n", 1);
	}
	free(line);
	c->answered = 1;
	sock_read(c->s, 0);
	evtimer_del(c->timer);
}

static void
ctl_error(struct ctl *c, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddFalseToObject(o, "ok");
	cJSON_AddStringToObject(o, "error", msg);
	ctl_answer(c, o);
}

static void
ctl_closed(void *arg, int done, const char *why, const struct census *rm)
{
	struct ctl *c = arg;
	cJSON *o = cJSON_CreateObject(), *r;

	c->wait = NULL;
	cJSON_AddTrueToObject(o, "ok");
	cJSON_AddBoolToObject(o, "reaped", done);
	if (!done)
		cJSON_AddStringToObject(o, "pending", why ? why : "?");
	if ((r = cJSON_AddObjectToObject(o, "removed")) != NULL) {
		cJSON_AddNumberToObject(r, "containers", rm->containers);
		cJSON_AddNumberToObject(r, "volumes", rm->volumes);
		cJSON_AddNumberToObject(r, "networks", rm->networks);
	}
	ctl_answer(c, o);
}

static void ctl_list_next(struct ctl *);

static void
ctl_counted(void *arg, int ok, const char *err, const struct census *cs)
{
	struct ctl *c = arg;

	c->census = NULL;
	/* a job that went meanwhile is simply not listed */
	jobs_json(c->list, c->id, ok ? cs : NULL);
	if (!ok) {
		cJSON *last = cJSON_GetArrayItem(c->list,
		    cJSON_GetArraySize(c->list) - 1);
		if (last != NULL)
			cJSON_AddStringToObject(last, "census_error", err ?
			    err : "?");
	}
	c->next++;
	ctl_list_next(c);
}

static void
ctl_list_next(struct ctl *c)
{
	cJSON *o;

	while (c->next < c->nids) {
		const char *tenant;

		snprintf(c->id, sizeof(c->id), "%s", c->ids[c->next]);
		if ((tenant = jobs_tenant(c->id)) != NULL &&
		    (c->census = census_start(tenant, CENSUS_ALL | CENSUS_DEEP,
		    ctl_counted, c)) != NULL)
			return;
		jobs_json(c->list, c->id, NULL);
		c->next++;
	}
	o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "ok");
	cJSON_AddItemToObject(o, "jobs", c->list);
	c->list = NULL;
	ctl_answer(c, o);
}

/* list: copy the IDs now (jobs may close while we count). */
static void
ctl_list(struct ctl *c)
{
	const char **ids;
	size_t n = jobs_ids(&ids);

	if ((c->list = cJSON_CreateArray()) == NULL) {
		free(ids);
		ctl_error(c, "out of memory");
		return;
	}
	/* ids borrow the jobs' names, and jobs may close while we count */
	if ((c->ids = calloc(n + 1, sizeof(*c->ids))) != NULL)
		for (c->nids = 0; c->nids < n; c->nids++)
			if ((c->ids[c->nids] = strdup(ids[c->nids])) == NULL)
				break;
	free(ids);
	if (c->ids == NULL || c->nids < n) {
		ctl_error(c, "out of memory");
		return;
	}
	ctl_list_next(c);
}

static void
ctl_request(struct ctl *c, const char *line, size_t len)
{
	struct job_req req;
	char err[512], sock[4096];
	cJSON *o;
	int rc;

	if (jobproto_parse(line, len, &req, err, sizeof(err)) != 0) {
		jobproto_req_free(&req);
		ctl_error(c, err);
		return;
	}
	switch (req.op) {
	case JOB_OP_OPEN:
		if (jobs_open(&req.spec, sock, sizeof(sock), err,
		    sizeof(err)) != 0) {
			ctl_error(c, err);
			break;
		}
		o = cJSON_CreateObject();
		cJSON_AddTrueToObject(o, "ok");
		cJSON_AddStringToObject(o, "socket", sock);
		ctl_answer(c, o);
		break;
	case JOB_OP_CLOSE:
		rc = jobs_close(req.spec.id, req.keep, ctl_closed, c, &c->wait,
		    err, sizeof(err));
		if (rc < 0) {
			ctl_error(c, err);
		} else if (rc == 0) {
			o = cJSON_CreateObject();
			cJSON_AddTrueToObject(o, "ok");
			cJSON_AddTrueToObject(o, "kept");
			ctl_answer(c, o);
		}
		break;
	case JOB_OP_LIST:
		ctl_list(c);
		break;
	}
	jobproto_req_free(&req);
}

static void
ctl_read(struct sock *s, void *arg)
{
	struct ctl *c = arg;
	struct evbuffer *in = sock_input(s);
	struct evbuffer_ptr eol;
	size_t len;
	char *line;

	if (c->answered)
		return;
	eol = evbuffer_search_eol(in, NULL, &len, EVBUFFER_EOL_LF);
	if (eol.pos < 0) {
		if (evbuffer_get_length(in) > JOB_LINE_MAX)
			ctl_error(c, "request too long");
		return;
	}
	if ((line = malloc((size_t)eol.pos + 1)) == NULL) {
		ctl_error(c, "out of memory");
		return;
	}
	evbuffer_remove(in, line, (size_t)eol.pos);
	line[eol.pos] = '\0';
	evbuffer_drain(in, len);
	sock_read(s, 0);
	evtimer_del(c->timer);
	ctl_request(c, line, (size_t)eol.pos);
	free(line);
}

static void
ctl_event(struct sock *s, short what, void *arg)
{
	struct ctl *c = arg;

	/* A client that half-closed after its request still gets the
	 * answer; an error, or EOF before any request, ends it here (a close
	 * or reap under way goes on without us). */
	if (!(what & SOCK_ERROR) && (c->answered || c->wait != NULL ||
	    c->census != NULL))
		return;
	ctl_free(c);
}

static void
ctl_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl *c = arg;

	if (c->answered)
		ctl_free(c);
	else
		ctl_error(c, "no request line in time");
}

static void
ctl_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	static const char denied[] = "{\"ok\":false,\"error\":\"permission "
	    "denied: the control socket is root's\"}\n";
	struct timeval tv = { CTL_READ_S, 0 };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct ctl *c;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
	    cred.uid != 0) {
		log_warnx("control: refused uid %d pid %d (root only)",
		    clen == sizeof(cred) ? (int)cred.uid : -1,
		    clen == sizeof(cred) ? (int)cred.pid : -1);
		(void)!send(fd, denied, sizeof(denied) - 1, MSG_DONTWAIT |
		    MSG_NOSIGNAL);
		close(fd);
		return;
	}
	if (ctl.n >= CTL_MAX_CONNS || (c = calloc(1, sizeof(*c))) == NULL) {
		log_warnx("control: too many connections");
		close(fd);
		return;
	}
	if ((c->s = sock_new(srv->base, fd, 0)) == NULL ||
	    (c->timer = evtimer_new(srv->base, ctl_timeout, c)) == NULL) {
		if (c->s != NULL)
			sock_free(c->s);
		else
			close(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&ctl.conns, c, entry);
	ctl.n++;
	sock_setcb(c->s, ctl_read, ctl_write_done, ctl_event, c);
	sock_read(c->s, 1);
	evtimer_add(c->timer, &tv);
}

int
control_open(const char *path, int fd)
{
	if (fd == -1) {
		/* root's alone: the peer check is the lock, this the door */
		if ((fd = listener_bind_unix(path, (uid_t)-1, (gid_t)-1, 0600,
		    16)) == -1)
			return -1;
		if ((ctl.path = strdup(path)) == NULL) {
			(void)unlink(path);
			close(fd);
			return -1;
		}
	}
	if ((ctl.ev = evconnlistener_new(srv->base, ctl_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd)) == NULL) {
		log_warn("control: evconnlistener_new");
		if (ctl.path != NULL)
			(void)unlink(ctl.path);
		close(fd);
		return -1;
	}
	return 0;
}

const char *
control_path(void)
{
	return ctl.path;
}

void
control_close(void)
{
	struct ctl *c;

	while ((c = TAILQ_FIRST(&ctl.conns)) != NULL)
		ctl_free(c);
	if (ctl.ev != NULL)
		evconnlistener_free(ctl.ev);
	ctl.ev = NULL;
	free(ctl.path);
	ctl.path = NULL;
}
