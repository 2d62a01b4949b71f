/*
 * body.c - decide on a JSON body: decode it strictly (json.c), check it
 * against the route's type (schema.c), then run the route's rules
 * (rules_*.c).  It reads no field itself beyond choosing the rules.
 *
 * An empty body is read as {} because the engine skips decoding it
 * (httputils.ReadJSON with ContentLength 0).  Routes whose body type we do
 * not model are denied when the body is not empty: we never forward a body
 * we could not read.
 */
#include <string.h>

#include "json.h"
#include "policy_int.h"

/* network connect/disconnect: the container must be the caller's too. */
static int
connect_rules(struct eval *e, const struct jdoc *d, uint32_t root)
{
	uint32_t ep = json_get_obj(d, root, "EndpointConfig");
	uint32_t c = json_get(d, root, "Container");

	if (ep != JNONE && rules_endpoint(e, d, ep, "EndpointConfig"))
		return 1;
	if (c != JNONE && d->n[c].type == J_STR && d->n[c].slen > 0)
		return owner_body_ref(e, d, c, POLICY_OBJ_CONTAINER, 0,
		    d->n[c].slen, 0, "Container");
	return 0;
}

static const struct {
	const char		*op;
	const struct schema	*schema;
	int (*rules)(struct eval *, const struct jdoc *, uint32_t);
} body_routes[] = {
	{ "container.create", &schema_create, rules_create },
	{ "container.update", &schema_update, rules_update },
	{ "exec.create", &schema_exec_create, rules_exec_create },
	{ "exec.start", &schema_exec_start, NULL },
	{ "volume.create", &schema_volume_create, rules_volume_create },
	{ "network.create", &schema_network_create, rules_network_create },
	{ "network.connect", &schema_network_connect, connect_rules },
	{ "network.disconnect", &schema_network_disconnect, connect_rules },
	{ "system.auth", &schema_auth, rules_auth },
};


int
body_check(struct eval *e)
{
	const struct policy_request *r = e->req;
	struct jdoc doc;
	size_t i;
	int rc;

	if (r->body_len > e->pol->body_limit) {
		eval_reject(e, 413, "the body is larger than %zu bytes",
		    e->pol->body_limit);
		return -1;
	}
	for (i = 0; i < sizeof(body_routes) / sizeof(body_routes[0]); i++)
		if (strcmp(body_routes[i].op, e->rt->op) == 0)
			break;
	if (i == sizeof(body_routes) / sizeof(body_routes[0])) {
		if (r->body_len == 0)
			return 0;
		return eval_deny(e, CK_UNKNOWN_FIELD, "the body of %s is not "
		    "modelled by the policy", e->rt->what) ? -1 : 0;
	}
	if (json_parse(r->body_len ? (const char *)r->body : "{}",
	    r->body_len ? r->body_len : 2, 0, &doc) == -1) {
		eval_reject(e, 400, "the body is not valid JSON: %s at byte "
		    "%zu", doc.err, doc.erroff);
		json_free(&doc);
		return -1;
	}
	rc = schema_check(e, &doc, json_root(&doc), body_routes[i].schema, "");
	if (rc == 0 && !e->done && doc.n[json_root(&doc)].type == J_NULL &&
	    strcmp(e->rt->op, "container.create") == 0) {
		eval_reject(e, 400, "the container config cannot be empty");
		rc = -1;
	}
	if (rc == 0 && !e->done && body_routes[i].rules != NULL)
		rc = body_routes[i].rules(e, &doc, json_root(&doc));
	json_free(&doc);
	return rc;
}

/*
 * The engine's stored truth (a container inspect answer): its HostConfig
 * judged like a create request's, with the engine's filled-in defaults
 * read as defaults (e->stored).  Anything sockwarden read differently from
 * the engine shows here, whatever caused it.
 */
void
policy_stored(const struct policy *p, const struct policy_request *facts,
    const char *json, size_t len, struct policy_decision *d)
{
	struct policy_request r;
	struct eval e;
	struct jdoc doc;
	uint32_t hc;

	memset(d, 0, sizeof(*d));
	memset(&e, 0, sizeof(e));
	memset(&r, 0, sizeof(r));
	if (facts != NULL)
		r = *facts;
	r.tenant = NULL;		/* joins were checked at create */
	e.pol = p;
	e.req = &r;
	e.d = d;
	e.stored = 1;
	d->verdict = POLICY_ALLOW;
	strfmt(d->operation, sizeof(d->operation), "container.create");
	strfmt(d->what, sizeof(d->what), "stored container");
	if (json_parse(json, len, 0, &doc) != 0) {
		eval_reject(&e, 502, "the engine's answer is not JSON");
		json_free(&doc);
		return;
	}
	hc = json_get_obj(&doc, json_root(&doc), "HostConfig");
	if (hc == JNONE)
		eval_reject(&e, 502, "the engine's answer has no HostConfig");
	else
		(void)rules_hostconfig(&e, &doc, hc);
	json_free(&doc);
}

void
policy_volume_bind(const struct policy *p, const struct policy_request *facts,
    const char *volume, const char *device, struct policy_decision *d)
{
	struct policy_request r;
	struct eval e;
	char where[96];

	memset(d, 0, sizeof(*d));
	memset(&e, 0, sizeof(e));
	memset(&r, 0, sizeof(r));
	if (facts != NULL)
		r = *facts;
	e.pol = p;
	e.req = &r;
	e.d = d;
	d->verdict = POLICY_ALLOW;
	strfmt(d->operation, sizeof(d->operation), "container.create");
	strfmt(d->what, sizeof(d->what), "container create");
	strfmt(where, sizeof(where), "the volume '%.64s'", volume);
	(void)rules_volume_device(&e, device, where);
}
