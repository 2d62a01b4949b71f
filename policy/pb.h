/*
 * pb.h - a protobuf wire-format reader for the few BuildKit messages the
 * policy decodes (bk_decode.c).  It walks one message's fields in order
 * over the caller's bytes: no allocation, no schema, no recursion; a
 * nested message is read by starting a new reader on the field's bytes.
 *
 * It reads what Go's generated decoders read and refuses what they could
 * read differently: a tag beyond 32 bits (Go truncates the field number
 * to int32), field number 0, groups (wire types 3 and 4: Go skips unknown
 * ones, we will not guess at their nesting), wire types 6 and 7, a varint
 * longer than 10 bytes or beyond 64 bits, a length past the end.  Each of
 * these fails the whole message: the caller denies it.  It knows nothing
 * of gRPC framing, BuildKit or policies.
 */
#ifndef SW_PB_H
#define SW_PB_H

#include <stddef.h>
#include <stdint.h>

enum pb_wire {
	PB_VARINT = 0,
	PB_I64 = 1,
	PB_LEN = 2,		/* string, bytes, message, packed repeated */
	PB_I32 = 5,
};

#define PB_FIELD_MAX	((1u << 29) - 1)

struct pb_reader {
	const uint8_t	*p, *end;
	const char	*err;		/* static text once a read failed */
};

struct pb_field {
	uint32_t	 num;
	enum pb_wire	 wire;
	uint64_t	 u;		/* PB_VARINT, PB_I64, PB_I32 */
	const uint8_t	*data;		/* PB_LEN: the bytes, in the input */
	size_t		 len;
};

void	 pb_reader_init(struct pb_reader *, const void *buf, size_t len);
/* The next field: 1 and *f, 0 at the end of the message, -1 on malformed
 * input (r->err says why; every later call returns -1 too). */
int	 pb_next(struct pb_reader *, struct pb_field *f);
/* One varint at *p (< end): 0 and *v with *p advanced, or -1. */
int	 pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v);
/* Go's int32 fields and enums keep the low 32 bits of the varint: an
 * enum sent as 2^32 + 1 is 1.  Compare enums through this. */
int32_t	 pb_int32(uint64_t v);
/*
 * A map entry (a PB_LEN field holding key = 1, value = 2): the last of
 * each wins, a missing one is empty, other fields are skipped, as Go
 * reads them.  Key and value must be PB_LEN (string maps and message
 * values); *key and *val get data/len (len 0 when absent).  0 or -1.
 */
int	 pb_map_entry(const struct pb_field *entry, struct pb_field *key,
	    struct pb_field *val, const char **err);

#endif /* SW_PB_H */
