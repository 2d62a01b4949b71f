/*
 * test_policy_config.c - policy files: every tests/configs/bad/X.json must
 * fail with exactly the first line in X.err; every good/X.json compiles;
 * the presets compile and behave (readonly denies every write, deny-all
 * everything but ping); extends + overrides; collected error counts; the
 * policy keys denials name exist.
 *
 * Run with SW_WRITE_ERR=1 to (re)write missing .err files after review.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_int.h"
#include "t.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int
is_json(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static void
test_bad_corpus(void)
{
	const char *dir = SW_SOURCE_DIR "/tests/configs/bad";
	struct dirent *de;
	DIR *dp;
	int n = 0;

	CHECK((dp = opendir(dir)) != NULL);
	while (dp != NULL && (de = readdir(dp)) != NULL) {
		char path[512], errpath[512], *text, *want, *nl;
		struct policy_errors errs = { 0 };
		struct policy *p = NULL;
		size_t len, wlen;

		if (!is_json(de->d_name))
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(errpath, sizeof(errpath), "%.*s.err",
		    (int)strlen(path) - 5, path);
		text = slurp(path, &len);
		CHECK(text != NULL);
		if (text == NULL)
			continue;
		CHECK_INT(policy_compile(de->d_name, text, len, &p, &errs), -1);
		CHECK(p == NULL);
		CHECK(errs.count >= 1 && errs.text != NULL);
		if (errs.text != NULL && (nl = strchr(errs.text, '\n')))
			*nl = '\0';
		want = slurp(errpath, &wlen);
		if (want == NULL && getenv("SW_WRITE_ERR") && errs.text) {
			FILE *f = fopen(errpath, "w");
			if (f != NULL) {
				fprintf(f, "%s\n", errs.text);
				fclose(f);
			}
			fprintf(stderr, "wrote %s: %s\n", errpath, errs.text);
		} else {
			if (want != NULL && (nl = strchr(want, '\n')))
				*nl = '\0';
			if (want == NULL)
				fprintf(stderr, "missing %s\n", errpath);
			CHECK_STR(errs.text, want);
		}
		free(want);
		free(text);
		policy_errors_free(&errs);
	}
	if (dp != NULL)
		closedir(dp);
	CHECK(n >= 20);
}

static struct policy *
compile_str(const char *text, struct policy_errors *errs)
{
	struct policy *p = NULL;

	memset(errs, 0, sizeof(*errs));
	policy_compile("t.json", text, strlen(text), &p, errs);
	return p;
}

static void
test_good_corpus(void)
{
	const char *dir = SW_SOURCE_DIR "/tests/configs/good";
	struct dirent *de;
	DIR *dp;
	int n = 0;

	CHECK((dp = opendir(dir)) != NULL);
	while (dp != NULL && (de = readdir(dp)) != NULL) {
		struct policy_errors errs = { 0 };
		struct policy *p = NULL;
		char path[512], *text;
		size_t len;

		if (!is_json(de->d_name))
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		CHECK((text = slurp(path, &len)) != NULL);
		if (text == NULL)
			continue;
		CHECK_INT(policy_compile(de->d_name, text, len, &p, &errs), 0);
		if (errs.text)
			fprintf(stderr, "%s", errs.text);
		CHECK_STR(policy_name(p), de->d_name);
		policy_free(p);
		policy_errors_free(&errs);
		free(text);
	}
	if (dp != NULL)
		closedir(dp);
	CHECK(n >= 3);
}

/* Every error is reported, in file order. */
static void
test_all_errors(void)
{
	struct policy_errors errs;
	struct policy *p;

	p = compile_str("{\n \"mdoe\": 1,\n \"checks\": {\n  \"binds\": "
	    "{\"roots\": 3},\n  \"nope\": {}\n },\n \"body_limit\": \"x\"\n}",
	    &errs);
	CHECK(p == NULL);
	CHECK_INT(errs.count, 4);
	CHECK_STR(errs.text,
	    "t.json:2:2: unknown key 'mdoe' at the top level; did you mean "
	    "'mode'?\n"
	    "t.json:4:22: checks.binds.roots must be an array, not a number\n"
	    "t.json:5:3: unknown key 'nope' at checks (not a check name)\n"
	    "t.json:7:16: body_limit must be a number, not a string\n");
	policy_errors_free(&errs);
}

static void
eval_simple(const struct policy *p, const char *method, const char *target,
    struct policy_decision *d)
{
	struct policy_request q;

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.target = target;
	q.target_len = strlen(target);
	policy_eval(p, &q, d);
}

static void
test_presets(void)
{
	static const char *const names[] = { "ci", "readonly", "deny-all" };
	struct policy_errors errs;
	struct policy_decision d;
	struct policy *ro, *deny;
	size_t i, allowed = 0;
	char tgt[128];

	for (i = 0; i < 3; i++) {
		struct policy *p = NULL;
		memset(&errs, 0, sizeof(errs));
		CHECK_INT(policy_compile(names[i], policy_preset_text(names[i]),
		    strlen(policy_preset_text(names[i])), &p, &errs), 0);
		policy_free(p);
		policy_errors_free(&errs);
	}
	CHECK((ro = compile_str("{\"extends\": \"readonly\"}", &errs)));
	CHECK((deny = compile_str("{\"extends\": \"deny-all\"}", &errs)));
	/* readonly: no route that writes is allowed */
	for (i = 0; i < route_count(); i++) {
		const struct route *r = route_at(i);
		const char *s;
		char *o = tgt;

		/* a concrete path for the pattern */
		for (s = r->pattern; *s != '\0'; s++) {
			if (*s == '{') {
				o += sprintf(o, "x1");
				s = strchr(s, '}');
			} else
				*o++ = *s;
		}
		*o = '\0';
		eval_simple(ro, r->method, tgt, &d);
		if (d.verdict == POLICY_ALLOW) {
			allowed++;
			CHECK(strcmp(r->method, "GET") == 0 ||
			    strcmp(r->method, "HEAD") == 0);
		}
		policy_decision_clear(&d);
		eval_simple(deny, r->method, tgt, &d);
		if (strcmp(r->op, "system.ping") != 0)
			CHECK(d.verdict != POLICY_ALLOW);
		policy_decision_clear(&d);
	}
	CHECK(allowed >= 15);
	eval_simple(ro, "POST", "/v1.41/containers/create", &d);
	CHECK_INT(d.verdict, POLICY_DENY);
	CHECK_STR(d.rule, "endpoint");
	policy_decision_clear(&d);
	eval_simple(ro, "GET", "/v1.41/containers/x1/archive?path=/etc", &d);
	CHECK_INT(d.verdict, POLICY_DENY);
	policy_decision_clear(&d);
	policy_free(ro);
	policy_free(deny);
}

static void
test_roots(void)
{
	struct policy_errors errs;
	struct policy *p;

	p = compile_str("{\"checks\": {\"binds\": {\"roots\": ["
	    "{\"path\": \"/a\"}, {\"path\": \"/b\", \"readonly\": true},"
	    "{\"path\": \"/c\", \"subpaths\": true}]}}}", &errs);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(p->nbind_roots, 3);
	CHECK_INT(p->bind_roots[0].subpaths, 0);	/* writable: itself */
	CHECK_INT(p->bind_roots[1].subpaths, 1);	/* read-only */
	CHECK_INT(p->bind_roots[2].subpaths, 1);
	CHECK_INT(p->bind_roots[2].readonly, 0);
	policy_free(p);
}

static void
test_extends(void)
{
	struct policy_errors errs;
	struct policy *p;
	struct policy_decision d;

	p = compile_str("{\"extends\": \"ci\", \"endpoints\": {\"deny\": "
	    "[\"image.*\"], \"allow\": [\"image.list\"]}, \"checks\": "
	    "{\"privileged\": {\"mode\": \"audit\"}, \"images\": {\"allow\": "
	    "[\"registry.example.com/*\"]}}}", &errs);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	eval_simple(p, "GET", "/v1.41/images/json", &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);	/* allow wins over deny */
	policy_decision_clear(&d);
	eval_simple(p, "GET", "/v1.41/images/alpine/json", &d);
	CHECK_INT(d.verdict, POLICY_DENY);
	policy_decision_clear(&d);
	eval_simple(p, "GET", "/v1.41/containers/json", &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);	/* inherited from ci */
	policy_decision_clear(&d);
	CHECK_INT(p->ck_mode[CK_PRIVILEGED], MODE_AUDIT);
	CHECK_INT(p->image_allow.n, 1);		/* lists replace */
	CHECK_INT(p->cap_allow.n, 14);		/* untouched: from ci */
	CHECK_INT((long long)p->body_limit, 1048576);
	policy_free(p);

	/* no extends: an empty base allows nothing */
	p = compile_str("{}", &errs);
	CHECK(p != NULL);
	eval_simple(p, "GET", "/_ping", &d);
	CHECK_INT(d.verdict, POLICY_DENY);
	policy_decision_clear(&d);
	policy_free(p);
}

/*
 * The key each denial names (check.c) is one a policy file takes, under
 * the check that denies: "checks.NAME" takes {}, "checks.NAME.PARAM" is a
 * known PARAM (a wrong value, not an unknown key), "endpoints.allow" too.
 */
static void
test_rule_keys(void)
{
	struct policy_errors errs;
	struct policy *p;
	char text[256], name[64], param[64];
	int ck, keyed = 0;

	for (ck = 0; ck < CK_COUNT; ck++) {
		const char *key = check_key((enum check_id)ck);
		const char *dot;

		CHECK(policy_rule_key(check_name((enum check_id)ck)) == key);
		if (key == NULL)
			continue;
		keyed++;
		if (ck == CK_ENDPOINT) {
			CHECK_STR(key, "endpoints.allow");
			snprintf(text, sizeof(text), "{\"endpoints\": "
			    "{\"allow\": 1}}");
		} else {
			CHECK(strncmp(key, "checks.", 7) == 0);
			dot = strchr(key + 7, '.');
			snprintf(name, sizeof(name), "%.*s", dot ? (int)(dot -
			    key - 7) : (int)strlen(key + 7), key + 7);
			snprintf(param, sizeof(param), "%s", dot ? dot + 1 : "");
			CHECK_STR(name, check_name((enum check_id)ck));
			if (dot != NULL)
				snprintf(text, sizeof(text), "{\"checks\": "
				    "{\"%s\": {\"%s\": [1]}}}", name,
				    param);
			else
				snprintf(text, sizeof(text), "{\"checks\": "
				    "{\"%s\": {}}}", name);
		}
		memset(&errs, 0, sizeof(errs));
		p = NULL;
		if (policy_compile("k.json", text, strlen(text), &p,
		    &errs) == 0)
			CHECK(strchr(key + 7, '.') == NULL);
		else if (strstr(errs.text, "unknown key") != NULL)
			CHECK_STR(errs.text, key);
		policy_free(p);
		policy_errors_free(&errs);
	}
	CHECK(keyed >= 20);
	CHECK(policy_rule_key("privileged") == NULL);
	CHECK(policy_rule_key("request") == NULL);
	CHECK(policy_rule_key(NULL) == NULL);
	CHECK_STR(policy_rule_key("binds"), "checks.binds.roots");
	CHECK_STR(policy_rule_key("images"), "checks.images.allow");
}

int
main(void)
{
	test_bad_corpus();
	test_good_corpus();
	test_all_errors();
	test_presets();
	test_roots();
	test_extends();
	test_rule_keys();
	return t_done();
}
