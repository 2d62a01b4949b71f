/*
 * test_h2_util.c - the pure helpers of the policed /grpc relay
 * (relay/h2_util.c): grpc-message percent-encoding (what a client prints
 * as the denial), the headers that never cross to the other connection,
 * gRPC's length prefix, and the bounded header list a call keeps.
 */
#include <string.h>

#include "relay/h2_int.h"
#include "t.h"

#define N(s)	(const uint8_t *)(s), strlen(s)

int
main(void)
{
	char out[64];
	struct h2hdrs h;
	uint8_t big[1024];

	/* printable ASCII as is, '%' and the rest as %XX */
	CHECK_INT(h2_grpc_pct("sockwarden: 'x' denied", out, sizeof(out)), 22);
	CHECK_STR(out, "sockwarden: 'x' denied");
	h2_grpc_pct("100% \xc3\xa9\n", out, sizeof(out));
	CHECK_STR(out, "100%25 %C3%A9%0A");
	/* cut at the buffer, never inside an escape */
	CHECK_INT(h2_grpc_pct("ab%", out, 5), 2);
	CHECK_STR(out, "ab");
	CHECK_INT(h2_grpc_pct("abc", out, 0), 0);

	CHECK(h2_hop_header(N("connection")));
	CHECK(h2_hop_header(N("upgrade")));
	CHECK(h2_hop_header(N("transfer-encoding")));
	CHECK(!h2_hop_header(N("te")));		/* gRPC's "te: trailers" */
	CHECK(!h2_hop_header(N(":path")));
	CHECK(!h2_hop_header(N("grpc-timeout")));

	CHECK(h2_grpc_frame_len((const uint8_t *)"\0\0\0\0\0") == 5);
	CHECK(h2_grpc_frame_len((const uint8_t *)"\0\0\0\1\0") == 261);
	CHECK(h2_grpc_frame_len((const uint8_t *)"\1\xff\xff\xff\xff") ==
	    5 + 0xffffffffull);

	memset(&h, 0, sizeof(h));
	CHECK_INT(h2hdrs_add(&h, N(":path"), N("/moby.buildkit.v1.Control/"
	    "Solve")), 0);
	CHECK_INT((int)h.n, 1);
	CHECK_STR((const char *)h.nv[0].value, "/moby.buildkit.v1.Control/Solve");
	CHECK_INT((int)h.nv[0].namelen, 5);
	/* bounded: bytes, then count */
	memset(big, 'a', sizeof(big));
	while (h2hdrs_add(&h, N("x"), big, sizeof(big)) == 0)
		;
	CHECK(h.bytes <= H2_MAX_HEADER_BYTES);
	h2hdrs_free(&h);
	for (int i = 0; i < H2_MAX_HEADERS; i++)
		CHECK_INT(h2hdrs_add(&h, N("k"), N("v")), 0);
	CHECK_INT(h2hdrs_add(&h, N("k"), N("v")), -1);
	h2hdrs_free(&h);
	CHECK_INT((int)h.n, 0);
	return t_done();
}
