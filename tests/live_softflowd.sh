#!/bin/sh
# SPDX-License-Identifier: MIT
#
# live_softflowd.sh - nftop against a real exporter, with nfdump as oracle.
#
# A deterministic packet capture made by mkpackets is turned into NetFlow v5,
# v9 and IPFIX by softflowd, on loopback.  For each version the same export
# goes once to `nftop -b -l` and once to nfcapd; the totals (flows, packets,
# bytes) from nftop's JSON must equal those nfdump reads back from nfcapd's
# files.
#
# Environment:
#   NFTOP       nftop binary (default $top_builddir/src/nftop)
#   MKPACKETS   packet generator (default tests/tools/mkpackets; compiled
#               from tests/tools/mkpackets.c into a temp dir if missing)
#   SEED NFLOWS passed to mkpackets (default 1 and 300)
#   VERSIONS    export versions to test (default "5 9 10")
#   DURATION    nftop --duration in seconds (default 8)
#   ORACLE_ONLY=1  run only the softflowd -> nfcapd -> nfdump side
#   KEEP=1      keep the temp dir (logs, captures, nfcapd files)
#
# Exit: 0 pass, 1 fail, 77 skip (softflowd, nfcapd or nfdump not installed).
# Only loopback is used, every wait is bounded, and only the processes this
# script starts are signalled.

set -u

me=live_softflowd
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
MKPACKETS=${MKPACKETS:-$builddir/tests/tools/mkpackets}
SEED=${SEED:-1}
NFLOWS=${NFLOWS:-300}
VERSIONS=${VERSIONS:-"5 9 10"}
DURATION=${DURATION:-8}
ORACLE_ONLY=${ORACLE_ONLY:-0}

for t in softflowd nfcapd nfdump; do
	command -v "$t" >/dev/null 2>&1 || { echo "$me: SKIP: $t is not installed"; exit 77; }
done

# shellcheck source=tests/lib.sh
. "$srcdir/tests/lib.sh"

# ---------------------------------------------------------------- capture
tool MKPACKETS mkpackets
pcap=$tmp/packets.pcap
"$MKPACKETS" "$pcap" "$SEED" "$NFLOWS" 2>"$tmp/mkpackets.log" || {
	cat "$tmp/mkpackets.log"
	die "mkpackets failed"
}
say "$(cat "$tmp/mkpackets.log")"

if [ "$ORACLE_ONLY" != 1 ]; then
	[ -x "$NFTOP" ] || die "nftop binary '$NFTOP' not found (set NFTOP, or ORACLE_ONLY=1)"
fi

# run_softflowd VERSION PORT TAG: export the capture to 127.0.0.1:PORT
run_softflowd() {
	six=""
	[ "$1" = 5 ] || six=-6   # IPv6 tracking; 1.1.0 does it anyway for v9/IPFIX
	timeout 60 softflowd -d -r "$pcap" -n "127.0.0.1:$2" -v "$1" $six \
		-m 65536 -a -A milli -p "$tmp/softflowd.$3.pid" >"$tmp/softflowd.$3.log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$tmp/softflowd.$3.log"
		return 1
	fi
	return 0
}

# --------------------------------------------------------------- nftop side
# nftop_totals VERSION: sets got="flows packets bytes"
nftop_totals() {
	got=""
	v=$1
	port=$(free_port 1) || { say "no free UDP port"; return 1; }
	out=$tmp/nftop.v$v.json
	timeout $((DURATION + 30)) "$NFTOP" --no-config -b -l "127.0.0.1:$port" --duration "$DURATION" \
		-o json >"$out" 2>"$tmp/nftop.v$v.err" &
	pid=$!
	started="$started $pid"
	if ! wait_bound "$port" "$pid" 10; then
		cat "$tmp/nftop.v$v.err" >&2
		say "nftop did not bind 127.0.0.1:$port" >&2
		stop "$pid"
		return 1
	fi
	if ! run_softflowd "$v" "$port" "nftop.v$v" >&2; then
		say "softflowd -v $v failed" >&2
		stop "$pid"
		return 1
	fi
	if ! wait_exit "$pid" $((DURATION + 35)); then
		say "nftop did not exit after --duration $DURATION" >&2
		stop "$pid"
		return 1
	fi
	line=$(grep '"totals"' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		cat "$tmp/nftop.v$v.err" >&2
		say "no JSON totals from nftop (output: $(wc -c <"$out") bytes)" >&2
		return 1
	fi
	if command -v jq >/dev/null 2>&1; then
		got=$(printf '%s\n' "$line" | jq -r '.totals | "\(.flows) \(.packets) \(.bytes)"')
		# for the log: what nftop says about the exporter
		printf '%s\n' "$line" | jq -r '(.exporters // [])[] | "  exporter \(.address) v\(.version):'\
' datagrams=\(.datagrams) flows=\(.flows) malformed=\(.malformed)'\
' waiting_for_template=\(.waiting_for_template) dropped_no_template=\(.dropped_no_template)'\
' seq_lost=\(.seq_lost)"' >&2 2>/dev/null
	else
		got=$(printf '%s\n' "$line" | tr -d ' \t' |
			sed -n 's/.*"totals":{"flows":\([0-9]*\),"packets":\([0-9]*\),"bytes":\([0-9]*\)}.*/\1 \2 \3/p')
	fi
	[ -n "$got" ] || { say "cannot read totals from: $line" >&2; return 1; }
	return 0
}

# -------------------------------------------------------------- nfdump side
# nfdump_totals VERSION: sets ref="flows packets bytes"
nfdump_totals() {
	ref=""
	v=$1
	port=$(free_port 2) || { say "no free UDP port"; return 1; }
	dir=$tmp/nfcapd.v$v
	nfcapd_start "$port" "$dir" "$tmp/nfcapd.v$v.log" || return 1
	if ! run_softflowd "$v" "$port" "nfcapd.v$v" >&2; then
		say "softflowd -v $v failed" >&2
		stop "$nfcapd_pid"
		return 1
	fi
	nfcapd_stop || return 1
	# totals from the stored records (the csv summary), checked against -I
	sum=$(timeout 30 nfdump -R "$dir" -s proto -n 1 -o csv 2>"$tmp/nfdump.v$v.err" |
		awk -F, '/^flows,bytes,packets/ { getline; print $1, $3, $2 }')
	info=$(timeout 30 nfdump -R "$dir" -I 2>>"$tmp/nfdump.v$v.err" |
		awk '/^Flows:/ { f = $2 } /^Packets:/ { p = $2 } /^Bytes:/ { b = $2 } END { print f, p, b }')
	if [ -z "$sum" ]; then
		cat "$tmp/nfdump.v$v.err" >&2
		say "no summary from nfdump -R $dir" >&2
		return 1
	fi
	[ "$sum" = "$info" ] || say "note: nfdump -I says '$info', records say '$sum'" >&2
	ref=$sum
	return 0
}

fail=0
for v in $VERSIONS; do
	case $v in
	5) name="NetFlow v5" ;;
	9) name="NetFlow v9" ;;
	10) name="IPFIX" ;;
	*) die "unknown version $v" ;;
	esac
	nfdump_totals "$v" || { say "FAIL $name: oracle side failed"; fail=1; continue; }
	if [ "$ORACLE_ONLY" = 1 ]; then
		say "$name: nfdump flows/packets/bytes = $ref"
		continue
	fi
	nftop_totals "$v" || { say "FAIL $name: nftop side failed"; fail=1; continue; }
	if [ -n "$got" ] && [ "$got" = "$ref" ]; then
		say "ok   $name: flows/packets/bytes nftop = $got, nfdump = $ref"
	else
		say "FAIL $name: flows/packets/bytes nftop = '$got', nfdump = '$ref'"
		fail=1
	fi
	# nftop metering the same packets itself: the packets and bytes softflowd
	# exported (v9/IPFIX carry IPv6 too; flows differ by timeout rules).
	if [ "$v" != 5 ]; then
		met=$("$NFTOP" --no-config -b -q -r "$pcap" -o json | python3 -c \
			'import json,sys; t=json.loads(sys.stdin.read())["totals"]; print(t["packets"], t["bytes"])')
		if [ "$met" = "${ref#* }" ]; then
			say "ok   $name: nftop -r on the packets meters the same packets/bytes: $met"
		else
			say "FAIL $name: nftop -r on the packets meters '$met', softflowd exported '${ref#* }'"
			fail=1
		fi
	fi
done

[ "$fail" -eq 0 ] || exit 1
exit 0
