# SPDX-License-Identifier: MIT
#
# lib.sh - helpers shared by the shell tests (sourced, not run).
#
# The sourcing script sets `me` (its name for messages) first.  Provides a
# temp dir in $tmp that is removed at exit (unless KEEP=1), and bookkeeping
# so that only processes this test started are ever signalled.  Everything
# here is POSIX sh.

srcdir=${srcdir:-${top_srcdir:-$(dirname "$0")/..}}

# shellcheck disable=SC2154  # me is set by the sourcing script
say() { printf '%s: %s\n' "$me" "$*"; }
die() { say "FAIL: $*"; exit 1; }

command -v timeout >/dev/null 2>&1 || die "timeout(1) is needed (coreutils)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nftop-$me.XXXXXX") || die "mktemp failed"
started=""   # PIDs this script started and that may still run

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	for p in $started; do
		if kill -0 "$p" 2>/dev/null; then
			kill -TERM "$p" 2>/dev/null
			sleep 0.2
			kill -KILL "$p" 2>/dev/null
		fi
	done
	if [ "${KEEP:-0}" = 1 ]; then
		say "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# forget PID: it has exited
forget() {
	_n=""
	for _p in $started; do [ "$_p" = "$1" ] || _n="$_n $_p"; done
	started=$_n
}

# wait_exit PID SECONDS: wait for a child we started; 0 if it exited in time
wait_exit() {
	_i=0
	while kill -0 "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
	wait "$1" 2>/dev/null
	forget "$1"
	return 0
}

# stop PID: SIGTERM (then SIGKILL after 5 s) a process we started
stop() {
	if kill -0 "$1" 2>/dev/null; then
		kill -TERM "$1" 2>/dev/null
		wait_exit "$1" 5 || kill -KILL "$1" 2>/dev/null
	fi
	forget "$1"
}

# udp_bound PORT: is some socket bound to this local UDP port?
udp_bound() {
	_hex=$(printf ':%04X' "$1")
	awk -v h="$_hex" 'NR > 1 && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
		/proc/net/udp /proc/net/udp6 2>/dev/null
}

# wait_bound PORT PID SECONDS: wait until PORT is bound, while PID lives
wait_bound() {
	_i=0
	until udp_bound "$1"; do
		kill -0 "$2" 2>/dev/null || return 1
		_i=$((_i + 1))
		[ "$_i" -gt $(($3 * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# free_port [SALT]: an unbound UDP port in 20000..49999 derived from our PID
free_port() {
	_k=0
	while [ "$_k" -lt 200 ]; do
		_p=$((20000 + ($$ * 13 + _k * 101 + ${1:-0} * 7) % 30000))
		if ! udp_bound "$_p"; then
			echo "$_p"
			return 0
		fi
		_k=$((_k + 1))
	done
	return 1
}

# tool VAR NAME [LIBS]: make sure $VAR names an executable test tool; if it
# does not exist, build tests/tools/NAME.c into $tmp and point VAR there
tool() {
	eval "_path=\${$1}"
	# shellcheck disable=SC2154  # _path is set by the eval
	[ -x "$_path" ] && return 0
	_src="$srcdir/tests/tools/$2.c"
	[ -f "$_src" ] || die "no $_path and no $_src"
	# shellcheck disable=SC2086  # $3 is a list of libraries
	${CC:-cc} -std=gnu11 -O2 -o "$tmp/$2" "$_src" ${3:-} || die "cannot build $_src"
	eval "$1=\$tmp/\$2"
}

# nfcapd_start PORT DIR LOG: start nfcapd on 127.0.0.1:PORT into DIR and wait
# until it listens; sets nfcapd_pid (a timeout(1) wrapper that passes SIGTERM on)
nfcapd_start() {
	mkdir -p "$2"
	timeout 300 nfcapd -b 127.0.0.1 -p "$1" -w "$2" -t 3600 -B 8388608 >"$3" 2>&1 &
	nfcapd_pid=$!
	started="$started $nfcapd_pid"
	if ! wait_bound "$1" "$nfcapd_pid" 10; then
		cat "$3" >&2
		say "nfcapd did not bind 127.0.0.1:$1" >&2
		stop "$nfcapd_pid"
		return 1
	fi
	return 0
}

# nfcapd_stop: give nfcapd a moment to drain its socket, then SIGTERM it so it
# closes its file
nfcapd_stop() {
	sleep 0.5
	kill -TERM "$nfcapd_pid" 2>/dev/null
	if ! wait_exit "$nfcapd_pid" 15; then
		say "nfcapd did not stop on SIGTERM" >&2
		stop "$nfcapd_pid"
		return 1
	fi
	return 0
}
