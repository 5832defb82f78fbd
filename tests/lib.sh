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
# until it listens; sets nfcapd_pid (a timeout(1) wrapper that passes SIGTERM on).
# NFCAPD_OPTS adds options (compression, -S subdirectories).
nfcapd_start() {
	mkdir -p "$2"
	# shellcheck disable=SC2086  # NFCAPD_OPTS is a list of options
	timeout 300 nfcapd -b 127.0.0.1 -p "$1" -w "$2" -t 3600 -B 8388608 ${NFCAPD_OPTS:-} >"$3" 2>&1 &
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

# Top-N tables of nfdump and nftop, and their comparison (TOPN rows; the
# sourcing script sets TOPN).

# nfdump_table PATH STAT OUT: "key bytes" per rank, top-N by bytes, of an
# nfcapd file or (-R) a directory of them
nfdump_table() {
	_src=-r
	[ -d "$1" ] && _src=-R
	timeout 60 nfdump "$_src" "$1" -s "$2/bytes" -n "$TOPN" -o csv 2>>"$tmp/nfdump.err" |
		awk -F, '
		!hdr && /^ts,/ {   # find the columns by name; the header may come late
			for (i = 1; i <= NF; i++) {
				if ($i == "val") kc = i
				if ($i == "byt" || ($i == "ibyt" && !bc)) bc = i
			}
			hdr = 1
			next
		}
		!hdr { next }
		/^$/ || /^Summary/ { exit }
		{ print tolower($kc), $bc }' >"$3"
}

# nftop_table CSV DIM OUT: "key bytes" per rank from nftop's CSV
nftop_table() {
	awk -F, -v d="$2" '$3 == d { print $4, tolower($5), $NF }' "$1" | sort -n -k1,1 |
		awk '{ print $2, $3 }' >"$3"
}

# compare NFDUMP NFTOP: exit 0 when the two tables agree, reasons on stdout
compare() {
	awk -v n="$TOPN" '
	FNR == 1 { f++ }
	f == 1 { ak[++na] = $1; ab[na] = $2 + 0 }
	f == 2 { bk[++nb] = $1; bb[nb] = $2 + 0 }
	END {
		bad = 0
		if (na != nb) { printf "    %d rows from nfdump, %d from nftop\n", na, nb; bad = 1 }
		m = na < nb ? na : nb
		for (i = 1; i <= m; i++)
			if (ab[i] != bb[i]) {
				printf "    rank %d: bytes %s (nfdump) vs %s (nftop)\n", i, ab[i], bb[i]
				bad = 1
			}
		cut = -1   # a full table may end inside a tie: exempt that value
		if (na == n) cut = ab[na]
		if (nb == n && (cut < 0 || bb[nb] > cut)) cut = bb[nb]
		for (i = 1; i <= na; i++) if (ab[i] != cut) A[ak[i] " " ab[i]] = 1
		for (i = 1; i <= nb; i++) if (bb[i] != cut) B[bk[i] " " bb[i]] = 1
		for (k in A) if (!(k in B)) { print "    only nfdump has " k; bad = 1 }
		for (k in B) if (!(k in A)) { print "    only nftop has  " k; bad = 1 }
		exit bad
	}' "$1" "$2"
}

# side_by_side NFDUMP NFTOP
side_by_side() {
	awk 'FNR == 1 { f++ }
	f == 1 { a[FNR] = $1 " " $2; if (FNR > n) n = FNR }
	f == 2 { b[FNR] = $1 " " $2; if (FNR > n) n = FNR }
	END {
		printf "    %-4s %-42s %s\n", "rank", "nfdump (key bytes)", "nftop (key bytes)"
		for (i = 1; i <= n; i++) printf "    %-4d %-42s %s\n", i, a[i], b[i]
	}' "$1" "$2"
}
