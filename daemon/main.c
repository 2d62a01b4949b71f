/*
 * main.c - command line, start-up and the signal-driven lifecycle:
 * settings (flags win over the config file), policy loading, the listener
 * (or systemd's), then the fixed hardening order: notify socket, audit
 * log and metrics listener, privilege drop, no_new_privs, seccomp last;
 * then the event loop and READY=1.  SIGHUP reloads settings and policy
 * (an invalid file keeps the old one), SIGUSR1 reopens the audit log,
 * SIGTERM drains.  Also the ops tools `check` and `explain`, which never
 * contact an engine.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "daemon.h"
#include "sandbox.h"
#include "service.h"
#include "version.h"

#define POLICY_FILE_MAX	(4 * 1024 * 1024)

/* Relative paths (policy files named in a reloaded config) resolve
 * against the start-up directory, even after chdir. */
static int start_dirfd = AT_FDCWD;
static char *config_path;		/* absolute, NULL without --config */
static struct sw_conf flag_conf;	/* settings given as flags */
static int helper_unlinks;		/* privdrop helper owns socket files */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sockwarden [--config FILE] [--listen PATH]\n"
	    "                  [--upstream unix:PATH|tcp:HOST:PORT]\n"
	    "                  [--policy FILE] [--foreground] [--log-level LEVEL]\n"
	    "                  [--user USER] [--sandbox on|off|debug]\n"
	    "                  [--audit-log stderr|off|PATH]\n"
	    "                  [--metrics-listen unix:PATH|tcp:127.0.0.1:PORT]\n"
	    "       sockwarden check POLICY...\n"
	    "       sockwarden explain --policy FILE [REQUEST-FILE]\n"
	    "       sockwarden --version | --help\n");
}

/* Read a whole file (bounded); returns malloc'd NUL-terminated text. */
static char *
read_file(const char *path, size_t max, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
	    openat(start_dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			fprintf(stderr, "%s: larger than %zu bytes\n", path, max);
			goto fail;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return NULL;
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return NULL;
}

/* Compile a policy file; errors go to stderr as file:line:col lines and
 * the first one to why (when not NULL). */
static struct policy *
load_policy_why(const char *path, char *why, size_t whylen)
{
	struct policy_errors errs;
	struct policy *p = NULL;
	char *text;
	size_t len;

	if ((text = read_file(path, POLICY_FILE_MAX, &len)) == NULL) {
		if (why != NULL)
			snprintf(why, whylen, "%s: cannot read: %s", path,
			    strerror(errno));
		return NULL;
	}
	memset(&errs, 0, sizeof(errs));
	if (policy_compile(path, text, len, &p, &errs) != 0) {
		if (errs.text != NULL)
			fputs(errs.text, stderr);
		else
			fprintf(stderr, "%s: invalid policy\n", path);
		if (why != NULL)
			snprintf(why, whylen, "%.*s", (int)(errs.text ?
			    strcspn(errs.text, "\n") : 0), errs.text ? errs.text : "");
		p = NULL;
	}
	policy_errors_free(&errs);
	free(text);
	return p;
}

static struct policy *
load_policy(const char *path)
{
	return load_policy_why(path, NULL, 0);
}

static int
cmd_check(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct policy *p = load_policy(argv[i]);
		if (p == NULL)
			bad = 1;
		policy_free(p);
	}
	if (!bad)
		printf("policy OK\n");
	return bad;
}

static void
explain_hold(void *arg, const char *data, size_t len)
{
	evbuffer_add(arg, data, len);
}

/*
 * Request files written by hand (or a heredoc) end their lines with LF.
 * When the head holds no CR at all, turn its LFs into CRLF so the daemon's
 * strict parser can read it; the body is left alone.  A head that mixes
 * both is given as is, and the parser says what is wrong with it.
 */
static char *
explain_crlf(char *raw, size_t *lenp)
{
	size_t len = *lenp, head, extra = 0, o = 0;
	char *end = memmem(raw, len, "\n\n", 2), *out;

	if (end == NULL || memchr(raw, '\r', (size_t)(end - raw)) != NULL)
		return raw;
	head = (size_t)(end - raw) + 2;
	for (size_t i = 0; i < head; i++)
		extra += raw[i] == '\n';
	if ((out = malloc(len + extra + 1)) == NULL) {
		free(raw);
		return NULL;
	}
	for (size_t i = 0; i < head; i++) {
		if (raw[i] == '\n')
			out[o++] = '\r';
		out[o++] = raw[i];
	}
	memcpy(out + o, raw + head, len - head);
	o += len - head;
	out[o] = '\0';
	free(raw);
	*lenp = o;
	return out;
}

/*
 * explain: parse one raw HTTP request exactly as the daemon would and print
 * the decision.  Exit 0 allowed, 3 denied or rejected, 1 usage/input error.
 */
static int
cmd_explain(int argc, char **argv)
{
	const char *policy_path = NULL, *req_path = "-";
	struct policy *pol;
	struct http_reqp *rp = NULL;
	struct policy_decision d;
	struct policy_request pr;
	struct evbuffer *body = NULL;
	const struct http_request *req;
	enum http_feed res;
	char *raw = NULL, msg[1024];
	size_t len, used;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--policy") == 0 || strcmp(argv[i], "-p") == 0) &&
		    i + 1 < argc)
			policy_path = argv[++i];
		else if (strncmp(argv[i], "--policy=", 9) == 0)
			policy_path = argv[i] + 9;
		else if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)
			req_path = argv[i];
		else {
			usage(stderr);
			return 1;
		}
	}
	pol = policy_path ? load_policy(policy_path) : policy_default();
	if (pol == NULL)
		return 1;
	memset(&d, 0, sizeof(d));
	if ((raw = read_file(req_path, 64 * 1024 * 1024, &len)) == NULL)
		goto out;
	if ((raw = explain_crlf(raw, &len)) == NULL)
		goto out;
	rp = http_reqp_new(SW_DEFAULT_MAX_HEADER_BYTES);
	body = evbuffer_new();
	if (rp == NULL || body == NULL)
		goto out;
	used = http_reqp_feed_head(rp, raw, len, &res);
	if (res != HTTP_FEED_HEAD) {
		printf("decision: reject\nstatus: %d\nmessage: sockwarden: %s\n",
		    res == HTTP_FEED_ERROR ? http_reqp_err_status(rp) : 400,
		    res == HTTP_FEED_ERROR ? http_reqp_err_msg(rp) :
		    "incomplete request head");
		rc = 3;
		goto out;
	}
	req = http_reqp_request(rp);
	if (req->chunked) {
		size_t n = http_reqp_feed_chunked(rp, raw + used, len - used,
		    explain_hold, body, &res);
		(void)n;
		if (res != HTTP_FEED_DONE) {
			printf("decision: reject\nstatus: 400\nmessage: "
			    "sockwarden: malformed or incomplete chunked body\n");
			rc = 3;
			goto out;
		}
	} else if (req->content_length > 0) {
		if ((uint64_t)(len - used) < (uint64_t)req->content_length) {
			printf("decision: reject\nstatus: 400\nmessage: "
			    "sockwarden: body shorter than Content-Length\n");
			rc = 3;
			goto out;
		}
		evbuffer_add(body, raw + used, (size_t)req->content_length);
	}
	memset(&pr, 0, sizeof(pr));
	pr.method = req->method;
	pr.target = req->target;
	pr.target_len = req->target_len;
	pr.headers = req->hdrs;
	pr.nheaders = req->nhdrs;
	pr.body_present = req->chunked || req->content_length > 0;
	policy_eval(pol, &pr, &d);
	if (d.verdict == POLICY_NEED_BODY) {
		size_t blen = evbuffer_get_length(body);
		unsigned char *b = evbuffer_pullup(body, -1);
		if (blen > d.body_limit) {
			printf("decision: reject\nstatus: 413\nmessage: "
			    "sockwarden: request body exceeds the %zu-byte "
			    "inspection limit\n", d.body_limit);
			rc = 3;
			goto out;
		}
		pr.body = b ? b : (const unsigned char *)"";
		pr.body_len = blen;
		policy_decision_clear(&d);
		policy_eval(pol, &pr, &d);
	}
	policy_format_message(&d, msg, sizeof(msg));
	switch (d.verdict) {
	case POLICY_ALLOW:
		printf("decision: %s\n", d.audit ? "allow (audit: would deny)" :
		    "allow");
		rc = 0;
		break;
	case POLICY_DENY:
		printf("decision: deny\nstatus: %d\n", d.status ? d.status : 403);
		rc = 3;
		break;
	default:
		printf("decision: reject\nstatus: %d\n", d.status);
		rc = 3;
		break;
	}
	if (d.operation[0])
		printf("operation: %s\n", d.operation);
	if (d.rule[0])
		printf("rule: %s\nreason: %s\n", d.rule, d.reason);
	if (d.verdict != POLICY_ALLOW || d.audit)
		printf("message: %s\n", msg);
	if (d.verdict == POLICY_ALLOW && d.target != NULL)
		printf("forward: %s %s\n", req->method, d.target);
out:
	policy_decision_clear(&d);
	if (body != NULL)
		evbuffer_free(body);
	http_reqp_free(rp);
	free(raw);
	if (pol != policy_default())
		policy_free(pol);
	return rc;
}

/* Remove our socket files: ourselves, or through the root helper. */
static void
main_remove_sockets(void)
{
	listener_stop();
	if (helper_unlinks)
		privdrop_helper_unlink();
	else if (metrics_unix_path() != NULL)
		(void)unlink(metrics_unix_path());
}

static void
on_sigterm(evutil_socket_t sig, short ev, void *arg)
{
	struct timeval tv;

	if (server.draining) {
		log_info("second signal: closing every connection now");
		conn_close_all("forced shutdown");
		event_base_loopexit(server.base, NULL);
		return;
	}
	sdnotify("STOPPING=1\nSTATUS=draining %u connection(s)", server.nconns);
	log_info("signal %d: no longer accepting; draining %u connection(s)",
	    (int)sig, server.nconns);
	server.draining = 1;
	main_remove_sockets();
	conn_drain_all();
	tv.tv_sec = server.conf->shutdown_grace_ms / 1000;
	tv.tv_usec = (server.conf->shutdown_grace_ms % 1000) * 1000;
	evtimer_add(server.grace, &tv);
}

static void
on_grace_expired(evutil_socket_t fd, short ev, void *arg)
{
	log_info("shutdown grace period over: closing %u connection(s)",
	    server.nconns);
	conn_close_all("shutdown grace period over");
	event_base_loopexit(server.base, NULL);
}

static int
conf_str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* Flags win over the file: copy every flag that was given into c. */
static int
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

/* Settings that only a restart can change: say so, keep the old value. */
static void
reload_warn_restart(const struct sw_conf *old, const struct sw_conf *nc)
{
	static const struct { const char *key; size_t off; } strs[] = {
		{ "listen", offsetof(struct sw_conf, listen) },
		{ "listen_owner", offsetof(struct sw_conf, listen_owner) },
		{ "listen_group", offsetof(struct sw_conf, listen_group) },
		{ "upstream", offsetof(struct sw_conf, upstream) },
		{ "user", offsetof(struct sw_conf, user) },
		{ "keep_group", offsetof(struct sw_conf, keep_group) },
		{ "audit_log", offsetof(struct sw_conf, audit_log) },
		{ "metrics_listen", offsetof(struct sw_conf, metrics_listen) },
		{ "listener_name", offsetof(struct sw_conf, listener_name) },
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		const char *a = *(char *const *)(const void *)
		    ((const char *)old + strs[i].off);
		const char *b = *(char *const *)(const void *)
		    ((const char *)nc + strs[i].off);
		if (conf_str_differs(a, b))
			log_warnx("SIGHUP: %s changed; it takes effect only "
			    "after a restart", strs[i].key);
	}
	if (old->listen_mode != nc->listen_mode)
		log_warnx("SIGHUP: listen_mode changed; it takes effect only "
		    "after a restart");
	if (old->sandbox != nc->sandbox)
		log_warnx("SIGHUP: sandbox changed; it takes effect only "
		    "after a restart");
}

/*
 * SIGHUP: read the settings file and the policy again.  Either both are
 * valid and the new policy applies to every request decided from now on
 * (connections, streams and tunnels already open are not touched), or
 * nothing changes and the log and STATUS= say why.
 */
static void
on_sighup(evutil_socket_t sig, short ev, void *arg)
{
	struct sw_conf nc, *cur = server.conf;
	struct policy *p;
	struct timespec ts;
	enum log_level lvl;
	char why[512];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sdnotify("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	conf_defaults(&nc);
	if (config_path != NULL && conf_load_file(&nc, config_path) != 0) {
		log_warnx("SIGHUP: %s is invalid; keeping the current settings "
		    "and policy", config_path);
		sdnotify("READY=1\nSTATUS=reload failed: %s is invalid; "
		    "running with the previous settings", config_path);
		metrics_reload(0);
		conf_free(&nc);
		return;
	}
	if (conf_apply_flags(&nc, &flag_conf) != 0)
		fatal("reload: out of memory");
	if (nc.policy != NULL) {
		if ((p = load_policy_why(nc.policy, why, sizeof(why))) == NULL) {
			log_warnx("SIGHUP: policy %s is invalid (%s); keeping "
			    "the current policy", nc.policy, why);
			sdnotify("READY=1\nSTATUS=reload failed: %s; running "
			    "with policy %s", why, policy_name(server.policy));
			metrics_reload(0);
			conf_free(&nc);
			return;
		}
	} else {
		p = policy_default();
	}
	reload_warn_restart(cur, &nc);
	if (server.policy != policy_default())
		policy_free(server.policy);
	server.policy = p;
	/* The settings that apply at run time. */
	free(cur->policy);
	cur->policy = nc.policy;
	nc.policy = NULL;
	free(cur->log_level);
	cur->log_level = nc.log_level;
	nc.log_level = NULL;
	log_set_level(LOG_LVL_INFO);
	if (cur->log_level != NULL && log_parse_level(cur->log_level, &lvl) == 0)
		log_set_level(lvl);
	cur->max_header_bytes = nc.max_header_bytes;
	cur->max_body_bytes = nc.max_body_bytes;
	cur->header_timeout_ms = nc.header_timeout_ms;
	cur->idle_timeout_ms = nc.idle_timeout_ms;
	cur->connect_timeout_ms = nc.connect_timeout_ms;
	cur->response_timeout_ms = nc.response_timeout_ms;
	cur->shutdown_grace_ms = nc.shutdown_grace_ms;
	cur->max_connections = nc.max_connections;
	conf_free(&nc);
	log_info("SIGHUP: reloaded; policy %s (%s)", policy_name(server.policy),
	    cur->policy ? cur->policy : "built-in");
	sdnotify("READY=1\nSTATUS=serving; policy %s reloaded",
	    policy_name(server.policy));
	metrics_reload(1);
}

static void
on_sigusr1(evutil_socket_t sig, short ev, void *arg)
{
	(void)audit_reopen();
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The directory of a path, malloc'd ("/" for "/x"); NULL for NULL. */
static char *
dir_of(const char *path)
{
	char *d, *slash;

	if (path == NULL || (d = strdup(path)) == NULL)
		return NULL;
	if ((slash = strrchr(d, '/')) == NULL) {
		free(d);
		return NULL;
	}
	slash[slash == d ? 1 : 0] = '\0';
	return d;
}

/*
 * Landlock: read below the settings and policy directories, /etc/sockwarden
 * and /proc; write only where this process itself reopens the audit log or
 * removes its sockets (not when the root helper does).
 */
static int
main_landlock_prepare(const struct sw_conf *conf, int helper)
{
	char *own[6] = { NULL }, *pol = NULL;
	const char *ro[6], *rw[4];
	size_t nro = 0, nrw = 0;
	int rc;

	if (conf->policy != NULL)
		pol = realpath(conf->policy, NULL);
	ro[nro++] = "/proc";
	ro[nro++] = "/etc/sockwarden";
	if ((own[0] = dir_of(config_path)) != NULL)
		ro[nro++] = own[0];
	if ((own[1] = dir_of(pol)) != NULL)
		ro[nro++] = own[1];
	ro[nro] = NULL;
	if (!helper) {
		if (conf->audit_log != NULL && conf->audit_log[0] == '/' &&
		    (own[2] = dir_of(conf->audit_log)) != NULL)
			rw[nrw++] = own[2];
		if ((own[3] = dir_of(server.listen_path)) != NULL)
			rw[nrw++] = own[3];
		if ((own[4] = dir_of(metrics_unix_path())) != NULL)
			rw[nrw++] = own[4];
	}
	rw[nrw] = NULL;
	rc = landlock_prepare(ro, rw);
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		free(own[i]);
	free(pol);
	return rc;
}

/* Fail start-up: tell systemd why, then exit. */
static int
startup_failed(const char *what)
{
	sdnotify("STATUS=start-up failed: %s\nERRNO=%d", what, errno ? errno : 1);
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "upstream", required_argument, NULL, 'u' },
		{ "policy", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "user", required_argument, NULL, 'U' },
		{ "sandbox", required_argument, NULL, 'S' },
		{ "audit-log", required_argument, NULL, 'A' },
		{ "metrics-listen", required_argument, NULL, 'M' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sw_conf conf;	/* static: reachable for LSan on early exits */
	struct privdrop_plan plan;
	struct event *ev_term, *ev_int, *ev_hup, *ev_usr1;
	const char *config = NULL, *actname = NULL, *unlinks[3];
	static char *listener_name;
	enum log_level lvl;
	int ch, fd, mfd, nact, sandbox;

	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return cmd_explain(argc - 1, argv + 1);

	conf_defaults(&flag_conf);
	while ((ch = getopt_long(argc, argv, "c:l:u:p:fL:Vh", opts, NULL)) != -1) {
		const char *key = NULL;

		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'l':
			key = "listen";
			break;
		case 'u':
			key = "upstream";
			break;
		case 'p':
			key = "policy";
			break;
		case 'f':
			flag_conf.foreground = 1;
			break;
		case 'L':
			key = "log_level";
			break;
		case 'U':
			key = "user";
			break;
		case 'S':
			key = "sandbox";
			break;
		case 'A':
			key = "audit_log";
			break;
		case 'M':
			key = "metrics_listen";
			break;
		case 'V':
			printf("sockwarden %s\n", SW_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (key != NULL && conf_set(&flag_conf, key, optarg, NULL, 0) != 0)
			return 2;
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	/* Before any chdir: relative paths stay meaningful for reloads. */
	if ((start_dirfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		start_dirfd = AT_FDCWD;
	if (config != NULL &&
	    (config_path = realpath(config, NULL)) == NULL &&
	    (config_path = strdup(config)) == NULL)
		fatal("strdup");

	conf_defaults(&conf);
	if (config_path != NULL && conf_load_file(&conf, config_path) != 0)
		return 1;
	if (conf_apply_flags(&conf, &flag_conf) != 0)
		fatal("strdup");
	if (conf.log_level != NULL && log_parse_level(conf.log_level, &lvl) == 0)
		log_set_level(lvl);
	sandbox = conf.sandbox == -1 ? SW_SANDBOX_ON : conf.sandbox;

	memset(&server, 0, sizeof(server));
	server.conf = &conf;
	if (upstream_parse(conf.upstream, &server.up) != 0)
		return 1;
	if (conf.policy != NULL) {
		if ((server.policy = load_policy(conf.policy)) == NULL)
			return 1;
	} else {
		server.policy = policy_default();
	}

	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if ((server.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	conn_init();
	if ((nact = activation_init()) < 0)
		return 1;
	if ((fd = activation_take("", &actname)) != -1) {
		/* systemd's socket: never unlinked by us (listen_path NULL) */
		listener_name = strdup(conf.listener_name ? conf.listener_name :
		    actname[0] ? actname : "activated");
		free(conf.listen);
		conf.listen = strdup(listener_name ? listener_name : "?");
	} else {
		if (listener_open(&conf, &fd) != 0)
			return 1;
		listener_name = strdup(conf.listener_name ? conf.listener_name :
		    conf.listen);
	}
	if (listener_name == NULL || conf.listen == NULL)
		fatal("strdup");
	if (listener_start(fd) != 0)
		return 1;
	mfd = activation_take("metrics", NULL);
	activation_close_rest();
	ev_term = evsignal_new(server.base, SIGTERM, on_sigterm, NULL);
	ev_int = evsignal_new(server.base, SIGINT, on_sigterm, NULL);
	ev_hup = evsignal_new(server.base, SIGHUP, on_sighup, NULL);
	ev_usr1 = evsignal_new(server.base, SIGUSR1, on_sigusr1, NULL);
	server.grace = evtimer_new(server.base, on_grace_expired, NULL);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL ||
	    ev_usr1 == NULL || server.grace == NULL ||
	    evsignal_add(ev_term, NULL) != 0 || evsignal_add(ev_int, NULL) != 0 ||
	    evsignal_add(ev_hup, NULL) != 0 || evsignal_add(ev_usr1, NULL) != 0)
		fatalx("cannot install signal handlers");

	if (!conf.foreground && daemon(1, 1) != 0)
		fatal("daemon");

	/* The hardening order: everything opened, then drop, then seccomp. */
	if (sdnotify_init() != 0)
		return startup_failed("NOTIFY_SOCKET");
	if (privdrop_plan(&conf, &server.up, &plan) != 0) {
		main_remove_sockets();
		return startup_failed("user");
	}
	if (audit_open(conf.audit_log, listener_name) != 0 ||
	    metrics_open(conf.metrics_listen, mfd) != 0) {
		main_remove_sockets();
		return startup_failed("audit log or metrics listener");
	}
	if (plan.drop) {
		unlinks[0] = server.listen_path;
		unlinks[1] = metrics_unix_path();
		unlinks[2] = NULL;
		if (unlinks[0] == NULL) {
			unlinks[0] = unlinks[1];
			unlinks[1] = NULL;
		}
		if (privdrop_pin_upstream(&server.up) != 0 ||
		    privdrop_helper_start(unlinks, conf.audit_log &&
		    conf.audit_log[0] == '/' ? conf.audit_log : NULL, &plan,
		    sandbox) != 0) {
			main_remove_sockets();
			return startup_failed("privilege separation");
		}
		helper_unlinks = 1;
		/* The helper removes it: this process will lack the right. */
		free(server.listen_path);
		server.listen_path = NULL;
	} else if (!conf.foreground && chdir("/") == -1) {
		fatal("chdir /");
	}
	if (sandbox != SW_SANDBOX_OFF &&
	    main_landlock_prepare(&conf, helper_unlinks) != 0) {
		main_remove_sockets();
		return startup_failed("landlock");
	}
	if (privdrop_apply(&plan) != 0 || privdrop_no_new_privs() != 0 ||
	    landlock_enforce() != 0) {
		main_remove_sockets();
		return startup_failed("privilege drop");
	}
	if (sdnotify_watchdog_start(server.base) != 0)
		fatalx("watchdog timer");
	if (sandbox_apply(sandbox, server.up.ss.ss_family, !helper_unlinks) != 0) {
		main_remove_sockets();
		return startup_failed("sandbox");
	}
	log_info("sockwarden %s listening on %s, engine at %s, policy %s, "
	    "sandbox %s", SW_VERSION, listener_name, server.up.name,
	    policy_name(server.policy), sandbox == SW_SANDBOX_ON ? "on" :
	    sandbox == SW_SANDBOX_DEBUG ? "debug" : "off");
	sdnotify("READY=1\nSTATUS=serving on %s; policy %s", listener_name,
	    policy_name(server.policy));

	event_base_dispatch(server.base);

	main_remove_sockets();
	conn_close_all("exit");
	conn_reap(-1, 0, NULL);
	metrics_stop(!helper_unlinks);
	sdnotify_stop();
	audit_close();
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_free(ev_usr1);
	event_free(server.grace);
	event_free(server.reaper);
	event_base_free(server.base);
	if (server.policy != policy_default())
		policy_free(server.policy);
	conf_free(&conf);
	conf_free(&flag_conf);
	free(listener_name);
	free(config_path);
	if (start_dirfd != AT_FDCWD)
		close(start_dirfd);
	log_info("exited cleanly");
	return 0;
}
