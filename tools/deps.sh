#!/bin/sh
# Installs what nftop needs to build and test on Debian (and Ubuntu): the
# compiler and autotools, the libraries, and the real peers the tests drive.
# Run as root or with sudo. Only packages that are missing are installed.
set -eu
pkgs="build-essential autoconf automake pkg-config libpcap-dev libncurses-dev
libmaxminddb-dev libjansson-dev uthash-dev liblzo2-dev liblz4-dev libzstd-dev libbz2-dev python3 netbase softflowd nfdump tshark tmux
libmaxmind-db-writer-perl pmacct"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
