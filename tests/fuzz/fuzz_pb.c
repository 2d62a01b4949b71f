/*
 * fuzz_pb.c - the protobuf wire-format reader (policy/pb.c).  The input is
 * read as a message; every length-delimited field is read again as a
 * nested message and as a map entry, down to a fixed depth.  Invariants:
 * every field's bytes lie inside the input, a reader that failed says why
 * and stays failed, field numbers are in range.
 */
#include "fuzzing.h"
#include "pb.h"

static const uint8_t *in_lo, *in_hi;

int
fuzz_init(void)
{
	return 0;
}

void
fuzz_cleanup(void)
{
}

static void
walk(const uint8_t *b, size_t len, int depth)
{
	struct pb_reader r;
	struct pb_field f, k, v;
	const char *err;
	int rc;

	pb_reader_init(&r, b, len);
	while ((rc = pb_next(&r, &f)) == 1) {
		FUZZ_ASSERT(f.num >= 1 && f.num <= PB_FIELD_MAX);
		if (f.wire != PB_LEN)
			continue;
		FUZZ_ASSERT(f.len == 0 || (f.data >= in_lo &&
		    f.data + f.len <= in_hi));
		if (pb_map_entry(&f, &k, &v, &err) == 0) {
			FUZZ_ASSERT(k.len <= f.len && v.len <= f.len);
			FUZZ_ASSERT(k.len == 0 || (k.data >= f.data &&
			    k.data + k.len <= f.data + f.len));
			FUZZ_ASSERT(v.len == 0 || (v.data >= f.data &&
			    v.data + v.len <= f.data + f.len));
		} else
			FUZZ_ASSERT(err != NULL);
		if (depth < 8)
			walk(f.data, f.len, depth + 1);
	}
	if (rc < 0) {
		FUZZ_ASSERT(r.err != NULL);
		FUZZ_ASSERT(pb_next(&r, &f) == -1);
	} else
		FUZZ_ASSERT(r.err == NULL && pb_next(&r, &f) == 0);
}

int
fuzz_main(const uint8_t *data, size_t len)
{
	in_lo = data;
	in_hi = data + len;
	walk(data, len, 0);
	return 0;
}
