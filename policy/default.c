/*
 * default.c - policy_default(): the "ci" preset, compiled on first use, so
 * that sockwarden started without --policy is already safe.  That cached,
 * immutable policy is the library's only static state; it is marked shared
 * so policy_free() leaves it alone.  Not thread-safe: the daemon calls it
 * once at start-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

static struct policy *default_policy;

struct policy *
policy_default(void)
{
	struct policy_errors errs = { 0 };
	const char *text = policy_preset_text("ci");

	if (default_policy != NULL)
		return default_policy;
	if (text == NULL || policy_compile("builtin:ci", text, strlen(text),
	    &default_policy, &errs) == -1) {
		/* a broken built-in preset is a build bug (the unit tests
		 * compile every preset); there is nothing safe to fall
		 * back to */
		fprintf(stderr, "sockwarden: built-in ci policy: %s",
		    errs.text ? errs.text : "out of memory\n");
		abort();
	}
	policy_errors_free(&errs);
	default_policy->shared = 1;
	return default_policy;
}
