/*
 * test_json.c - the strict JSON reader: what Go accepts and we refuse,
 * exact error messages and offsets, number literals kept verbatim, Go's key
 * folding (U+017F, U+212A), zero values, and truncation of valid documents.
 */
#include <string.h>

#include "json.h"
#include "t.h"

struct bad {
	const char	*text;
	size_t		 len;		/* 0: strlen */
	const char	*err;
	size_t		 off;
};

static const struct bad bads[] = {
	{ "", 0, "unexpected end of input", 0 },
	{ "\xef\xbb\xbf{}", 0, "byte order mark", 0 },
	{ "{} {}", 0, "unexpected data after the JSON value", 3 },
	{ "{}}", 0, "unexpected data after the JSON value", 2 },
	{ "{} ]", 0, "unexpected data after the JSON value", 3 },
	{ "{\"a\":1,}", 0, "trailing comma", 6 },
	{ "[1,]", 0, "trailing comma", 2 },
	{ "[1, \n ]", 0, "trailing comma", 2 },
	{ "{\"a\":1,\"b\"}", 0, "expected ':' after key", 10 },
	{ "{\"a\" 1}", 0, "expected ':' after key", 5 },
	{ "{\"a\":\"\x01\"}", 0, "control character in string", 6 },
	{ "\"\xff\"", 0, "invalid UTF-8 in string", 1 },
	{ "\"\xc0\xaf\"", 0, "invalid UTF-8 in string", 1 },
	{ "\"\xed\xa0\x80\"", 0, "invalid UTF-8 in string", 1 },
	{ "\"\\ud800\"", 0, "lone surrogate escape", 1 },
	{ "\"\\udc00\"", 0, "lone surrogate escape", 1 },
	{ "\"\\u0000\"", 0, "\\u0000 is not allowed", 1 },
	{ "\"\\x41\"", 0, "invalid escape in string", 1 },
	{ "\"\\u12\"", 0, "invalid \\u escape", 1 },
	{ "01", 0, "unexpected data after the JSON value", 1 },
	{ "1.", 0, "invalid number", 2 },
	{ "1.e5", 0, "invalid number", 2 },
	{ "-", 0, "invalid number", 0 },
	{ "+1", 0, "unexpected character", 0 },
	{ "1e", 0, "invalid number", 2 },
	{ "tru", 0, "invalid literal", 0 },
	{ "nul", 0, "invalid literal", 0 },
	{ "{\"a\":1 /* c */}", 0, "expected ',' or '}'", 7 },
	{ "\f{}", 0, "unexpected character", 0 },
	{ "{\"a\":1}\x00", 8, "unexpected data after the JSON value", 7 },
	{ "\"abc", 0, "unterminated string", 4 },
};

static void
test_bad(void)
{
	struct jdoc d;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		size_t len = b->len ? b->len : strlen(b->text);
		CHECK_INT(json_parse(b->text, len, 0, &d), -1);
		CHECK_STR(d.err, b->err);
		CHECK_INT(d.erroff, b->off);
		json_free(&d);
	}
}

static void
test_depth(void)
{
	char buf[300];
	struct jdoc d;
	int i;

	for (i = 0; i < 64; i++)
		buf[i] = '[';
	for (i = 0; i < 64; i++)
		buf[64 + i] = ']';
	CHECK_INT(json_parse(buf, 128, 0, &d), 0);
	json_free(&d);
	for (i = 0; i < 65; i++)
		buf[i] = '[';
	for (i = 0; i < 65; i++)
		buf[65 + i] = ']';
	CHECK_INT(json_parse(buf, 130, 0, &d), -1);
	CHECK_STR(d.err, "nesting too deep");
	json_free(&d);
}

static void
test_good(void)
{
	const char *t = "{\"\\u0048ostConfig\": {\"Memory\": 9223372036854775807,"
	    " \"X\": -9223372036854775808, \"Y\": 9223372036854775808,"
	    " \"Z\": 1e3, \"s\": \"a\\u00e9\\ud83d\\ude00\\n\"}}";
	struct jdoc d;
	uint32_t hc, m;
	int64_t v;

	CHECK_INT(json_parse(t, strlen(t), 0, &d), 0);
	hc = json_get(&d, json_root(&d), "HostConfig");
	CHECK(hc != JNONE);
	m = json_get(&d, hc, "memory");
	CHECK_INT(json_int(JN(&d, m), &v), 0);
	CHECK(v == INT64_MAX);
	CHECK_INT(json_int(JN(&d, json_get(&d, hc, "X")), &v), 0);
	CHECK(v == INT64_MIN);
	CHECK_INT(json_int(JN(&d, json_get(&d, hc, "Y")), &v), -1);
	CHECK_INT(json_int(JN(&d, json_get(&d, hc, "Z")), &v), -1);
	m = json_get(&d, hc, "s");
	CHECK_STR(JN(&d, m)->s, "a\xc3\xa9\xf0\x9f\x98\x80\n");
	CHECK_INT(JN(&d, json_get(&d, hc, "Z"))->slen, 3);
	json_free(&d);
}

static void
test_fold(void)
{
	CHECK(json_key_matches("privileged", 10, "Privileged"));
	CHECK(json_key_matches("PRIVILEGED", 10, "Privileged"));
	CHECK(json_key_matches("Bind\xc5\xbf", 6, "Binds"));
	CHECK(json_key_matches("Networ\xe2\x84\xaa" "Mode", 13,
	    "NetworkMode"));
	CHECK(json_key_matches("\xc5\xbf" "ecurityOpt", 12, "SecurityOpt"));
	CHECK(!json_key_matches("Privileged ", 11, "Privileged"));
	CHECK(!json_key_matches("Privilege", 9, "Privileged"));
	/* U+0131 dotless i does not fold onto 'i' in encoding/json */
	CHECK(!json_key_matches("Pr\xc4\xb1vileged", 11, "Privileged"));
	CHECK(!json_key_matches("Privileged\0", 11, "Privileged"));
}

static void
test_zero(void)
{
	const char *t = "[null,false,0,-0.0,0e5,\"\",[],{},{\"a\":{\"b\":0}},"
	    "true,1,0.1,\"x\",[0],{\"a\":1}]";
	int want[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0 };
	struct jdoc d;
	uint32_t m;
	int i = 0;

	CHECK_INT(json_parse(t, strlen(t), 0, &d), 0);
	for (m = JN(&d, json_root(&d))->child; m != JNONE; m = JN(&d, m)->next)
		CHECK_INT(json_is_zero(&d, m), want[i++]);
	CHECK_INT(i, 15);
	json_free(&d);
}

static void
test_comments(void)
{
	const char *t = "// head\n{ /* a */ \"a\": [1, // x\n 2] }\n";
	struct jdoc d;
	int line, col;

	CHECK_INT(json_parse(t, strlen(t), JSON_COMMENTS, &d), 0);
	json_free(&d);
	CHECK_INT(json_parse(t, strlen(t), 0, &d), -1);
	json_free(&d);
	t = "{\n  \"a\": 1,\n  /* open";
	CHECK_INT(json_parse(t, strlen(t), JSON_COMMENTS, &d), -1);
	CHECK_STR(d.err, "unterminated comment");
	json_linecol(t, d.erroff, &line, &col);
	CHECK_INT(line, 3);
	CHECK_INT(col, 3);
	json_free(&d);
}

/* Every proper prefix of a valid document is an error, never a crash. */
static void
test_truncation(void)
{
	const char *t = "{\"Image\":\"alpine\",\"HostConfig\":{\"Binds\":"
	    "[\"/a:/b:ro\"],\"Memory\":-1.5e+3,\"x\":\"\\ud83d\\ude00\"}}";
	struct jdoc d;
	size_t n;

	for (n = 0; n < strlen(t); n++) {
		CHECK_INT(json_parse(t, n, 0, &d), -1);
		json_free(&d);
	}
	CHECK_INT(json_parse(t, strlen(t), 0, &d), 0);
	json_free(&d);
}

int
main(void)
{
	test_bad();
	test_depth();
	test_good();
	test_fold();
	test_zero();
	test_comments();
	test_truncation();
	return t_done();
}
