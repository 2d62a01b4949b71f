/*
 * reload.c - the signal-driven lifecycle of a running daemon.  SIGHUP
 * re-reads the settings file and the policy: either both are valid and the
 * new policy applies to every request decided from now on (connections,
 * streams and tunnels already open are not touched), or nothing changes
 * and the log and STATUS= say why.  SIGUSR1 reopens the audit log.
 * SIGTERM/SIGINT stop accepting and drain for shutdown_grace; a second one
 * closes everything at once.  What may change at run time is decided by
 * config.c's table; the server state is changed through the hooks main.c
 * hands over.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

static struct {
	const char		*config_path;	/* absolute, NULL without --config */
	const struct sw_conf	*flags;		/* settings given as flags */
	const struct reload_hooks *hooks;
	struct event		*ev_term, *ev_int, *ev_hup, *ev_usr1;
	struct event		*grace;		/* shutdown deadline */
} rl;

static void
reload_on_sigterm(evutil_socket_t sig, short ev, void *arg)
{
	unsigned ms = srv->conf->shutdown_grace_ms;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (srv->draining) {
		log_info("second signal: closing every connection now");
		conn_close_all("forced shutdown");
		event_base_loopexit(srv->base, NULL);
		return;
	}
	sdnotify("STOPPING=1\nSTATUS=draining %u connection(s)", conn_count());
	log_info("signal %d: no longer accepting; draining %u connection(s)",
	    (int)sig, conn_count());
	rl.hooks->set_draining();
	rl.hooks->remove_sockets();
	conn_drain_all();
	evtimer_add(rl.grace, &tv);
}

static void
reload_on_grace_expired(evutil_socket_t fd, short ev, void *arg)
{
	log_info("shutdown grace period over: closing %u connection(s)",
	    conn_count());
	conn_close_all("shutdown grace period over");
	event_base_loopexit(srv->base, NULL);
}

static void
reload_failed(const char *why)
{
	sdnotify("READY=1\nSTATUS=reload failed: %s; running with policy %s",
	    why, policy_name(srv->policy));
	metrics_reload(0);
}

static void
reload_on_sighup(evutil_socket_t sig, short ev, void *arg)
{
	struct sw_conf nc;
	struct policy *p;
	struct timespec ts;
	enum log_level lvl;
	char why[512];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sdnotify("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	conf_defaults(&nc);
	if (rl.config_path != NULL && conf_load_file(&nc, rl.config_path) != 0) {
		log_warnx("SIGHUP: %s is invalid; keeping the current settings "
		    "and policy", rl.config_path);
		snprintf(why, sizeof(why), "%s is invalid", rl.config_path);
		reload_failed(why);
		conf_free(&nc);
		return;
	}
	if (conf_apply_flags(&nc, rl.flags) != 0)
		fatal("reload: out of memory");
	p = policy_default();
	if (nc.policy != NULL &&
	    (p = pfile_load_policy(nc.policy, why, sizeof(why))) == NULL) {
		log_warnx("SIGHUP: policy %s is invalid (%s); keeping the "
		    "current policy", nc.policy, why);
		reload_failed(why);
		conf_free(&nc);
		return;
	}
	if (listener_reload_policies(why, sizeof(why)) != 0) {
		log_warnx("SIGHUP: a listener's policy is invalid (%s); keeping "
		    "the current policies", why);
		if (p != policy_default())
			policy_free(p);
		reload_failed(why);
		conf_free(&nc);
		return;
	}
	(void)conf_warn_restart(srv->conf, &nc);
	rl.hooks->set_policy(p);
	conf_take_runtime(srv->conf, &nc);
	log_set_level(LOG_LVL_INFO);
	if (srv->conf->log_level != NULL &&
	    log_parse_level(srv->conf->log_level, &lvl) == 0)
		log_set_level(lvl);
	conf_free(&nc);
	log_info("SIGHUP: reloaded; policy %s (%s)", policy_name(srv->policy),
	    srv->conf->policy ? srv->conf->policy : "built-in");
	sdnotify("READY=1\nSTATUS=serving; policy %s reloaded",
	    policy_name(srv->policy));
	metrics_reload(1);
}

static void
reload_on_sigusr1(evutil_socket_t sig, short ev, void *arg)
{
	(void)audit_reopen();
}

int
reload_init(struct event_base *base, const char *config_path,
    const struct sw_conf *flags, const struct reload_hooks *hooks)
{
	rl.config_path = config_path;
	rl.flags = flags;
	rl.hooks = hooks;
	rl.ev_term = evsignal_new(base, SIGTERM, reload_on_sigterm, NULL);
	rl.ev_int = evsignal_new(base, SIGINT, reload_on_sigterm, NULL);
	rl.ev_hup = evsignal_new(base, SIGHUP, reload_on_sighup, NULL);
	rl.ev_usr1 = evsignal_new(base, SIGUSR1, reload_on_sigusr1, NULL);
	rl.grace = evtimer_new(base, reload_on_grace_expired, NULL);
	if (rl.ev_term == NULL || rl.ev_int == NULL || rl.ev_hup == NULL ||
	    rl.ev_usr1 == NULL || rl.grace == NULL ||
	    evsignal_add(rl.ev_term, NULL) != 0 ||
	    evsignal_add(rl.ev_int, NULL) != 0 ||
	    evsignal_add(rl.ev_hup, NULL) != 0 ||
	    evsignal_add(rl.ev_usr1, NULL) != 0) {
		log_warnx("cannot install signal handlers");
		return -1;
	}
	return 0;
}

void
reload_shutdown(void)
{
	struct event **evs[] = { &rl.ev_term, &rl.ev_int, &rl.ev_hup,
	    &rl.ev_usr1, &rl.grace };

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (*evs[i] != NULL) {
			event_free(*evs[i]);
			*evs[i] = NULL;
		}
}
