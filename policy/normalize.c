/*
 * normalize.c - read a request-target the way Go's net/url and gorilla/mux
 * (as configured by the engine) read it, and re-emit it canonically.
 *
 * The path is percent-decoded before routing (mux matches URL.Path); paths
 * the router would answer with a 301 (dot segments, "//") are rejected, never
 * cleaned, so we cannot route differently from the engine.  Query strings are
 * split like url.ParseQuery ('&' only, '+' is a space); a ';' is rejected
 * because Go drops such segments on some routes and not on others.
 * Routing itself lives in route.c.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "policy_int.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..len) into out; plus_space for query components.
 * Returns the decoded length or -1 on an invalid escape. */
static long
pct_decode(const char *s, size_t len, char *out, int plus_space)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus_space && s[i] == '+')
			out[o++] = ' ';
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return (long)o;
}

/* Would mux's cleanPath() change this path?  Then the engine answers 301. */
static int
path_is_clean(const char *p, size_t len)
{
	size_t i, seg;

	for (i = 0; i < len; i = seg) {
		/* p[i] == '/' */
		seg = i + 1;
		while (seg < len && p[seg] != '/')
			seg++;
		if (seg - i == 1 && seg < len)
			return 0;		/* "//" */
		if (seg - i == 2 && p[i + 1] == '.')
			return 0;		/* "/." */
		if (seg - i == 3 && p[i + 1] == '.' && p[i + 2] == '.')
			return 0;		/* "/.." */
	}
	return 1;
}

/* "/v1.NN/..." -> minor NN; 0 when there is no version prefix; -1 when a
 * version-like prefix ("/v" [0-9.]+ "/") is not one we model. */
static int
path_version(const char *p, size_t len, size_t *skip)
{
	size_t i = 2;
	int minor;

	*skip = 0;
	if (len < 3 || p[0] != '/' || p[1] != 'v')
		return 0;
	while (i < len && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
		i++;
	if (i == 2 || i == len || p[i] != '/')
		return 0;	/* mux's version route needs "/v[0-9.]+/" */
	*skip = i;
	if (i != 6 || p[2] != '1' || p[3] != '.' || p[4] < '0' || p[4] > '9' ||
	    p[5] < '0' || p[5] > '9')
		return -1;
	minor = (p[4] - '0') * 10 + (p[5] - '0');
	if (minor < SW_API_MIN || minor > SW_API_MAX)
		return -1;
	return minor;
}

int
target_parse(const char *raw, size_t len, struct target *t, char *why,
    size_t whylen)
{
	const char *qs, *seg, *end, *eq, *stop;
	size_t plen, qlen, i, nseg, skip;
	char *o;
	long n;

	memset(t, 0, sizeof(*t));
	if (len == 0 || raw[0] != '/') {
		snprintf(why, whylen, "the request target must be an "
		    "absolute path");
		return 400;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c <= 0x20 || c >= 0x7f || c == '#') {
			snprintf(why, whylen, "the request target contains "
			    "a byte that is not allowed in a URL");
			return 400;
		}
	}
	qs = memchr(raw, '?', len);
	plen = qs ? (size_t)(qs - raw) : len;
	qlen = qs ? len - plen - 1 : 0;
	nseg = 1;
	for (i = 0; i < qlen; i++)
		if (qs[1 + i] == '&')
			nseg++;
	/* decoded text never grows; +2 NULs per segment, +1 for the path */
	if ((t->store = malloc(len + 2 * nseg + 2)) == NULL ||
	    (t->q = calloc(nseg, sizeof(*t->q))) == NULL) {
		snprintf(why, whylen, "out of memory");
		target_free(t);
		return 500;
	}
	o = t->store;
	if ((n = pct_decode(raw, plen, o, 0)) < 0) {
		snprintf(why, whylen, "the path has an invalid percent-escape");
		goto bad;
	}
	for (i = 0; i < (size_t)n; i++) {
		unsigned char c = (unsigned char)o[i];
		if (c < 0x20 || c == 0x7f) {
			snprintf(why, whylen, "the decoded path contains a "
			    "control character");
			goto bad;
		}
	}
	if (!path_is_clean(o, (size_t)n)) {
		snprintf(why, whylen, "the path is not canonical (dot segment "
		    "or empty segment); the engine would redirect it");
		goto bad;
	}
	t->version = path_version(o, (size_t)n, &skip);
	if (t->version < 0) {
		snprintf(why, whylen, "unsupported API version in the path "
		    "(accepted: /v1.%d/ to /v1.%d/ or none)", SW_API_MIN,
		    SW_API_MAX);
		goto bad;
	}
	t->path = o + skip;
	t->path_len = (size_t)n - skip;
	o += n + 1;

	if (qs == NULL)
		return 0;
	if (memchr(qs + 1, ';', qlen) != NULL) {
		snprintf(why, whylen, "';' in the query string is ambiguous "
		    "(Go drops such parameters on some routes only)");
		goto bad;
	}
	end = qs + 1 + qlen;
	for (seg = qs + 1; seg < end; seg = stop + 1) {
		const char *amp = memchr(seg, '&', (size_t)(end - seg));
		struct qparam *qp;

		stop = amp ? amp : end;
		if (stop == seg)
			continue;	/* Go skips empty segments */
		qp = &t->q[t->nq];
		eq = memchr(seg, '=', (size_t)(stop - seg));
		qp->key = o;
		n = pct_decode(seg, (size_t)((eq ? eq : stop) - seg), o, 1);
		if (n < 0)
			goto badq;
		qp->klen = (size_t)n;
		o += n + 1;
		qp->val = o;
		n = eq ? pct_decode(eq + 1, (size_t)(stop - eq - 1), o, 1) :
		    pct_decode("", 0, o, 1);
		if (n < 0)
			goto badq;
		qp->vlen = (size_t)n;
		o += n + 1;
		if (memchr(qp->key, '\0', qp->klen) != NULL ||
		    memchr(qp->val, '\0', qp->vlen) != NULL) {
			snprintf(why, whylen, "a query parameter contains a "
			    "NUL byte");
			goto bad;
		}
		t->nq++;
	}
	return 0;
badq:
	snprintf(why, whylen, "the query string has an invalid "
	    "percent-escape");
bad:
	target_free(t);
	return 400;
}

void
target_free(struct target *t)
{
	free(t->store);
	free(t->q);
	free(t->set);
	memset(t, 0, sizeof(*t));
}

int
target_set_param(struct target *t, const char *key, char *val)
{
	struct qparam *q = NULL, *nq;
	size_t kl = strlen(key);

	free(t->set);
	t->set = val;		/* owned from here on */
	for (size_t i = 0; i < t->nq && q == NULL; i++)
		if (t->q[i].klen == kl && memcmp(t->q[i].key, key, kl) == 0)
			q = &t->q[i];
	if (q == NULL) {
		if ((nq = realloc(t->q, (t->nq + 1) * sizeof(*nq))) == NULL)
			return -1;
		t->q = nq;
		q = &t->q[t->nq++];
		memset(q, 0, sizeof(*q));
		q->key = (char *)key;	/* a literal, never freed */
		q->klen = kl;
	}
	q->val = val;
	q->vlen = strlen(val);
	q->used = 1;
	return 0;
}

const struct qparam *
target_param(const struct target *t, const char *key)
{
	size_t i, kl = strlen(key);

	for (i = 0; i < t->nq; i++)
		if (t->q[i].klen == kl && memcmp(t->q[i].key, key, kl) == 0)
			return &t->q[i];
	return NULL;
}

size_t
target_param_count(const struct target *t, const char *key)
{
	size_t i, kl = strlen(key), n = 0;

	for (i = 0; i < t->nq; i++)
		if (t->q[i].klen == kl && memcmp(t->q[i].key, key, kl) == 0)
			n++;
	return n;
}

/* Append s percent-encoded; keep lets some bytes through unescaped. */
static char *
pct_encode(char *o, const char *s, size_t len, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (c != 0 && strchr(keep, c))) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	return o;
}

char *
target_canonical(const struct target *t)
{
	size_t need = 8 + 3 * t->path_len, i;
	char *buf, *o;
	int first = 1;

	for (i = 0; i < t->nq; i++)
		need += 3 * (t->q[i].klen + t->q[i].vlen) + 2;
	if ((buf = malloc(need + 1)) == NULL)
		return NULL;
	o = buf;
	if (t->version > 0)
		o += sprintf(o, "/v1.%02d", t->version);
	o = pct_encode(o, t->path, t->path_len, "/:@");
	for (i = 0; i < t->nq; i++) {
		if (!t->q[i].used)
			continue;
		*o++ = first ? '?' : '&';
		first = 0;
		o = pct_encode(o, t->q[i].key, t->q[i].klen, "");
		*o++ = '=';
		o = pct_encode(o, t->q[i].val, t->q[i].vlen, "");
	}
	*o = '\0';
	return buf;
}
