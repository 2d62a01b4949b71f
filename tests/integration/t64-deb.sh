#!/bin/bash
# t64-deb: "install like a Debian daemon".  CPack builds the .deb from the
# tree of the binary under test, dpkg -i installs it on this machine, and
# the installed pieces work: sockwarden --version, sockwarden check on the
# shipped presets, the service user and groups, the enabled socket unit,
# the man pages, and the installed daemon in front of the engine (as the
# "sockwarden" user the package created).

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_require_proxy
sw_need_engine
[ "$(id -u)" = 0 ] || skip "dpkg -i needs root"
command -v dpkg > /dev/null || skip "not a Debian system (no dpkg)"
command -v cpack > /dev/null || fail "cpack not installed"

bdir=$(cd "$(dirname "$SOCKWARDEN")/.." && pwd)
[ -f "$bdir/CPackConfig.cmake" ] || fail "no CPackConfig.cmake in $bdir (configure with CMake first)"
(cd "$bdir" && cpack -G DEB -B "$TEST_DIR/pkg") > "$TEST_DIR/cpack.out" 2>&1 ||
    fail "cpack: $(tail -n 20 "$TEST_DIR/cpack.out")"
deb=$(ls "$TEST_DIR"/pkg/sockwarden_*.deb)
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in ./usr/sbin/sockwarden ./etc/sockwarden/sockwarden.conf \
    ./etc/sockwarden/ci.json ./etc/sockwarden/readonly.json \
    ./etc/sockwarden/deny-all.json ./lib/systemd/system/sockwarden.service \
    ./lib/systemd/system/sockwarden.socket ./usr/share/man/man8/sockwarden.8 \
    ./usr/share/man/man5/sockwarden.conf.5 ./usr/share/man/man5/sockwarden-policy.5; do
	grep -qx -- "$f" <<<"$contents" || fail "$f missing from $(basename "$deb")"
done
assert_contains "$(dpkg-deb -f "$deb" Depends)" "libevent"
dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -q conffiles || fail "no conffiles"

dpkg -i "$deb" > "$TEST_DIR/dpkg.out" 2>&1 || fail "dpkg -i: $(cat "$TEST_DIR/dpkg.out")"
assert_eq "install ok installed" "$(dpkg-query -W -f '${Status}' sockwarden)" "package status"
assert_eq "$("$SOCKWARDEN" --version)" "$(/usr/sbin/sockwarden --version)" "installed --version"
assert_eq "policy OK" "$(/usr/sbin/sockwarden check /etc/sockwarden/ci.json \
    /etc/sockwarden/readonly.json /etc/sockwarden/deny-all.json)" "installed check"
getent passwd sockwarden > /dev/null || fail "no sockwarden user"
getent group docker-proxy > /dev/null || fail "no docker-proxy group"
[ -L /etc/systemd/system/sockets.target.wants/sockwarden.socket ] ||
    fail "sockwarden.socket not enabled"
[ "$(stat -c %U /usr/sbin/sockwarden)" = root ] || fail "binary not owned by root"
man -w sockwarden > /dev/null 2>&1 || [ -f /usr/share/man/man8/sockwarden.8 ] ||
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
exit 0
