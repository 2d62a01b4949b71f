/*
 * bk_decode.c - the BuildKit messages the policy reads from buildx's /grpc
 * tunnel (docs/buildkit-grpc.md has the field numbers and their meaning):
 * the gRPC length prefix, Control.Solve's and LLBBridge.Solve's requests,
 * LLBBridge.NewContainer's and ExecProcess's client messages.
 *
 * Decoding is validation plus an index: every field of these messages
 * must be one the table below knows, with the wire type Go's decoder
 * expects, every map entry and every nested entry well-formed, else the
 * message is refused (a newer client's field could carry what the policy
 * must see).  What the checks read later (bk_check.c) is then walked with
 * bk_next(), which cannot fail.  LLB definitions are opaque here: the
 * engine validates their exec ops against the build's entitlements.
 * No policy decisions, no allocation.
 */
#include <string.h>

#include "pb.h"
#include "policy_int.h"

/* How a field is read; a nested kind names its entries' spec. */
enum bk_kind {
	K_STR,		/* string or bytes (Go: last wins) */
	K_MSG,		/* opaque embedded message */
	K_INT,		/* varint: bool, enum, int */
	K_INTS,		/* repeated varint, packed or not */
	K_MAP,		/* map<string, string> */
	K_MAPMSG,	/* map<string, message>: value opaque */
	K_SUB,		/* embedded message validated by sub */
};

struct bk_spec {
	uint32_t		 num;
	enum bk_kind		 kind;
	const struct bk_specs	*sub;
};

struct bk_specs {
	const char		*name;
	const struct bk_spec	*f;
	size_t			 n;
};

#define SPECS(nm, arr)	{ nm, arr, sizeof(arr) / sizeof(arr[0]) }

/* CacheOptionsEntry and Exporter: 1 Type, 2 Attrs */
static const struct bk_spec typed_f[] = {
	{ 1, K_STR, NULL }, { 2, K_MAP, NULL },
};
static const struct bk_specs typed = SPECS("entry", typed_f);

static const struct bk_spec cache_f[] = {
	{ 1, K_STR, NULL },		/* ExportRefDeprecated */
	{ 2, K_STR, NULL },		/* ImportRefsDeprecated */
	{ 3, K_MAP, NULL },		/* ExportAttrsDeprecated */
	{ 4, K_SUB, &typed },		/* Exports */
	{ 5, K_SUB, &typed },		/* Imports */
};
static const struct bk_specs cache = SPECS("CacheOptions", cache_f);

static const struct bk_spec solve_f[] = {
	{ 1, K_STR, NULL },		/* Ref */
	{ 2, K_MSG, NULL },		/* Definition */
	{ 3, K_STR, NULL },		/* Exporter (deprecated) */
	{ 4, K_MAP, NULL },		/* ExporterAttrs (deprecated) */
	{ 5, K_STR, NULL },		/* Session */
	{ 6, K_STR, NULL },		/* Frontend */
	{ 7, K_MAP, NULL },		/* FrontendAttrs */
	{ 8, K_SUB, &cache },		/* Cache */
	{ 9, K_STR, NULL },		/* Entitlements */
	{ 10, K_MAPMSG, NULL },		/* FrontendInputs */
	{ 11, K_INT, NULL },		/* Internal */
	{ 12, K_MSG, NULL },		/* SourcePolicy: narrows sources */
	{ 13, K_SUB, &typed },		/* Exporters */
	{ 14, K_INT, NULL },		/* EnableSessionExporter */
	{ 15, K_STR, NULL },		/* SourcePolicySession */
	{ 16, K_INT, NULL },		/* CompatibilityVersion */
	{ 17, K_INT, NULL },		/* ProxyNetwork: narrows egress */
};
static const struct bk_specs solve = SPECS("SolveRequest", solve_f);

static const struct bk_spec llbsolve_f[] = {
	{ 1, K_MSG, NULL },		/* Definition */
	{ 2, K_STR, NULL },		/* Frontend */
	{ 3, K_MAP, NULL },		/* FrontendOpt */
	{ 4, K_STR, NULL },		/* ImportCacheRefsDeprecated */
	{ 5, K_INT, NULL }, { 6, K_INT, NULL }, { 10, K_INT, NULL },
	{ 11, K_STR, NULL },		/* ExporterAttr: JSON for the result */
	{ 12, K_SUB, &typed },		/* CacheImports */
	{ 13, K_MAPMSG, NULL },		/* FrontendInputs */
	{ 14, K_INT, NULL },		/* Evaluate */
	{ 15, K_MSG, NULL },		/* SourcePolicies */
};
static const struct bk_specs llbsolve = SPECS("frontend SolveRequest",
    llbsolve_f);

static const struct bk_spec container_f[] = {
	{ 1, K_STR, NULL },		/* ContainerID */
	{ 2, K_MSG, NULL },		/* Mounts: refs of this build */
	{ 3, K_INT, NULL },		/* Network */
	{ 4, K_MSG, NULL }, { 5, K_MSG, NULL }, { 6, K_MSG, NULL },
	{ 7, K_STR, NULL },		/* hostname */
};
static const struct bk_specs container = SPECS("NewContainerRequest",
    container_f);

static const struct bk_spec init_f[] = {
	{ 1, K_STR, NULL },		/* ContainerID */
	{ 2, K_MSG, NULL },		/* Meta: args, env, cwd, user */
	{ 3, K_INTS, NULL },		/* Fds */
	{ 4, K_INT, NULL },		/* Tty */
	{ 5, K_INT, NULL },		/* Security */
	{ 6, K_MSG, NULL },		/* secretenv */
};
static const struct bk_specs init = SPECS("InitMessage", init_f);

static const struct bk_spec exec_f[] = {
	{ 1, K_STR, NULL },		/* ProcessID */
	{ 2, K_SUB, &init },		/* Init */
	{ 3, K_MSG, NULL }, { 4, K_MSG, NULL }, { 5, K_MSG, NULL },
	{ 6, K_MSG, NULL }, { 7, K_MSG, NULL }, { 8, K_MSG, NULL },
};
static const struct bk_specs exec = SPECS("ExecMessage", exec_f);

/* why/whylen are in scope wherever this is used */
#define BK_FAIL(...)	(strfmt(why, whylen, __VA_ARGS__), -1)

static int
bk_validate(const uint8_t *msg, size_t len, const struct bk_specs *s,
    int depth, char *why, size_t whylen)
{
	struct pb_reader r;
	struct pb_field f, k, v;
	const struct bk_spec *sp;
	const char *err;
	size_t i;
	int rc;

	pb_reader_init(&r, msg, len);
	while ((rc = pb_next(&r, &f)) == 1) {
		for (sp = NULL, i = 0; i < s->n; i++)
			if (s->f[i].num == f.num)
				sp = &s->f[i];
		if (sp == NULL)
			return BK_FAIL("%s has a field sockwarden does not "
			    "know (%u)", s->name, f.num);
		switch (sp->kind) {
		case K_INT:
			if (f.wire != PB_VARINT)
				goto wire;
			break;
		case K_INTS:
			if (f.wire == PB_LEN) {	/* packed */
				const uint8_t *p = f.data;
				uint64_t x;

				while (p < f.data + f.len)
					if (pb_varint(&p, f.data + f.len,
					    &x) != 0)
						return BK_FAIL("%s: bad "
						    "packed field %u",
						    s->name, f.num);
			} else if (f.wire != PB_VARINT)
				goto wire;
			break;
		case K_MAP:
		case K_MAPMSG:
			if (pb_map_entry(&f, &k, &v, &err) != 0)
				return BK_FAIL("%s: bad map entry in field "
				    "%u: %s", s->name, f.num, err);
			break;
		case K_SUB:
			if (f.wire != PB_LEN)
				goto wire;
			if (depth > 4 || bk_validate(f.data, f.len, sp->sub,
			    depth + 1, why, whylen) != 0)
				return -1;
			break;
		default:			/* K_STR, K_MSG */
			if (f.wire != PB_LEN)
				goto wire;
			break;
		}
	}
	if (rc < 0)
		return BK_FAIL("%s is not valid protobuf: %s", s->name, r.err);
	return 0;
wire:
	return BK_FAIL("%s: field %u has the wrong wire type", s->name,
	    f.num);
}

int
bk_grpc_message(const uint8_t *buf, size_t len, const uint8_t **msg,
    size_t *mlen, char *why, size_t whylen)
{
	uint32_t n;

	if (len < 5)
		return BK_FAIL("a gRPC message shorter than its prefix");
	if (buf[0] != 0)	/* we could not read what the engine would */
		return BK_FAIL("a compressed gRPC message");
	n = (uint32_t)buf[1] << 24 | (uint32_t)buf[2] << 16 |
	    (uint32_t)buf[3] << 8 | buf[4];
	if (n != len - 5)
		return BK_FAIL("a gRPC message whose length prefix does "
		    "not match its size");
	*msg = buf + 5;
	*mlen = n;
	return 0;
}

static int
bk_decode(const uint8_t *msg, size_t len, const struct bk_specs *s,
    struct bk_msg *m, char *why, size_t whylen)
{
	m->p = msg;
	m->len = len;
	return bk_validate(msg, len, s, 0, why, whylen);
}

int
bk_decode_solve(const uint8_t *msg, size_t len, struct bk_msg *m, char *why,
    size_t whylen)
{
	return bk_decode(msg, len, &solve, m, why, whylen);
}

int
bk_decode_llbsolve(const uint8_t *msg, size_t len, struct bk_msg *m,
    char *why, size_t whylen)
{
	return bk_decode(msg, len, &llbsolve, m, why, whylen);
}

int
bk_decode_container(const uint8_t *msg, size_t len, struct bk_msg *m,
    char *why, size_t whylen)
{
	return bk_decode(msg, len, &container, m, why, whylen);
}

int
bk_decode_exec(const uint8_t *msg, size_t len, struct bk_msg *m, char *why,
    size_t whylen)
{
	return bk_decode(msg, len, &exec, m, why, whylen);
}

void
bk_iter(const struct bk_msg *m, uint32_t field, int map, struct bk_it *it)
{
	pb_reader_init(&it->r, m->p, m->len);
	it->field = field;
	it->map = map;
}

int
bk_next(struct bk_it *it, struct bk_val *out)
{
	struct pb_field f, k, v;
	const char *err;

	memset(out, 0, sizeof(*out));
	while (pb_next(&it->r, &f) == 1) {
		if (f.num != it->field)
			continue;
		out->n = f.u;
		out->msg.p = f.data;
		out->msg.len = f.len;
		if (it->map && pb_map_entry(&f, &k, &v, &err) == 0) {
			out->k = (const char *)k.data;
			out->klen = k.len;
			out->v = (const char *)v.data;
			out->vlen = v.len;
		} else {
			out->v = (const char *)f.data;
			out->vlen = f.len;
		}
		return 1;
	}
	return 0;
}

int
bk_last(const struct bk_msg *m, uint32_t field, struct bk_val *out)
{
	struct bk_it it;
	struct bk_val v;
	int found = 0;

	memset(out, 0, sizeof(*out));
	bk_iter(m, field, 0, &it);
	while (bk_next(&it, &v) == 1) {
		*out = v;
		found = 1;
	}
	return found;
}
