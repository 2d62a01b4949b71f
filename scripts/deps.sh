#!/bin/sh
# Install what sockwarden needs to build, run and be tested on Debian 12.
# Idempotent: skips apt entirely when every package is already installed.
# Node.js 20 and npm (tests/clients, t82) come with the machine: Debian 12's
# nodejs is 18, too old for testcontainers 11 (undici needs >= 20.18.1);
# tests/clients/install.sh says so when node is missing or older.
set -eu
PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
      libevent-dev libhttp-parser-dev libcjson-dev libseccomp-dev libnghttp2-dev
      docker.io containerd runc busybox-static python3 python3-docker python3-yaml python3-grpcio
      docker-compose docker-registry apache2-utils
      haproxy socat curl jq util-linux iproute2 procps
      systemd dpkg-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
