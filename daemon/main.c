/*
 * main.c - options and the ordered start-up: settings (flags win over the
 * config file), the policy, the listener (or systemd's), then the fixed
 * hardening order: notify socket, audit log and metrics listener,
 * privilege drop, no_new_privs, Landlock, seccomp last; then the event
 * loop and READY=1.  It owns `server`, the state every module reads, and
 * is its only writer (reload.c changes it through main's hooks); it wires
 * each finished exchange to the audit log and the metrics.  Signals and reloads are
 * reload.c's, the offline commands tools.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon.h"
#include "version.h"

static struct server server;
const struct server *const srv = &server;

static char *config_path;		/* absolute, NULL without --config */
static struct sw_conf flag_conf;	/* settings given as flags */
static struct sw_conf conf;		/* settings in force */
static int helper_unlinks;		/* the root helper owns socket files */
static char *main_listener_name;

static void
server_set_policy(struct policy *p)
{
	if (server.policy != policy_default())
		policy_free(server.policy);
	server.policy = p;
	server.policy_generation++;	/* audit records say which one */
}

static void
server_set_draining(void)
{
	server.draining = 1;
}

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
	    "                  [--control-listen PATH] [--grpc-relay tunnel|police]\n"
	    "       sockwarden [--control PATH] job open|close|list ...\n"
	    "       sockwarden check POLICY...\n"
	    "       sockwarden explain [--policy FILE] [CAPTURE...]\n"
	    "       sockwarden --version | --help\n");
}

/* Remove our socket files: ourselves, or through the root helper. */
static void
main_remove_sockets(void)
{
	listener_stop();
	if (helper_unlinks) {
		privdrop_helper_unlink();
		return;
	}
	if (metrics_unix_path() != NULL)
		(void)unlink(metrics_unix_path());
	if (control_path() != NULL)
		(void)unlink(control_path());
}

/* Each finished exchange: the audit log and the metrics, side by side. */
static void
main_record(const struct exchange *x)
{
	audit_record(x);
	metrics_record(x);
	jobs_record(x);
}

/* Parse the flags into flag_conf; returns -1 to go on, else an exit code. */
static int
main_options(int argc, char **argv, const char **configp)
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
		{ "control-listen", required_argument, NULL, 'K' },
		{ "grpc-relay", required_argument, NULL, 'G' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct { int ch; const char *key; } keys[] = {
		{ 'l', "listen" }, { 'u', "upstream" }, { 'p', "policy" },
		{ 'L', "log_level" }, { 'U', "user" }, { 'S', "sandbox" },
		{ 'A', "audit_log" }, { 'M', "metrics_listen" },
		{ 'K', "control_listen" }, { 'G', "grpc_relay" },
	};
	int ch;

	conf_defaults(&flag_conf);
	while ((ch = getopt_long(argc, argv, "c:l:u:p:fL:Vh", opts, NULL)) != -1) {
		const char *key = NULL;

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (keys[i].ch == ch)
				key = keys[i].key;
		if (key != NULL) {
			if (conf_set(&flag_conf, key, optarg, NULL, 0) != 0)
				return 2;
			continue;
		}
		switch (ch) {
		case 'c':
			*configp = optarg;
			break;
		case 'f':
			flag_conf.foreground = 1;
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
	return -1;
}

/* Settings and policy, before anything is opened.  0 or an exit code. */
static int
main_settings(const char *config)
{
	enum log_level lvl;
	int dirfd;

	/* Before any chdir: relative paths stay meaningful for reloads. */
	if ((dirfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) != -1)
		pfile_set_base(dirfd);
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
	server.conf = &conf;
	if (upstream_parse(conf.upstream, &server.up) != 0)
		return 1;
	server.policy = policy_default();
	if (conf.policy != NULL &&
	    (server.policy = pfile_load_policy(conf.policy, NULL, 0)) == NULL)
		return 1;
	server.policy_generation = 1;
	return 0;
}

/* Start one listener: systemd's socket of that name, or our own. */
static int
main_listener(const struct sw_listener *spec, const char *fdname)
{
	const char *got = NULL;
	int fd = activation_take(fdname, &got);

	if (fd != -1)
		log_debug("listener %s: socket-activated (%s)", spec->name,
		    got[0] ? got : "unnamed");
	if (listener_add(spec, fd) != 0) {
		log_warnx("listener %s (%s) could not start", spec->name,
		    spec->path ? spec->path : "activated");
		return -1;
	}
	return 0;
}

/*
 * The API sockets: the main one (settings listen*, or systemd's first
 * socket) and every "listener" line (systemd's socket of that name, or
 * our own).
 */
static int
main_listen(void)
{
	struct sw_listener main_spec;
	const char *actname = NULL;
	int fd;

	if (activation_init() < 0)
		return -1;
	memset(&main_spec, 0, sizeof(main_spec));
	main_spec.path = conf.listen;
	main_spec.owner = conf.listen_owner;
	main_spec.group = conf.listen_group;
	main_spec.mode = conf.listen_mode;
	main_spec.ident = IDENT_CONTAINER;
	if ((fd = activation_take("", &actname)) != -1)
		main_listener_name = strdup(conf.listener_name ? conf.listener_name :
		    actname[0] ? actname : "activated");
	else
		main_listener_name = strdup(conf.listener_name ? conf.listener_name :
		    conf.listen);
	if (main_listener_name == NULL)
		fatal("strdup");
	main_spec.name = main_listener_name;
	server.listener_name = main_listener_name;
	if (listener_add(&main_spec, fd) != 0)
		return -1;
	for (size_t i = 0; i < conf.nlisteners; i++)
		if (main_listener(&conf.listeners[i], conf.listeners[i].name) != 0)
			return -1;
	/* the job control socket: systemd's "control", or our own */
	if (conf.control_listen != NULL && control_open(conf.control_listen,
	    activation_take("control", NULL)) != 0) {
		log_warnx("control socket %s could not start",
		    conf.control_listen);
		return -1;
	}
	return 0;
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
main_landlock_prepare(int helper)
{
	char *own[6] = { NULL }, *pol = NULL;
	const char *ro[6], *rw[5];
	size_t nro = 0, nrw = 0;
	int rc;

	if (conf.policy != NULL)
		pol = realpath(conf.policy, NULL);
	ro[nro++] = "/proc";
	ro[nro++] = "/etc/sockwarden";
	if ((own[0] = dir_of(config_path)) != NULL)
		ro[nro++] = own[0];
	if ((own[1] = dir_of(pol)) != NULL)
		ro[nro++] = own[1];
	ro[nro] = NULL;
	if (!helper) {
		if ((own[5] = dir_of(control_path())) != NULL)
			rw[nrw++] = own[5];
		if (conf.audit_log != NULL && conf.audit_log[0] == '/' &&
		    (own[2] = dir_of(conf.audit_log)) != NULL)
			rw[nrw++] = own[2];
		const char *files[1];
		if (listener_files(files, 1) == 1 &&
		    (own[3] = dir_of(files[0])) != NULL)
			rw[nrw++] = own[3];
		if ((own[4] = dir_of(metrics_unix_path())) != NULL)
			rw[nrw++] = own[4];
	}
	rw[nrw] = NULL;
	rc = landlock_prepare(ro, rw);
	if (rc == 0 && jobs_enabled() &&
	    (landlock_add_jobs(jobs_dir(), 1) != 0 ||
	    landlock_add_jobs(jobs_state_dir(), 0) != 0))
		rc = -1;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		free(own[i]);
	free(pol);
	return rc;
}

/* Fail start-up: tell systemd why, then exit. */
static int
startup_failed(const char *what)
{
	main_remove_sockets();
	listener_free_all();
	sdnotify("STATUS=start-up failed: %s\nERRNO=%d", what, errno ? errno : 1);
	return 1;
}

/* Leave root (keeping a helper for socket removal and the audit log). */
static int
main_drop(const struct privdrop_plan *plan, int sandbox)
{
	const char *unlinks[SW_MAX_LISTENERS + 3];
	size_t n = listener_files(unlinks, SW_MAX_LISTENERS);

	if (metrics_unix_path() != NULL)
		unlinks[n++] = metrics_unix_path();
	if (control_path() != NULL)
		unlinks[n++] = control_path();
	unlinks[n] = NULL;
	if (privdrop_pin_upstream(&server.up) != 0 ||
	    privdrop_helper_start(unlinks, conf.audit_log &&
	    conf.audit_log[0] == '/' ? conf.audit_log : NULL, plan,
	    sandbox) != 0)
		return -1;
	helper_unlinks = 1;
	/* The helper removes it: this process will lack the right. */
	listener_forget_files();
	return 0;
}

/* The hardening order: everything opened, then drop, then seccomp. */
static int
main_harden(int mfd, int sandbox)
{
	struct privdrop_plan plan;

	if (sdnotify_init() != 0)
		return startup_failed("NOTIFY_SOCKET");
	if (privdrop_plan(&conf, &server.up, &plan) != 0)
		return startup_failed("user");
	/* job directories and state: made as root, given to the new user */
	if (jobs_prepare(&conf, plan.drop ? plan.uid : (uid_t)-1,
	    plan.drop ? plan.gid : (gid_t)-1) != 0)
		return startup_failed("jobs");
	if (jobs_enabled())
		sandbox_allow_jobs();
	if (audit_open(server.base, conf.audit_log) != 0 ||
	    metrics_open(server.base, conf.metrics_listen, mfd) != 0)
		return startup_failed("audit log or metrics listener");
	if (plan.drop) {
		if (main_drop(&plan, sandbox) != 0)
			return startup_failed("privilege separation");
	} else if (!conf.foreground && chdir("/") == -1) {
		fatal("chdir /");
	}
	if (sandbox != SW_SANDBOX_OFF && main_landlock_prepare(helper_unlinks) != 0)
		return startup_failed("landlock");
	if (privdrop_apply(&plan) != 0 || privdrop_no_new_privs() != 0 ||
	    landlock_enforce() != 0)
		return startup_failed("privilege drop");
	if (sdnotify_watchdog_start(server.base) != 0)
		fatalx("watchdog timer");
	if (sandbox_apply(sandbox, server.up.ss.ss_family, !helper_unlinks) != 0)
		return startup_failed("sandbox");
	return 0;
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
	static const struct reload_hooks hooks = { server_set_policy,
	    server_set_draining, main_remove_sockets };
	const char *config = NULL;
	int rc, mfd, sandbox;

	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return tools_check(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return tools_explain(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "job") == 0)
		return jobs_cli(NULL, argc - 1, argv + 1);
	if (argc > 3 && strcmp(argv[1], "--control") == 0 &&
	    strcmp(argv[3], "job") == 0)
		return jobs_cli(argv[2], argc - 3, argv + 3);
	if (argc > 2 && strncmp(argv[1], "--control=", 10) == 0 &&
	    strcmp(argv[2], "job") == 0)
		return jobs_cli(argv[1] + 10, argc - 2, argv + 2);
	if ((rc = main_options(argc, argv, &config)) >= 0)
		return rc;
	if ((rc = main_settings(config)) != 0)
		return rc;
	sandbox = conf.sandbox == -1 ? SW_SANDBOX_ON : conf.sandbox;

	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if ((server.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	peer_init();
	conn_init(main_record);
	if (engine_init(server.base, &server.up, 0, conf.connect_timeout_ms) != 0 ||
	    engine_cache_init(NULL, 0, 0) != 0)
		fatalx("engine client: out of memory");
	if (main_listen() != 0)
		return startup_failed("listener");
	mfd = activation_take("metrics", NULL);
	activation_close_rest();
	if (reload_init(server.base, config_path, &flag_conf, &hooks) != 0)
		return startup_failed("signals");
	if (!conf.foreground && daemon(1, 1) != 0)
		fatal("daemon");
	if ((rc = main_harden(mfd, sandbox)) != 0)
		return rc;
	jobs_restore();		/* as the dropped user, like `job open` */
	log_info("sockwarden %s listening on %s, engine at %s, policy %s, "
	    "sandbox %s", SW_VERSION, main_listener_name, server.up.name,
	    policy_name(server.policy), sandbox == SW_SANDBOX_ON ? "on" :
	    sandbox == SW_SANDBOX_DEBUG ? "debug" : "off");
	sdnotify("READY=1\nSTATUS=serving on %s; policy %s", main_listener_name,
	    policy_name(server.policy));

	event_base_dispatch(server.base);

	main_remove_sockets();
	control_close();
	jobs_shutdown();
	conn_shutdown();
	listener_free_all();
	engine_shutdown();
	metrics_stop(!helper_unlinks);
	sdnotify_stop();
	audit_close();
	reload_shutdown();
	event_base_free(server.base);
	server_set_policy(policy_default());
	conf_free(&conf);
	conf_free(&flag_conf);
	free(main_listener_name);
	free(config_path);
	log_info("exited cleanly");
	return 0;
}
