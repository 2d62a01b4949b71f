/*
 * test_policy_body.c - body-phase decisions: one row per rule and per
 * bypass of section G of engine-api-security.md, each pinning the verdict
 * and the exact message.  Rows run against the ci preset, or against "ws":
 * ci plus bind roots: writable /tmp/sw-ws (itself only), read-only /srv/ro
 * and writable /tmp/sw-sub (both with subpaths).
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_int.h"
#include "t.h"

#define A POLICY_ALLOW
#define D POLICY_DENY
#define R POLICY_REJECT

struct row {
	int		 ws;		/* evaluate with the workspace policy */
	const char	*target;	/* POST target */
	const char	*body;
	enum policy_verdict verdict;
	const char	*msg;
};

#define CC "/v1.41/containers/create"
#define HC(x) "{\"Image\":\"alpine\",\"HostConfig\":{" x "}}"
#define DENY(rule, why) "sockwarden: container create denied by rule " \
	rule ": " why
#define REJ(why) "sockwarden: container create rejected: " why
/* the policy key a denial names */
#define K(key) " (policy key: " key ")"
#define OK "sockwarden: container create allowed"

/* What docker CLI 20.10 sends for `docker run --rm alpine echo hi`. */
#define CLI20 "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\"," \
	"\"AttachStdin\":false,\"AttachStdout\":true,\"AttachStderr\":true," \
	"\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[]," \
	"\"Cmd\":[\"echo\",\"hi\"],\"Image\":\"alpine\",\"Volumes\":{}," \
	"\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null," \
	"\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":" \
	"\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":" \
	"\"default\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\"," \
	"\"MaximumRetryCount\":0},\"AutoRemove\":true,\"VolumeDriver\":\"\"," \
	"\"VolumesFrom\":null,\"CapAdd\":null,\"CapDrop\":null," \
	"\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[]," \
	"\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":" \
	"\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":" \
	"false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false," \
	"\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":" \
	"0,\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":" \
	"0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0," \
	"\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":null," \
	"\"BlkioDeviceWriteBps\":null,\"BlkioDeviceReadIOps\":null," \
	"\"BlkioDeviceWriteIOps\":null,\"CpuPeriod\":0,\"CpuQuota\":0," \
	"\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\"," \
	"\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null," \
	"\"DeviceRequests\":null,\"KernelMemory\":0,\"KernelMemoryTCP\":0," \
	"\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1," \
	"\"OomKillDisable\":false,\"PidsLimit\":null,\"Ulimits\":null," \
	"\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0," \
	"\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null}," \
	"\"NetworkingConfig\":{\"EndpointsConfig\":{}}}"

/* A newer CLI (28) negotiated down: extra members, all zero or known. */
#define CLI28 "{\"Image\":\"alpine\",\"Cmd\":[\"true\"],\"HostConfig\":{" \
	"\"NetworkMode\":\"bridge\",\"Annotations\":null,\"Mounts\":null," \
	"\"Init\":null,\"ConsoleSize\":[24,80],\"PidsLimit\":0}," \
	"\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"IPAMConfig\":" \
	"null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\"" \
	":null,\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\"," \
	"\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":" \
	"\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\"" \
	":null}}}}"

static const struct row rows[] = {
	{ 0, CC, CLI20, A, OK },
	{ 0, CC, CLI28, A, OK },
	{ 0, CC "?name=x", "{\"Image\":\"swtest/app:1\"}", A, OK },
	{ 0, CC, "", D, DENY("images", "the image '' is not a valid image "
	    "reference") },
	{ 0, CC, "null", R, REJ("the container config cannot be empty") },
	/* privileged and its spellings (G1, G2, G3, G6) */
	{ 0, CC, HC("\"Privileged\":true"), D, DENY("privileged",
	    "privileged containers are not allowed") },
	{ 0, CC, HC("\"privileged\":true"), D, DENY("privileged",
	    "privileged containers are not allowed") },
	{ 0, CC, HC("\"PRIVILEGED\":true"), D, DENY("privileged",
	    "privileged containers are not allowed") },
	{ 0, CC, HC("\"\\u0050rivileged\":true"), D, DENY("privileged",
	    "privileged containers are not allowed") },
	{ 0, CC, HC("\"Privileged\":false,\"privileged\":true"), R,
	    REJ("HostConfig.Privileged is given twice ('Privileged' and "
	    "'privileged'); the engine would merge them") },
	{ 0, CC, "{\"Image\":\"alpine\",\"HostConfig\":{\"Privileged\":true},"
	    "\"HostConfig\":{\"Memory\":1}}", R, REJ("HostConfig is given "
	    "twice ('HostConfig' and 'HostConfig'); the engine would merge "
	    "them") },
	{ 0, CC, "{\"Image\":\"alpine\",\"\\u0048ostConfig\":{\"PidMode\":"
	    "\"host\"}}", D, DENY("namespaces", "HostConfig.PidMode=host "
	    "shares the host's pid namespace") K("checks.namespaces") },
	{ 0, CC, HC("\"Privileged\":\"true\""), R, REJ("HostConfig.Privileged "
	    "must be a boolean") },
	{ 0, CC, HC("\"Privileged\":1"), R, REJ("HostConfig.Privileged must "
	    "be a boolean") },
	/* Unicode folding (G4, G5) */
	{ 0, CC, HC("\"Bind\xc5\xbf\":[\"/:/host\"]"), D, DENY("binds",
	    "binding the host path '/' (HostConfig.Binds[0]) is not "
	    "allowed") K("checks.binds.roots") },
	{ 0, CC, HC("\"Networ\xe2\x84\xaaMode\":\"host\""), D,
	    DENY("namespaces", "HostConfig.NetworkMode=host shares the host's "
	    "network namespace") K("checks.namespaces") },
	/* capabilities (G7) */
	{ 0, CC, HC("\"CapAdd\":[\"cap_\xc5\xbfy\xc5\xbf_adm\xc4\xb1n\"]"), D,
	    DENY("capabilities", "the capability 'cap_\xc5\xbfy\xc5\xbf_"
	    "adm\xc4\xb1n' in HostConfig.CapAdd is not plain ASCII")
	    K("checks.capabilities.allow") },
	{ 0, CC, HC("\"CapAdd\":[\"sys_admin\"]"), D, DENY("capabilities",
	    "adding capability CAP_SYS_ADMIN is not allowed")
	    K("checks.capabilities.allow") },
	{ 0, CC, HC("\"CapAdd\":\"ALL\""), D, DENY("capabilities", "adding "
	    "capability ALL is not allowed") K("checks.capabilities.allow") },
	{ 0, CC, HC("\"CapAdd\":[\"NET_BIND_SERVICE\",\"cap_chown\"],"
	    "\"CapDrop\":[\"ALL\"]"), A, OK },
	{ 0, CC, HC("\"Capabilities\":[\"CAP_SYS_ADMIN\"]"), D,
	    DENY("capabilities", "the legacy HostConfig.Capabilities field is "
	    "not allowed") K("checks.capabilities.allow") },
	/* namespaces */
	{ 0, CC, HC("\"IpcMode\":\"host\""), D, DENY("namespaces",
	    "HostConfig.IpcMode=host shares the host's ipc namespace")
	    K("checks.namespaces") },
	{ 0, CC, HC("\"UTSMode\":\"host\""), D, DENY("namespaces",
	    "HostConfig.UTSMode=host shares the host's uts namespace")
	    K("checks.namespaces") },
	{ 0, CC, HC("\"UsernsMode\":\"host\""), D, DENY("namespaces",
	    "HostConfig.UsernsMode=host shares the host's userns namespace")
	    K("checks.namespaces") },
	{ 0, CC, HC("\"CgroupnsMode\":\"host\""), D, DENY("namespaces",
	    "HostConfig.CgroupnsMode=host shares the host's cgroup "
	    "namespace") K("checks.namespaces") },
	/* empty CgroupnsMode is the daemon default at every version */
	{ 0, "/v1.40/containers/create", HC("\"Memory\":0"), A, OK },
	/* the deprecated embedded HostConfig: refused whatever the modes */
	{ 0, CC, "{\"Image\":\"alpine\",\"Privileged\":true}", R,
	    REJ("HostConfig field 'Privileged' at the top level of the body "
	    "(a legacy form the engine still reads); put it inside "
	    "HostConfig") },
	{ 0, CC, "{\"Image\":\"alpine\",\"HostConfig\":null,"
	    "\"bindſ\":[\"/:/h\"]}", R,
	    REJ("HostConfig field 'bindſ' at the top level of the body "
	    "(a legacy form the engine still reads); put it inside "
	    "HostConfig") },
	{ 0, CC, "{\"Image\":\"alpine\",\"Memory\":0}", A, OK },
	{ 0, CC, "{\"Image\":\"alpine\",\"Memory\":1}", R,
	    REJ("HostConfig field 'Memory' at the top level of the body "
	    "(a legacy form the engine still reads); put it inside "
	    "HostConfig") },
	{ 0, CC, HC("\"NetworkMode\":\"Host\""), A, OK },
	{ 0, CC, HC("\"PidMode\":\"container:victim\""), D, DENY("namespaces",
	    "HostConfig.PidMode joins the pid namespace of another container "
	    "(victim)") K("checks.namespaces") },
	{ 0, CC, HC("\"NetworkMode\":\"container:abc\""), D,
	    DENY("namespaces", "HostConfig.NetworkMode joins the network "
	    "namespace of another container (abc)") K("checks.namespaces") },
	/* devices */
	{ 0, CC, HC("\"Devices\":[{\"PathOnHost\":\"/dev/sda\"}]"), D,
	    DENY("devices", "host devices (Devices) are not allowed") },
	{ 0, CC, HC("\"DeviceRequests\":[{\"Driver\":\"nvidia\","
	    "\"Count\":-1}]"), D, DENY("devices", "host devices "
	    "(DeviceRequests) are not allowed") },
	{ 0, CC, HC("\"DeviceCgroupRules\":[\"b *:* rwm\"]"), D,
	    DENY("devices", "host devices (DeviceCgroupRules) are not "
	    "allowed") },
	/* binds and mounts (G10, G13) */
	{ 0, CC, HC("\"Binds\":[\"/var/run/docker.sock:/s\"]"), D,
	    DENY("binds", "binding the host path '/var/run/docker.sock' "
	    "(HostConfig.Binds[0]) is not allowed") K("checks.binds.roots") },
	{ 0, CC, HC("\"Binds\":[\"data:/data\",\"/anon\"]"), A, OK },
	/* sockwarden's socket only while sockwarden listens there (see
	 * test_self_socket for the allowed case) */
	{ 0, CC, HC("\"Binds\":[\"/run/sockwarden/docker.sock:"
	    "/var/run/docker.sock\"]"), D, DENY("binds", "the host path "
	    "'/run/sockwarden/docker.sock' (HostConfig.Binds[0]) is admitted "
	    "only as sockwarden's own socket, and sockwarden is not listening "
	    "there") K("checks.binds.roots") },
	{ 0, CC, HC("\"Binds\":[\"/run/sockwarden:/s\"]"), D, DENY("binds",
	    "binding the host path '/run/sockwarden' (HostConfig.Binds[0]) is "
	    "not allowed") K("checks.binds.roots") },
	{ 1, CC, HC("\"Binds\":[\"/tmp/sw-ws:/ws\",\"/tmp/sw-sub/a/b:/x:rw\"]"),
	    A, OK },
	/* a job could plant a symlink below a writable root */
	{ 1, CC, HC("\"Binds\":[\"/tmp/sw-ws/x:/host\"]"), D, DENY("binds",
	    "the host path '/tmp/sw-ws/x' (HostConfig.Binds[0]) is below the "
	    "root '/tmp/sw-ws', which admits only itself (subpaths could be "
	    "symlinks)") K("checks.binds.roots") },
	{ 1, CC, HC("\"Binds\":[\"/tmp/sw-ws2:/ws\"]"), D, DENY("binds",
	    "binding the host path '/tmp/sw-ws2' (HostConfig.Binds[0]) is not "
	    "allowed") K("checks.binds.roots") },
	{ 1, CC, HC("\"Binds\":[\"/tmp/sw-ws/../../etc:/x\"]"), D,
	    DENY("binds", "the host path '/tmp/sw-ws/../../etc' in "
	    "HostConfig.Binds[0] is not in canonical form")
	    K("checks.binds.roots") },
	{ 1, CC, HC("\"Binds\":[\"/tmp/sw-ws//a:/x\"]"), D, DENY("binds",
	    "the host path '/tmp/sw-ws//a' in HostConfig.Binds[0] is not in "
	    "canonical form") K("checks.binds.roots") },
	{ 1, CC, HC("\"Binds\":[\"/tmp/sw-ws:/x:Z\"]"), D, DENY("binds",
	    "HostConfig.Binds[0] relabels the host path (SELinux 'Z')")
	    K("checks.binds.roots") },
	{ 1, CC, HC("\"Binds\":[\"/tmp/sw-ws:/x:rshared\"]"), D,
	    DENY("propagation", "HostConfig.Binds[0] uses rshared mount "
	    "propagation") },
	{ 1, CC, HC("\"Binds\":[\"/srv/ro/x:/x\"]"), D, DENY("binds",
	    "the host path '/srv/ro/x' (HostConfig.Binds[0]) may only be bound "
	    "read-only") K("checks.binds.roots") },
	{ 1, CC, HC("\"Binds\":[\"/srv/ro/x:/x:ro,nocopy\"]"), A, OK },
	{ 1, CC, HC("\"Binds\":[\"/a:/b:ro:x\"]"), D, DENY("binds",
	    "HostConfig.Binds[0] has too many ':' separators")
	    K("checks.binds.roots") },
	{ 0, CC, HC("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\","
	    "\"Target\":\"/h\"}]"), D, DENY("binds", "binding the host path "
	    "'/' (HostConfig.Mounts[0]) is not allowed")
	    K("checks.binds.roots") },
	{ 1, CC, HC("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/ro\","
	    "\"Target\":\"/h\",\"ReadOnly\":true,\"BindOptions\":"
	    "{\"ReadOnlyNonRecursive\":true}}]"), D, DENY("binds", "the host "
	    "path '/srv/ro' (HostConfig.Mounts[0]) may only be bound "
	    "read-only") K("checks.binds.roots") },
	{ 1, CC, HC("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/tmp/sw-ws\","
	    "\"Target\":\"/h\",\"BindOptions\":{\"Propagation\":\"shared\"}}]"),
	    D, DENY("propagation", "HostConfig.Mounts[0] uses shared mount "
	    "propagation") },
	{ 0, CC, HC("\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/h\","
	    "\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\","
	    "\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/\"}}}}]"),
	    D, DENY("volume-options", "HostConfig.Mounts[0] sets volume driver "
	    "options (a local driver bind such as type=none,o=bind reaches the "
	    "host)") },
	{ 0, CC, HC("\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\","
	    "\"Target\":\"/h\",\"VolumeOptions\":{\"DriverConfig\":{\"Name\":"
	    "\"evil\"}}}]"), D, DENY("volume-driver", "the volume driver 'evil' "
	    "in HostConfig.Mounts[0] is not allowed")
	    K("checks.volume-driver.allow") },
	{ 0, CC, HC("\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\","
	    "\"Target\":\"/h\",\"VolumeOptions\":{\"Subpath\":\"../..\"}}]"), D,
	    DENY("binds", "HostConfig.Mounts[0].VolumeOptions.Subpath '../..' "
	    "leaves the volume") K("checks.binds.roots") },
	{ 0, CC, HC("\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\","
	    "\"Target\":\"/h\"},{\"Type\":\"tmpfs\",\"Target\":\"/t\"}]"), A,
	    OK },
	{ 0, CC, HC("\"Mounts\":[{\"Type\":\"image\",\"Source\":"
	    "\"evil.example/x\",\"Target\":\"/h\"}]"), D, DENY("images", "the "
	    "mounted image 'evil.example/x' is not in the image allowlist")
	    K("checks.images.allow") },
	{ 0, CC, HC("\"Mounts\":[{\"Type\":\"npipe\",\"Source\":\"x\","
	    "\"Target\":\"/h\"}]"), D, DENY("binds", "HostConfig.Mounts[0] has "
	    "mount type 'npipe', which is not allowed")
	    K("checks.binds.roots") },
	{ 0, CC, HC("\"Mounts\":[{\"Type\":\"tmpfs\","
	    "\"Target\":\"/h\",\"Consistency\":\"x\",\"Bogus\":1}]"), A, OK },
	/* volumes-from (G12) */
	{ 0, CC, HC("\"VolumesFrom\":[\"priv:ro\"]"), D, DENY("volumes-from",
	    "inheriting the volumes of container 'priv' is not allowed")
	    K("checks.volumes-from.allow") },
	/* confinement (G8, G9) */
	{ 0, CC, HC("\"SecurityOpt\":[\"seccomp:unconfined\"]"), D,
	    DENY("security-options", "the security option 'seccomp:unconfined' "
	    "is not allowed") K("checks.security-options") },
	{ 0, CC, HC("\"SecurityOpt\":[\"label=disable\"]"), D,
	    DENY("security-options", "the security option 'label=disable' is "
	    "not allowed") K("checks.security-options") },
	{ 0, CC, HC("\"SecurityOpt\":[\"apparmor=unconfined\"]"), D,
	    DENY("security-options", "the security option "
	    "'apparmor=unconfined' is not allowed")
	    K("checks.security-options") },
	{ 0, CC, HC("\"SecurityOpt\":[\"no-new-privileges\"]"), A, OK },
	{ 0, CC, HC("\"MaskedPaths\":[],\"ReadonlyPaths\":[]"), D,
	    DENY("security-options", "setting MaskedPaths or ReadonlyPaths "
	    "replaces the engine's protected system paths")
	    K("checks.security-options") },
	{ 0, CC, HC("\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}"), D,
	    DENY("sysctls", "the sysctl 'net.ipv4.ip_forward' is not "
	    "allowed") K("checks.sysctls.allow") },
	/* runtime (G14) */
	{ 0, CC, HC("\"Runtime\":\"io.containerd.runsc.v1\""), D,
	    DENY("runtime", "the runtime 'io.containerd.runsc.v1' is not "
	    "allowed") K("checks.runtime.allow") },
	{ 0, CC, HC("\"Runtime\":\"runc\""), A, OK },
	{ 0, CC, HC("\"Annotations\":{\"a\":\"b\"}"), D, DENY("runtime",
	    "annotations are passed to the OCI runtime and are not "
	    "allowed") K("checks.runtime.allow") },
	{ 0, CC, HC("\"CgroupParent\":\"/\""), D, DENY("cgroup-parent",
	    "the cgroup parent '/' is not allowed")
	    K("checks.cgroup-parent.allow") },
	{ 0, CC, HC("\"VolumeDriver\":\"rexray\""), D, DENY("volume-driver",
	    "the volume driver 'rexray' is not allowed")
	    K("checks.volume-driver.allow") },
	/* images */
	{ 0, CC, "{\"Image\":\"evil.example.com:5000/x/y:1\"}", D,
	    DENY("images", "the image 'evil.example.com:5000/x/y' is not in "
	    "the image allowlist") K("checks.images.allow") },
	{ 0, CC, "{\"Image\":\"ALPINE\"}", D, DENY("images", "the image "
	    "'ALPINE' is not a valid image reference") },
	{ 0, CC, "{\"Image\":\"docker.io/library/alpine@sha256:"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}",
	    A, OK },
	/* resources */
	{ 0, CC, HC("\"Memory\":17179869185"), D, DENY("resources",
	    "HostConfig.Memory 17179869185 exceeds the ceiling of 17179869184 "
	    "bytes") K("checks.resources") },
	{ 0, CC, HC("\"Memory\":1.5"), R, REJ("HostConfig.Memory must be an "
	    "integer") },
	{ 0, CC, HC("\"Memory\":1e3"), R, REJ("HostConfig.Memory must be an "
	    "integer") },
	{ 0, CC, HC("\"Memory\":9223372036854775808"), R, REJ("HostConfig."
	    "Memory must be an integer") },
	{ 0, CC, HC("\"NanoCpus\":32000000000"), D, DENY("resources", "the "
	    "CPU limit of 32000000000 nano-CPUs exceeds the ceiling of "
	    "16000000000") K("checks.resources") },
	{ 0, CC, HC("\"CpuQuota\":3200000,\"CpuPeriod\":100000"), D,
	    DENY("resources", "the CPU limit of 32000000000 nano-CPUs exceeds "
	    "the ceiling of 16000000000") K("checks.resources") },
	{ 0, CC, HC("\"PidsLimit\":100000"), D, DENY("resources",
	    "HostConfig.PidsLimit 100000 exceeds the ceiling of 32768")
	    K("checks.resources") },
	{ 0, CC, HC("\"OomKillDisable\":true"), D, DENY("resources",
	    "disabling the OOM killer is not allowed") K("checks.resources") },
	{ 0, CC, HC("\"OomScoreAdj\":-1000"), D, DENY("resources", "a "
	    "negative OomScoreAdj protects the container from the OOM "
	    "killer") K("checks.resources") },
	{ 0, CC, HC("\"BlkioWeight\":-1"), R, REJ("HostConfig.BlkioWeight "
	    "must be a non-negative integer") },
	/* ports */
	{ 0, CC, HC("\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\","
	    "\"HostPort\":\"80\"}]}"), D, DENY("ports", "host port '80' for "
	    "80/tcp is outside the allowed range 1024-65535")
	    K("checks.ports") },
	{ 0, CC, HC("\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"},"
	    "{\"HostPort\":\"\"}]}"), A, OK },
	{ 0, CC, HC("\"PortBindings\":{\"80/tcp\":[{\"HostPort\":"
	    "\"1000-2000\"}]}"), D, DENY("ports", "host port '1000-2000' for "
	    "80/tcp is outside the allowed range 1024-65535")
	    K("checks.ports") },
	{ 0, CC, HC("\"PublishAllPorts\":true"), D, DENY("ports", "publishing "
	    "all exposed ports on the host is not allowed") K("checks.ports") },
	/* logging (G16), hosts, env, workdir (G15) */
	{ 0, CC, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":"
	    "{\"syslog-address\":\"tcp://10.0.0.5:514\"}}"), D, DENY("logging",
	    "the log driver 'syslog' is not allowed") K("checks.logging") },
	{ 0, CC, HC("\"LogConfig\":{\"Type\":\"json-file\",\"Config\":"
	    "{\"max-size\":\"1m\",\"path\":\"/etc\"}}"), D, DENY("logging",
	    "the log option 'path' is not allowed") K("checks.logging") },
	{ 0, CC, HC("\"ExtraHosts\":[\"gw:host-gateway\"]"), D,
	    DENY("extra-hosts", "the extra host 'gw:host-gateway' points at "
	    "the host") K("checks.extra-hosts.host_gateway") },
	{ 0, CC, "{\"Image\":\"alpine\",\"Env\":[\"A=1\","
	    "\"NVIDIA_VISIBLE_DEVICES=all\"]}", D, DENY("env", "the environment "
	    "variable 'NVIDIA_VISIBLE_DEVICES' in Env is not allowed")
	    K("checks.env.forbidden") },
	{ 0, CC, "{\"Image\":\"alpine\",\"WorkingDir\":\"/proc/self/fd/8\"}", D,
	    DENY("workdir", "the working directory '/proc/self/fd/8' in "
	    "WorkingDir is not allowed") },
	/* compared as the engine cleans it (issue 11) */
	{ 0, CC, "{\"Image\":\"alpine\",\"WorkingDir\":\"//proc/self/fd/7\"}", D,
	    DENY("workdir", "the working directory '//proc/self/fd/7' in "
	    "WorkingDir is not allowed") },
	{ 0, CC, "{\"Image\":\"alpine\",\"WorkingDir\":\"/./proc/1/cwd\"}", D,
	    DENY("workdir", "the working directory '/./proc/1/cwd' in "
	    "WorkingDir is not allowed") },
	{ 0, CC, "{\"Image\":\"alpine\",\"WorkingDir\":\"/procfs/x\"}", A, OK },
	/* host paths the engine stats outside Binds (issue 11) */
	{ 0, CC, HC("\"BlkioDeviceReadBps\":[{\"Path\":\"/etc/shadow\","
	    "\"Rate\":1}]"), D, DENY("devices", "host devices "
	    "(BlkioDeviceReadBps) are not allowed: the engine looks their "
	    "paths up on the host") },
	{ 0, CC, HC("\"BlkioWeightDevice\":[{\"Path\":\"/dev/sda\","
	    "\"Weight\":10}]"), D, DENY("devices", "host devices "
	    "(BlkioWeightDevice) are not allowed: the engine looks their paths "
	    "up on the host") },
	{ 0, CC, HC("\"BlkioDeviceWriteIOps\":[]"), A, OK },
	{ 0, CC, "{\"Image\":\"alpine\",\"NetworkingConfig\":{"
	    "\"EndpointsConfig\":{\"bridge\":{\"DriverOpts\":{"
	    "\"com.docker.network.endpoint.sysctls\":\"x\"}}}}}", D,
	    DENY("network", "NetworkingConfig.EndpointsConfig[\"bridge\"]."
	    "DriverOpts (interface sysctls and names) are not allowed")
	    K("checks.network") },
	/* members no engine reads are dropped by Go's decoder: allowed
	 * (dockerode sends "name"); one that folds to a real member is
	 * that member, and members read but not modelled stay denied */
	{ 0, CC, HC("\"FutureEscape\":true"), A, OK },
	{ 0, CC, HC("\"FutureEscape\":false,\"Other\":{\"a\":0}"), A, OK },
	{ 0, CC, "{\"Image\":\"alpine\",\"Config\":{\"x\":1}}", A, OK },
	{ 0, CC, "{\"Image\":\"alpine\",\"name\":\"c1\"}", A, OK },
	{ 0, CC, HC("\"Privileged \":true"), A, OK },
	{ 0, CC, HC("\"privileGed\":true"), D, DENY("privileged",
	    "privileged containers are not allowed") },
	{ 0, CC, "{\"Image\":\"alpine\",\"Cpuset\":\"0\"}", D,
	    DENY("unknown-field", "the field 'Cpuset' is not modelled by the "
	    "policy and is set") },
	{ 0, CC, "{\"Image\":\"alpine\",\"Labels\":{\"a\":\"1\",\"a\":\"2\"}}",
	    R, REJ("Labels has the key 'a' twice") },
	/* encoding (G17, G18) */
	{ 0, CC, "{\"Image\":\"alpine\"}}", R, REJ("the body is not valid "
	    "JSON: unexpected data after the JSON value at byte 18") },
	{ 0, CC, "{\"Image\":\"alpine\"} ]", R, REJ("the body is not valid "
	    "JSON: unexpected data after the JSON value at byte 19") },
	{ 0, CC, "\xef\xbb\xbf{\"Image\":\"alpine\"}", R, REJ("the body is not "
	    "valid JSON: byte order mark at byte 0") },
	{ 0, CC, "{\"Image\":\"alp\xffine\"}", R, REJ("the body is not valid "
	    "JSON: invalid UTF-8 in string at byte 13") },
	{ 0, CC, "{\"Image\":\"alpine\\u0000x\"}", R, REJ("the body is not "
	    "valid JSON: \\u0000 is not allowed at byte 16") },
	{ 0, CC, "{\"Image\":\"alpine\"/*c*/}", R, REJ("the body is not valid "
	    "JSON: expected ',' or '}' at byte 17") },
	{ 0, CC, "{\"Image\":\"alpine\",\f\"User\":\"\"}", R, REJ("the body is "
	    "not valid JSON: expected a string key at byte 18") },
	/* exec, update, volumes, networks */
	{ 0, "/v1.41/containers/c1/exec", "{\"User\":\"\",\"Privileged\":false,"
	    "\"Tty\":true,\"AttachStdin\":true,\"AttachStderr\":true,"
	    "\"AttachStdout\":true,\"Detach\":false,\"DetachKeys\":\"\","
	    "\"Env\":null,\"WorkingDir\":\"\",\"Cmd\":[\"sh\"]}", A,
	    "sockwarden: exec create allowed" },
	{ 0, "/v1.41/containers/c1/exec", "{\"Cmd\":[\"sh\"],\"privileged\":"
	    "true}", D, "sockwarden: exec create denied by rule privileged: "
	    "privileged exec is not allowed" },
	{ 0, "/v1.41/containers/c1/exec", "{\"Cmd\":[\"sh\"],\"WorkingDir\":"
	    "\"/proc/1/cwd\"}", D, "sockwarden: exec create denied by rule "
	    "workdir: the working directory '/proc/1/cwd' in WorkingDir is not "
	    "allowed" },
	{ 0, "/v1.41/exec/e1/start", "{\"Detach\":true,\"Tty\":false}", A,
	    "sockwarden: exec start allowed" },
	{ 0, "/v1.41/exec/e1/start", "{\"Detach\":\"yes\"}", R,
	    "sockwarden: exec start rejected: Detach must be a boolean" },
	{ 0, "/v1.41/containers/c1/update", "{\"Memory\":1048576,"
	    "\"RestartPolicy\":{\"Name\":\"always\"}}", A,
	    "sockwarden: container update allowed" },
	{ 0, "/v1.41/containers/c1/update", "{\"CgroupParent\":\"/\"}", D,
	    "sockwarden: container update denied by rule cgroup-parent: the "
	    "cgroup parent '/' is not allowed"
	    K("checks.cgroup-parent.allow") },
	{ 0, "/v1.41/containers/c1/update", "{\"Devices\":[{\"PathOnHost\":"
	    "\"/dev/mem\"}]}", D, "sockwarden: container update denied by rule "
	    "devices: host devices (Devices) are not allowed" },
	{ 0, "/v1.41/containers/c1/update", "{\"PidsLimit\":40000}", D,
	    "sockwarden: container update denied by rule resources: PidsLimit "
	    "40000 exceeds the ceiling of 32768" K("checks.resources") },
	{ 0, "/v1.41/volumes/create", "{\"Name\":\"v\",\"Driver\":\"local\","
	    "\"DriverOpts\":{},\"Labels\":{}}", A,
	    "sockwarden: volume create allowed" },
	{ 0, "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":"
	    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}", D,
	    "sockwarden: volume create denied by rule volume-options: volume "
	    "driver options are not allowed (a local volume with "
	    "type=none,o=bind is a host bind mount)" },
	{ 0, "/v1.41/volumes/create", "{\"Name\":\"v\",\"Driver\":\"nfs\"}", D,
	    "sockwarden: volume create denied by rule volume-driver: the volume "
	    "driver 'nfs' is not allowed" K("checks.volume-driver.allow") },
	{ 0, "/v1.41/volumes/create", "{\"Name\":\"v\",\"ClusterVolumeSpec\":"
	    "{}}", D, "sockwarden: volume create denied by rule unknown-field: "
	    "the field 'ClusterVolumeSpec' is not modelled by the policy and is "
	    "set" },
	{ 0, "/v1.41/networks/create", "{\"Name\":\"n\",\"CheckDuplicate\":"
	    "true,\"Driver\":\"bridge\",\"Scope\":\"\",\"EnableIPv6\":false,"
	    "\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[]},"
	    "\"Internal\":false,\"Attachable\":false,\"Ingress\":false,"
	    "\"ConfigOnly\":false,\"ConfigFrom\":null,\"Options\":{},"
	    "\"Labels\":{}}", A, "sockwarden: network create allowed" },
	{ 0, "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":"
	    "\"macvlan\",\"Options\":{\"parent\":\"eth0\"}}", D,
	    "sockwarden: network create denied by rule network: the network "
	    "driver 'macvlan' is not allowed" K("checks.network") },
	{ 0, "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":"
	    "{\"com.docker.network.bridge.name\":\"docker0\"}}", D,
	    "sockwarden: network create denied by rule network: network driver "
	    "options are not allowed" K("checks.network") },
	{ 0, "/v1.41/networks/create", "{\"Name\":\"n\",\"IPAM\":{\"Config\":"
	    "[{\"Subnet\":\"169.254.0.0/16\"}]}}", D, "sockwarden: network "
	    "create denied by rule network: explicit subnets and IPAM options "
	    "are not allowed (a subnet can capture host traffic)"
	    K("checks.network") },
};

static struct policy *
ws_policy(void)
{
	static const char text[] = "{\"extends\": \"ci\", \"checks\": "
	    "{\"binds\": {\"roots\": [{\"path\": \"/tmp/sw-ws\"}, "
	    "{\"path\": \"/srv/ro\", \"readonly\": true}, "
	    "{\"path\": \"/tmp/sw-sub\", \"subpaths\": true}]}}}";
	struct policy_errors errs = { 0 };
	struct policy *p = NULL;

	CHECK_INT(policy_compile("test:ws", text, strlen(text), &p, &errs), 0);
	CHECK(p != NULL);
	CHECK_INT(p->nbind_roots, 3);
	CHECK_INT(p->bind_roots[1].subpaths, 1);	/* read-only: implied */
	policy_errors_free(&errs);
	return p;
}

static void
eval_body(const struct policy *p, const char *target, const char *body,
    struct policy_decision *d)
{
	struct policy_header h = { "Content-Type", 12, "application/json", 16 };
	struct policy_request q;

	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.target = target;
	q.target_len = strlen(target);
	q.headers = &h;
	q.nheaders = 1;
	q.body_present = body[0] != '\0';
	q.body = (const unsigned char *)body;
	q.body_len = strlen(body);
	policy_eval(p, &q, d);
}

static void
test_rows(void)
{
	struct policy *ws = ws_policy();
	struct policy_decision d;
	char msg[600];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		eval_body(r->ws ? ws : policy_default(), r->target, r->body,
		    &d);
		policy_format_message(&d, msg, sizeof(msg));
		if (d.verdict != r->verdict || strcmp(msg, r->msg) != 0)
			fprintf(stderr, "row %zu: %s\n", i, r->body);
		CHECK_INT(d.verdict, r->verdict);
		CHECK_STR(msg, r->msg);
		if (r->verdict == A)
			CHECK(d.target != NULL);
		policy_decision_clear(&d);
	}
	policy_free(ws);
}

/* The head phase asks for the body; the body phase decides. */
static void
test_phases(void)
{
	struct policy_header h = { "Content-Type", 12, "application/json", 16 };
	struct policy_request q;
	struct policy_decision d;

	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.target = CC;
	q.target_len = strlen(CC);
	q.headers = &h;
	q.nheaders = 1;
	q.body_present = 1;
	policy_eval(policy_default(), &q, &d);
	CHECK_INT(d.verdict, POLICY_NEED_BODY);
	CHECK_INT(d.body_limit, 1048576);
	CHECK_INT(d.body_kind, POLICY_BODY_JSON);
	policy_decision_clear(&d);
	q.body = (const unsigned char *)"{}";
	q.body_len = 1048577;		/* over the limit: never a pass */
	policy_eval(policy_default(), &q, &d);
	CHECK_INT(d.verdict, POLICY_REJECT);
	CHECK_INT(d.status, 413);
	policy_decision_clear(&d);
}

static void
test_audit(void)
{
	struct policy *p = ws_policy();
	struct policy_decision d;
	char msg[400];

	p->ck_mode[CK_PRIVILEGED] = MODE_AUDIT;
	eval_body(p, CC, HC("\"Privileged\":true"), &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.audit, 1);
	CHECK_STR(d.rule, "privileged");
	CHECK_STR(d.target, CC);
	policy_format_message(&d, msg, sizeof(msg));
	CHECK_STR(msg, "sockwarden: container create would be denied by rule "
	    "privileged (audit): privileged containers are not allowed");
	policy_decision_clear(&d);

	/* an enforced check after an audited one still denies */
	eval_body(p, CC, HC("\"Privileged\":true,\"PidMode\":\"host\""), &d);
	CHECK_INT(d.verdict, POLICY_DENY);
	CHECK_INT(d.audit, 0);
	CHECK_STR(d.rule, "namespaces");
	policy_decision_clear(&d);

	/* the whole policy in audit */
	p->mode = MODE_AUDIT;
	eval_body(p, CC, HC("\"Privileged\":true,\"PidMode\":\"host\""), &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.audit, 1);
	CHECK_STR(d.rule, "privileged");
	policy_decision_clear(&d);

	/* an unknown endpoint in audit mode is forwarded as parsed */
	{
		struct policy_request q;

		memset(&q, 0, sizeof(q));
		q.method = "GET";
		q.target = "/v1.41/future/thing?a=1&b=%2F";
		q.target_len = strlen(q.target);
		policy_eval(p, &q, &d);
		CHECK_INT(d.verdict, POLICY_ALLOW);
		CHECK_INT(d.audit, 1);
		CHECK_STR(d.rule, "endpoint");
		CHECK_STR(d.target, "/v1.41/future/thing?a=1&b=%2F");
		CHECK_INT(d.body_kind, POLICY_BODY_NONE);
		policy_decision_clear(&d);
	}

	/* off: not even audited */
	p->mode = MODE_ENFORCE;
	p->ck_mode[CK_PRIVILEGED] = MODE_OFF;
	eval_body(p, CC, HC("\"Privileged\":true"), &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.audit, 0);
	CHECK_STR(d.rule, "");
	policy_decision_clear(&d);
	policy_free(p);
}

/* Many map keys cost n log n; a duplicate among them is still found. */
static void
test_big_map(void)
{
	struct policy_decision d;
	size_t i, n = 20000, o = 0;
	char *b = malloc(n * 24 + 64);

	o += (size_t)sprintf(b, "{\"Image\":\"alpine\",\"Labels\":{");
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(b + o, "%s\"k%zu\":\"\"", i ? "," : "", i);
	strcpy(b + o, "}}");
	eval_body(policy_default(), CC, b, &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	policy_decision_clear(&d);
	strcpy(b + o, ",\"k7\":\"x\"}}");
	eval_body(policy_default(), CC, b, &d);
	CHECK_INT(d.verdict, POLICY_REJECT);
	CHECK_STR(d.reason, "Labels has the key 'k7' twice");
	policy_decision_clear(&d);
	free(b);
}

/* A JSON route without a body is decided in the head phase ({}). */
static void
test_no_body(void)
{
	struct policy_decision d;

	eval_body(policy_default(), "/v1.41/exec/e1/start", "", &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_STR(d.target, "/v1.41/exec/e1/start");
	policy_decision_clear(&d);
	/* A small body where the engine reads none (dockerode's {} on
	 * attach/stop): allowed, to be dropped; a big one is refused. */
	eval_body(policy_default(), "/v1.41/containers/c1/attach?stream=1",
	    "{\"Detach\":false}", &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.body_kind, POLICY_BODY_IGNORED);
	CHECK_STR(d.target, "/v1.41/containers/c1/attach?stream=1");
	policy_decision_clear(&d);
	{
		char *big = malloc(2 << 20);
		memset(big, ' ', (2 << 20) - 1);
		big[(2 << 20) - 1] = '\0';
		eval_body(policy_default(), "/v1.41/containers/c1/stop", big, &d);
		CHECK_INT(d.verdict, POLICY_REJECT);
		CHECK_STR(d.reason, "container stop takes no request body");
		policy_decision_clear(&d);
		free(big);
	}
}

/* A socket root admits the bind while the daemon listens there; other
 * roots hand the path to the daemon to check on the host. */
static void
eval_self(const struct policy *p, const char *body, struct policy_decision *d)
{
	static const char *const self[] = { "/run/sockwarden/docker.sock" };
	struct policy_header h = { "Content-Type", 12, "application/json", 16 };
	struct policy_request q;

	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.target = CC;
	q.target_len = strlen(CC);
	q.headers = &h;
	q.nheaders = 1;
	q.body_present = 1;
	q.body = (const unsigned char *)body;
	q.body_len = strlen(body);
	q.self_sockets = self;
	q.nself_sockets = 1;
	policy_eval(p, &q, d);
}

static void
test_self_socket(void)
{
	struct policy *ws = ws_policy();
	struct policy_decision d;

	eval_self(policy_default(), HC("\"Binds\":[\"/run/sockwarden/"
	    "docker.sock:/var/run/docker.sock\"]"), &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.npaths, 0);
	policy_decision_clear(&d);
	eval_self(ws, HC("\"Binds\":[\"/tmp/sw-sub/a:/w\"],\"Mounts\":[{"
	    "\"Type\":\"bind\",\"Source\":\"/tmp/sw-ws\",\"Target\":\"/m\"}]"),
	    &d);
	CHECK_INT(d.verdict, POLICY_ALLOW);
	CHECK_INT(d.npaths, 2);
	if (d.npaths == 2) {
		CHECK_STR(d.paths[0].path, "/tmp/sw-sub/a");
		CHECK_STR(d.paths[0].root, "/tmp/sw-sub");
		CHECK_INT(d.paths[0].must_exist, 1);	/* Binds create it */
		CHECK_STR(d.paths[0].where, "HostConfig.Binds[0]");
		CHECK_STR(d.paths[1].path, "/tmp/sw-ws");
		CHECK_INT(d.paths[1].must_exist, 0);	/* Mounts refuse */
	}
	policy_decision_clear(&d);
	policy_free(ws);
}

int
main(void)
{
	test_self_socket();
	test_rows();
	test_big_map();
	test_no_body();
	test_phases();
	test_audit();
	return t_done();
}
