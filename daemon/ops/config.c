/*
 * config.c - the daemon's settings file: one "key value" per line, '#'
 * starts a comment, blank lines are ignored.  Strict: an unknown key, a
 * repeated key or a bad value is an error reported as "file:line: message",
 * and every error in the file is reported before giving up.  Flags win over
 * the file.  The table of what a reload may change at run time, and what
 * needs a restart, lives here with the settings.  It does not read policy
 * files (policy_file.c) or apply anything (reload.c, main.c).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

void
conf_defaults(struct sw_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->listen_mode = -1;
	c->sandbox = -1;
	c->max_header_bytes = SW_DEFAULT_MAX_HEADER_BYTES;
	c->max_body_bytes = SW_DEFAULT_MAX_BODY_BYTES;
	c->header_timeout_ms = SW_DEFAULT_HEADER_TIMEOUT_MS;
	c->body_timeout_ms = SW_DEFAULT_BODY_TIMEOUT_MS;
	c->idle_timeout_ms = SW_DEFAULT_IDLE_TIMEOUT_MS;
	c->connect_timeout_ms = SW_DEFAULT_CONNECT_TIMEOUT_MS;
	c->response_timeout_ms = SW_DEFAULT_RESPONSE_TIMEOUT_MS;
	c->shutdown_grace_ms = SW_DEFAULT_SHUTDOWN_GRACE_MS;
	c->max_connections = SW_DEFAULT_MAX_CONNECTIONS;
}

void
conf_free(struct sw_conf *c)
{
	free(c->listen);
	free(c->listen_owner);
	free(c->listen_group);
	free(c->upstream);
	free(c->policy);
	free(c->log_level);
	free(c->user);
	free(c->keep_group);
	free(c->audit_log);
	free(c->metrics_listen);
	free(c->listener_name);
	memset(c, 0, sizeof(*c));
}

/* "250ms", "30s", "5m", "1h" or plain seconds. */
int
conf_parse_duration_ms(const char *s, unsigned *out)
{
	char *end;
	unsigned long long v, mul = 1000;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		mul = 3600 * 1000;
	else
		return -1;
	if (v > UINT_MAX / mul)
		return -1;
	*out = (unsigned)(v * mul);
	return 0;
}

/* Sizes: plain bytes or with a k/m suffix (KiB, MiB). */
static int
conf_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v, mul = 1;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024 * 1024, end++;
	if (*end != '\0' || v == 0 || v > (1ULL << 40) / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

static int
conf_set_string(char **dst, const char *v)
{
	char *s = strdup(v);

	if (s == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

/*
 * Apply one setting.  file/line locate the error message (file NULL for
 * command-line flags).  Returns 0 or -1 after logging why.
 */
int
conf_set(struct sw_conf *c, const char *key, const char *v, const char *file,
    int line)
{
	char where[512];
	unsigned ms;
	size_t sz;
	char *end;
	long l;

	if (file != NULL)
		snprintf(where, sizeof(where), "%s:%d: ", file, line);
	else
		where[0] = '\0';

#define BAD(what) do { \
	fprintf(stderr, "%s%s: %s '%s'\n", where, key, what, v); \
	return -1; } while (0)

	if (strcmp(key, "listen") == 0) {
		if (v[0] != '/')
			BAD("must be an absolute path, got");
		return conf_set_string(&c->listen, v);
	} else if (strcmp(key, "listen_owner") == 0) {
		return conf_set_string(&c->listen_owner, v);
	} else if (strcmp(key, "listen_group") == 0) {
		return conf_set_string(&c->listen_group, v);
	} else if (strcmp(key, "listen_mode") == 0) {
		errno = 0;
		l = strtol(v, &end, 8);
		if (*v == '\0' || *end != '\0' || errno || l < 0 || l > 0777)
			BAD("must be an octal mode like 0660, got");
		c->listen_mode = (int)l;
		return 0;
	} else if (strcmp(key, "upstream") == 0) {
		if (strncmp(v, "unix:/", 6) != 0 && strncmp(v, "tcp:", 4) != 0)
			BAD("must be unix:/PATH or tcp:HOST:PORT, got");
		return conf_set_string(&c->upstream, v);
	} else if (strcmp(key, "policy") == 0) {
		return conf_set_string(&c->policy, v);
	} else if (strcmp(key, "log_level") == 0) {
		enum log_level lv;
		if (log_parse_level(v, &lv) != 0)
			BAD("must be debug, info, warn or error, got");
		return conf_set_string(&c->log_level, v);
	} else if (strcmp(key, "user") == 0) {
		if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_.-") != strlen(v) || v[0] == '-')
			BAD("must be a user name or uid, got");
		return conf_set_string(&c->user, v);
	} else if (strcmp(key, "keep_group") == 0) {
		if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_.-") != strlen(v) || v[0] == '-')
			BAD("must be a group name or gid, got");
		return conf_set_string(&c->keep_group, v);
	} else if (strcmp(key, "audit_log") == 0) {
		if (v[0] != '/' && strcmp(v, "stderr") != 0 && strcmp(v, "off") != 0)
			BAD("must be stderr, off or an absolute path, got");
		return conf_set_string(&c->audit_log, v);
	} else if (strcmp(key, "metrics_listen") == 0) {
		if (strncmp(v, "unix:/", 6) != 0 && strncmp(v, "tcp:", 4) != 0 &&
		    strcmp(v, "off") != 0)
			BAD("must be unix:/PATH, tcp:127.0.0.1:PORT or off, got");
		return conf_set_string(&c->metrics_listen, v);
	} else if (strcmp(key, "listener_name") == 0) {
		for (const char *p = v; *p != '\0'; p++)
			if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
				BAD("must be printable ASCII without spaces or "
				    "quotes, got");
		if (strlen(v) > 64)
			BAD("must be at most 64 characters, got");
		return conf_set_string(&c->listener_name, v);
	} else if (strcmp(key, "sandbox") == 0) {
		if (strcmp(v, "on") == 0)
			c->sandbox = SW_SANDBOX_ON;
		else if (strcmp(v, "off") == 0)
			c->sandbox = SW_SANDBOX_OFF;
		else if (strcmp(v, "debug") == 0)
			c->sandbox = SW_SANDBOX_DEBUG;
		else
			BAD("must be on, off or debug, got");
		return 0;
	} else if (strcmp(key, "max_header_bytes") == 0) {
		if (conf_parse_size(v, &sz) != 0 || sz < 1024 ||
		    sz > SW_MAX_HEADER_BYTES_LIMIT)
			BAD("must be a size between 1k and 80k (the HTTP "
			    "parser's limit), got");
		c->max_header_bytes = sz;
		return 0;
	} else if (strcmp(key, "max_body_bytes") == 0) {
		if (conf_parse_size(v, &sz) != 0 || sz > 64 * 1024 * 1024)
			BAD("must be a size between 1 and 64m, got");
		c->max_body_bytes = sz;
		return 0;
	} else if (strcmp(key, "max_connections") == 0) {
		errno = 0;
		l = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno || l < 1 || l > 1000000)
			BAD("must be a number between 1 and 1000000, got");
		c->max_connections = (unsigned)l;
		return 0;
	}

	static const struct { const char *key; size_t off; int zero_ok; } durs[] = {
		{ "header_timeout", offsetof(struct sw_conf, header_timeout_ms), 0 },
		{ "body_timeout", offsetof(struct sw_conf, body_timeout_ms), 0 },
		{ "idle_timeout", offsetof(struct sw_conf, idle_timeout_ms), 0 },
		{ "upstream_connect_timeout", offsetof(struct sw_conf, connect_timeout_ms), 0 },
		{ "upstream_response_timeout", offsetof(struct sw_conf, response_timeout_ms), 1 },
		{ "shutdown_grace", offsetof(struct sw_conf, shutdown_grace_ms), 1 },
	};
	for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		if (strcmp(key, durs[i].key) != 0)
			continue;
		if (conf_parse_duration_ms(v, &ms) != 0 || (ms == 0 && !durs[i].zero_ok))
			BAD("must be a duration like 30s, 5m or 250ms, got");
		*(unsigned *)(void *)((char *)c + durs[i].off) = ms;
		return 0;
	}
	fprintf(stderr, "%sunknown setting '%s'\n", where, key);
	return -1;
#undef BAD
}

static char *
conf_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int
conf_load_file(struct sw_conf *c, const char *path)
{
	char buf[4096], seen[64][48];
	size_t nseen = 0;
	FILE *f;
	int line = 0, errors = 0;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char *s, *key, *val, *hash;
		size_t klen;

		line++;
		if (strchr(buf, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "%s:%d: line too long\n", path, line);
			errors++;
			while (fgets(buf, sizeof(buf), f) != NULL &&
			    strchr(buf, '\n') == NULL)
				;
			continue;
		}
		if ((hash = strchr(buf, '#')) != NULL)
			*hash = '\0';
		s = conf_trim(buf);
		if (*s == '\0')
			continue;
		key = s;
		klen = strcspn(s, " \t=");
		val = s + klen;
		if (*val != '\0')
			*val++ = '\0';
		val = conf_trim(val);
		if (*val == '=')
			val = conf_trim(val + 1);
		if (*val == '\0') {
			fprintf(stderr, "%s:%d: %s: missing value\n", path, line, key);
			errors++;
			continue;
		}
		for (size_t i = 0; i < nseen; i++)
			if (strcmp(seen[i], key) == 0) {
				fprintf(stderr, "%s:%d: %s: set twice\n", path, line, key);
				errors++;
				goto next;
			}
		if (nseen < 64 && klen < sizeof(seen[0]))
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", key);
		if (conf_set(c, key, val, path, line) != 0)
			errors++;
next:		;
	}
	fclose(f);
	return errors ? -1 : 0;
}

int
conf_apply_flags(struct sw_conf *c, const struct sw_conf *f)
{
#define TAKE(x) do { if (f->x != NULL) { free(c->x); \
	if ((c->x = strdup(f->x)) == NULL) return -1; } } while (0)
	TAKE(listen);
	TAKE(upstream);
	TAKE(policy);
	TAKE(log_level);
	TAKE(user);
	TAKE(audit_log);
	TAKE(metrics_listen);
#undef TAKE
	c->foreground |= f->foreground;
	if (f->sandbox != -1)
		c->sandbox = f->sandbox;
	if (c->listen == NULL && (c->listen = strdup(SW_DEFAULT_LISTEN)) == NULL)
		return -1;
	if (c->upstream == NULL &&
	    (c->upstream = strdup(SW_DEFAULT_UPSTREAM)) == NULL)
		return -1;
	return 0;
}

#define CONF_STR(k)	{ #k, offsetof(struct sw_conf, k), 0 }
#define CONF_INT(k)	{ #k, offsetof(struct sw_conf, k), 1 }

/* Settings a running daemon cannot change: sockets, users, the sandbox. */
static const struct { const char *key; size_t off; int is_int; }
    conf_restart_only[] = {
	CONF_STR(listen), CONF_STR(listen_owner), CONF_STR(listen_group),
	CONF_INT(listen_mode), CONF_STR(upstream), CONF_STR(user),
	CONF_STR(keep_group), CONF_STR(audit_log), CONF_STR(metrics_listen),
	CONF_STR(listener_name), CONF_INT(sandbox),
};

static int
conf_str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

int
conf_warn_restart(const struct sw_conf *old, const struct sw_conf *nc)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(conf_restart_only) /
	    sizeof(conf_restart_only[0]); i++) {
		const char *a = (const char *)old + conf_restart_only[i].off;
		const char *b = (const char *)nc + conf_restart_only[i].off;
		int differs = conf_restart_only[i].is_int ?
		    *(const int *)(const void *)a != *(const int *)(const void *)b :
		    conf_str_differs(*(char *const *)(const void *)a,
		    *(char *const *)(const void *)b);
		if (differs) {
			log_warnx("SIGHUP: %s changed; it takes effect only "
			    "after a restart", conf_restart_only[i].key);
			n++;
		}
	}
	return n;
}

void
conf_take_runtime(struct sw_conf *cur, struct sw_conf *nc)
{
	free(cur->policy);
	cur->policy = nc->policy;
	nc->policy = NULL;
	free(cur->log_level);
	cur->log_level = nc->log_level;
	nc->log_level = NULL;
	cur->max_header_bytes = nc->max_header_bytes;
	cur->max_body_bytes = nc->max_body_bytes;
	cur->header_timeout_ms = nc->header_timeout_ms;
	cur->body_timeout_ms = nc->body_timeout_ms;
	cur->idle_timeout_ms = nc->idle_timeout_ms;
	cur->connect_timeout_ms = nc->connect_timeout_ms;
	cur->response_timeout_ms = nc->response_timeout_ms;
	cur->shutdown_grace_ms = nc->shutdown_grace_ms;
	cur->max_connections = nc->max_connections;
}
