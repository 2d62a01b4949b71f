/*
 * http_int.h - private to the HTTP adapter (http_request.c,
 * http_response.c, http_chunked.c): the chunked decoder both directions
 * share and two header helpers.  Nothing outside daemon/relay/http_*.c
 * includes it; the adapter's interface is include/http.h.
 */
#ifndef SW_HTTP_INT_H
#define SW_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define CHUNK_MAX_LINE	4096	/* chunk-extension or trailer line */

enum chunk_state {
	CK_SIZE, CK_EXT, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF,
	CK_TRAILER, CK_TRAILER_LINE, CK_TRAILER_LF, CK_END_LF, CK_DONE
};

/* Chunked-framing state, shared by request decoding and response skipping. */
struct chunk_dec {
	enum chunk_state ck;
	uint64_t	 left;		/* data bytes left in this chunk */
	size_t		 line;		/* length of the current ext/trailer line */
	int		 digits;
};

/* http_chunked.c */
void	 chunk_reset(struct chunk_dec *);
/* Decode chunked bytes; data goes to cb (NULL: skipped).  Returns bytes
 * consumed; *res is MORE, DONE after the last chunk, or ERROR. */
size_t	 chunk_feed(struct chunk_dec *, const char *, size_t, http_body_cb cb,
	    void *arg, enum http_feed *res);
/* Case-insensitive equality of a header token with a C string. */
int	 http_ci_eq(const char *a, size_t alen, const char *b);
/* Does a comma-separated header value contain token tok? */
int	 http_has_token(const char *v, size_t n, const char *tok);

#endif /* SW_HTTP_INT_H */
