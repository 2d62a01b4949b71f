/*
 * h2_util.c - small pure helpers of the policed /grpc relay: header lists
 * copied out of libnghttp2's callbacks, the headers that stay on one
 * connection, gRPC's length prefix and its percent-encoding of
 * grpc-message.  No session, no socket.
 */
#include <stdlib.h>
#include <string.h>

#include "h2_int.h"

size_t
h2_grpc_pct(const char *msg, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (outlen == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		/* gRPC: printable ASCII but '%' goes as is, the rest as %XX */
		if (*p >= 0x20 && *p <= 0x7e && *p != '%') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)*p;
			continue;
		}
		if (o + 3 >= outlen)
			break;
		out[o++] = '%';
		out[o++] = hex[*p >> 4];
		out[o++] = hex[*p & 15];
	}
	out[o] = '\0';
	return o;
}

int
h2_hop_header(const uint8_t *name, size_t len)
{
	static const char *const hop[] = { "connection", "keep-alive",
	    "proxy-connection", "transfer-encoding", "upgrade",
	    "http2-settings" };

	for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (strlen(hop[i]) == len && memcmp(hop[i], name, len) == 0)
			return 1;
	return 0;
}

uint64_t
h2_grpc_frame_len(const uint8_t p[5])
{
	return 5 + ((uint64_t)p[1] << 24 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 8 | p[4]);
}

int
h2hdrs_add(struct h2hdrs *h, const uint8_t *name, size_t nlen,
    const uint8_t *value, size_t vlen)
{
	nghttp2_nv *nv;
	uint8_t *n, *v;

	if (h->n >= H2_MAX_HEADERS ||
	    h->bytes + nlen + vlen + 32 > H2_MAX_HEADER_BYTES)
		return -1;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		if ((nv = realloc(h->nv, cap * sizeof(*nv))) == NULL)
			return -1;
		h->nv = nv;
		h->cap = cap;
	}
	n = malloc(nlen + 1);
	v = malloc(vlen + 1);
	if (n == NULL || v == NULL) {
		free(n);
		free(v);
		return -1;
	}
	memcpy(n, name, nlen);
	n[nlen] = '\0';
	memcpy(v, value, vlen);
	v[vlen] = '\0';
	nv = &h->nv[h->n++];
	nv->name = n;
	nv->namelen = nlen;
	nv->value = v;
	nv->valuelen = vlen;
	nv->flags = NGHTTP2_NV_FLAG_NONE;
	h->bytes += nlen + vlen + 32;	/* RFC 9113's accounting */
	return 0;
}

void
h2hdrs_free(struct h2hdrs *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->nv[i].name);
		free(h->nv[i].value);
	}
	free(h->nv);
	memset(h, 0, sizeof(*h));
}
