/*
 * presets.c - the built-in policies.  The text of conf/{ci,readonly,
 * deny-all}.json is compiled into the library at build time (see
 * CMakeLists.txt, presets_gen.h) so that sockwarden started without --policy
 * is already safe.  policy_default() compiles "ci" once; that cached,
 * immutable policy is the library's only static state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"
#include "presets_gen.h"

static const struct {
	const char	*name;
	const char	*text;
} presets[] = {
	{ "ci", sw_preset_ci },
	{ "readonly", sw_preset_readonly },
	{ "deny-all", sw_preset_deny_all },
};

static struct policy *default_policy;

const char *
policy_preset_text(const char *preset)
{
	size_t i;

	for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcmp(presets[i].name, preset) == 0)
			return presets[i].text;
	return NULL;
}

struct policy *
policy_default(void)
{
	struct policy_errors errs = { 0 };

	if (default_policy != NULL)
		return default_policy;
	if (policy_compile("builtin:ci", sw_preset_ci, strlen(sw_preset_ci),
	    &default_policy, &errs) == -1) {
		/* a broken built-in preset is a build bug (the unit tests
		 * compile every preset); there is nothing safe to fall
		 * back to */
		fprintf(stderr, "sockwarden: built-in ci policy: %s",
		    errs.text ? errs.text : "out of memory\n");
		abort();
	}
	policy_errors_free(&errs);
	return default_policy;
}

int
policy_is_default(const struct policy *p)
{
	return p != NULL && p == default_policy;
}
