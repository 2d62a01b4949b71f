/*
 * pb.c - the protobuf wire-format reader (pb.h): varints, tags, the four
 * wire types Go's decoders accept for known fields, and map entries.
 * Pure and bounds-checked on every byte; it never reads past end.
 */
#include <string.h>

#include "pb.h"

void
pb_reader_init(struct pb_reader *r, const void *buf, size_t len)
{
	r->p = buf;
	r->end = r->p + len;
	r->err = NULL;
}

int
pb_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;
	unsigned shift;

	for (shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return -1;
		/* the 10th byte holds bit 63 only: more would overflow,
		 * which Go drops silently and we refuse */
		if (shift == 63 && (*p & 0xfe) != 0)
			return -1;
		x |= (uint64_t)(*p & 0x7f) << shift;
		if ((*p++ & 0x80) == 0) {
			*pp = p;
			*v = x;
			return 0;
		}
	}
	return -1;
}

int32_t
pb_int32(uint64_t v)
{
	uint32_t lo = (uint32_t)v;
	int32_t s;

	memcpy(&s, &lo, sizeof(s));	/* two's complement, no UB */
	return s;
}

static int
pb_fail(struct pb_reader *r, const char *why)
{
	r->err = why;
	r->p = r->end;
	return -1;
}

int
pb_next(struct pb_reader *r, struct pb_field *f)
{
	uint64_t tag, n;

	if (r->err != NULL)
		return -1;
	if (r->p >= r->end)
		return 0;
	memset(f, 0, sizeof(*f));
	if (pb_varint(&r->p, r->end, &tag) != 0)
		return pb_fail(r, "truncated or overlong tag");
	if (tag >> 3 > PB_FIELD_MAX)
		return pb_fail(r, "field number out of range");
	if (tag >> 3 == 0)
		return pb_fail(r, "field number 0");
	f->num = (uint32_t)(tag >> 3);
	f->wire = (enum pb_wire)(tag & 7);
	switch (tag & 7) {
	case PB_VARINT:
		if (pb_varint(&r->p, r->end, &f->u) != 0)
			return pb_fail(r, "truncated or overlong varint");
		return 1;
	case PB_I64:
	case PB_I32:
		n = (tag & 7) == PB_I64 ? 8 : 4;
		if ((size_t)(r->end - r->p) < n)
			return pb_fail(r, "truncated fixed-size field");
		for (f->u = 0; n > 0; n--)	/* little-endian */
			f->u |= (uint64_t)r->p[n - 1] << (8 * (n - 1));
		r->p += (tag & 7) == PB_I64 ? 8 : 4;
		return 1;
	case PB_LEN:
		if (pb_varint(&r->p, r->end, &n) != 0)
			return pb_fail(r, "truncated length");
		if (n > (uint64_t)(r->end - r->p))
			return pb_fail(r, "length past the end");
		f->data = r->p;
		f->len = (size_t)n;
		r->p += n;
		return 1;
	default:
		return pb_fail(r, "group or invalid wire type");
	}
}

int
pb_map_entry(const struct pb_field *entry, struct pb_field *key,
    struct pb_field *val, const char **err)
{
	struct pb_reader r;
	struct pb_field f;
	int rc;

	memset(key, 0, sizeof(*key));
	memset(val, 0, sizeof(*val));
	key->num = 1;
	key->wire = val->wire = PB_LEN;
	val->num = 2;
	if (entry->wire != PB_LEN) {
		*err = "map entry is not length-delimited";
		return -1;
	}
	pb_reader_init(&r, entry->data, entry->len);
	while ((rc = pb_next(&r, &f)) == 1) {
		if (f.num != 1 && f.num != 2)
			continue;	/* Go skips unknown fields */
		if (f.wire != PB_LEN) {
			*err = "map key or value of the wrong wire type";
			return -1;
		}
		*(f.num == 1 ? key : val) = f;
	}
	if (rc < 0) {
		*err = r.err;
		return -1;
	}
	return 0;
}
