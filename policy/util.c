/*
 * util.c - string lists, glob matching and message formatting: the helpers
 * every other file of policy/ may use.  It calls nothing else in policy/ and
 * knows neither requests nor struct policy.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

int
strlist_add(struct strlist *l, const char *s, size_t len)
{
	char **v, *c;

	if ((c = malloc(len + 1)) == NULL)
		return -1;
	memcpy(c, s, len);
	c[len] = '\0';
	if ((v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL) {
		free(c);
		return -1;
	}
	v[l->n++] = c;
	l->v = v;
	return 0;
}

int
strlist_has(const struct strlist *l, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && memcmp(l->v[i], s, len) == 0)
			return 1;
	return 0;
}

int
strlist_glob(const struct strlist *l, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (glob_match(l->v[i], s, len))
			return 1;
	return 0;
}

void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* '*' matches any run of bytes (including '/'), '?' one byte; no classes.
 * Iterative with one backtrack point, so it is linear-ish on hostile input. */
int
glob_match(const char *pat, const char *s, size_t len)
{
	const char *star = NULL;
	size_t i = 0, mark = 0;

	while (i < len) {
		if (*pat == '*') {
			star = ++pat;
			mark = i;
		} else if (*pat != '\0' && (*pat == '?' || *pat == s[i])) {
			pat++;
			i++;
		} else if (star != NULL) {
			pat = star;
			i = ++mark;
		} else
			return 0;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

void
strfmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

void
str_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void
strbuf_addn(struct strbuf *b, const char *s, size_t n)
{
	char *nb;
	size_t cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((nb = realloc(b->s, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->s = nb;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
strbuf_add(struct strbuf *b, const char *s)
{
	strbuf_addn(b, s, strlen(s));
}

/* A JSON string literal of s (valid UTF-8 passes; controls escaped). */
void
strbuf_json(struct strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

	strbuf_add(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			strbuf_addn(b, "\\", 1);
			strbuf_addn(b, (const char *)&s[i], 1);
		} else if (c < 0x20) {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			strbuf_addn(b, esc, 6);
		} else {
			strbuf_addn(b, (const char *)&s[i], 1);
		}
	}
	strbuf_add(b, "\"");
}

/*
 * Go's path.Clean: one '/' between names, no "." names, ".." eats the
 * name before it (and at the root, nothing), no trailing '/'.  out gets
 * at most outsz - 1 bytes; a longer result is cut (callers bound len).
 */
void
path_go_clean(const char *p, size_t len, char *out, size_t outsz)
{
	size_t o = 0, i = 0, start;
	int rooted = len > 0 && p[0] == '/';

	if (outsz == 0)
		return;
	if (rooted)
		out[o++] = '/';
	while (i < len) {
		while (i < len && p[i] == '/')
			i++;
		start = i;
		while (i < len && p[i] != '/')
			i++;
		if (i == start || (i - start == 1 && p[start] == '.'))
			continue;
		if (i - start == 2 && p[start] == '.' && p[start + 1] == '.') {
			/* back to the previous '/' (not past the root) */
			while (o > (size_t)rooted && out[o - 1] != '/')
				o--;
			if (o > (size_t)rooted)
				o--;
			if (o == 0 && !rooted && outsz > 3) {
				memcpy(out, "..", 2);	/* relative: kept */
				o = 2;
			}
			continue;
		}
		if (o > (size_t)rooted && o + 1 < outsz)
			out[o++] = '/';
		for (size_t k = start; k < i && o + 1 < outsz; k++)
			out[o++] = p[k];
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
}
