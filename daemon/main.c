/*
 * main.c - command line, start-up and the signal-driven lifecycle:
 * settings (flags win over the config file), policy loading, the listener,
 * the event loop, SIGHUP reload and SIGTERM drain.  Also the ops tools
 * `check` and `explain`, which never contact an engine.
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
#include "version.h"

#define POLICY_FILE_MAX	(4 * 1024 * 1024)

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sockwarden [--config FILE] [--listen PATH]\n"
	    "                  [--upstream unix:PATH|tcp:HOST:PORT]\n"
	    "                  [--policy FILE] [--foreground] [--log-level LEVEL]\n"
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
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);

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

/* Compile a policy file; errors go to stderr as file:line:col lines. */
static struct policy *
load_policy(const char *path)
{
	struct policy_errors errs;
	struct policy *p = NULL;
	char *text;
	size_t len;

	if ((text = read_file(path, POLICY_FILE_MAX, &len)) == NULL)
		return NULL;
	memset(&errs, 0, sizeof(errs));
	if (policy_compile(path, text, len, &p, &errs) != 0) {
		if (errs.text != NULL)
			fputs(errs.text, stderr);
		else
			fprintf(stderr, "%s: invalid policy\n", path);
		p = NULL;
	}
	policy_errors_free(&errs);
	free(text);
	return p;
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
	log_info("signal %d: no longer accepting; draining %u connection(s)",
	    (int)sig, server.nconns);
	server.draining = 1;
	listener_stop();
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

static void
on_sighup(evutil_socket_t sig, short ev, void *arg)
{
	struct policy *p;

	if (server.conf->policy == NULL) {
		log_info("SIGHUP: no policy file configured; keeping the "
		    "built-in policy");
		return;
	}
	if ((p = load_policy(server.conf->policy)) == NULL) {
		log_warnx("SIGHUP: %s is invalid; keeping the current policy",
		    server.conf->policy);
		return;
	}
	if (server.policy != policy_default())
		policy_free(server.policy);
	server.policy = p;
	log_info("SIGHUP: policy %s loaded", server.conf->policy);
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
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sw_conf conf, flags;
	struct event *ev_term, *ev_int, *ev_hup;
	const char *config = NULL;
	enum log_level lvl;
	int ch, fd;

	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return cmd_explain(argc - 1, argv + 1);

	conf_defaults(&flags);
	while ((ch = getopt_long(argc, argv, "c:l:u:p:fL:Vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'l':
			if (conf_set(&flags, "listen", optarg, NULL, 0) != 0)
				return 2;
			break;
		case 'u':
			if (conf_set(&flags, "upstream", optarg, NULL, 0) != 0)
				return 2;
			break;
		case 'p':
			if (conf_set(&flags, "policy", optarg, NULL, 0) != 0)
				return 2;
			break;
		case 'f':
			flags.foreground = 1;
			break;
		case 'L':
			if (conf_set(&flags, "log_level", optarg, NULL, 0) != 0)
				return 2;
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
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	conf_defaults(&conf);
	if (config != NULL && conf_load_file(&conf, config) != 0)
		return 1;
	/* Flags win over the file. */
#define TAKE(f) do { if (flags.f != NULL) { free(conf.f); conf.f = flags.f; flags.f = NULL; } } while (0)
	TAKE(listen);
	TAKE(upstream);
	TAKE(policy);
	TAKE(log_level);
#undef TAKE
	conf.foreground |= flags.foreground;
	if (conf.listen == NULL && (conf.listen = strdup(SW_DEFAULT_LISTEN)) == NULL)
		fatal("strdup");
	if (conf.upstream == NULL &&
	    (conf.upstream = strdup(SW_DEFAULT_UPSTREAM)) == NULL)
		fatal("strdup");
	if (conf.log_level != NULL && log_parse_level(conf.log_level, &lvl) == 0)
		log_set_level(lvl);

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
	if (listener_open(&conf, &fd) != 0)
		return 1;
	if (listener_start(fd) != 0)
		return 1;
	ev_term = evsignal_new(server.base, SIGTERM, on_sigterm, NULL);
	ev_int = evsignal_new(server.base, SIGINT, on_sigterm, NULL);
	ev_hup = evsignal_new(server.base, SIGHUP, on_sighup, NULL);
	server.grace = evtimer_new(server.base, on_grace_expired, NULL);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL ||
	    server.grace == NULL || evsignal_add(ev_term, NULL) != 0 ||
	    evsignal_add(ev_int, NULL) != 0 || evsignal_add(ev_hup, NULL) != 0)
		fatalx("cannot install signal handlers");

	if (!conf.foreground && daemon(0, 1) != 0)
		fatal("daemon");
	log_info("sockwarden %s listening on %s, engine at %s, policy %s",
	    SW_VERSION, conf.listen, server.up.name, policy_name(server.policy));

	event_base_dispatch(server.base);

	listener_stop();
	conn_close_all("exit");
	conn_reap(-1, 0, NULL);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_free(server.grace);
	event_free(server.reaper);
	event_base_free(server.base);
	if (server.policy != policy_default())
		policy_free(server.policy);
	conf_free(&conf);
	conf_free(&flags);
	log_info("exited cleanly");
	return 0;
}
