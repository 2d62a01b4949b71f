/*
 * schema.h - the Docker request types the policy understands, as tables of
 * JSON member names and Go types, and the walk that checks a decoded body
 * against them the way encoding/json would apply it.
 */
#ifndef SW_SCHEMA_H
#define SW_SCHEMA_H

#include "json.h"
#include "policy_int.h"

enum ftype {
	F_BOOL, F_INT, F_UINT, F_STR,
	F_STRS,		/* []string */
	F_STRSLICE,	/* strslice.StrSlice: string or []string */
	F_STRSS,	/* [][]string */
	F_INTS,		/* [2]uint and friends */
	F_STRMAP,	/* map[string]string */
	F_MAP_EMPTY,	/* map[string]struct{} */
	F_OBJ,		/* struct */
	F_OBJS,		/* []struct */
	F_MAP_OBJ,	/* map[string]struct */
	F_MAP_OBJS,	/* map[string][]struct */
	F_ANY,		/* not modelled: must be null/absent */
};

struct schema;

struct field {
	const char		*name;	/* JSON member name (tag) */
	enum ftype		 type;
	const struct schema	*sub;	/* F_OBJ, F_OBJS, F_MAP_OBJ(S) */
};

struct schema {
	const char		*name;	/* Go type, for messages */
	const struct field	*f;
	size_t			 n;
	const struct schema	*embed;	/* promoted members (one level) */
};

extern const struct schema schema_create;	/* container.CreateRequest */
extern const struct schema schema_update;	/* container.UpdateConfig */
extern const struct schema schema_exec_create;
extern const struct schema schema_exec_start;
extern const struct schema schema_volume_create;
extern const struct schema schema_network_create;
extern const struct schema schema_network_connect;
extern const struct schema schema_network_disconnect;

/*
 * Check the value at node against schema s (path names it in messages).
 * Type errors and members that fold to the same field are rejected (400);
 * members no field matches are denied by the unknown-field check when not
 * zero.  Returns -1 when evaluation must stop.
 */
int	 schema_check(struct eval *, const struct jdoc *, uint32_t node,
	    const struct schema *s, const char *path);

#endif /* SW_SCHEMA_H */
