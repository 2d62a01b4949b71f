/*
 * images.c - image references and the registries they name: normalize
 * like the distribution reference library (docker.io default domain,
 * library/ for single names) and match the policy's allowlist; judge a
 * registry host as written (no resolving: the policy does no I/O) and
 * refuse the ones that reach into the host or its networks (loopback,
 * link-local, private, localhost, single-label names) unless the policy
 * lists them, because the engine connects to a registry from the host's
 * network namespace.  Digests and tags are not part of the match: the
 * allowlist names repositories.  A bare image ID ("sha256:<hex>") is matched
 * as "sha256:<hex>"; this file does not resolve names to IDs.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

static int
ref_char_ok(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '.' || c == '_' || c == '-' || c == '/' || c == ':' ||
	    c == '@' || (c >= 'A' && c <= 'Z');
}

/*
 * Write "domain/path" for ref into out.  Returns 0, or -1 when ref is not a
 * reference the engine would accept the same way (empty, odd bytes,
 * upper-case repository path).
 */
static int
image_normalize(const char *ref, size_t len, char *out, size_t outsz)
{
	const char *name = ref, *at, *slash, *colon;
	size_t nlen = len, i, dlen;
	int has_domain = 0;

	if (len == 0 || len > 255)
		return -1;
	for (i = 0; i < len; i++)
		if (!ref_char_ok((unsigned char)ref[i]))
			return -1;
	if (len > 7 && memcmp(ref, "sha256:", 7) == 0) {
		for (i = 7; i < len; i++)
			if (!((ref[i] >= '0' && ref[i] <= '9') ||
			    (ref[i] >= 'a' && ref[i] <= 'f')))
				return -1;
		snprintf(out, outsz, "%.*s", (int)len, ref);
		return 0;
	}
	if ((at = memchr(ref, '@', len)) != NULL)
		nlen = (size_t)(at - ref);
	/* a tag is a ':' after the last '/' */
	for (slash = NULL, i = 0; i < nlen; i++)
		if (name[i] == '/')
			slash = name + i;
	colon = memchr(slash ? slash : name, ':', nlen - (size_t)((slash ?
	    slash : name) - name));
	if (colon != NULL)
		nlen = (size_t)(colon - name);
	if (nlen == 0)
		return -1;
	slash = memchr(name, '/', nlen);
	if (slash != NULL) {
		dlen = (size_t)(slash - name);
		if (memchr(name, '.', dlen) || memchr(name, ':', dlen) ||
		    (dlen == 9 && memcmp(name, "localhost", 9) == 0))
			has_domain = 1;
		for (i = 0; i < dlen; i++)
			if (name[i] >= 'A' && name[i] <= 'Z')
				has_domain = 1;	/* upper case: a host */
	}
	/* the repository path must be lower case */
	for (i = has_domain ? (size_t)(slash - name) : 0; i < nlen; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			return -1;
	if (has_domain)
		snprintf(out, outsz, "%.*s", (int)nlen, name);
	else if (slash != NULL)
		snprintf(out, outsz, "docker.io/%.*s", (int)nlen, name);
	else
		snprintf(out, outsz, "docker.io/library/%.*s", (int)nlen,
		    name);
	return 0;
}

/*
 * The image the request names, for the record: the first one judged of
 * those the request is about, not the cache sources, frontends and
 * mounts it merely uses.
 */
static void
image_note(struct eval *e, const char *what, const char *ref, size_t len)
{
	static const char *const used[] = { "mounted image",
	    "build cache source", "BuildKit frontend image", NULL };
	if (e->d->image != NULL || len == 0)
		return;
	for (size_t i = 0; used[i] != NULL; i++)
		if (strcmp(what, used[i]) == 0)
			return;
	/* for the record only: without memory the record says none */
	if ((e->d->image = strndup(ref, len < 255 ? len : 255)) != NULL)
		str_sanitize(e->d->image);
}

/* Allowlist one normalized reference; 0 or -1 (stop). */
static int
image_allowed(struct eval *e, const char *what, const char *ref, size_t len,
    char *norm, size_t normsz)
{
	if (image_normalize(ref, len, norm, normsz) == -1)
		return eval_deny_fixed(e, CK_IMAGES, "the %s '%.*s' is not a "
		    "valid image reference", what, (int)(len > 100 ? 100 :
		    len), ref) ? -1 : 0;
	if (strlist_glob(&e->pol->image_allow, norm, strlen(norm)))
		return 0;
	return eval_deny(e, CK_IMAGES, "the %s '%s' is not in the image "
	    "allowlist", what, norm) ? -1 : 0;
}

int
image_check(struct eval *e, const char *what, const char *ref, size_t len)
{
	char norm[300];

	image_note(e, what, ref, len);
	if (!eval_check_on(e, CK_IMAGES))
		return 0;
	return image_allowed(e, what, ref, len, norm, sizeof(norm));
}

/* An IPv4 address the engine must not be sent to. */
static int
registry_v4_private(const unsigned char a[4])
{
	return a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64) ||	/* 100.64/10 */
	    (a[0] == 169 && a[1] == 254) ||
	    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 192 && a[1] == 0 && a[2] == 0) ||
	    (a[0] == 198 && (a[1] & 0xfe) == 18);	/* 198.18/15 */
}

static int
registry_v6_private(const unsigned char a[16])
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	static const unsigned char zero[15] = { 0 };

	if (memcmp(a, v4mapped, 12) == 0)
		return registry_v4_private(a + 12);
	return memcmp(a, zero, 15) == 0 ||		/* :: and ::1 */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||	/* fe80::/10 */
	    (a[0] & 0xfe) == 0xfc || a[0] == 0xff;	/* fc00::/7, ff00::/8 */
}

/*
 * A registry host ("name[:port]", "[v6]:port") as the engine would reach
 * it from the host: 1 when it is loopback, link-local, private or
 * otherwise local, judged as written.  A name without a dot resolves
 * through the host's search domains and /etc/hosts, and an all-numeric
 * one may be an IPv4 shorthand: both count as local.
 */
int
registry_is_local(const char *h, size_t len)
{
	char host[256];
	unsigned char addr[16];
	const char *end = h + len, *colon;
	size_t hl, i;
	int dots = 0, numeric = 1;

	if (len > 0 && h[0] == '[') {
		const char *rb = memchr(h, ']', len);
		if (rb == NULL || (size_t)(rb - h - 1) >= sizeof(host))
			return 1;
		memcpy(host, h + 1, (size_t)(rb - h - 1));
		host[rb - h - 1] = '\0';
		return inet_pton(AF_INET6, host, addr) != 1 ||
		    registry_v6_private(addr);
	}
	colon = memchr(h, ':', len);
	hl = colon ? (size_t)(colon - h) : len;
	if (hl == 0 || hl >= sizeof(host) || (colon && memchr(colon + 1, ':',
	    (size_t)(end - colon - 1)) != NULL))
		return 1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (hl > 0 && host[hl - 1] == '.')
		host[--hl] = '\0';	/* "localhost." is localhost */
	if (strcasecmp(host, "localhost") == 0 || (hl > 10 &&
	    strcasecmp(host + hl - 10, ".localhost") == 0))
		return 1;
	if (inet_pton(AF_INET, host, addr) == 1)
		return registry_v4_private(addr);
	for (i = 0; i < hl; i++) {
		dots += host[i] == '.';
		if (host[i] != '.' && (host[i] < '0' || host[i] > '9'))
			numeric = 0;
	}
	return dots == 0 || numeric;
}

int
registry_check(struct eval *e, const char *what, const char *host,
    size_t len)
{
	if (!eval_check_on(e, CK_REGISTRY) || !registry_is_local(host, len))
		return 0;
	for (size_t i = 0; i < e->pol->registry_allow.n; i++)
		if (strlen(e->pol->registry_allow.v[i]) == len &&
		    strncasecmp(e->pol->registry_allow.v[i], host, len) == 0)
			return 0;
	return eval_deny(e, CK_REGISTRY, "the %s names the registry '%.*s', "
	    "a loopback, link-local or private address or a local name: the "
	    "engine would connect to it from the host", what,
	    (int)(len > 100 ? 100 : len), host) ? -1 : 0;
}

int
image_check_remote(struct eval *e, const char *what, const char *ref,
    size_t len)
{
	char norm[300];
	const char *slash;

	image_note(e, what, ref, len);
	if (eval_check_on(e, CK_IMAGES) &&
	    image_allowed(e, what, ref, len, norm, sizeof(norm)) == -1)
		return -1;
	if (image_normalize(ref, len, norm, sizeof(norm)) == -1 ||
	    strncmp(norm, "sha256:", 7) == 0 ||
	    (slash = strchr(norm, '/')) == NULL)
		return 0;	/* nothing the engine would fetch by name */
	return registry_check(e, what, norm, (size_t)(slash - norm));
}
