/*
 * verify.c - the engine's stored truth: after a container create was
 * answered, and again before a start, the container the engine actually
 * stored is inspected and judged by the policy (policy_stored).  Whatever
 * made sockwarden's reading of the create body differ from the engine's
 * (a decoder quirk, a newer engine's default, a field the model missed),
 * what the engine stored is what runs: if the policy would deny it, the
 * container is removed and the client gets the 403 naming the field.
 * It fails closed when the engine cannot answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

struct verify {
	const struct policy	*policy;
	struct policy_request	 facts;		/* the daemon's facts */
	char			 version[8];
	char			 id[80];
	struct policy_decision	 d;		/* the stored truth's verdict */
	int			 removing;
	struct engine_call	*call;
	verify_cb		 cb;
	void			*arg;
	int			 starting, finished, status;
	char			 msg[1024];
};

static void
verify_done(struct verify *v, int status, const char *msg)
{
	v->call = NULL;
	if (v->starting) {
		v->finished = 1;
		v->status = status;
		snprintf(v->msg, sizeof(v->msg), "%s", msg ? msg : "");
		return;
	}
	v->cb(v->arg, status, msg, &v->d);
}

static void
verify_answer(void *arg, const struct engine_reply *rep)
{
	struct verify *v = arg;
	char msg[1024], target[160];

	v->call = NULL;
	if (v->removing) {
		/* removed or not, the client hears why it may not run */
		if (rep->status != 204 && rep->status != 200 &&
		    rep->status != 404)
			log_warnx("could not remove container %s after its "
			    "stored config was denied (%d %s)", v->id,
			    rep->status, rep->err ? rep->err : "");
		policy_format_message(&v->d, msg, sizeof(msg));
		verify_done(v, v->d.status ? v->d.status : 403, msg);
		return;
	}
	if (rep->status == 0 || rep->status != 200 || rep->body == NULL) {
		snprintf(msg, sizeof(msg), "sockwarden: cannot check the "
		    "container %s the engine stored: %s", v->id, rep->status ?
		    "unexpected answer" : rep->err);
		verify_done(v, 502, msg);
		return;
	}
	policy_stored(v->policy, &v->facts, rep->body, rep->body_len, &v->d);
	if (v->d.verdict == POLICY_ALLOW) {
		verify_done(v, 0, NULL);
		return;
	}
	log_warnx("container %s: the engine stored what the policy denies "
	    "(%s: %s); removing it", v->id, v->d.rule, v->d.reason);
	v->removing = 1;
	snprintf(target, sizeof(target), "%s/containers/%s?force=1&v=1",
	    v->version, v->id);
	if ((v->call = engine_call("DELETE", target, NULL, 0, verify_answer,
	    v)) == NULL) {
		policy_format_message(&v->d, msg, sizeof(msg));
		verify_done(v, 403, msg);
	}
}

struct verify *
verify_start(const struct policy *pol, const struct policy_request *facts,
    const char *version, const char *id, verify_cb cb, void *arg,
    int *status, char *msg, size_t msglen)
{
	struct verify *v = calloc(1, sizeof(*v));
	char target[160];

	*status = 0;
	if (v == NULL) {
		*status = 500;
		snprintf(msg, msglen, "sockwarden: out of memory");
		return NULL;
	}
	v->policy = pol;
	v->facts = *facts;
	snprintf(v->version, sizeof(v->version), "%s", version);
	snprintf(v->id, sizeof(v->id), "%s", id);
	v->cb = cb;
	v->arg = arg;
	v->starting = 1;
	snprintf(target, sizeof(target), "%s/containers/%s/json", v->version,
	    v->id);
	if ((v->call = engine_call("GET", target, NULL, 0, verify_answer,
	    v)) == NULL)
		verify_done(v, 502, "sockwarden: the engine client is busy");
	v->starting = 0;
	if (v->finished) {
		*status = v->status;
		snprintf(msg, msglen, "%s", v->msg);
		verify_free(v);
		return NULL;
	}
	return v;
}

void
verify_free(struct verify *v)
{
	if (v == NULL)
		return;
	if (v->call != NULL)
		engine_cancel(v->call);
	policy_decision_clear(&v->d);
	free(v);
}
