/*
 * route.c - the engine's route table, in the engine's registration order,
 * and a matcher that picks the same route gorilla/mux would.
 *
 * Order matters: mux takes the first route whose method and path match, and
 * "{*}" variables are greedy and match '/' ("{name:.*}" in moby).  "{}" is
 * one segment ("{id}"), "{+}" is ".+".  Every variable must then pass a
 * strict charset (route_id_valid) so a decoded '/' or '\n' in a name can
 * never select a route the engine would not.  This file only classifies; it
 * does not decide what is allowed (that is the policy's endpoint list).
 */
#include <string.h>

#include "policy_int.h"

#define J RT_JSON
#define S RT_STREAM
#define H RT_HIJACK
#define N ID_NAME
#define I ID_IMAGE

static const char LOGQ[] = "follow stdout stderr since until timestamps tail "
    "details";
static const char ATTQ[] = "detachKeys logs stream stdin stdout stderr";
static const char BUILDQ[] = "dockerfile t* extrahosts* remote q nocache "
    "cachefrom pull rm forcerm memory memswap cpushares cpusetcpus cpusetmems "
    "cpuperiod cpuquota buildargs shmsize squash labels networkmode platform "
    "target outputs version cgroupparent ulimits isolation securityopt* "
    "session buildid";

static const struct route routes[] = {
	/* checkpoint router (registered first so DELETE is not masked) */
	{ "GET", "/containers/{*}/checkpoints", "checkpoint.list",
	    "checkpoint list", 0, N, "dir" },
	{ "POST", "/containers/{*}/checkpoints", "checkpoint.create",
	    "checkpoint create", J, N, "" },
	{ "DELETE", "/containers/{}/checkpoints/{}", "checkpoint.delete",
	    "checkpoint delete", 0, N, "dir" },
	/* container router */
	{ "HEAD", "/containers/{*}/archive", "container.archive-stat",
	    "container archive stat", 0, N, "path" },
	{ "GET", "/containers/json", "container.list", "container list", 0, 0,
	    "all limit size filters since before trunc_cmd" },
	{ "GET", "/containers/{*}/export", "container.export",
	    "container export", 0, N, "" },
	{ "GET", "/containers/{*}/changes", "container.changes",
	    "container changes", 0, N, "" },
	{ "GET", "/containers/{*}/json", "container.inspect",
	    "container inspect", 0, N, "size" },
	{ "GET", "/containers/{*}/top", "container.top", "container top", 0, N,
	    "ps_args" },
	{ "GET", "/containers/{*}/logs", "container.logs", "container logs", 0,
	    N, LOGQ },
	{ "GET", "/containers/{*}/stats", "container.stats",
	    "container stats", 0, N, "stream one-shot" },
	{ "GET", "/containers/{*}/attach/ws", "container.attach-ws",
	    "container websocket attach", H, N, ATTQ },
	{ "GET", "/exec/{*}/json", "exec.inspect", "exec inspect", 0, N, "" },
	{ "GET", "/containers/{*}/archive", "container.archive-get",
	    "container archive read", 0, N, "path" },
	{ "POST", "/containers/create", "container.create",
	    "container create", J, 0, "name platform" },
	{ "POST", "/containers/{*}/kill", "container.kill", "container kill",
	    0, N, "signal" },
	{ "POST", "/containers/{*}/pause", "container.pause",
	    "container pause", 0, N, "" },
	{ "POST", "/containers/{*}/unpause", "container.unpause",
	    "container unpause", 0, N, "" },
	{ "POST", "/containers/{*}/restart", "container.restart",
	    "container restart", 0, N, "t signal" },
	{ "POST", "/containers/{*}/start", "container.start",
	    "container start", 0, N, "detachKeys checkpoint checkpoint-dir" },
	{ "POST", "/containers/{*}/stop", "container.stop", "container stop",
	    0, N, "t signal" },
	{ "POST", "/containers/{*}/wait", "container.wait", "container wait",
	    0, N, "condition" },
	{ "POST", "/containers/{*}/resize", "container.resize",
	    "container resize", 0, N, "h w" },
	{ "POST", "/containers/{*}/attach", "container.attach",
	    "container attach", H, N, ATTQ },
	{ "POST", "/containers/{*}/copy", "container.copy",
	    "container copy", J, N, "" },
	{ "POST", "/containers/{*}/exec", "exec.create", "exec create", J, N,
	    "" },
	{ "POST", "/exec/{*}/start", "exec.start", "exec start", J | H, N, "" },
	{ "POST", "/exec/{*}/resize", "exec.resize", "exec resize", 0, N,
	    "h w" },
	{ "POST", "/containers/{*}/rename", "container.rename",
	    "container rename", 0, N, "name" },
	{ "POST", "/containers/{*}/update", "container.update",
	    "container update", J, N, "" },
	{ "POST", "/containers/prune", "container.prune", "container prune",
	    0, 0, "filters" },
	{ "POST", "/commit", "container.commit", "container commit", J, 0,
	    "container repo tag comment author pause changes*" },
	{ "PUT", "/containers/{*}/archive", "container.archive-put",
	    "container archive write", S, N,
	    "path noOverwriteDirNonDir copyUIDGID" },
	{ "DELETE", "/containers/{*}", "container.delete", "container delete",
	    0, N, "v force link" },
	/* image router */
	{ "GET", "/images/json", "image.list", "image list", 0, 0,
	    "all filters shared-size digests manifests identity filter" },
	{ "GET", "/images/search", "image.search", "image search", 0, 0,
	    "term limit filters" },
	{ "GET", "/images/get", "image.save", "image save", 0, 0,
	    "names* platform*" },
	{ "GET", "/images/{*}/get", "image.save", "image save", 0, I,
	    "platform*" },
	{ "GET", "/images/{*}/history", "image.history", "image history", 0, I,
	    "platform" },
	{ "GET", "/images/{*}/json", "image.inspect", "image inspect", 0, I,
	    "manifests platform" },
	{ "GET", "/images/{*}/attestations", "image.attestations",
	    "image attestations", 0, I, "platform* type* statement" },
	{ "POST", "/images/load", "image.load", "image load", S, 0,
	    "quiet platform*" },
	{ "POST", "/images/create", "image.create", "image pull", 0, 0,
	    "fromImage fromSrc repo tag message changes* platform" },
	{ "POST", "/images/{*}/push", "image.push", "image push", 0, I,
	    "tag platform" },
	{ "POST", "/images/{*}/tag", "image.tag", "image tag", 0, I,
	    "repo tag" },
	{ "POST", "/images/prune", "image.prune", "image prune", 0, 0,
	    "filters" },
	{ "DELETE", "/images/{*}", "image.delete", "image delete", 0, I,
	    "force noprune platforms*" },
	/* system router (OPTIONS matches any path) */
	{ "OPTIONS", "{*}", "system.options", "options request", 0, 0, "" },
	{ "GET", "/_ping", "system.ping", "ping", 0, 0, "" },
	{ "HEAD", "/_ping", "system.ping", "ping", 0, 0, "" },
	{ "GET", "/events", "system.events", "events", 0, 0,
	    "since until filters" },
	{ "GET", "/info", "system.info", "info", 0, 0, "" },
	{ "GET", "/version", "system.version", "version", 0, 0, "" },
	{ "GET", "/system/df", "system.df", "disk usage", 0, 0,
	    "type* verbose" },
	{ "POST", "/auth", "system.auth", "registry login", J, 0, "" },
	/* volume router */
	{ "GET", "/volumes", "volume.list", "volume list", 0, 0, "filters" },
	{ "GET", "/volumes/{*}", "volume.inspect", "volume inspect", 0, N,
	    "" },
	{ "POST", "/volumes/create", "volume.create", "volume create", J, 0,
	    "" },
	{ "POST", "/volumes/prune", "volume.prune", "volume prune", 0, 0,
	    "filters" },
	{ "PUT", "/volumes/{*}", "volume.update", "volume update", J, N,
	    "version" },
	{ "DELETE", "/volumes/{*}", "volume.delete", "volume delete", 0, N,
	    "force" },
	/* build router */
	{ "POST", "/build", "image.build", "image build", S, 0, BUILDQ },
	{ "POST", "/build/prune", "build.prune", "build cache prune", 0, 0,
	    "keep-storage reserved-space max-used-space min-free-space all "
	    "filters" },
	{ "POST", "/build/cancel", "build.cancel", "build cancel", 0, 0,
	    "id" },
	/* session router */
	{ "POST", "/session", "session", "build session", H, 0, "" },
	/* swarm router */
	{ "POST", "/swarm/init", "swarm.init", "swarm init", J, 0, "" },
	{ "POST", "/swarm/join", "swarm.join", "swarm join", J, 0, "" },
	{ "POST", "/swarm/leave", "swarm.leave", "swarm leave", 0, 0,
	    "force" },
	{ "GET", "/swarm", "swarm.inspect", "swarm inspect", 0, 0, "" },
	{ "GET", "/swarm/unlockkey", "swarm.unlockkey", "swarm unlock key",
	    0, 0, "" },
	{ "POST", "/swarm/update", "swarm.update", "swarm update", J, 0,
	    "version rotateWorkerToken rotateManagerToken "
	    "rotateManagerUnlockKey" },
	{ "POST", "/swarm/unlock", "swarm.unlock", "swarm unlock", J, 0, "" },
	{ "GET", "/services", "service.list", "service list", 0, 0,
	    "filters status" },
	{ "GET", "/services/{}", "service.inspect", "service inspect", 0, N,
	    "insertDefaults" },
	{ "POST", "/services/create", "service.create", "service create", J,
	    0, "" },
	{ "POST", "/services/{}/update", "service.update", "service update",
	    J, N, "version registryAuthFrom rollback" },
	{ "DELETE", "/services/{}", "service.delete", "service delete", 0, N,
	    "" },
	{ "GET", "/services/{}/logs", "service.logs", "service logs", 0, N,
	    LOGQ },
	{ "GET", "/nodes", "node.list", "node list", 0, 0, "filters" },
	{ "GET", "/nodes/{}", "node.inspect", "node inspect", 0, N, "" },
	{ "DELETE", "/nodes/{}", "node.delete", "node delete", 0, N,
	    "force" },
	{ "POST", "/nodes/{}/update", "node.update", "node update", J, N,
	    "version" },
	{ "GET", "/tasks", "task.list", "task list", 0, 0, "filters" },
	{ "GET", "/tasks/{}", "task.inspect", "task inspect", 0, N, "" },
	{ "GET", "/tasks/{}/logs", "task.logs", "task logs", 0, N, LOGQ },
	{ "GET", "/secrets", "secret.list", "secret list", 0, 0, "filters" },
	{ "POST", "/secrets/create", "secret.create", "secret create", J, 0,
	    "" },
	{ "DELETE", "/secrets/{}", "secret.delete", "secret delete", 0, N,
	    "" },
	{ "GET", "/secrets/{}", "secret.inspect", "secret inspect", 0, N, "" },
	{ "POST", "/secrets/{}/update", "secret.update", "secret update", J,
	    N, "version" },
	{ "GET", "/configs", "config.list", "config list", 0, 0, "filters" },
	{ "POST", "/configs/create", "config.create", "config create", J, 0,
	    "" },
	{ "DELETE", "/configs/{}", "config.delete", "config delete", 0, N,
	    "" },
	{ "GET", "/configs/{}", "config.inspect", "config inspect", 0, N, "" },
	{ "POST", "/configs/{}/update", "config.update", "config update", J,
	    N, "version" },
	/* plugin router */
	{ "GET", "/plugins", "plugin.list", "plugin list", 0, 0, "filters" },
	{ "GET", "/plugins/{*}/json", "plugin.inspect", "plugin inspect", 0,
	    I, "" },
	{ "GET", "/plugins/privileges", "plugin.privileges",
	    "plugin privileges", 0, 0, "remote" },
	{ "DELETE", "/plugins/{*}", "plugin.delete", "plugin delete", 0, I,
	    "force" },
	{ "POST", "/plugins/{*}/enable", "plugin.enable", "plugin enable", 0,
	    I, "timeout" },
	{ "POST", "/plugins/{*}/disable", "plugin.disable", "plugin disable",
	    0, I, "force" },
	{ "POST", "/plugins/pull", "plugin.install", "plugin install", J, 0,
	    "remote name" },
	{ "POST", "/plugins/{*}/push", "plugin.push", "plugin push", 0, I,
	    "" },
	{ "POST", "/plugins/{*}/upgrade", "plugin.upgrade", "plugin upgrade",
	    J, I, "remote" },
	{ "POST", "/plugins/{*}/set", "plugin.set", "plugin set", J, I, "" },
	{ "POST", "/plugins/create", "plugin.create", "plugin create", S, 0,
	    "name" },
	/* distribution router */
	{ "GET", "/distribution/{*}/json", "distribution.inspect",
	    "distribution inspect", 0, I, "" },
	/* network router */
	{ "GET", "/networks", "network.list", "network list", 0, 0,
	    "filters" },
	{ "GET", "/networks/", "network.list", "network list", 0, 0,
	    "filters" },
	{ "GET", "/networks/{+}", "network.inspect", "network inspect", 0, N,
	    "verbose scope" },
	{ "POST", "/networks/create", "network.create", "network create", J,
	    0, "" },
	{ "POST", "/networks/{*}/connect", "network.connect",
	    "network connect", J, N, "" },
	{ "POST", "/networks/{*}/disconnect", "network.disconnect",
	    "network disconnect", J, N, "" },
	{ "POST", "/networks/prune", "network.prune", "network prune", 0, 0,
	    "filters" },
	{ "DELETE", "/networks/{*}", "network.delete", "network delete", 0, N,
	    "" },
	/* debug router: always registered by the engine */
	{ "GET", "/debug/vars", "debug", "debug", 0, 0, "" },
	{ "GET", "/debug/pprof/", "debug", "debug", 0, 0, "" },
	{ "GET", "/debug/pprof/cmdline", "debug", "debug", 0, 0, "" },
	{ "GET", "/debug/pprof/profile", "debug", "debug", 0, 0, "" },
	{ "GET", "/debug/pprof/symbol", "debug", "debug", 0, 0, "" },
	{ "POST", "/debug/pprof/symbol", "debug", "debug", 0, 0, "" },
	{ "GET", "/debug/pprof/trace", "debug", "debug", 0, 0, "" },
	{ "GET", "/debug/pprof/{}", "debug", "debug", 0, 0, "" },
	/* grpc router */
	{ "POST", "/grpc", "grpc", "buildkit grpc", H, 0, "" },
};

#undef J
#undef S
#undef H
#undef N
#undef I

size_t
route_count(void)
{
	return sizeof(routes) / sizeof(routes[0]);
}

const struct route *
route_at(size_t i)
{
	return i < route_count() ? &routes[i] : NULL;
}

/* Match pattern pat against p[0..len); first variable to *var. */
static int
pat_match(const char *pat, const char *p, size_t len, const char **var,
    size_t *varlen)
{
	const char *v, *rest;
	size_t i, seg;

	while (*pat != '\0') {
		if (*pat != '{') {
			if (len == 0 || *pat != *p)
				return 0;
			pat++, p++, len--;
			continue;
		}
		v = pat + 1;
		rest = strchr(pat, '}') + 1;
		if (*v == '*' || *v == '+') {
			/* greedy: longest first, like RE2 leftmost-greedy */
			for (i = len + 1; i-- > (size_t)(*v == '+'); ) {
				if (memchr(p, '\n', i) != NULL)
					continue;	/* RE2 '.' */
				if (pat_match(rest, p + i, len - i, NULL,
				    NULL)) {
					if (var != NULL && *var == NULL) {
						*var = p;
						*varlen = i;
					}
					return 1;
				}
			}
			return 0;
		}
		for (seg = 0; seg < len && p[seg] != '/'; seg++)
			;
		if (seg == 0)
			return 0;
		if (var != NULL && *var == NULL) {
			*var = p;
			*varlen = seg;
		}
		pat = rest, p += seg, len -= seg;
	}
	return len == 0;
}

int
route_match(const char *method, const char *path, size_t len,
    const char **var, size_t *varlen)
{
	size_t i;

	for (i = 0; i < route_count(); i++) {
		const char *pat = routes[i].pattern;

		/* cheap first: the literal character after the leading '/' */
		if (len >= 2 && pat[0] == '/' && pat[1] != '{' && pat[1] != '\0' &&
		    pat[1] != path[1])
			continue;
		*var = NULL;
		*varlen = 0;
		if (strcmp(routes[i].method, method) != 0)
			continue;
		if (pat_match(routes[i].pattern, path, len, var, varlen))
			return (int)i;
	}
	*var = NULL;
	return -1;
}

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * Names of containers, volumes, networks, execs: [A-Za-z0-9][A-Za-z0-9_.-]*.
 * Image references (and plugin names): the distribution grammar's alphabet,
 * path components separated by single '/', no empty or dot components.
 */
int
route_id_valid(enum id_kind k, const char *s, size_t len)
{
	size_t i;

	if (k == ID_NONE)
		return 1;
	if (len == 0 || len > 512 || !is_alnum((unsigned char)s[0]))
		return 0;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (is_alnum(c) || c == '_' || c == '.' || c == '-')
			continue;
		if (k == ID_IMAGE && (c == ':' || c == '@'))
			continue;
		if (k == ID_IMAGE && c == '/' && i + 1 < len &&
		    is_alnum((unsigned char)s[i + 1]))
			continue;
		return 0;
	}
	return 1;
}
