/*
 * conn_facts.c - a connection waiting on the engine (state FACTS, and
 * VERIFY for a create's answer): whose the caller is, before its first
 * request is decided; the objects an allowed request names, resolved and
 * owned before it goes upstream; the container a start would run and the
 * one a create stored, judged before the client hears "go".  The asking
 * itself is tenancy/'s; this file only moves the connection along.
 */
#include <inttypes.h>
#include <string.h>

#include <event2/buffer.h>

#include <cjson/cJSON.h>

#include "conn_int.h"

static void facts_resume(struct conn *);

/* The answer of a look-up that ended in a refusal or a failure. */
static void
facts_refuse(struct conn *c, int status, const char *msg)
{
	conn_error(c, status, "%s", msg);
}

static void
facts_tenant_known(void *arg, const char *tenant, const char *err)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	c->c_tenant_ask = NULL;
	if (tenant == NULL) {
		facts_refuse(c, 502, "sockwarden: cannot ask the engine who is "
		    "calling");
		(void)err;
		return;
	}
	snprintf(c->c_tenant, sizeof(c->c_tenant), "%s", tenant);
	request_decide(c);
}

int
facts_tenant(struct conn *c)
{
	if (c->c_tenant[0] != '\0')
		return 0;
	c->c_tenant_ask = tenant_of(c->c_listener, &c->c_peer, c->c_tenant,
	    sizeof(c->c_tenant), facts_tenant_known, c);
	if (c->c_tenant_ask != NULL) {
		conn_set_state(c, CONN_FACTS);
		return 1;
	}
	if (c->c_tenant[0] == '\0') {
		facts_refuse(c, 502, "sockwarden: cannot ask the engine who is "
		    "calling");
		return -1;
	}
	return 0;
}

/* The container a start names, once its ref was resolved to the ID. */
static int
facts_start_id(const struct conn *c, char *id, size_t len)
{
	const char *t = c->c_dec.target, *p, *e;

	if (t == NULL || (p = strstr(t, "/containers/")) == NULL)
		return -1;
	p += 12;
	if ((e = strchr(p, '/')) == NULL || (size_t)(e - p) >= len)
		return -1;
	memcpy(id, p, (size_t)(e - p));
	id[e - p] = '\0';
	return 0;
}

static void
facts_version(const struct conn *c, char *out, size_t len)
{
	const char *t = c->c_dec.target;

	out[0] = '\0';
	if (t != NULL && strncmp(t, "/v1.", 4) == 0 && strlen(t) > 6 &&
	    t[6] == '/' && len > 6)
		snprintf(out, len, "%.6s", t);
}

/* The verdict on what the engine stored goes into the exchange record. */
static void
facts_record_stored(struct conn *c, const struct policy_decision *d)
{
	if (d == NULL || d->verdict == POLICY_ALLOW)
		return;
	c->c_dec.verdict = d->verdict;
	c->c_dec.status = d->status;
	memcpy(c->c_dec.rule, d->rule, sizeof(c->c_dec.rule));
	memcpy(c->c_dec.reason, d->reason, sizeof(c->c_dec.reason));
}

static void
facts_started(void *arg, int status, const char *msg,
    const struct policy_decision *d)
{
	struct conn *c = arg;
	struct verify *v;

	CHECK_CONN(c);
	v = c->c_verify;		/* d and msg live in it */
	c->c_verify = NULL;
	facts_record_stored(c, d);
	if (status != 0) {
		facts_refuse(c, status, msg);
		verify_free(v);
		return;
	}
	verify_free(v);
	c->c_facts_done = 1;
	facts_resume(c);
}

static void
facts_resolved(void *arg, int status, const char *msg)
{
	struct conn *c = arg;

	CHECK_CONN(c);
	facts_free(c->c_facts);
	c->c_facts = NULL;
	if (status != 0) {
		facts_refuse(c, status, msg);
		return;
	}
	c->c_refs_done = 1;
	facts_resume(c);
}

/* A job's quota said no (or could not count): the record says why. */
static void
facts_quota_refuse(struct conn *c, int status, const char *msg)
{
	const char *why = strstr(msg, "by rule quota: ");

	if (status == 403) {
		c->c_dec.verdict = POLICY_DENY;
		c->c_dec.status = 403;
		snprintf(c->c_dec.rule, sizeof(c->c_dec.rule), "quota");
		snprintf(c->c_dec.reason, sizeof(c->c_dec.reason), "%s",
		    why ? why + 15 : msg);
	}
	facts_refuse(c, status, msg);
}

static void
facts_quota(void *arg, int status, const char *msg)
{
	struct conn *c = arg;
	struct quota_check *q;

	CHECK_CONN(c);
	q = c->c_quota;			/* msg lives in it */
	c->c_quota = NULL;
	if (status != 0) {
		facts_quota_refuse(c, status, msg);
		quota_free(q);
		return;
	}
	c->c_quota_held = quota_held(q);
	quota_free(q);
	c->c_quota_done = 1;
	facts_resume(c);
}

/* The policy's facts for the stored-truth check. */
static void
facts_request(const struct conn *c, struct policy_request *pr)
{
	static const char *self[SW_MAX_LISTENERS + 1];

	memset(pr, 0, sizeof(*pr));
	pr->self_sockets = self;
	pr->nself_sockets = listener_self_sockets(self, SW_MAX_LISTENERS + 1);
}

/*
 * A network every job shares (the default bridge): its inspect lists the
 * containers attached to it, other jobs' among them.  sockwarden asks the
 * engine itself and answers with the rest of it, then closes.
 */
static void
facts_scrubbed(void *arg, const struct engine_reply *rep)
{
	struct conn *c = arg;
	cJSON *j;
	char *body = NULL;

	CHECK_CONN(c);
	c->c_scrub = NULL;
	if (rep->status != 200 || rep->json == NULL) {
		conn_error(c, rep->status > 0 ? rep->status : 502, "%s",
		    rep->status > 0 && rep->err != NULL ? rep->err :
		    "sockwarden: cannot inspect the network");
		return;
	}
	if ((j = cJSON_Duplicate(rep->json, 1)) == NULL ||
	    (cJSON_GetObjectItemCaseSensitive(j, "Containers") != NULL &&
	    !cJSON_ReplaceItemInObjectCaseSensitive(j, "Containers",
	    cJSON_CreateObject())) ||
	    (body = cJSON_PrintUnformatted(j)) == NULL) {
		cJSON_Delete(j);
		conn_error(c, 500, "sockwarden: out of memory");
		return;
	}
	cJSON_Delete(j);
	if (!c->c_x_open)
		exchange_begin(c);
	c->c_status = 200;
	evbuffer_add_printf(sock_output(c->c_client), "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", strlen(body), body);
	c->c_bytes_out += strlen(body);
	cJSON_free(body);
	exchange_end(c, NULL);
	conn_close_after_flush(c);
}

static void
facts_scrub(struct conn *c)
{
	if ((c->c_scrub = engine_call("GET", c->c_dec.target, NULL, 0,
	    facts_scrubbed, c)) == NULL) {
		conn_error(c, 502, "sockwarden: the engine client is busy");
		return;
	}
	conn_set_state(c, CONN_FACTS);
}

/* A step just started: 1 when it waits (state FACTS) or ended in a
 * refusal already answered, 0 when it had nothing to do. */
static int
facts_pending(struct conn *c, int waiting, int status, const char *msg)
{
	if (waiting) {
		conn_set_state(c, CONN_FACTS);
		return 1;
	}
	if (status != 0) {
		facts_refuse(c, status, msg);
		return 1;
	}
	return 0;
}

/* One more step towards forwarding: refs, then a start's container. */
static void
facts_resume(struct conn *c)
{
	struct policy_request pr;
	char msg[1024], id[80], version[8];
	int status = 0;

	if (!c->c_refs_done && c->c_dec.nrefs > 0) {
		c->c_facts = facts_start(listener_policy(c->c_listener),
		    &c->c_dec, c->c_tenant, c->c_body ?
		    evbuffer_pullup(c->c_body, -1) : NULL, c->c_body ?
		    evbuffer_get_length(c->c_body) : 0, facts_resolved, c,
		    &status, msg, sizeof(msg));
		if (facts_pending(c, c->c_facts != NULL, status, msg))
			return;
	}
	c->c_refs_done = 1;
	if (!c->c_quota_done && listener_job(c->c_listener) != NULL) {
		const unsigned char *b = c->c_dec.body ? c->c_dec.body :
		    c->c_body ? evbuffer_pullup(c->c_body, -1) : NULL;
		size_t blen = c->c_dec.body ? c->c_dec.body_len : c->c_body ?
		    evbuffer_get_length(c->c_body) : 0;

		c->c_quota = quota_start(listener_job(c->c_listener), &c->c_dec,
		    b, blen, facts_quota, c, &status, msg, sizeof(msg));
		if (c->c_quota == NULL && status != 0) {
			facts_quota_refuse(c, status, msg);
			return;
		}
		if (c->c_quota != NULL) {
			conn_set_state(c, CONN_FACTS);
			return;
		}
	}
	c->c_quota_done = 1;
	if (!c->c_facts_done && c->c_dec.verify &&
	    strcmp(c->c_dec.operation, "container.start") == 0 &&
	    facts_start_id(c, id, sizeof(id)) == 0) {
		facts_request(c, &pr);
		facts_version(c, version, sizeof(version));
		c->c_verify = verify_start(listener_policy(c->c_listener), &pr,
		    version, id, facts_started, c, &status, msg, sizeof(msg));
		if (facts_pending(c, c->c_verify != NULL, status, msg))
			return;
	}
	c->c_facts_done = 1;
	if (c->c_dec.scrub && c->c_dec.verdict == POLICY_ALLOW) {
		facts_scrub(c);
		return;
	}
	relay_forward(c);
}

void
facts_go(struct conn *c)
{
	c->c_refs_done = 0;
	c->c_facts_done = 0;
	c->c_quota_done = 0;
	facts_resume(c);
}

/*
 * A create's 201 is held (state VERIFY) until the container the engine
 * stored passes the policy; then the client gets it, or a 403 and the
 * container is gone.
 */
static void
facts_created(void *arg, int status, const char *msg,
    const struct policy_decision *d)
{
	struct conn *c = arg;
	struct evbuffer *held;
	struct verify *v;

	CHECK_CONN(c);
	v = c->c_verify;		/* d and msg live in it */
	c->c_verify = NULL;
	facts_record_stored(c, d);
	if (status != 0) {
		c->c_keepalive = 0;
		evbuffer_drain(sock_input(c->c_up), c->c_verify_len);
		c->c_verify_len = 0;
		facts_refuse(c, status, msg);
		verify_free(v);
		return;
	}
	verify_free(v);
	held = sock_input(c->c_up);
	evbuffer_remove_buffer(held, sock_output(c->c_client), c->c_verify_len);
	c->c_bytes_out += c->c_verify_len;
	c->c_verify_len = 0;
	relay_verified(c);
}

void
facts_verify_create(struct conn *c, size_t head_len, size_t total)
{
	struct policy_request pr;
	unsigned char *all = evbuffer_pullup(sock_input(c->c_up), total);
	char msg[1024], version[8], id[80];
	const char *p, *q;
	int status = 0;

	c->c_verify_len = total;
	/* {"Id":"<64 hex>","Warnings":[...]}: the engine's own answer */
	p = all ? memmem(all + head_len, total - head_len, "\"Id\":\"", 6) :
	    NULL;
	q = p ? memchr(p + 6, '"', total - (size_t)(p + 6 - (char *)all)) :
	    NULL;
	if (q == NULL || (size_t)(q - p - 6) >= sizeof(id)) {
		facts_created(c, 502, "sockwarden: the engine's create answer "
		    "has no container id", NULL);
		return;
	}
	memcpy(id, p + 6, (size_t)(q - p - 6));
	id[q - p - 6] = '\0';
	facts_request(c, &pr);
	facts_version(c, version, sizeof(version));
	c->c_verify = verify_start(listener_policy(c->c_listener), &pr, version,
	    id, facts_created, c, &status, msg, sizeof(msg));
	if (c->c_verify == NULL)
		facts_created(c, status ? status : 500, status ? msg :
		    "sockwarden: out of memory", NULL);
}
