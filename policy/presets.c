/*
 * presets.c - the text of the built-in policies.  conf/{ci,readonly,
 * deny-all}.json are embedded in the library at build time (see
 * CMakeLists.txt, presets_gen.h) so that "extends" and the default policy
 * need no file at run time.  It only hands out text: compile.c compiles it
 * for "extends", default.c for policy_default().
 */
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

const char *
policy_preset_text(const char *preset)
{
	size_t i;

	for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcmp(presets[i].name, preset) == 0)
			return presets[i].text;
	return NULL;
}
