/*
 * json_get.c - reading a tree that json.c has built: member lookup with Go's
 * key folding, integers and zero values as encoding/json sees them, and the
 * typed accessors the body rules use.  It parses nothing and knows nothing
 * of Docker types or policies.
 */
#include <string.h>

#include "json.h"

/*
 * encoding/json folds keys: ASCII letters case-insensitively, and the only
 * non-ASCII runes folding onto ASCII letters are U+017F (s) and U+212A (k).
 */
int
json_key_matches(const char *key, size_t klen, const char *name)
{
	const unsigned char *k = (const unsigned char *)key;
	size_t i = 0;
	int c, want;

	for (; *name != '\0'; name++) {
		want = *name >= 'a' && *name <= 'z' ? *name - 32 : *name;
		if (i >= klen)
			return 0;
		c = k[i];
		if (c < 0x80) {
			if (c >= 'a' && c <= 'z')
				c -= 32;
			i++;
		} else if (klen - i >= 2 && k[i] == 0xc5 && k[i + 1] == 0xbf) {
			c = 'S';	/* U+017F LATIN SMALL LETTER LONG S */
			i += 2;
		} else if (klen - i >= 3 && k[i] == 0xe2 && k[i + 1] == 0x84 &&
		    k[i + 2] == 0xaa) {
			c = 'K';	/* U+212A KELVIN SIGN */
			i += 3;
		} else
			return 0;
		if (c != want)
			return 0;
	}
	return i == klen;
}

uint32_t
json_get(const struct jdoc *d, uint32_t obj, const char *name)
{
	uint32_t m;

	if (obj == JNONE || d->n[obj].type != J_OBJ)
		return JNONE;
	for (m = d->n[obj].child; m != JNONE; m = d->n[m].next)
		if (json_key_matches(d->n[m].key, d->n[m].klen, name))
			return m;
	return JNONE;
}

int
json_int(const struct jnode *n, int64_t *out)
{
	const char *s = n->s;
	size_t i = 0;
	uint64_t v = 0, lim;
	int neg = 0;

	if (n->type != J_NUM || !n->isint)
		return -1;
	if (n->slen > 0 && s[0] == '-')
		neg = 1, i = 1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n->slen; i++) {
		unsigned dgt = (unsigned)(s[i] - '0');
		if (v > (lim - dgt) / 10)
			return -1;
		v = v * 10 + dgt;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int
json_is_zero(const struct jdoc *d, uint32_t i)
{
	const struct jnode *n = &d->n[i];
	uint32_t m;
	size_t k;

	switch (n->type) {
	case J_NULL:
		return 1;
	case J_BOOL:
		return !n->b;
	case J_STR:
		return n->slen == 0;
	case J_NUM:
		/* zero iff every mantissa digit is 0 */
		for (k = 0; k < n->slen && n->s[k] != 'e' && n->s[k] != 'E';
		    k++)
			if (n->s[k] >= '1' && n->s[k] <= '9')
				return 0;
		return 1;
	case J_ARR:
		return n->count == 0;
	case J_OBJ:
		for (m = n->child; m != JNONE; m = d->n[m].next)
			if (!json_is_zero(d, m))
				return 0;
		return 1;
	}
	return 0;
}

const char *
json_get_str(const struct jdoc *d, uint32_t obj, const char *name, size_t *len)
{
	uint32_t m = json_get(d, obj, name);

	if (m == JNONE || d->n[m].type != J_STR) {
		*len = 0;
		return "";
	}
	*len = d->n[m].slen;
	return d->n[m].s;
}

int
json_get_bool(const struct jdoc *d, uint32_t obj, const char *name)
{
	uint32_t m = json_get(d, obj, name);

	return m != JNONE && d->n[m].type == J_BOOL && d->n[m].b;
}

int64_t
json_get_int(const struct jdoc *d, uint32_t obj, const char *name)
{
	uint32_t m = json_get(d, obj, name);
	int64_t v;

	if (m == JNONE || json_int(&d->n[m], &v) == -1)
		return 0;
	return v;
}

uint32_t
json_get_obj(const struct jdoc *d, uint32_t obj, const char *name)
{
	uint32_t m = json_get(d, obj, name);

	return m != JNONE && d->n[m].type == J_OBJ ? m : JNONE;
}

uint32_t
json_get_first(const struct jdoc *d, uint32_t obj, const char *name)
{
	uint32_t m = json_get(d, obj, name);

	if (m == JNONE || (d->n[m].type != J_ARR && d->n[m].type != J_OBJ))
		return JNONE;
	return d->n[m].child;
}

int
json_is_set(const struct jdoc *d, uint32_t obj, const char *name)
{
	uint32_t m = json_get(d, obj, name);

	return m != JNONE && d->n[m].type != J_NULL;
}
