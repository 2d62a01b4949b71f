/*
 * images.c - image references: normalize like the distribution reference
 * library (docker.io default domain, library/ for single names) and match
 * the policy's allowlist.  Digests and tags are not part of the match: the
 * allowlist names repositories.  A bare image ID ("sha256:<hex>") is matched
 * as "sha256:<hex>"; this file does not resolve names to IDs (no I/O).
 */
#include <stdio.h>
#include <string.h>

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

int
image_check(struct eval *e, const char *what, const char *ref, size_t len)
{
	char norm[300];

	if (!eval_check_on(e, CK_IMAGES))
		return 0;
	if (image_normalize(ref, len, norm, sizeof(norm)) == -1)
		return eval_deny(e, CK_IMAGES, "the %s '%.*s' is not a valid "
		    "image reference", what, (int)(len > 100 ? 100 : len),
		    ref) ? -1 : 0;
	if (strlist_glob(&e->pol->image_allow, norm, strlen(norm)))
		return 0;
	return eval_deny(e, CK_IMAGES, "the %s '%s' is not in the image "
	    "allowlist", what, norm) ? -1 : 0;
}
