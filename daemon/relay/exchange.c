/*
 * exchange.c - the record of one exchange (request and answer): begun when
 * a request head is complete (or when sockwarden answers one that never
 * parsed), ended exactly once, and handed as a plain struct exchange to
 * the sink main.c set (the audit log and the metrics, side by side).  It reads the conn; it
 * writes no socket and decides nothing.
 */
#include <string.h>
#include <time.h>

#include "conn_int.h"

static void (*exchange_sink)(const struct exchange *);

void
exchange_set_sink(void (*sink)(const struct exchange *))
{
	exchange_sink = sink;
}

/* A new exchange starts: its record collects from here. */
void
exchange_begin(struct conn *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->c_t0);
	c->c_bytes_in = c->c_bytes_out = 0;
	c->c_status = 0;
	c->c_policy_gen = 0;
	c->c_x_open = 1;
}

static const char *
exchange_decision(const struct conn *c, int decided)
{
	if (!decided)
		return "reject";	/* refused before the policy saw it */
	switch (c->c_dec.verdict) {
	case POLICY_ALLOW:
		return "allow";
	case POLICY_DENY:
		return "deny";
	case POLICY_REJECT:
		return "reject";
	case POLICY_NEED_BODY:
		return "incomplete";	/* ended before the body decision */
	}
	return "?";
}

/*
 * The record of the exchange, once: to the audit log and the metrics.
 * why: sockwarden's own answer when the policy never decided (bad HTTP).
 */
void
exchange_end(struct conn *c, const char *why)
{
	const struct http_request *req = http_reqp_request(c->c_reqp);
	const struct policy_decision *d = &c->c_dec;
	int decided = d->operation[0] != '\0';
	struct timespec now;
	struct exchange x;
	int64_t us;

	if (c->c_quota_held) {	/* the create is answered, or never will be */
		c->c_quota_held = 0;
		quota_done(listener_job(c->c_listener));
	}
	if (!c->c_x_open)
		return;
	c->c_x_open = 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (int64_t)(now.tv_sec - c->c_t0.tv_sec) * 1000000 +
	    (now.tv_nsec - c->c_t0.tv_nsec) / 1000;
	memset(&x, 0, sizeof(x));
	x.conn_id = c->c_id;
	x.listener = listener_name(c->c_listener);
	x.job = listener_job(c->c_listener);
	x.peer = &c->c_peer;
	x.method = req->method;
	/* The raw head is released once forwarded: then the path is the
	 * canonical target the policy let through. */
	x.target = req->target != NULL ? req->target :
	    d->target != NULL ? d->target : "";
	x.target_len = req->target != NULL ? req->target_len : strlen(x.target);
	x.operation = d->operation;
	x.image = d->image != NULL ? d->image : "";
	x.policy_generation = decided ? c->c_policy_gen : 0;
	x.decision = exchange_decision(c, decided);
	x.audit_only = decided && d->verdict == POLICY_ALLOW && d->audit;
	x.rule = d->rule;
	x.reason = !decided && why != NULL ? why : d->reason;
	x.status = c->c_status;
	x.bytes_in = c->c_bytes_in;
	x.bytes_out = c->c_bytes_out;
	x.duration_us = us > 0 ? (uint64_t)us : 0;
	if (exchange_sink != NULL)
		exchange_sink(&x);
}
