/*
 * schema_dump.c - print the body members policy/schema.c models, one line
 * per member: "<operation> <path> <kind>", for tests/spec/drift.py to
 * compare with the members the engine's specs list.
 *
 * Paths use '.' between struct members, "[]" for array elements and "{}"
 * for map values; embedded (promoted) members have no prefix, as in Go's
 * JSON.  It only reads the exported schema tables; it decides nothing.
 */
#include <stdio.h>

#include "policy_int.h"

static const char *
kind_name(enum ftype t)
{
	switch (t) {
	case F_BOOL: return "bool";
	case F_INT: return "int";
	case F_UINT: return "uint";
	case F_STR: return "string";
	case F_STRS: return "strings";
	case F_STRSLICE: return "strslice";
	case F_STRSS: return "stringss";
	case F_INTS: return "uints";
	case F_STRMAP: return "strmap";
	case F_MAP_EMPTY: return "set";
	case F_OBJ: return "struct";
	case F_OBJS: return "structs";
	case F_MAP_OBJ: return "structmap";
	case F_MAP_OBJS: return "structsmap";
	case F_ANY: return "any";
	}
	return "?";
}

/* The suffix between a struct-typed member and its own members. */
static const char *
nest_sep(enum ftype t)
{
	switch (t) {
	case F_OBJS: return "[].";
	case F_MAP_OBJ: return "{}.";
	case F_MAP_OBJS: return "{}[].";
	default: return ".";
	}
}

static void
dump(const char *op, const struct schema *s, const char *prefix, int depth)
{
	char path[512];
	size_t i;

	if (depth > 16)		/* the tables have no cycles; stay bounded */
		return;
	if (s->embed != NULL)
		dump(op, s->embed, prefix, depth + 1);
	for (i = 0; i < s->n; i++) {
		const struct field *f = &s->f[i];

		snprintf(path, sizeof(path), "%s%s", prefix, f->name);
		printf("%s %s %s\n", op, path, kind_name(f->type));
		if (f->sub != NULL && f->type != F_MAP_EMPTY) {
			snprintf(path, sizeof(path), "%s%s%s", prefix, f->name,
			    nest_sep(f->type));
			dump(op, f->sub, path, depth + 1);
		}
	}
}

int
main(void)
{
	static const struct {
		const char		*op;
		const struct schema	*s;
	} roots[] = {
		{ "container.create", &schema_create },
		{ "container.update", &schema_update },
		{ "exec.create", &schema_exec_create },
		{ "exec.start", &schema_exec_start },
		{ "volume.create", &schema_volume_create },
		{ "network.create", &schema_network_create },
		{ "network.connect", &schema_network_connect },
		{ "network.disconnect", &schema_network_disconnect },
	};
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		dump(roots[i].op, roots[i].s, "", 0);
	return ferror(stdout) ? 1 : 0;
}
