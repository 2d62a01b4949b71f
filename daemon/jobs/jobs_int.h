/*
 * jobs_int.h - private to daemon/jobs/: one socket per CI job.  What the
 * rest of the daemon sees is in daemon.h ("jobs/"); the control protocol's
 * parser (proto.c) and the state file's format (state.c) are pure and
 * unit-tested through this header.
 */
#ifndef SW_JOBS_INT_H
#define SW_JOBS_INT_H

#include <sys/queue.h>
#include <time.h>

#include "daemon.h"

#define JOB_ID_MAX	63		/* [A-Za-z0-9][A-Za-z0-9_.-]* */
#define JOB_LABELS_MAX	32
#define JOB_LABEL_MAX	256		/* one "K=V" */
#define JOB_POLICY_MAX	(1024 * 1024)	/* a job's own policy text */
/* a control request or a state file: the policy, JSON-escaped, and more */
#define JOB_LINE_MAX	(2 * JOB_POLICY_MAX + 64 * 1024)

/* Limits of one job; 0: none. */
struct job_quota {
	unsigned long long	 containers;	/* how many may exist */
	unsigned long long	 memory;	/* bytes, all its containers */
	unsigned long long	 nano_cpus;	/* 1e9 per CPU, all containers */
	unsigned long long	 volumes;
	unsigned long long	 networks;
};

/* What a job is, as `job open` asks for it and the state file keeps it. */
struct job_spec {
	char			 id[JOB_ID_MAX + 1];
	char			*policy_name;	/* where it came from (messages) */
	char			*policy_text;	/* the job's policy, NULL: the
						   server's (or job_policy) */
	char			*labels[JOB_LABELS_MAX];	/* "K=V" */
	size_t			 nlabels;
	unsigned long long	 ttl_ms;	/* 0: none */
	struct job_quota	 quota;
};

enum job_op { JOB_OP_OPEN = 1, JOB_OP_CLOSE, JOB_OP_LIST };

struct job_req {
	enum job_op		 op;
	struct job_spec		 spec;		/* OPEN: all; CLOSE: id */
	int			 keep;		/* CLOSE: leave its objects */
};

/* proto.c: the control protocol, one JSON object per line each way. */
int	 job_id_valid(const char *);
/* 0, or -1 with why in err; req is filled either way and must be freed. */
int	 jobproto_parse(const char *buf, size_t len, struct job_req *,
	    char *err, size_t errlen);
/* The request as one line (no newline), malloc'd; NULL: out of memory. */
char	*jobproto_format(const struct job_req *);
void	 jobproto_req_free(struct job_req *);
/* buf as exactly one JSON object (no NUL, nothing after it), or NULL. */
struct cJSON *proto_json(const char *buf, size_t len);
void	 jobspec_free(struct job_spec *);
/* The spec's fields into/out of a JSON object (shared with state.c). */
struct cJSON;
int	 jobspec_to_json(const struct job_spec *, struct cJSON *);
int	 jobspec_from_json(const struct cJSON *, struct job_spec *,
	    char *err, size_t errlen);

/* state.c: one file per job under the state directory, written whole
 * (temporary file, fsync, rename).  reaping: the job was closed and its
 * objects are still to be removed; deadline_s: wall-clock end of its TTL
 * (0: none). */
struct job_state {
	struct job_spec		 spec;
	int			 reaping;
	long long		 deadline_s;
};
char	*jobstate_format(const struct job_state *);
int	 jobstate_parse(const char *buf, size_t len, struct job_state *,
	    char *err, size_t errlen);
int	 jobstate_write(const char *dir, const struct job_state *);
int	 jobstate_remove(const char *dir, const char *id);
/* Every state file in dir: cb once per readable one (a broken one is
 * logged and left alone).  Returns how many, -1 when dir is unreadable. */
int	 jobstate_load_all(const char *dir,
	    void (*cb)(void *, const struct job_state *), void *arg);

/* census.c, reap.c: a tenant's objects on the engine, counted or removed. */
struct census {
	unsigned		 containers, running, volumes, networks;
	unsigned long long	 memory, nano_cpus;	/* all its containers */
};
typedef void (*census_cb)(void *arg, int ok, const char *err,
	    const struct census *);
struct census_ask;
#define CENSUS_CONTAINERS	0x01
#define CENSUS_DEEP		0x02	/* each container's memory and CPUs
					   (one inspect each) */
#define CENSUS_VOLUMES		0x04
#define CENSUS_NETWORKS		0x08
#define CENSUS_ALL		(CENSUS_CONTAINERS | CENSUS_VOLUMES | \
				 CENSUS_NETWORKS)
/* The callback runs once, from the loop, never after the cancel; ok 0:
 * the engine did not answer (err says why).  NULL: could not even ask. */
struct census_ask *census_start(const char *tenant, unsigned what,
	    census_cb, void *arg);
void	 census_cancel(struct census_ask *);
/* the label filter for the tenant, percent-encoded for a query */
void	 census_filter(char *out, size_t len, const char *tenant);

typedef void (*reap_cb)(void *arg, int done, const char *why,
	    const struct census *removed);
struct reap;
/* One pass over the tenant's containers (force-removed with their
 * anonymous volumes), volumes and networks; done 1 when nothing is left.
 * Never calls back from inside reap_start. */
struct reap *reap_start(const char *tenant, reap_cb, void *arg);
void	 reap_cancel(struct reap *);

/* jobs.c: the table of jobs, for control.c and quota.c */
typedef void (*jobs_close_cb)(void *arg, int done, const char *why,
	    const struct census *removed);
/* spec is taken over; 0 with the socket path, or -1 with err. */
int	 jobs_open(struct job_spec *, char *sock, size_t socklen, char *err,
	    size_t errlen);
/* 0: closed (kept); 1: reaping, cb tells how it went unless
 * jobs_unwait(*waiting) first; -1: err. */
int	 jobs_close(const char *id, int keep, jobs_close_cb, void *arg,
	    struct job **waiting, char *err, size_t errlen);
void	 jobs_unwait(struct job *);
/* Every job (or only id) as objects appended to arr; c: its census. */
void	 jobs_json(struct cJSON *arr, const char *id, const struct census *c);
size_t	 jobs_ids(const char ***ids);	/* malloc'd array, borrowed names */
const char *jobs_tenant(const char *id);
const struct job_quota *jobs_quota(const char *id);
unsigned *jobs_creating(const char *id);

/*
 * The jobs (jobs.c owns them; report.c reads them).  A job's listener is
 * NULL once closed; while reaping, its timer is the retry.
 */
struct job {
	TAILQ_ENTRY(job)	 j_entry;
	struct job_spec		 j_spec;
	char			 j_tenant[SW_TENANT_MAX];	/* "j:ID" */
	char			 j_name[JOB_ID_MAX + 8];	/* "job:ID" */
	char			 j_dir[300];	/* JOB_DIR/ID */
	char			 j_sock[400];	/* .../docker.sock (checked to
						   fit a socket address) */
	struct listener		*j_listener;	/* NULL once closed */
	long long		 j_deadline_s;	/* wall clock, 0: no TTL */
	time_t			 j_opened;	/* wall clock */
	struct event		*j_timer;	/* TTL; when reaping, the retry */
	int			 j_reaping;	/* closed, objects to remove */
	struct reap		*j_reap;	/* a pass in flight */
	unsigned		 j_backoff_s;
	unsigned		 j_tries;
	char			 j_why[256];	/* why the last pass failed */
	struct census		 j_removed;	/* by every pass so far */
	jobs_close_cb		 j_wait_cb;	/* a `job close` waiting */
	void			*j_wait_arg;
	uint64_t		 j_requests;	/* exchanges on its socket */
	uint64_t		 j_denied;
	unsigned		 j_creating;	/* creates let through by the
						   quota, not yet answered */
};

struct jobs_table {
	int			 on;		/* control_listen set */
	const char		*dir;		/* job sockets */
	const char		*state;		/* state files */
	int			 mode;		/* of a job socket */
	uid_t			 uid;		/* ours, after the drop */
	TAILQ_HEAD(, job)	 list;
	unsigned		 n;
	uint64_t		 opened, closed, reaped, reap_failures;
	struct job_state	*loaded;	/* read at start-up */
	size_t			 nloaded;
};
extern struct jobs_table jobtab;

/* jobs.c */
struct job *job_find(const char *id);


#endif /* SW_JOBS_INT_H */
