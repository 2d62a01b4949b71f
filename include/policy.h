/*
 * policy.h - the only policy API the daemon sees.
 *
 * policy/ is a pure library: a parsed request and a compiled policy in, a
 * decision out.  It performs no I/O, uses no libevent and no cJSON, and
 * keeps no globals but the cached policy_default(), so it can be unit tested
 * and fuzzed on its own.  Reading policy files from disk, buffering bodies
 * and answering clients are the daemon's job.
 *
 * Evaluation is two-phase: the daemon calls policy_eval() once the request
 * head is parsed (body == NULL).  When the endpoint's body must be inspected
 * the verdict is POLICY_NEED_BODY; the daemon then buffers at most
 * d->body_limit bytes (more is a 413, never a pass) and calls policy_eval()
 * again with the whole body.
 */
#ifndef SW_POLICY_H
#define SW_POLICY_H

#include <stddef.h>

struct policy;				/* compiled, immutable once built */

struct policy_header {
	const char	*name;		/* as received, not NUL-terminated */
	size_t		 name_len;
	const char	*value;		/* OWS-trimmed, not NUL-terminated */
	size_t		 value_len;
};

struct policy_request {
	const char	*method;	/* NUL-terminated, e.g. "POST" */
	const char	*target;	/* raw request-target, path?query */
	size_t		 target_len;
	const struct policy_header *headers;
	size_t		 nheaders;
	int		 body_present;	/* Content-Length > 0 or chunked */
	const unsigned char *body;	/* NULL in the head phase */
	size_t		 body_len;
	/* facts the daemon gathered: sockwarden's own listening sockets
	 * (host paths), which a "socket" bind root admits */
	const char *const *self_sockets;
	size_t		 nself_sockets;
	/* the caller's tenant: the owner of what it creates; NULL when the
	 * daemon knows none (ownership is then not applied) */
	const char	*tenant;
	/* the daemon decides every call on a /grpc tunnel with
	 * policy_grpc_eval (grpc_relay police): the endpoint "grpc" is then
	 * admitted where "image.build" is, a Solve being a build */
	int		 grpc_policed;
};

/* Engine objects a request names, for the daemon to resolve. */
enum policy_obj {
	POLICY_OBJ_CONTAINER = 1,
	POLICY_OBJ_EXEC,		/* owned through its container */
	POLICY_OBJ_VOLUME,
	POLICY_OBJ_NETWORK,
};

/*
 * An object the request names in its path or body.  Before forwarding the
 * daemon resolves it with the engine (name or ID prefix to the full ID),
 * checks that the caller owns it, and puts the full ID in its place, so a
 * rename or re-create in between cannot swap the object.
 */
struct policy_ref {
	enum policy_obj	 kind;
	char		*name;		/* as the request names it (decoded) */
	int		 own;		/* 1: the caller must own it; 2: audit
					   only (log, allow) */
	int		 create;	/* a named volume the engine would
					   create if missing: create it owned */
	int		 in_body;	/* where: 0 target, 1 body */
	size_t		 off, len;	/* the bytes to replace there (for a body
					   reference the whole JSON string) */
	char		*prefix, *suffix; /* body: the string's text around the
					   name ("container:", ":ro") */
	char		 where[48];	/* for messages */
};

/*
 * A host path the engine will bind, admitted by a root: the daemon checks
 * it on the host before forwarding (the policy does no I/O): beneath the
 * root without crossing a symbolic link, and existing where the engine
 * would otherwise create it.
 */
struct policy_host_path {
	char		*path;		/* absolute, canonical */
	char		*root;		/* the root that admits it */
	int		 must_exist;	/* the engine creates it when missing */
	char		 where[48];	/* "HostConfig.Binds[0]", for messages */
};

enum policy_verdict {
	POLICY_ALLOW = 0,	/* forward d->target; see d->audit */
	POLICY_DENY,		/* answer d->status (403) with the message */
	POLICY_REJECT,		/* malformed or ambiguous: d->status (400/404/413) */
	POLICY_NEED_BODY,	/* buffer the body (<= d->body_limit), eval again */
};

enum policy_body_kind {
	POLICY_BODY_NONE = 0,	/* endpoint takes no body */
	POLICY_BODY_JSON,	/* inspected: buffered, decided on, re-framed */
	POLICY_BODY_STREAM,	/* opaque stream (tar, build context): relayed */
	POLICY_BODY_IGNORED,	/* the engine ignores a body here: read it
				   (within body_limit), drop it, forward none */
};

struct policy_decision {
	enum policy_verdict verdict;
	int		 status;	/* HTTP status when not allowed */
	int		 audit;		/* allowed only because the denying
					   check is in audit mode */
	int		 hijack;	/* endpoint may hijack the connection
					   (attach, exec start, session, grpc) */
	enum policy_body_kind body_kind;
	size_t		 body_limit;	/* max body bytes for NEED_BODY */
	char		 operation[48];	/* e.g. "container.create" */
	char		 what[64];	/* e.g. "container create" */
	char		 rule[64];	/* rule id, "" when allowed */
	char		 reason[256];	/* one human sentence of why */
	const char	*key;		/* static: the policy key that governs
					   the denial ("checks.binds.roots"),
					   NULL when no setting would allow it */
	char		*image;		/* the image the request names, as
					   written (NULL when none): the one
					   the images check judged, else the
					   path's image; owned like target */
	char		*target;	/* canonical path?query to forward;
					   owned, freed by policy_decision_clear */
	struct policy_host_path *paths;	/* allowed only if these hold on
					   the host; owned like target */
	size_t		 npaths;
	struct policy_ref *refs;	/* to resolve and own; owned */
	size_t		 nrefs;
	unsigned char	*body;		/* the body to forward instead (the
					   owner label stamped); owned */
	size_t		 body_len;
	int		 verify;	/* container.create/start: check what
					   the engine stored (policy_stored) */
	int		 scrub;		/* a network every tenant shares: the
					   daemon answers with the engine's
					   inspect minus its Containers */
	int		 grpc_each;	/* policy_grpc_eval: decide every
					   client message of the stream */
};

/*
 * Collected compile errors, one "file:line:col: message" line each,
 * newline-terminated, in the order found.
 */
struct policy_errors {
	size_t	 count;
	char	*text;			/* NUL-terminated, owned */
	size_t	 len, cap;
};

/* Compile policy text; name is the file name used in error messages.
 * Returns 0 and *out, or -1 with every error in errs. */
int	 policy_compile(const char *name, const char *text, size_t len,
	    struct policy **out, struct policy_errors *errs);
/* The compiled-in default (the "ci" preset); never NULL.  Shared and
 * immutable: policy_free() on it is a no-op. */
struct policy *policy_default(void);
/* Source text of a built-in preset ("ci", "readonly", "deny-all"), or NULL. */
const char *policy_preset_text(const char *preset);
const char *policy_name(const struct policy *);
void	 policy_free(struct policy *);

void	 policy_eval(const struct policy *, const struct policy_request *,
	    struct policy_decision *);
/* The label every object a tenant creates carries: its owner. */
#define POLICY_OWNER_LABEL	"io.sockwarden.owner"
/*
 * The engine's stored truth: check a container inspect answer (the JSON
 * the engine returned) against the policy, as if its HostConfig had been
 * in the create request.  Fills d like policy_eval (DENY names the field).
 */
void	 policy_stored(const struct policy *, const struct policy_request *facts,
	    const char *inspect_json, size_t len, struct policy_decision *);
/*
 * A named volume a create mounts that the engine stored as a bind of a
 * host directory (local driver, o=bind, device=PATH): judged like a bind
 * of that path by rule binds (its d->paths then to be checked on the host).
 */
void	 policy_volume_bind(const struct policy *,
	    const struct policy_request *facts, const char *volume,
	    const char *device, struct policy_decision *);
/*
 * One call on buildx's /grpc tunnel (docs/buildkit-grpc.md), method the
 * gRPC path ("/moby.buildkit.v1.Control/Solve").  Head phase (msg NULL):
 * ALLOW (relay the call unread), DENY, or NEED_BODY: hold the call's first
 * client message, 5-byte gRPC prefix included and at most d->body_limit
 * bytes, and call again with exactly it; with d->grpc_each, every client
 * message of the stream, each on its own.  A denial is for the whole call
 * (gRPC status PermissionDenied with policy_format_message's text).
 */
void	 policy_grpc_eval(const struct policy *, const char *method,
	    size_t method_len, const unsigned char *msg, size_t len,
	    struct policy_decision *);
void	 policy_decision_clear(struct policy_decision *);
/* "sockwarden: <what> denied by rule <id>: <why> (policy key: <key>)"
 * (or the reject text); the key part only when d->key is set. */
void	 policy_format_message(const struct policy_decision *, char *buf,
	    size_t len);
/* The policy key that governs what a rule denies ("checks.binds.roots",
 * "endpoints.allow"), or NULL when its only setting is "mode". */
const char *policy_rule_key(const char *rule);
void	 policy_errors_free(struct policy_errors *);

#endif /* SW_POLICY_H */
