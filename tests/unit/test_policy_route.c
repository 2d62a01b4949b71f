/*
 * test_policy_route.c - head-phase decisions of the ci preset: path
 * normalization, routing, the endpoint allowlist, query rules, header
 * rejects and the canonical target.  One row per request; each row pins the
 * verdict, status, rule, canonical target and the exact message.
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "t.h"

#define A POLICY_ALLOW
#define D POLICY_DENY
#define R POLICY_REJECT
#define NB POLICY_NEED_BODY
/* the policy key a denial names */
#define K(key) " (policy key: " key ")"

struct row {
	const char	*method;
	const char	*target;
	const char	*ctype;		/* Content-Type or NULL */
	int		 body;		/* body_present */
	enum policy_verdict verdict;
	int		 status;
	const char	*fwd;		/* canonical target, NULL if none */
	const char	*op;
	const char	*msg;		/* policy_format_message() */
};

static const struct row rows[] = {
	/* the docker CLI flows */
	{ "HEAD", "/_ping", NULL, 0, A, 0, "/_ping", "system.ping",
	    "sockwarden: ping allowed" },
	{ "GET", "/_ping", NULL, 0, A, 0, "/_ping", "system.ping",
	    "sockwarden: ping allowed" },
	{ "GET", "/v1.41/version", NULL, 0, A, 0, "/v1.41/version",
	    "system.version", "sockwarden: version allowed" },
	{ "GET", "/v1.41/containers/json?all=1", NULL, 0, A, 0,
	    "/v1.41/containers/json?all=1", "container.list",
	    "sockwarden: container list allowed" },
	{ "POST", "/v1.41/containers/create?name=x", "application/json", 1, NB,
	    0, "/v1.41/containers/create?name=x", "container.create",
	    "sockwarden: container create allowed" },
	{ "POST", "/v1.41/containers/abc/attach?stream=1&stdin=1&stdout=1"
	    "&stderr=1&detachKeys=ctrl-p%2Cctrl-q", NULL, 0, A, 0,
	    "/v1.41/containers/abc/attach?stream=1&stdin=1&stdout=1&stderr=1"
	    "&detachKeys=ctrl-p%2Cctrl-q", "container.attach",
	    "sockwarden: container attach allowed" },
	{ "POST", "/v1.41/exec/e1/start", "application/json", 1, NB, 0,
	    "/v1.41/exec/e1/start", "exec.start",
	    "sockwarden: exec start allowed" },
	{ "PUT", "/v1.41/containers/c1/archive?path=%2Ftmp", "application/x-tar",
	    1, A, 0, "/v1.41/containers/c1/archive?path=%2Ftmp",
	    "container.archive-put",
	    "sockwarden: container archive write allowed" },
	{ "GET", "/v1.41/images/library/alpine:3.18/json", NULL, 0, A, 0,
	    "/v1.41/images/library/alpine:3.18/json", "image.inspect",
	    "sockwarden: image inspect allowed" },
	{ "POST", "/v1.41/build?t=swtest%2Fa&rm=1&networkmode=default"
	    "&buildargs=%7B%7D&shmsize=0", "application/x-tar", 1, A, 0,
	    "/v1.41/build?t=swtest%2Fa&rm=1&networkmode=default"
	    "&buildargs=%7B%7D&shmsize=0", "image.build",
	    "sockwarden: image build allowed" },
	{ "POST", "/v1.41/images/create?fromImage=alpine&tag=3.18", NULL, 0, A,
	    0, "/v1.41/images/create?fromImage=alpine&tag=3.18",
	    "image.create", "sockwarden: image pull allowed" },
	{ "GET", "/events?filters=%7B%7D", NULL, 0, A, 0,
	    "/events?filters=%7B%7D", "system.events",
	    "sockwarden: events allowed" },
	/* more CI flows (docker CLI 20.10/28, docker-py 5) */
	{ "GET", "/version", NULL, 0, A, 0,
	    "/version", "system.version",
	    "sockwarden: version allowed" },
	{ "GET", "/v1.41/info", NULL, 0, A, 0,
	    "/v1.41/info", "system.info",
	    "sockwarden: info allowed" },
	{ "GET", "/v1.41/containers/abc/json", NULL, 0, A, 0,
	    "/v1.41/containers/abc/json", "container.inspect",
	    "sockwarden: container inspect allowed" },
	{ "GET", "/v1.41/containers/abc/logs?follow=1&stdout=1&stderr=1&tail=all", NULL, 0, A, 0,
	    "/v1.41/containers/abc/logs?follow=1&stdout=1&stderr=1&tail=all", "container.logs",
	    "sockwarden: container logs allowed" },
	{ "GET", "/v1.41/containers/abc/stats?stream=0", NULL, 0, A, 0,
	    "/v1.41/containers/abc/stats?stream=0", "container.stats",
	    "sockwarden: container stats allowed" },
	{ "GET", "/v1.41/containers/abc/top?ps_args=-ef", NULL, 0, A, 0,
	    "/v1.41/containers/abc/top?ps_args=-ef", "container.top",
	    "sockwarden: container top allowed" },
	{ "POST", "/v1.41/containers/abc/start", NULL, 0, A, 0,
	    "/v1.41/containers/abc/start", "container.start",
	    "sockwarden: container start allowed" },
	{ "POST", "/v1.41/containers/abc/wait?condition=removed", NULL, 0, A, 0,
	    "/v1.41/containers/abc/wait?condition=removed", "container.wait",
	    "sockwarden: container wait allowed" },
	{ "POST", "/v1.41/containers/abc/resize?h=24&w=80", NULL, 0, A, 0,
	    "/v1.41/containers/abc/resize?h=24&w=80", "container.resize",
	    "sockwarden: container resize allowed" },
	{ "POST", "/v1.41/containers/abc/kill?signal=KILL", NULL, 0, A, 0,
	    "/v1.41/containers/abc/kill?signal=KILL", "container.kill",
	    "sockwarden: container kill allowed" },
	{ "POST", "/v1.41/containers/abc/stop?t=1", NULL, 0, A, 0,
	    "/v1.41/containers/abc/stop?t=1", "container.stop",
	    "sockwarden: container stop allowed" },
	{ "DELETE", "/v1.41/containers/abc?v=1&force=1", NULL, 0, A, 0,
	    "/v1.41/containers/abc?v=1&force=1", "container.delete",
	    "sockwarden: container delete allowed" },
	{ "HEAD", "/v1.41/containers/abc/archive?path=%2Fetc%2Fhostname", NULL, 0, A, 0,
	    "/v1.41/containers/abc/archive?path=%2Fetc%2Fhostname", "container.archive-stat",
	    "sockwarden: container archive stat allowed" },
	{ "GET", "/v1.41/containers/abc/archive?path=%2Fetc", NULL, 0, A, 0,
	    "/v1.41/containers/abc/archive?path=%2Fetc", "container.archive-get",
	    "sockwarden: container archive read allowed" },
	{ "POST", "/v1.41/exec/e1/resize?h=24&w=80", NULL, 0, A, 0,
	    "/v1.41/exec/e1/resize?h=24&w=80", "exec.resize",
	    "sockwarden: exec resize allowed" },
	{ "GET", "/v1.41/exec/e1/json", NULL, 0, A, 0,
	    "/v1.41/exec/e1/json", "exec.inspect",
	    "sockwarden: exec inspect allowed" },
	{ "GET", "/v1.41/images/json", NULL, 0, A, 0,
	    "/v1.41/images/json", "image.list",
	    "sockwarden: image list allowed" },
	{ "GET", "/v1.41/images/alpine/history", NULL, 0, A, 0,
	    "/v1.41/images/alpine/history", "image.history",
	    "sockwarden: image history allowed" },
	{ "GET", "/v1.41/images/get?names=alpine&names=busybox%3Alatest", NULL, 0, A, 0,
	    "/v1.41/images/get?names=alpine&names=busybox%3Alatest", "image.save",
	    "sockwarden: image save allowed" },
	{ "POST", "/v1.41/images/load?quiet=1", "application/x-tar", 1, A, 0,
	    "/v1.41/images/load?quiet=1", "image.load",
	    "sockwarden: image load allowed" },
	{ "DELETE", "/v1.41/images/swtest%2Fa:1?force=0", NULL, 0, A, 0,
	    "/v1.41/images/swtest/a:1?force=0", "image.delete",
	    "sockwarden: image delete allowed" },
	{ "POST", "/v1.41/images/alpine/tag?repo=swtest%2Falp&tag=x", NULL, 0, A, 0,
	    "/v1.41/images/alpine/tag?repo=swtest%2Falp&tag=x", "image.tag",
	    "sockwarden: image tag allowed" },
	{ "GET", "/v1.41/volumes?filters=%7B%7D", NULL, 0, A, 0,
	    "/v1.41/volumes?filters=%7B%7D", "volume.list",
	    "sockwarden: volume list allowed" },
	{ "DELETE", "/v1.41/volumes/v1?force=0", NULL, 0, A, 0,
	    "/v1.41/volumes/v1?force=0", "volume.delete",
	    "sockwarden: volume delete allowed" },
	{ "GET", "/v1.41/networks", NULL, 0, A, 0,
	    "/v1.41/networks", "network.list",
	    "sockwarden: network list allowed" },
	{ "DELETE", "/v1.41/networks/n1", NULL, 0, A, 0,
	    "/v1.41/networks/n1", "network.delete",
	    "sockwarden: network delete allowed" },
	{ "GET", "/v1.41/system/df", NULL, 0, A, 0,
	    "/v1.41/system/df", "system.df",
	    "sockwarden: disk usage allowed" },
	/* unknown parameters are dropped, not forwarded */
	{ "GET", "/v1.41/containers/json?all=1&evil=2", NULL, 0, A, 0,
	    "/v1.41/containers/json?all=1", "container.list",
	    "sockwarden: container list allowed" },
	/* endpoint allowlist */
	/* allowed in ci: ownership narrows it to the caller's (a tenant
	 * is given in test_policy_owner.c) */
	{ "POST", "/v1.41/containers/prune", NULL, 0, A, 0,
	    "/v1.41/containers/prune", "container.prune",
	    "sockwarden: container prune allowed" },
	{ "POST", "/v1.41/images/prune", NULL, 0, D, 403, NULL,
	    "image.prune", "sockwarden: image prune denied by rule "
	    "endpoint: image prune is not an allowed endpoint (operation "
	    "image.prune): it would remove every job's objects, not only "
	    "the caller's" K("endpoints.allow") },
	{ "GET", "/v1.41/swarm", NULL, 0, D, 403, NULL, "swarm.inspect",
	    "sockwarden: swarm inspect denied by rule endpoint: swarm inspect "
	    "is not an allowed endpoint (operation swarm.inspect)"
	    K("endpoints.allow") },
	{ "POST", "/grpc", NULL, 0, D, 403, NULL, "grpc",
	    "sockwarden: buildkit grpc denied by rule endpoint: buildkit grpc "
	    "is not an allowed endpoint (operation grpc)"
	    K("endpoints.allow") },
	{ "GET", "/debug/pprof/profile?seconds=600", NULL, 0, D, 403, NULL,
	    "debug", "sockwarden: debug denied by rule endpoint: debug is not "
	    "an allowed endpoint (operation debug)" K("endpoints.allow") },
	/* trailing slash is significant: no route, like mux */
	{ "GET", "/v1.41/containers/json/", NULL, 0, D, 403, NULL, "unknown",
	    "sockwarden: request denied by rule endpoint: GET "
	    "/containers/json/ is not a known engine endpoint" },
	{ "GET", "/v1.41/nope", NULL, 0, D, 403, NULL, "unknown",
	    "sockwarden: request denied by rule endpoint: GET /nope is not a "
	    "known engine endpoint" },
	{ "get", "/v1.41/version", NULL, 0, D, 403, NULL, "unknown",
	    "sockwarden: request denied by rule endpoint: get /version is not "
	    "a known engine endpoint" },
	{ "GET", "/Containers/json", NULL, 0, D, 403, NULL, "unknown",
	    "sockwarden: request denied by rule endpoint: GET /Containers/json "
	    "is not a known engine endpoint" },
	{ "OPTIONS", "/v1.41/containers/json", NULL, 0, D, 403, NULL,
	    "system.options", "sockwarden: options request denied by rule "
	    "endpoint: options request is not an allowed endpoint (operation "
	    "system.options)" K("endpoints.allow") },
	{ "GET", "/containers/x/attach/ws", NULL, 0, D, 403, NULL,
	    "container.attach-ws", "sockwarden: container websocket attach "
	    "denied by rule endpoint: container websocket attach is not an "
	    "allowed endpoint (operation container.attach-ws)"
	    K("endpoints.allow") },
	/* %2F decodes before routing: exec create for container "x" */
	{ "POST", "/v1.41/containers/x%2Fexec", "application/json", 1, NB, 0,
	    "/v1.41/containers/x/exec", "exec.create",
	    "sockwarden: exec create allowed" },
	/* greedy {name:.*}: kill route, container "x/start" is invalid */
	{ "POST", "/containers/x/start/kill", NULL, 0, D, 403, NULL,
	    "container.kill", "sockwarden: container kill denied by rule "
	    "endpoint: the object name in the path is not a valid name" },
	/* paths the engine would redirect (301) */
	{ "POST", "/v1.41/containers/../containers/create", NULL, 0, R, 400,
	    NULL, "", "sockwarden: request rejected: the path is not canonical "
	    "(dot segment or empty segment); the engine would redirect it" },
	{ "POST", "//containers/create", NULL, 0, R, 400, NULL, "",
	    "sockwarden: request rejected: the path is not canonical (dot "
	    "segment or empty segment); the engine would redirect it" },
	{ "GET", "/v1.41/containers/%2e%2e/json", NULL, 0, R, 400, NULL, "",
	    "sockwarden: request rejected: the path is not canonical (dot "
	    "segment or empty segment); the engine would redirect it" },
	{ "GET", "/v1.41/containers/%zz/json", NULL, 0, R, 400, NULL, "",
	    "sockwarden: request rejected: the path has an invalid "
	    "percent-escape" },
	{ "GET", "/v1.41/containers/%0a/json", NULL, 0, R, 400, NULL, "",
	    "sockwarden: request rejected: the decoded path contains a control "
	    "character" },
	/* versions */
	{ "GET", "/V1.41/version", NULL, 0, D, 403, NULL, "unknown",
	    "sockwarden: request denied by rule endpoint: GET /V1.41/version "
	    "is not a known engine endpoint" },
	{ "GET", "/v1.041/version", NULL, 0, R, 400, NULL, "",
	    "sockwarden: request rejected: unsupported API version in the "
	    "path (accepted: /v1.24/ to /v1.56/ or none)" },
	{ "GET", "/v1.41.0/version", NULL, 0, R, 400, NULL, "",
	    "sockwarden: request rejected: unsupported API version in the "
	    "path (accepted: /v1.24/ to /v1.56/ or none)" },
	{ "GET", "/v1..41/version", NULL, 0, R, 400, NULL, "",
	    "sockwarden: request rejected: unsupported API version in the "
	    "path (accepted: /v1.24/ to /v1.56/ or none)" },
	{ "GET", "/v1.12/version", NULL, 0, R, 400, NULL, "",
	    "sockwarden: request rejected: unsupported API version in the "
	    "path (accepted: /v1.24/ to /v1.56/ or none)" },
	{ "GET", "/v1.%34%31/version", NULL, 0, A, 0, "/v1.41/version",
	    "system.version", "sockwarden: version allowed" },
	/* query string */
	{ "POST", "/images/create?fromImage=alpine;x=1", NULL, 0, R, 400, NULL,
	    "", "sockwarden: request rejected: ';' in the query "
	    "string is ambiguous (Go drops such parameters on some routes "
	    "only)" },
	{ "POST", "/images/create?fromImage=alpine&fromImage=evil", NULL, 0, R,
	    400, NULL, "image.create", "sockwarden: image pull rejected: the "
	    "query parameter 'fromImage' is given more than once" },
	{ "POST", "/images/create?%66romImage=evil.example%2Fx", NULL, 0, D,
	    403, NULL, "image.create", "sockwarden: image pull denied by rule "
	    "images: the pulled image 'evil.example/x' is not in the image "
	    "allowlist" K("checks.images.allow") },
	{ "POST", "/images/create?fromSrc=http%3A%2F%2F169.254.169.254%2F",
	    NULL, 0, D, 403, NULL, "image.create", "sockwarden: image pull "
	    "denied by rule image-source: importing an image from a URL is not "
	    "allowed: the engine would fetch it" },
	/* docker import from the body: the name it takes is checked */
	{ "POST", "/images/create?fromSrc=-&repo=ci%2Fimp&tag=1",
	    "application/x-tar", 1, A, 0,
	    "/images/create?fromSrc=-&repo=ci%2Fimp&tag=1", "image.create",
	    "sockwarden: image pull allowed" },
	{ "POST", "/images/create?fromSrc=-&repo=evil.example%2Fx",
	    "application/x-tar", 1, D, 403, NULL, "image.create",
	    "sockwarden: image pull denied by rule images: the imported image "
	    "'evil.example/x' is not in the image allowlist"
	    K("checks.images.allow") },
	/* registries on local addresses: the engine would connect from the
	 * host (the SSRF class of issue 11) */
	{ "GET", "/v1.41/distribution/127.0.0.1:5000/x/json", NULL, 0, D, 403,
	    NULL, "distribution.inspect", "sockwarden: distribution inspect "
	    "denied by rule images: the looked-up image '127.0.0.1:5000/x' is "
	    "not in the image allowlist" K("checks.images.allow") },
	{ "GET", "/v1.41/distribution/alpine/json", NULL, 0, A, 0,
	    "/v1.41/distribution/alpine/json", "distribution.inspect",
	    "sockwarden: distribution inspect allowed" },
	{ "POST", "/v1.41/images/ci%2Fapp/push?tag=1", NULL, 0, A, 0,
	    "/v1.41/images/ci/app/push?tag=1", "image.push",
	    "sockwarden: image push allowed" },
	{ "POST", "/v1.41/images/evil.example%2Fapp/push", NULL, 0, D, 403,
	    NULL, "image.push", "sockwarden: image push denied by rule images: "
	    "the pushed image 'evil.example/app' is not in the image "
	    "allowlist" K("checks.images.allow") },
	{ "POST", "/v1.41/build?networkmode=host", NULL, 1, D, 403, NULL,
	    "image.build", "sockwarden: image build denied by rule build: "
	    "build networkmode 'host' is not allowed" K("checks.build") },
	{ "POST", "/v1.41/build?cgroupparent=%2Fsystem.slice", NULL, 1, D,
	    403, NULL, "image.build", "sockwarden: image build denied by rule "
	    "cgroup-parent: build cgroupparent '/system.slice' is not "
	    "allowed" K("checks.cgroup-parent.allow") },
	{ "POST", "/v1.41/build?remote=http%3A%2F%2Fx%2Fc.tar", NULL, 0, D,
	    403, NULL, "image.build", "sockwarden: image build denied by rule "
	    "build: a remote build context (remote=) makes the engine fetch a "
	    "URL or git repository" K("checks.build") },
	{ "POST", "/v1.41/build?extrahosts=gw%3Ahost-gateway", NULL, 1, D,
	    403, NULL, "image.build", "sockwarden: image build denied by rule "
	    "extra-hosts: build extra host 'gw:host-gateway' points at the "
	    "host" K("checks.extra-hosts.host_gateway") },
	/* BuildKit over the caller's session */
	{ "POST", "/v1.41/build?version=2&remote=client-session&session=abc"
	    "&buildid=b1", NULL, 0, A, 0,
	    "/v1.41/build?version=2&remote=client-session&session=abc"
	    "&buildid=b1", "image.build", "sockwarden: image build allowed" },
	{ "POST", "/v1.41/build?version=3", NULL, 0, R, 400, NULL,
	    "image.build", "sockwarden: image build rejected: build version "
	    "must be 1 or 2" },
	{ "POST", "/v1.41/build?version=2&outputs=%5B%7B%22Type%22%3A%22image"
	    "%22%2C%22Attrs%22%3A%7B%22name%22%3A%22x%22%7D%7D%5D", NULL, 0, D,
	    403, NULL, "image.build", "sockwarden: image build denied by rule "
	    "build: build output type 'image' is not allowed (only local, tar "
	    "and cacheonly, which write to the client)" K("checks.build") },
	{ "POST", "/v1.41/build?version=2&outputs=%5B%7B%22type%22%3A%22local"
	    "%22%2C%22attrs%22%3A%7B%22dest%22%3A%22out%22%7D%7D%5D", NULL, 0,
	    A, 0, "/v1.41/build?version=2&outputs=%5B%7B%22type%22%3A%22local"
	    "%22%2C%22attrs%22%3A%7B%22dest%22%3A%22out%22%7D%7D%5D",
	    "image.build", "sockwarden: image build allowed" },
	{ "POST", "/v1.41/build?version=2&cachefrom=%5B%22alpine%2C127.0.0.1"
	    "%3A5000%2Fc%22%5D", NULL, 0, D, 403, NULL, "image.build",
	    "sockwarden: image build denied by rule images: the build cache "
	    "source '127.0.0.1:5000/c' is not in the image allowlist"
	    K("checks.images.allow") },
	{ "POST", "/v1.41/build?version=2&buildargs=%7B%22BUILDKIT_SYNTAX%22"
	    "%3A%22evil.example%2Ff%22%7D", NULL, 0, D, 403, NULL,
	    "image.build", "sockwarden: image build denied by rule images: the "
	    "BuildKit frontend image 'evil.example/f' is not in the image "
	    "allowlist" K("checks.images.allow") },
	{ "POST", "/v1.41/build?t=ok%2Fa&t=evil.example%2Fa%3A1", NULL, 1, D,
	    403, NULL, "image.build", "sockwarden: image build denied by rule "
	    "images: the build tag 'evil.example/a' is not in the image "
	    "allowlist" K("checks.images.allow") },
	{ "POST", "/v1.41/containers/c/start?checkpoint-dir=%2Fetc", NULL, 0,
	    D, 403, NULL, "container.start", "sockwarden: container start "
	    "denied by rule endpoint: starting from a checkpoint is not "
	    "allowed" },
	/* form bodies would override the query */
	{ "POST", "/images/create?fromImage=alpine",
	    "application/x-www-form-urlencoded", 1, R, 400, NULL,
	    "image.create", "sockwarden: image pull rejected: form-encoded "
	    "bodies are not allowed: the engine would let them override query "
	    "parameters" },
	{ "POST", "/build", "Multipart/Form-Data; boundary=x", 1, R, 400,
	    NULL, "image.build", "sockwarden: image build rejected: "
	    "form-encoded bodies are not allowed: the engine would let them "
	    "override query parameters" },
	{ "POST", "/v1.41/containers/create", "text/plain", 1, R, 400, NULL,
	    "container.create", "sockwarden: container create rejected: a JSON "
	    "body needs Content-Type application/json" },
	/* a body where the engine reads none: read, then dropped */
	{ "POST", "/v1.41/containers/c/start", NULL, 1, NB, 0,
	    "/v1.41/containers/c/start", "container.start",
	    "sockwarden: container start allowed" },
	/* request-target forms */
	{ "GET", "http://x/v1.41/version", NULL, 0, R, 400, NULL, "",
	    "sockwarden: request rejected: the request target must be an "
	    "absolute path" },
	{ "GET", "*", NULL, 0, R, 400, NULL, "", "sockwarden: request "
	    "rejected: the request target must be an absolute path" },
};

static void
run_row(const struct row *r)
{
	struct policy_header h[2];
	struct policy_request q;
	struct policy_decision d;
	char msg[512];
	size_t nh = 0;

	memset(&q, 0, sizeof(q));
	if (r->ctype != NULL) {
		h[nh].name = "Content-Type";
		h[nh].name_len = 12;
		h[nh].value = r->ctype;
		h[nh].value_len = strlen(r->ctype);
		nh++;
	}
	q.method = r->method;
	q.target = r->target;
	q.target_len = strlen(r->target);
	q.headers = h;
	q.nheaders = nh;
	q.body_present = r->body;
	policy_eval(policy_default(), &q, &d);
	policy_format_message(&d, msg, sizeof(msg));
	if (d.verdict != r->verdict || strcmp(msg, r->msg) != 0)
		fprintf(stderr, "row: %s %s\n", r->method, r->target);
	CHECK_INT(d.verdict, r->verdict);
	if (r->verdict != A && r->verdict != NB)
		CHECK_INT(d.status, r->status);
	if (r->fwd != NULL)
		CHECK_STR(d.target, r->fwd);
	else
		CHECK(d.target == NULL);
	CHECK_STR(d.operation, r->op);
	CHECK_STR(msg, r->msg);
	policy_decision_clear(&d);
}

static void
test_classification(void)
{
	struct policy_request q;
	struct policy_decision d;
	struct policy_header up = { "upgrade", 7, "tcp", 3 };

	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.target = "/v1.41/exec/abc/start";
	q.target_len = strlen(q.target);
	policy_eval(policy_default(), &q, &d);
	CHECK_INT(d.hijack, 1);
	CHECK_INT(d.body_kind, POLICY_BODY_JSON);
	policy_decision_clear(&d);

	q.target = "/v1.41/build";
	q.target_len = strlen(q.target);
	q.body_present = 1;
	policy_eval(policy_default(), &q, &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.hijack, 0);
	CHECK_INT(d.body_kind, POLICY_BODY_STREAM);
	policy_decision_clear(&d);

	/* Upgrade on a route that does not hijack */
	q.target = "/v1.41/containers/c/wait";
	q.target_len = strlen(q.target);
	q.body_present = 0;
	q.headers = &up;
	q.nheaders = 1;
	policy_eval(policy_default(), &q, &d);
	CHECK_INT(d.verdict, POLICY_REJECT);
	CHECK_INT(d.status, 400);
	CHECK_STR(d.reason, "an Upgrade header is not allowed on container "
	    "wait");
	policy_decision_clear(&d);

	/* ... and allowed on one that does */
	q.target = "/v1.41/containers/c/attach?stream=1";
	q.target_len = strlen(q.target);
	policy_eval(policy_default(), &q, &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.hijack, 1);
	CHECK_INT(d.body_kind, POLICY_BODY_NONE);
	policy_decision_clear(&d);

	/* the session tunnel of the classic builder */
	q.method = "POST";
	q.target = "/session";
	q.target_len = strlen(q.target);
	policy_eval(policy_default(), &q, &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.hijack, 1);
	policy_decision_clear(&d);
}

static void
test_presets(void)
{
	CHECK(policy_preset_text("ci") != NULL);
	CHECK(policy_preset_text("readonly") != NULL);
	CHECK(policy_preset_text("deny-all") != NULL);
	CHECK(policy_preset_text("nope") == NULL);
	CHECK(strstr(policy_preset_text("ci"), "\"endpoints\"") != NULL);
	CHECK(policy_default() == policy_default());
	policy_free(policy_default());	/* a no-op on the built-in */
	CHECK(policy_name(policy_default()) != NULL);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	test_classification();
	test_presets();
	return t_done();
}
