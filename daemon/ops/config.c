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
	c->job_mode = -1;
	c->sandbox = -1;
	c->grpc_relay = -1;
	c->max_header_bytes = SW_DEFAULT_MAX_HEADER_BYTES;
	c->max_body_bytes = SW_DEFAULT_MAX_BODY_BYTES;
	c->header_timeout_ms = SW_DEFAULT_HEADER_TIMEOUT_MS;
	c->body_timeout_ms = SW_DEFAULT_BODY_TIMEOUT_MS;
	c->idle_timeout_ms = SW_DEFAULT_IDLE_TIMEOUT_MS;
	c->connect_timeout_ms = SW_DEFAULT_CONNECT_TIMEOUT_MS;
	c->response_timeout_ms = SW_DEFAULT_RESPONSE_TIMEOUT_MS;
	c->shutdown_grace_ms = SW_DEFAULT_SHUTDOWN_GRACE_MS;
	c->max_connections = SW_DEFAULT_MAX_CONNECTIONS;
	c->max_conns_per_caller = SW_DEFAULT_MAX_CONNS_PER_CALLER;
	c->body_memory = SW_DEFAULT_BODY_MEMORY;
	c->stream_memory = SW_DEFAULT_STREAM_MEMORY;
}

static void
conf_listener_free(struct sw_listener *l)
{
	free(l->name);
	free(l->path);
	free(l->policy);
	free(l->owner);
	free(l->group);
}

/* An octal file mode like 0660; -1 when it is not one. */
static int
conf_mode(const char *v)
{
	char *end;
	long l;

	errno = 0;
	l = strtol(v, &end, 8);
	return *v == '\0' || *end != '\0' || errno || l < 0 || l > 0777 ?
	    -1 : (int)l;
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
	free(c->control_listen);
	free(c->job_dir);
	free(c->job_state_dir);
	free(c->job_group);
	for (size_t i = 0; i < c->nlisteners; i++)
		conf_listener_free(&c->listeners[i]);
	free(c->listeners);
	memset(c, 0, sizeof(*c));
}

struct conf_unit {
	const char		*suffix;	/* "" for a plain number */
	unsigned long long	 mul;
};

/* A decimal number with one of the units' suffixes, at most max. */
static int
conf_parse_scaled(const char *s, const struct conf_unit *u, size_t nu,
    unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	for (size_t i = 0; i < nu; i++)
		if (strcmp(end, u[i].suffix) == 0) {
			if (v > max / u[i].mul)
				return -1;
			*out = v * u[i].mul;
			return 0;
		}
	return -1;
}

/* "250ms", "30s", "5m", "1h" or plain seconds. */
int
conf_parse_duration_ms(const char *s, unsigned *out)
{
	static const struct conf_unit units[] = { { "ms", 1 }, { "s", 1000 },
	    { "", 1000 }, { "m", 60 * 1000 }, { "h", 3600 * 1000 } };
	unsigned long long v;

	if (conf_parse_scaled(s, units, sizeof(units) / sizeof(units[0]),
	    UINT_MAX, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Sizes: plain bytes or with a k/m suffix (KiB, MiB); never 0. */
static int
conf_parse_size(const char *s, size_t *out)
{
	static const struct conf_unit units[] = { { "", 1 }, { "k", 1024 },
	    { "K", 1024 }, { "m", 1 << 20 }, { "M", 1 << 20 } };
	unsigned long long v;

	if (conf_parse_scaled(s, units, sizeof(units) / sizeof(units[0]),
	    1ULL << 40, &v) != 0 || v == 0)
		return -1;
	*out = (size_t)v;
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

/* Checks of string settings: NULL when fine, else what is wrong. */
static const char *
conf_any(const char *v)
{
	return NULL;
}

static const char *
conf_abs_path(const char *v)
{
	return v[0] == '/' ? NULL : "must be an absolute path, got";
}

static const char *
conf_upstream(const char *v)
{
	return strncmp(v, "unix:/", 6) == 0 || strncmp(v, "tcp:", 4) == 0 ?
	    NULL : "must be unix:/PATH or tcp:HOST:PORT, got";
}

static const char *
conf_level(const char *v)
{
	enum log_level lv;

	return log_parse_level(v, &lv) == 0 ? NULL :
	    "must be debug, info, warn or error, got";
}

static int
conf_account_name(const char *v)
{
	return strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") == strlen(v) && v[0] != '-';
}

static const char *
conf_user(const char *v)
{
	return conf_account_name(v) ? NULL : "must be a user name or uid, got";
}

static const char *
conf_group(const char *v)
{
	return conf_account_name(v) ? NULL : "must be a group name or gid, got";
}

static const char *
conf_audit(const char *v)
{
	return v[0] == '/' || strcmp(v, "stderr") == 0 || strcmp(v, "off") == 0 ?
	    NULL : "must be stderr, off or an absolute path, got";
}

static const char *
conf_metrics(const char *v)
{
	return strncmp(v, "unix:/", 6) == 0 || strncmp(v, "tcp:", 4) == 0 ||
	    strcmp(v, "off") == 0 ? NULL :
	    "must be unix:/PATH, tcp:127.0.0.1:PORT or off, got";
}

static const char *
conf_label(const char *v)
{
	for (const char *p = v; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
			return "must be printable ASCII without spaces or "
			    "quotes, got";
	return strlen(v) > 64 ? "must be at most 64 characters, got" : NULL;
}

#define CONF_S(k, check)	{ #k, offsetof(struct sw_conf, k), check }
static const struct {
	const char	*key;
	size_t		 off;
	const char	*(*check)(const char *);
} conf_strings[] = {
	CONF_S(listen, conf_abs_path), CONF_S(listen_owner, conf_any),
	CONF_S(listen_group, conf_any), CONF_S(upstream, conf_upstream),
	CONF_S(policy, conf_any), CONF_S(log_level, conf_level),
	CONF_S(user, conf_user), CONF_S(keep_group, conf_group),
	CONF_S(audit_log, conf_audit), CONF_S(metrics_listen, conf_metrics),
	CONF_S(listener_name, conf_label),
	CONF_S(control_listen, conf_abs_path), CONF_S(job_dir, conf_abs_path),
	CONF_S(job_state_dir, conf_abs_path), CONF_S(job_group, conf_group),
};

#define CONF_D(k, f, zero_ok)	{ k, offsetof(struct sw_conf, f), zero_ok }
static const struct { const char *key; size_t off; int zero_ok; } conf_durs[] = {
	CONF_D("header_timeout", header_timeout_ms, 0),
	CONF_D("body_timeout", body_timeout_ms, 0),
	CONF_D("idle_timeout", idle_timeout_ms, 0),
	CONF_D("upstream_connect_timeout", connect_timeout_ms, 0),
	CONF_D("upstream_response_timeout", response_timeout_ms, 1),
	CONF_D("shutdown_grace", shutdown_grace_ms, 1),
};

/*
 * "listener NAME PATH [policy=FILE] [owner=U] [group=G] [mode=0660]
 * [identity=container|listener]": one more socket.  NULL when fine.
 */
static const char *
conf_add_listener(struct sw_conf *c, const char *v)
{
	struct sw_listener l, *nl;
	char *copy, *tok, *save = NULL, *eq;
	const char *bad = NULL;
	int n = 0;

	memset(&l, 0, sizeof(l));
	l.mode = -1;
	if (c->nlisteners >= SW_MAX_LISTENERS)
		return "allows at most 16 extra listeners, got";
	if ((copy = strdup(v)) == NULL)
		return "out of memory at";
	for (tok = strtok_r(copy, " \t", &save); tok != NULL && bad == NULL;
	    tok = strtok_r(NULL, " \t", &save), n++) {
		if (n == 0) {
			bad = conf_label(tok);
			l.name = strdup(tok);
			continue;
		}
		if (n == 1) {
			bad = conf_abs_path(tok);
			l.path = strdup(tok);
			continue;
		}
		if ((eq = strchr(tok, '=')) == NULL) {
			bad = "takes NAME PATH and key=value options, got";
			break;
		}
		*eq++ = '\0';
		if (strcmp(tok, "policy") == 0)
			l.policy = strdup(eq);
		else if (strcmp(tok, "owner") == 0)
			l.owner = strdup(eq);
		else if (strcmp(tok, "group") == 0)
			l.group = strdup(eq);
		else if (strcmp(tok, "mode") == 0 && conf_mode(eq) >= 0)
			l.mode = conf_mode(eq);
		else if (strcmp(tok, "identity") == 0 &&
		    strcmp(eq, "container") == 0)
			l.ident = IDENT_CONTAINER;
		else if (strcmp(tok, "identity") == 0 &&
		    strcmp(eq, "listener") == 0)
			l.ident = IDENT_LISTENER;
		else
			bad = "has an unknown or bad option (policy=, owner=, "
			    "group=, mode=, identity=container|listener) in";
	}
	free(copy);
	if (bad == NULL && (l.name == NULL || l.path == NULL))
		bad = "takes NAME PATH and key=value options, got";
	for (size_t i = 0; bad == NULL && i < c->nlisteners; i++)
		if (strcmp(c->listeners[i].name, l.name) == 0 ||
		    strcmp(c->listeners[i].path, l.path) == 0)
			bad = "repeats the name or path of another listener:";
	if (bad == NULL && (nl = realloc(c->listeners, (c->nlisteners + 1) *
	    sizeof(*nl))) == NULL)
		bad = "out of memory at";
	if (bad != NULL) {
		conf_listener_free(&l);
		return bad;
	}
	c->listeners = nl;
	c->listeners[c->nlisteners++] = l;
	return NULL;
}

/* The settings that are neither strings nor durations; NULL when fine. */
static const char *
conf_set_other(struct sw_conf *c, const char *key, const char *v, int *known)
{
	size_t sz;
	char *end;
	long l;

	*known = 1;
	errno = 0;
	if (strcmp(key, "listen_mode") == 0 || strcmp(key, "job_mode") == 0) {
		int *m = key[0] == 'l' ? &c->listen_mode : &c->job_mode;
		if ((*m = conf_mode(v)) < 0)
			return "must be an octal mode like 0660, got";
	} else if (strcmp(key, "sandbox") == 0) {
		if (strcmp(v, "on") == 0)
			c->sandbox = SW_SANDBOX_ON;
		else if (strcmp(v, "off") == 0)
			c->sandbox = SW_SANDBOX_OFF;
		else if (strcmp(v, "debug") == 0)
			c->sandbox = SW_SANDBOX_DEBUG;
		else
			return "must be on, off or debug, got";
	} else if (strcmp(key, "grpc_relay") == 0) {
		if (strcmp(v, "tunnel") == 0)
			c->grpc_relay = SW_GRPC_TUNNEL;
		else if (strcmp(v, "police") == 0)
			c->grpc_relay = SW_GRPC_POLICE;
		else
			return "must be tunnel or police, got";
	} else if (strcmp(key, "max_header_bytes") == 0) {
		if (conf_parse_size(v, &sz) != 0 || sz < 1024 ||
		    sz > SW_MAX_HEADER_BYTES_LIMIT)
			return "must be a size between 1k and 80k (the HTTP "
			    "parser's limit), got";
		c->max_header_bytes = sz;
	} else if (strcmp(key, "max_body_bytes") == 0) {
		if (conf_parse_size(v, &sz) != 0 || sz > 64 * 1024 * 1024)
			return "must be a size between 1 and 64m, got";
		c->max_body_bytes = sz;
	} else if (strcmp(key, "listener") == 0) {
		return conf_add_listener(c, v);
	} else if (strcmp(key, "max_connections") == 0 ||
	    strcmp(key, "max_connections_per_caller") == 0) {
		l = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno || l < 1 || l > 1000000)
			return "must be a number between 1 and 1000000, got";
		*(key[15] == '\0' ? &c->max_connections :
		    &c->max_conns_per_caller) = (unsigned)l;
	} else if (strcmp(key, "body_memory") == 0 ||
	    strcmp(key, "stream_memory") == 0) {
		if (conf_parse_size(v, &sz) != 0 || sz < 1024 * 1024)
			return "must be a size of at least 1m, got";
		*(key[0] == 'b' ? &c->body_memory : &c->stream_memory) = sz;
	} else {
		*known = 0;
	}
	return NULL;
}

/*
 * Apply one setting.  file/line locate the error message (file NULL for
 * command-line flags).  Returns 0 or -1 after logging why.
 */
int
conf_set(struct sw_conf *c, const char *key, const char *v, const char *file,
    int line)
{
	const char *bad = NULL;
	char where[512];
	unsigned ms;
	int known = 1;

	if (file != NULL)
		snprintf(where, sizeof(where), "%s:%d: ", file, line);
	else
		where[0] = '\0';
	for (size_t i = 0; i < sizeof(conf_strings) / sizeof(conf_strings[0]); i++)
		if (strcmp(key, conf_strings[i].key) == 0) {
			if ((bad = conf_strings[i].check(v)) != NULL)
				goto bad;
			return conf_set_string((char **)(void *)((char *)c +
			    conf_strings[i].off), v);
		}
	for (size_t i = 0; i < sizeof(conf_durs) / sizeof(conf_durs[0]); i++)
		if (strcmp(key, conf_durs[i].key) == 0) {
			if (conf_parse_duration_ms(v, &ms) != 0 ||
			    (ms == 0 && !conf_durs[i].zero_ok)) {
				bad = "must be a duration like 30s, 5m or 250ms, got";
				goto bad;
			}
			*(unsigned *)(void *)((char *)c + conf_durs[i].off) = ms;
			return 0;
		}
	if ((bad = conf_set_other(c, key, v, &known)) != NULL)
		goto bad;
	if (known)
		return 0;
	fprintf(stderr, "%sunknown setting '%s'\n", where, key);
	return -1;
bad:
	fprintf(stderr, "%s%s: %s '%s'\n", where, key, bad, v);
	return -1;
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
		for (size_t i = 0; i < nseen && strcmp(key, "listener") != 0; i++)
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
	TAKE(control_listen);
#undef TAKE
	c->foreground |= f->foreground;
	if (f->sandbox != -1)
		c->sandbox = f->sandbox;
	if (f->grpc_relay != -1)
		c->grpc_relay = f->grpc_relay;
	if (c->grpc_relay == -1)
		c->grpc_relay = SW_GRPC_TUNNEL;
	if (c->listen == NULL && (c->listen = strdup(SW_DEFAULT_LISTEN)) == NULL)
		return -1;
	if (c->upstream == NULL &&
	    (c->upstream = strdup(SW_DEFAULT_UPSTREAM)) == NULL)
		return -1;
	return 0;
}

#define CONF_STR(k)	{ #k, offsetof(struct sw_conf, k), 0 }
#define CONF_INT(k)	{ #k, offsetof(struct sw_conf, k), 1 }

/* Settings a running daemon cannot change: sockets, users, the sandbox,
 * and how /grpc is relayed (the policy admits the endpoint by it). */
static const struct { const char *key; size_t off; int is_int; }
    conf_restart_only[] = {
	CONF_STR(listen), CONF_STR(listen_owner), CONF_STR(listen_group),
	CONF_INT(listen_mode), CONF_STR(upstream), CONF_STR(user),
	CONF_STR(keep_group), CONF_STR(audit_log), CONF_STR(metrics_listen),
	CONF_STR(listener_name), CONF_INT(sandbox), CONF_INT(grpc_relay),
	CONF_STR(control_listen), CONF_STR(job_dir), CONF_STR(job_state_dir),
	CONF_STR(job_group), CONF_INT(job_mode),
};

static int
conf_str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* Did the "listener" lines change (sockets need a restart)? */
static int
conf_listeners_differ(const struct sw_conf *a, const struct sw_conf *b)
{
	if (a->nlisteners != b->nlisteners)
		return 1;
	for (size_t i = 0; i < a->nlisteners; i++) {
		const struct sw_listener *x = &a->listeners[i], *y = &b->listeners[i];
		if (conf_str_differs(x->name, y->name) ||
		    conf_str_differs(x->path, y->path) ||
		    conf_str_differs(x->policy, y->policy) ||
		    conf_str_differs(x->owner, y->owner) ||
		    conf_str_differs(x->group, y->group) ||
		    x->mode != y->mode || x->ident != y->ident)
			return 1;
	}
	return 0;
}

int
conf_warn_restart(const struct sw_conf *old, const struct sw_conf *nc)
{
	int n = 0;

	if (conf_listeners_differ(old, nc)) {
		log_warnx("SIGHUP: the listener lines changed; they take effect "
		    "only after a restart (their policy files are reloaded)");
		n++;
	}

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
	cur->max_conns_per_caller = nc->max_conns_per_caller;
	cur->body_memory = nc->body_memory;
	cur->stream_memory = nc->stream_memory;
}
