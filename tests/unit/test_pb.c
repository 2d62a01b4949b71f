/*
 * test_pb.c - the protobuf wire-format reader (policy/pb.c): varints at
 * their limits, every wire type, truncation anywhere, what Go would read
 * differently (tags past 32 bits, enums past 32 bits), map entries.
 */
#include <stdint.h>
#include <string.h>

#include "pb.h"
#include "t.h"

#define B(...)	((const uint8_t[]){ __VA_ARGS__ })
#define BL(...)	sizeof((const uint8_t[]){ __VA_ARGS__ })

static int
varint(const uint8_t *b, size_t len, uint64_t *v, size_t *used)
{
	const uint8_t *p = b;
	int rc = pb_varint(&p, b + len, v);

	*used = (size_t)(p - b);
	return rc;
}

static void
test_varints(void)
{
	uint64_t v;
	size_t used;

	CHECK(varint(B(0x00), 1, &v, &used) == 0 && v == 0 && used == 1);
	CHECK(varint(B(0xac, 0x02), 2, &v, &used) == 0 && v == 300 &&
	    used == 2);
	/* non-minimal: Go reads it, so do we */
	CHECK(varint(B(0x80, 0x00), 2, &v, &used) == 0 && v == 0 && used == 2);
	CHECK(varint(B(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0x01), 10, &v, &used) == 0 && v == UINT64_MAX && used == 10);
	/* bits past 64 in the 10th byte */
	CHECK(varint(B(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0x02), 10, &v, &used) == -1);
	/* 11 bytes */
	CHECK(varint(B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	    0x80, 0x00), 11, &v, &used) == -1);
	CHECK(varint(B(0x80), 1, &v, &used) == -1);
	CHECK(varint(B(0x00), 0, &v, &used) == -1);
	CHECK_INT(pb_int32(0x100000001ull), 1);
	CHECK_INT(pb_int32(0xffffffffull), -1);
	CHECK_INT(pb_int32(UINT64_MAX), -1);
	CHECK_INT(pb_int32(2), 2);
}

static int
one(const uint8_t *b, size_t len, struct pb_field *f, const char **err)
{
	struct pb_reader r;
	int rc;

	pb_reader_init(&r, b, len);
	rc = pb_next(&r, f);
	*err = r.err;
	return rc;
}

static void
test_fields(void)
{
	struct pb_reader r;
	struct pb_field f;
	const char *err;

	/* field 1 varint 150; field 2 "hi"; fixed64 field 3; fixed32 field 4 */
	static const uint8_t msg[] = { 0x08, 0x96, 0x01, 0x12, 0x02, 'h', 'i',
		0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 9, 0, 0, 0x80 };
	pb_reader_init(&r, msg, sizeof(msg));
	CHECK(pb_next(&r, &f) == 1 && f.num == 1 && f.wire == PB_VARINT &&
	    f.u == 150);
	CHECK(pb_next(&r, &f) == 1 && f.num == 2 && f.wire == PB_LEN &&
	    f.len == 2 && memcmp(f.data, "hi", 2) == 0);
	CHECK(pb_next(&r, &f) == 1 && f.num == 3 && f.wire == PB_I64 &&
	    f.u == 0x0807060504030201ull);
	CHECK(pb_next(&r, &f) == 1 && f.num == 4 && f.wire == PB_I32 &&
	    f.u == 0x80000009ull);
	CHECK(pb_next(&r, &f) == 0);
	CHECK(pb_next(&r, &f) == 0);

	pb_reader_init(&r, NULL, 0);
	CHECK(pb_next(&r, &f) == 0);
	/* an empty string */
	CHECK(one(B(0x0a, 0x00), 2, &f, &err) == 1 && f.len == 0);
	/* the largest field number, then one past it (5-byte tags) */
	CHECK(one(B(0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00), 6, &f, &err) == 1 &&
	    f.num == PB_FIELD_MAX);
	CHECK(one(B(0x80, 0x80, 0x80, 0x80, 0x10, 0x00), 6, &f, &err) == -1);
	/* Go would read field 6 from this tag (int32 truncation) */
	CHECK(one(B(0xb2, 0x80, 0x80, 0x80, 0x10, 0x00), 6, &f, &err) == -1);
	CHECK(one(B(0x02, 0x00), 2, &f, &err) == -1 && err != NULL);
	/* groups and the invalid wire types */
	CHECK(one(B(0x0b, 0x0c), 2, &f, &err) == -1);
	CHECK(one(B(0x0c), 1, &f, &err) == -1);
	CHECK(one(B(0x0e, 0x00), 2, &f, &err) == -1);
	CHECK(one(B(0x0f, 0x00), 2, &f, &err) == -1);
	/* truncation at every place */
	CHECK(one(B(0x08), 1, &f, &err) == -1);
	CHECK(one(B(0x08, 0x80), 2, &f, &err) == -1);
	CHECK(one(B(0x0a), 1, &f, &err) == -1);
	CHECK(one(B(0x0a, 0x03, 'a', 'b'), 4, &f, &err) == -1);
	CHECK(one(B(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0x01), 11, &f, &err) == -1);
	CHECK(one(B(0x09, 1, 2, 3, 4, 5, 6, 7), 8, &f, &err) == -1);
	CHECK(one(B(0x0d, 1, 2, 3), 4, &f, &err) == -1);
	CHECK(one(B(0x88), 1, &f, &err) == -1);

	/* a failure sticks: nothing after it is read */
	static const uint8_t bad[] = { 0x08, 0x01, 0x0f, 0x08, 0x02 };
	pb_reader_init(&r, bad, sizeof(bad));
	CHECK(pb_next(&r, &f) == 1 && f.u == 1);
	CHECK(pb_next(&r, &f) == -1 && r.err != NULL);
	CHECK(pb_next(&r, &f) == -1);
}

static void
test_map_entries(void)
{
	struct pb_field e, k, v;
	const char *err;

	e.num = 7;
	e.wire = PB_LEN;
	/* key "a", value "b" */
	e.data = B(0x0a, 0x01, 'a', 0x12, 0x01, 'b');
	e.len = 6;
	CHECK(pb_map_entry(&e, &k, &v, &err) == 0 && k.len == 1 &&
	    k.data[0] == 'a' && v.len == 1 && v.data[0] == 'b');
	/* value missing: empty; unknown field skipped; last key wins */
	e.data = B(0x0a, 0x01, 'a', 0x18, 0x05, 0x0a, 0x02, 'c', 'd');
	e.len = 9;
	CHECK(pb_map_entry(&e, &k, &v, &err) == 0 && k.len == 2 &&
	    memcmp(k.data, "cd", 2) == 0 && v.len == 0);
	/* empty entry: both empty */
	e.len = 0;
	CHECK(pb_map_entry(&e, &k, &v, &err) == 0 && k.len == 0 && v.len == 0);
	/* a varint key: Go's generated code would misread it */
	e.data = B(0x08, 0x01);
	e.len = 2;
	CHECK(pb_map_entry(&e, &k, &v, &err) == -1 && err != NULL);
	/* truncated inside */
	e.data = B(0x0a, 0x05, 'a');
	e.len = 3;
	CHECK(pb_map_entry(&e, &k, &v, &err) == -1);
	/* the entry itself is not length-delimited */
	e.wire = PB_VARINT;
	CHECK(pb_map_entry(&e, &k, &v, &err) == -1);
}

int
main(void)
{
	test_varints();
	test_fields();
	test_map_entries();
	return t_done();
}
