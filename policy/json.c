/*
 * json.c - the strict JSON reader described in json.h: text in, a tree of
 * nodes out.  Recursive descent with an explicit depth bound; every failure
 * records a static message and the byte offset where it was detected.
 * Looking things up in the tree is json_get.c.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct jparser {
	const unsigned char	*p;
	size_t			 len, i;
	int			 flags, depth;
	struct jdoc		*d;
};

static int
fail(struct jparser *ps, const char *msg)
{
	if (ps->d->err == NULL) {
		ps->d->err = msg;
		ps->d->erroff = ps->i;
	}
	return -1;
}

static int
skip_ws(struct jparser *ps)
{
	while (ps->i < ps->len) {
		unsigned char c = ps->p[ps->i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			ps->i++;
			continue;
		}
		if (!(ps->flags & JSON_COMMENTS) || c != '/' ||
		    ps->i + 1 >= ps->len)
			break;
		if (ps->p[ps->i + 1] == '/') {
			while (ps->i < ps->len && ps->p[ps->i] != '\n')
				ps->i++;
		} else if (ps->p[ps->i + 1] == '*') {
			size_t start = ps->i;
			ps->i += 2;
			while (ps->i + 1 < ps->len && !(ps->p[ps->i] == '*' &&
			    ps->p[ps->i + 1] == '/'))
				ps->i++;
			if (ps->i + 1 >= ps->len) {
				ps->i = start;
				return fail(ps, "unterminated comment");
			}
			ps->i += 2;
		} else
			break;
	}
	return 0;
}

static uint32_t
node_new(struct jparser *ps, enum jtype t)
{
	struct jdoc *d = ps->d;
	struct jnode *n;

	if (d->nn == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		if (cap > UINT32_MAX / 2 ||
		    (n = realloc(d->n, cap * sizeof(*n))) == NULL) {
			fail(ps, "out of memory");
			return JNONE;
		}
		d->n = n;
		d->cap = cap;
	}
	n = &d->n[d->nn];
	memset(n, 0, sizeof(*n));
	n->type = t;
	n->off = (uint32_t)ps->i;
	return (uint32_t)d->nn++;
}

/* Length of a valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t need, k;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4, cp = c & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (k = 1; k < need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

static int
hex4(const unsigned char *p, uint32_t *v)
{
	int k;

	*v = 0;
	for (k = 0; k < 4; k++) {
		unsigned c = p[k];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static char *
put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* Decode the string at ps->i (a '"') into the string arena. */
static int
parse_string(struct jparser *ps, const char **out, size_t *outlen)
{
	struct jdoc *d = ps->d;
	char *start = d->strs + d->slen, *o = start;
	uint32_t cp, lo;
	size_t k;

	ps->i++;
	for (;;) {
		unsigned char c;

		if (ps->i >= ps->len)
			return fail(ps, "unterminated string");
		c = ps->p[ps->i];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(ps, "control character in string");
		if (c >= 0x80) {
			if ((k = utf8_len(ps->p + ps->i, ps->len - ps->i)) == 0)
				return fail(ps, "invalid UTF-8 in string");
			memcpy(o, ps->p + ps->i, k);
			o += k;
			ps->i += k;
			continue;
		}
		if (c != '\\') {
			*o++ = (char)c;
			ps->i++;
			continue;
		}
		if (ps->i + 1 >= ps->len)
			return fail(ps, "unterminated string");
		c = ps->p[ps->i + 1];
		switch (c) {
		case '"': case '\\': case '/':
			*o++ = (char)c; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (ps->i + 6 > ps->len ||
			    hex4(ps->p + ps->i + 2, &cp) == -1)
				return fail(ps, "invalid \\u escape");
			if (cp == 0)
				return fail(ps, "\\u0000 is not allowed");
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(ps, "lone surrogate escape");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->i + 12 > ps->len ||
				    ps->p[ps->i + 6] != '\\' ||
				    ps->p[ps->i + 7] != 'u' ||
				    hex4(ps->p + ps->i + 8, &lo) == -1 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return fail(ps, "lone surrogate escape");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				ps->i += 6;
			}
			o = put_utf8(o, cp);
			ps->i += 4;
			break;
		default:
			return fail(ps, "invalid escape in string");
		}
		ps->i += 2;
	}
	ps->i++;
	*o = '\0';
	*out = start;
	*outlen = (size_t)(o - start);
	d->slen += *outlen + 1;
	return 0;
}

static int
parse_number(struct jparser *ps, struct jnode *n)
{
	const unsigned char *p = ps->p;
	size_t i = ps->i, start = i;

	n->isint = 1;
	if (i < ps->len && p[i] == '-')
		i++;
	if (i >= ps->len || p[i] < '0' || p[i] > '9')
		return fail(ps, "invalid number");
	if (p[i] == '0')
		i++;
	else
		while (i < ps->len && p[i] >= '0' && p[i] <= '9')
			i++;
	if (i < ps->len && p[i] == '.') {
		n->isint = 0;
		if (++i >= ps->len || p[i] < '0' || p[i] > '9') {
			ps->i = i;
			return fail(ps, "invalid number");
		}
		while (i < ps->len && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	if (i < ps->len && (p[i] == 'e' || p[i] == 'E')) {
		n->isint = 0;
		i++;
		if (i < ps->len && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i >= ps->len || p[i] < '0' || p[i] > '9') {
			ps->i = i;
			return fail(ps, "invalid number");
		}
		while (i < ps->len && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	n->s = (const char *)p + start;
	n->slen = i - start;
	ps->i = i;
	return 0;
}

static int
literal(struct jparser *ps, const char *word)
{
	size_t n = strlen(word);

	if (ps->len - ps->i < n || memcmp(ps->p + ps->i, word, n) != 0)
		return fail(ps, "invalid literal");
	ps->i += n;
	return 0;
}

static int parse_value(struct jparser *, uint32_t *);

/* Elements of an array or members of an object, linked as children. */
static int
parse_container(struct jparser *ps, uint32_t self, int obj)
{
	uint32_t prev = JNONE, v;
	const char *key = NULL;
	size_t klen = 0, koff = 0, kend = 0;
	char close = obj ? '}' : ']';

	if (++ps->depth > JSON_DEPTH_MAX)
		return fail(ps, "nesting too deep");
	ps->i++;
	if (skip_ws(ps) == -1)
		return -1;
	if (ps->i < ps->len && ps->p[ps->i] == close) {
		ps->i++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		if (obj) {
			if (skip_ws(ps) == -1)
				return -1;
			if (ps->i >= ps->len || ps->p[ps->i] != '"')
				return fail(ps, "expected a string key");
			koff = ps->i;
			if (parse_string(ps, &key, &klen) == -1)
				return -1;
			kend = ps->i;
			if (skip_ws(ps) == -1)
				return -1;
			if (ps->i >= ps->len || ps->p[ps->i] != ':')
				return fail(ps, "expected ':' after key");
			ps->i++;
		}
		if (parse_value(ps, &v) == -1)
			return -1;
		if (obj) {
			JN(ps->d, v)->key = key;
			JN(ps->d, v)->klen = klen;
			JN(ps->d, v)->koff = (uint32_t)koff;
			JN(ps->d, v)->kend = (uint32_t)kend;
		}
		if (prev == JNONE)
			JN(ps->d, self)->child = v;
		else
			JN(ps->d, prev)->next = v;
		prev = v;
		JN(ps->d, self)->count++;
		if (skip_ws(ps) == -1)
			return -1;
		if (ps->i < ps->len && ps->p[ps->i] == ',') {
			size_t comma = ps->i++;
			/* name the mistake people make, at the comma */
			if (skip_ws(ps) == -1)
				return -1;
			if (ps->i < ps->len && ps->p[ps->i] == close) {
				ps->i = comma;
				return fail(ps, "trailing comma");
			}
			continue;
		}
		if (ps->i < ps->len && ps->p[ps->i] == close) {
			ps->i++;
			ps->depth--;
			return 0;
		}
		return fail(ps, obj ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	}
}

static int parse_token(struct jparser *, uint32_t *);

/* A value, with the offset just past its last byte recorded. */
static int
parse_value(struct jparser *ps, uint32_t *out)
{
	if (parse_token(ps, out) == -1)
		return -1;
	JN(ps->d, *out)->end = (uint32_t)ps->i;
	return 0;
}

static int
parse_token(struct jparser *ps, uint32_t *out)
{
	uint32_t self;
	unsigned char c;

	if (skip_ws(ps) == -1)
		return -1;
	if (ps->i >= ps->len)
		return fail(ps, "unexpected end of input");
	c = ps->p[ps->i];
	switch (c) {
	case '{': case '[':
		if ((self = node_new(ps, c == '{' ? J_OBJ : J_ARR)) == JNONE)
			return -1;
		*out = self;
		return parse_container(ps, self, c == '{');
	case '"':
		if ((self = node_new(ps, J_STR)) == JNONE)
			return -1;
		*out = self;
		return parse_string(ps, &JN(ps->d, self)->s,
		    &JN(ps->d, self)->slen);
	case 't': case 'f':
		if ((self = node_new(ps, J_BOOL)) == JNONE)
			return -1;
		*out = self;
		JN(ps->d, self)->b = c == 't';
		return literal(ps, c == 't' ? "true" : "false");
	case 'n':
		if ((self = node_new(ps, J_NULL)) == JNONE)
			return -1;
		*out = self;
		return literal(ps, "null");
	default:
		if (c != '-' && (c < '0' || c > '9'))
			return fail(ps, "unexpected character");
		if ((self = node_new(ps, J_NUM)) == JNONE)
			return -1;
		*out = self;
		return parse_number(ps, JN(ps->d, self));
	}
}

int
json_parse(const char *text, size_t len, int flags, struct jdoc *d)
{
	struct jparser ps;
	uint32_t root;

	memset(d, 0, sizeof(*d));
	memset(&ps, 0, sizeof(ps));
	ps.p = (const unsigned char *)text;
	ps.len = len;
	ps.flags = flags;
	ps.d = d;
	if (len >= UINT32_MAX / 2)
		return fail(&ps, "document too large");
	if ((d->strs = malloc(len + 1)) == NULL)
		return fail(&ps, "out of memory");
	d->scap = len + 1;
	node_new(&ps, J_NULL);		/* the sentinel, index JNONE */
	if (d->nn != 1)
		return -1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		return fail(&ps, "byte order mark");
	if (parse_value(&ps, &root) == -1)
		return -1;
	if (skip_ws(&ps) == -1)
		return -1;
	if (ps.i != len)
		return fail(&ps, "unexpected data after the JSON value");
	return 0;
}

void
json_free(struct jdoc *d)
{
	free(d->n);
	free(d->strs);
	memset(d, 0, sizeof(*d));
}

void
json_linecol(const char *text, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && text[i] != '\0'; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}
