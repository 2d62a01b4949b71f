#!/bin/bash
# t64-deb: "install like a Debian daemon".  CPack builds the .deb from the
# tree of the binary under test, dpkg -i installs it on this machine, and
# the installed pieces work: sockwarden --version, sockwarden check on the
# shipped presets and the commented sample policy, the service user and
# groups, the enabled socket unit, the compressed man pages, the
# documentation in /usr/share/doc/sockwarden (Debian copyright format),
# the logrotate snippet, the conffiles, and the installed daemon in front
# of the engine (as the "sockwarden" user the package created).  Then
# dpkg --purge, and the host is as the test found it: no package, no unit
# link, no files under /etc, and the user and groups the package created
# removed (a package installed before the test is left installed).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
[ "$(id -u)" = 0 ] || skip "dpkg -i needs root"
command -v dpkg > /dev/null || skip "not a Debian system (no dpkg)"
command -v cpack > /dev/null || fail "cpack not installed"

# What the host had before: the package, and the accounts its postinst
# creates when they are missing.
pre_pkg=$(dpkg-query -W -f '${Status}' sockwarden 2> /dev/null || true)
pre_accounts=""
for a in passwd:sockwarden group:sockwarden group:docker-proxy group:docker; do
	getent "${a%%:*}" "${a#*:}" > /dev/null && pre_accounts="$pre_accounts $a"
done
installed=0
# t64_restore: purge what this test installed, remove the accounts it made.
t64_restore() {
	local a
	[ "$installed" = 1 ] || return 0
	installed=0
	if [ "$pre_pkg" != "install ok installed" ]; then
		dpkg --purge sockwarden > "$TEST_DIR/purge.out" 2>&1 ||
		    echo "t64: dpkg --purge sockwarden failed: $(tail -n 5 "$TEST_DIR/purge.out")" >&2
	fi
	for a in group:docker passwd:sockwarden group:sockwarden group:docker-proxy; do
		case " $pre_accounts " in *" $a "*) continue ;; esac
		getent "${a%%:*}" "${a#*:}" > /dev/null || continue
		if [ "${a%%:*}" = passwd ]; then
			userdel "${a#*:}" > /dev/null 2>&1 ||
			    echo "t64: could not remove user ${a#*:} (in use?)" >&2
		else
			groupdel "${a#*:}" > /dev/null 2>&1 ||
			    echo "t64: could not remove group ${a#*:}" >&2
		fi
	done
}
# on any exit: the installed daemon stops first (a running process keeps
# its user), then the package goes, then lib.sh's cleanup
trap 'rc=$?; [ -n "$SW_PID" ] && _sw_proxy_halt 5 > /dev/null 2>&1; SW_PID=; t64_restore; (exit $rc); cleanup' EXIT

bdir=$(cd "$(dirname "$SOCKWARDEN")/.." && pwd)
[ -f "$bdir/CPackConfig.cmake" ] || fail "no CPackConfig.cmake in $bdir (configure with CMake first)"
(cd "$bdir" && cpack -G DEB -B "$TEST_DIR/pkg") > "$TEST_DIR/cpack.out" 2>&1 ||
    fail "cpack: $(tail -n 20 "$TEST_DIR/cpack.out")"
deb=$(ls "$TEST_DIR"/pkg/sockwarden_*.deb)
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
conffiles="/etc/sockwarden/sockwarden.conf /etc/sockwarden/ci.json
    /etc/sockwarden/readonly.json /etc/sockwarden/deny-all.json
    /etc/sockwarden/policy.json /etc/logrotate.d/sockwarden"
for f in ./usr/sbin/sockwarden $(printf ' .%s' $conffiles) \
    ./lib/systemd/system/sockwarden.service ./lib/systemd/system/sockwarden.socket \
    ./usr/share/man/man8/sockwarden.8.gz ./usr/share/man/man5/sockwarden.conf.5.gz \
    ./usr/share/man/man5/sockwarden-policy.5.gz ./usr/share/doc/sockwarden/copyright \
    ./usr/share/doc/sockwarden/README.md.gz ./usr/share/doc/sockwarden/policy.md.gz \
    ./usr/share/doc/sockwarden/ci-runners.md.gz; do
	grep -qx -- "$f" <<<"$contents" || fail "$f missing from $(basename "$deb")"
done
grep -E '^\./usr/share/man/.*[0-9]$' <<<"$contents" && fail "uncompressed man pages in the package"
assert_contains "$(dpkg-deb -f "$deb" Depends)" "libevent"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles > "$TEST_DIR/conffiles" || fail "no conffiles"
for f in $conffiles; do
	grep -qx -- "$f" "$TEST_DIR/conffiles" || fail "$f is not a conffile: $(cat "$TEST_DIR/conffiles")"
done

installed=1
dpkg -i "$deb" > "$TEST_DIR/dpkg.out" 2>&1 || fail "dpkg -i: $(cat "$TEST_DIR/dpkg.out")"
assert_eq "install ok installed" "$(dpkg-query -W -f '${Status}' sockwarden)" "package status"
assert_eq "$("$SOCKWARDEN" --version)" "$(/usr/sbin/sockwarden --version)" "installed --version"
assert_eq "policy OK" "$(/usr/sbin/sockwarden check /etc/sockwarden/ci.json \
    /etc/sockwarden/readonly.json /etc/sockwarden/deny-all.json)" "installed check"
assert_eq "policy OK" "$(/usr/sbin/sockwarden check /etc/sockwarden/policy.json 2>&1)" \
    "installed sample policy"
assert_contains "$(head -n 3 /etc/sockwarden/policy.json)" "//" "the sample policy is commented"
# documentation: Debian's copyright format, the README and policy
# reference compressed with gzip -9n (no name, no time stamp)
assert_eq "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" \
    "$(head -n 1 /usr/share/doc/sockwarden/copyright)" "copyright format"
grep -q '^License: ' /usr/share/doc/sockwarden/copyright || fail "copyright names no license"
for f in /usr/share/doc/sockwarden/README.md.gz /usr/share/doc/sockwarden/policy.md.gz \
    /usr/share/man/man8/sockwarden.8.gz /usr/share/man/man5/sockwarden.conf.5.gz \
    /usr/share/man/man5/sockwarden-policy.5.gz; do
	gzip -t "$f" || fail "$f is not gzip"
	assert_eq "1f8b0800000000000203" "$(head -c 10 "$f" | od -An -tx1 | tr -d ' \n')" \
	    "$f: gzip -9n header (no name, no time)"
done
zcat /usr/share/doc/sockwarden/policy.md.gz | grep -q '^## Explaining a captured job' ||
    fail "policy.md.gz is not the policy reference"
assert_eq ".TH SOCKWARDEN 8" "$(zcat /usr/share/man/man8/sockwarden.8.gz | head -n 1 | cut -d' ' -f1-3)" \
    "sockwarden.8.gz"
# the logrotate snippet: the audit log, SIGUSR1 through systemd
grep -qx '/var/log/sockwarden/audit.log {' /etc/logrotate.d/sockwarden || fail "logrotate: path"
grep -q 'systemctl kill --kill-whom=main --signal=USR1 sockwarden.service' /etc/logrotate.d/sockwarden ||
    fail "logrotate: no SIGUSR1"
if command -v logrotate > /dev/null; then
	logrotate -d -s "$TEST_DIR/logrotate.state" /etc/logrotate.d/sockwarden > "$TEST_DIR/logrotate.out" 2>&1 ||
	    fail "logrotate -d: $(cat "$TEST_DIR/logrotate.out")"
else
	note "logrotate not installed: the snippet's syntax is not checked"
fi
getent passwd sockwarden > /dev/null || fail "no sockwarden user"
getent group docker-proxy > /dev/null || fail "no docker-proxy group"
[ -L /etc/systemd/system/sockets.target.wants/sockwarden.socket ] ||
    fail "sockwarden.socket not enabled"
[ "$(stat -c %U /usr/sbin/sockwarden)" = root ] || fail "binary not owned by root"
man -w sockwarden > /dev/null 2>&1 || [ -f /usr/share/man/man8/sockwarden.8.gz ] ||
    fail "sockwarden(8) not installed"
if command -v systemd-analyze > /dev/null; then
	score=$(systemd-analyze security --offline=true /lib/systemd/system/sockwarden.service 2>/dev/null |
	    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
	note "installed unit exposure: $score"
fi

# The installed daemon with the installed settings, as the package's user.
SOCKWARDEN=/usr/sbin/sockwarden sw_proxy_start --config /etc/sockwarden/sockwarden.conf
assert_eq sockwarden "$(ps -o user= -p "$SW_PID")" "installed daemon's user"
dk ps > /dev/null || fail "docker ps through the installed daemon"
sw_proxy_stop
note "installed $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# purge: the host as the test found it
t64_restore
if [ "$pre_pkg" != "install ok installed" ]; then
	dpkg-query -W sockwarden > /dev/null 2>&1 && fail "sockwarden still known to dpkg after the purge"
	for f in /usr/sbin/sockwarden /etc/sockwarden /etc/logrotate.d/sockwarden \
	    /lib/systemd/system/sockwarden.service /usr/share/doc/sockwarden \
	    /etc/systemd/system/sockets.target.wants/sockwarden.socket; do
		[ -e "$f" ] || [ -L "$f" ] && fail "$f left after the purge"
	done
else
	note "sockwarden was installed before this test: left installed (now the tested build)"
fi
for a in passwd:sockwarden group:sockwarden group:docker-proxy group:docker; do
	case " $pre_accounts " in *" $a "*) continue ;; esac
	getent "${a%%:*}" "${a#*:}" > /dev/null && fail "${a#*:} (${a%%:*}) left after the purge"
done
exit 0
