/*
 * json.h - a strict JSON reader for request bodies and policy files.
 *
 * It accepts a subset of what Go's encoding/json accepts, never more: RFC
 * 8259 grammar, JSON whitespace only, valid UTF-8 only (Go would replace bad
 * bytes with U+FFFD; we refuse), no lone surrogates, no \u0000, bounded
 * depth, nothing but whitespace after the value.  Numbers keep their
 * original text so integers are range-checked exactly, never via double.
 * It builds a tree in document order (json.c) and reads members of it the
 * way encoding/json would (json_get.c); it knows nothing of Docker types
 * (schema.c) or policies (compile.c), and includes no policy header.
 */
#ifndef SW_JSON_H
#define SW_JSON_H

#include <stddef.h>
#include <stdint.h>

enum jtype { J_NULL = 0, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

#define JNONE	((uint32_t)0)	/* node 0 is a sentinel, never a value */

struct jnode {
	enum jtype	 type;
	uint32_t	 off;		/* byte offset of the value */
	uint32_t	 end;		/* just past its last byte */
	uint32_t	 koff;		/* members: byte offset of the key */
	uint32_t	 kend;		/* members: just past the key */
	const char	*key;		/* members: decoded key, NUL-terminated */
	size_t		 klen;
	const char	*s;		/* J_STR: decoded; J_NUM: literal */
	size_t		 slen;
	int		 b;		/* J_BOOL */
	int		 isint;		/* J_NUM: no fraction, no exponent */
	uint32_t	 child;		/* J_ARR/J_OBJ: first element */
	uint32_t	 next;		/* next sibling */
	uint32_t	 count;		/* J_ARR/J_OBJ: number of elements */
};

struct jdoc {
	struct jnode	*n;		/* n[0] unused; root is n[1] */
	size_t		 nn, cap;
	char		*strs;		/* decoded strings */
	size_t		 slen, scap;
	const char	*err;		/* static message on failure */
	size_t		 erroff;	/* byte offset of the error */
};

#define JSON_COMMENTS	0x01	/* policy files: // and slash-star comments */
#define JSON_DEPTH_MAX	64	/* Go allows 10000; CI bodies need ~6 */

/* ---- json.c: text to tree */
/* Parse text; 0 on success (root at index 1), -1 with d->err/erroff. */
int	 json_parse(const char *text, size_t len, int flags, struct jdoc *d);
void	 json_free(struct jdoc *);
#define	 json_root(d)	((uint32_t)1)
#define	 JN(d, i)	(&(d)->n[(i)])
/* 1-based line and column of a byte offset (columns count bytes). */
void	 json_linecol(const char *text, size_t off, int *line, int *col);

/* ---- json_get.c: reading the tree */
/* Member whose key folds (Go's rules) to name, or JNONE. */
uint32_t json_get(const struct jdoc *, uint32_t obj, const char *name);
/* Go's key folding: does key (UTF-8) match the ASCII name? */
int	 json_key_matches(const char *key, size_t klen, const char *name);
/* Integer value of a J_NUM with isint; -1 when out of int64 range. */
int	 json_int(const struct jnode *, int64_t *);
/* Zero value as Go sees it: null, false, 0, "", [], {} (recursively). */
int	 json_is_zero(const struct jdoc *, uint32_t);

/*
 * Typed reads of member name of obj, for trees whose types a schema walk
 * has already proven: a member that is absent, null or of another type
 * reads as the zero value (obj may be JNONE).
 */
const char *json_get_str(const struct jdoc *, uint32_t obj, const char *name,
	    size_t *len);
int	 json_get_bool(const struct jdoc *, uint32_t obj, const char *name);
int64_t	 json_get_int(const struct jdoc *, uint32_t obj, const char *name);
uint32_t json_get_obj(const struct jdoc *, uint32_t obj, const char *name);
/* first element or member of an array or object member, JNONE when none */
uint32_t json_get_first(const struct jdoc *, uint32_t obj, const char *name);
/* the member is present and not null */
int	 json_is_set(const struct jdoc *, uint32_t obj, const char *name);

#endif /* SW_JSON_H */
