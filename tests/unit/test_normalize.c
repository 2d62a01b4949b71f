/*
 * test_normalize.c - target_parse() and target_canonical() directly: what
 * Go's net/url decodes, how parameters are split, and the canonical form
 * the daemon forwards (only parameters marked used, re-encoded).
 */
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"
#include "t.h"

struct row {
	const char	*raw;
	int		 status;	/* 0 = parses */
	const char	*path;		/* decoded, without version */
	int		 version;
	const char	*canon;		/* all parameters used */
};

static const struct row rows[] = {
	{ "/_ping", 0, "/_ping", 0, "/_ping" },
	{ "/v1.41/_ping", 0, "/_ping", 41, "/v1.41/_ping" },
	{ "/v1.24/info", 0, "/info", 24, "/v1.24/info" },
	{ "/v1.56/info", 0, "/info", 56, "/v1.56/info" },
	{ "/v1.57/info", 400, NULL, 0, NULL },
	{ "/v1.23/info", 400, NULL, 0, NULL },
	{ "/v2.41/info", 400, NULL, 0, NULL },
	{ "/v1/info", 400, NULL, 0, NULL },
	{ "/v/info", 0, "/v/info", 0, "/v/info" },
	{ "/v1.41", 0, "/v1.41", 0, "/v1.41" },
	{ "/vx/info", 0, "/vx/info", 0, "/vx/info" },
	{ "/images/a%2Fb/json", 0, "/images/a/b/json", 0,
	    "/images/a/b/json" },
	{ "/images/a%3Ab/json", 0, "/images/a:b/json", 0,
	    "/images/a:b/json" },
	{ "/x%20y", 0, "/x y", 0, "/x%20y" },
	{ "/x+y", 0, "/x+y", 0, "/x%2By" },
	{ "/x%", 400, NULL, 0, NULL },
	{ "/x%4", 400, NULL, 0, NULL },
	{ "/x%00", 400, NULL, 0, NULL },
	{ "/x/.", 400, NULL, 0, NULL },
	{ "/x/./y", 400, NULL, 0, NULL },
	{ "/x/%2E%2E/y", 400, NULL, 0, NULL },
	{ "/x//y", 400, NULL, 0, NULL },
	{ "/x%2F%2Fy", 400, NULL, 0, NULL },
	{ "/x/", 0, "/x/", 0, "/x/" },
	{ "/x/.y", 0, "/x/.y", 0, "/x/.y" },
	{ "/x?a=1&&b=&c&=d", 0, "/x", 0, "/x?a=1&b=&c=&=d" },
	{ "/x?a=%2B+b&k%3D=v%26", 0, "/x", 0, "/x?a=%2B%20b&k%3D=v%26" },
	{ "/x?a=1;b=2", 400, NULL, 0, NULL },
	{ "/x?a=%zz", 400, NULL, 0, NULL },
	{ "/x?a=%00", 400, NULL, 0, NULL },
	{ "/x#f", 400, NULL, 0, NULL },
	{ "/x y", 400, NULL, 0, NULL },
	{ "/x\xc3\xa9", 400, NULL, 0, NULL },
	{ "x", 400, NULL, 0, NULL },
	{ "", 400, NULL, 0, NULL },
};

static void
test_rows(void)
{
	struct target t;
	char why[160], *c;
	size_t i, k;
	int st;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		st = target_parse(r->raw, strlen(r->raw), &t, why, sizeof(why));
		if (st != r->status)
			fprintf(stderr, "row %zu: %s: %s\n", i, r->raw, why);
		CHECK_INT(st, r->status);
		if (st != 0)
			continue;
		CHECK_INT(t.path_len, strlen(r->path));
		CHECK(memcmp(t.path, r->path, t.path_len) == 0);
		CHECK_INT(t.version, r->version);
		for (k = 0; k < t.nq; k++)
			t.q[k].used = 1;
		c = target_canonical(&t);
		CHECK_STR(c, r->canon);
		free(c);
		target_free(&t);
	}
}

/* Unused parameters never reach the canonical target. */
static void
test_drop(void)
{
	struct target t;
	char why[160], *c;

	CHECK_INT(target_parse("/v1.41/containers/json?all=1&x=2&size=0", 39,
	    &t, why, sizeof(why)), 0);
	CHECK_INT(t.nq, 3);
	t.q[0].used = 1;
	t.q[2].used = 1;
	c = target_canonical(&t);
	CHECK_STR(c, "/v1.41/containers/json?all=1&size=0");
	CHECK_INT(target_param_count(&t, "all"), 1);
	CHECK(target_param(&t, "nope") == NULL);
	free(c);
	target_free(&t);
}

int
main(void)
{
	test_rows();
	test_drop();
	return t_done();
}
