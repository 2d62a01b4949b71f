/*
 * fuzz_normalize.c - request-target parsing, routing and re-emission.
 * Invariants: a target that parses re-emits a canonical form that parses
 * again to the same path, version and route (idempotence), and never
 * contains bytes outside the URL alphabet.
 */
#include <string.h>

#include "fuzzing.h"
#include "policy_int.h"

int
fuzz_init(void)
{
	return 0;
}

void
fuzz_cleanup(void)
{
}

static const char *const methods[] = { "GET", "POST", "PUT", "DELETE",
	"HEAD", "OPTIONS" };

int
fuzz_main(const uint8_t *data, size_t len)
{
	struct target t, t2;
	const char *var;
	size_t varlen, i;
	char why[160], *canon;
	int r1, r2;

	if (target_parse((const char *)data, len, &t, why, sizeof(why)) != 0)
		return 0;
	for (i = 0; i < t.nq; i++)
		t.q[i].used = 1;
	canon = target_canonical(&t);
	FUZZ_ASSERT(canon != NULL);
	for (i = 0; canon[i] != '\0'; i++)
		FUZZ_ASSERT((unsigned char)canon[i] > 0x20 &&
		    (unsigned char)canon[i] < 0x7f && canon[i] != '#');
	FUZZ_ASSERT(target_parse(canon, strlen(canon), &t2, why,
	    sizeof(why)) == 0);
	FUZZ_ASSERT(t2.version == t.version);
	FUZZ_ASSERT(t2.path_len == t.path_len &&
	    memcmp(t2.path, t.path, t.path_len) == 0);
	FUZZ_ASSERT(t2.nq == t.nq);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		r1 = route_match(methods[i], t.path, t.path_len, &var, &varlen);
		r2 = route_match(methods[i], t2.path, t2.path_len, &var,
		    &varlen);
		FUZZ_ASSERT(r1 == r2);
		if (r1 >= 0 && var != NULL)
			(void)route_id_valid(route_at((size_t)r1)->id_kind,
			    var, varlen);
	}
	target_free(&t2);
	free(canon);
	target_free(&t);
	return 0;
}
