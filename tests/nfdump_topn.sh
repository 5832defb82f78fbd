#!/bin/sh
# SPDX-License-Identifier: MIT
#
# nfdump_topn.sh - nftop's top-N tables against nfdump's, on export captures.
#
#   tests/nfdump_topn.sh [CAPTURE.pcap ...]
#
# Each capture of NetFlow/IPFIX export datagrams is replayed with pcap2udp
# into nfcapd on loopback, and nfdump's top-N by bytes for srcip, dstip,
# dstport and proto (`nfdump -R DIR -s srcip/bytes -n N -o csv`, ...) is
# compared with nftop's CSV for the same capture (`nftop -r FILE -b -o csv
# -n N`), together with the totals.  Two tables agree when they have the same
# number of rows, the same bytes at every rank, and the same (key, bytes)
# pairs.  Keys whose bytes equal the last row's bytes of a full table are
# exempt from the pair check, since the cut falls inside a tie there and
# either tool may keep a different member of it; ties may also be ordered
# differently inside the table.
#
# Without arguments: every capture of tests/data/{netflow5,netflow9,ipfix}
# (under $TESTDATA instead of tests/data when set), less the known
# differences listed in EXCEPT below.
#
# Environment:
#   NFTOP      nftop binary (default $top_builddir/src/nftop)
#   PCAP2UDP   sender (default tests/tools/pcap2udp; compiled from
#              tests/tools/pcap2udp.c into a temp dir if missing)
#   TOPN       rows per table (default 10)
#   DIMS       nfdump:nftop dimension pairs (default
#              "srcip:src_ip dstip:dst_ip dstport:dst_port proto:proto")
#   PPS        pcap2udp --pps (default 20000)
#   ORACLE_ONLY=1  only replay and print nfdump's tables
#   VERBOSE=1  print both tables also when they agree
#   KEEP=1     keep the temp dir
#
# Exit: 0 pass, 1 fail, 77 skip (nfcapd or nfdump not installed).

set -u

me=nfdump_topn
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
PCAP2UDP=${PCAP2UDP:-$builddir/tests/tools/pcap2udp}
TOPN=${TOPN:-10}
DIMS=${DIMS:-"srcip:src_ip dstip:dst_ip dstport:dst_port proto:proto"}
PPS=${PPS:-20000}
ORACLE_ONLY=${ORACLE_ONLY:-0}
VERBOSE=${VERBOSE:-0}

for t in nfcapd nfdump; do
	command -v "$t" >/dev/null 2>&1 || { echo "$me: SKIP: $t is not installed"; exit 77; }
done

# shellcheck source=tests/lib.sh
. "$srcdir/tests/lib.sh"

# Known differences with nfdump 1.7.1, each a decision documented in the man
# page: "capture dimension reason" (dimension * = the whole capture).
EXCEPT='
cisco_nbar.pcap dst_port nfdump stores 0 as the port of v9 ICMP records; nftop type*256+code
softflowd_v9_logstash.pcap dst_port nfdump stores 0 as the port of v9 ICMP records; nftop type*256+code
softflowd_v9_tpl_data.pcap dst_port nfdump stores 0 as the port of v9 ICMP records; nftop type*256+code
procera.pcap dst_port ICMPv6 without type/code elements: nftop keeps the exported port
pmacct_cisco_xr7101_mpls_ipv6_with_bgp.pcap src_ip records carry IPv4 and IPv6 address elements; nfdump keys IPv6 flows by the zero IPv4 one
pmacct_cisco_xr7101_mpls_ipv6_with_bgp.pcap dst_ip records carry IPv4 and IPv6 address elements; nfdump keys IPv6 flows by the zero IPv4 one
procera.pcap src_ip records carry IPv4 and IPv6 address elements; nfdump keys them by a zero one, nftop by the non-zero one (as tshark shows)
procera.pcap dst_ip records carry IPv4 and IPv6 address elements; nfdump keys them by a zero one, nftop by the non-zero one (as tshark shows)
fortigate_fortios542_appid.pcap * nfdump adds postOctetDeltaCount (the same packets after NAT) to octetDeltaCount
'
excepted() {	# excepted CAPTURE DIM: prints the reason when the pair is a known difference
	printf '%s\n' "$EXCEPT" | awk -v c="$1" -v d="$2" '$1 == c && ($2 == d || $2 == "*") {
		$1 = ""; $2 = ""; sub(/^  /, ""); print; exit }'
}

if [ $# -eq 0 ]; then
	data=${TESTDATA:-$srcdir/tests/data}
	for f in "$data"/netflow5/*.pcap "$data"/netflow9/*.pcap "$data"/ipfix/*.pcap; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	[ $# -gt 0 ] || die "no captures given and none found under $data (set TESTDATA)"
fi

tool PCAP2UDP pcap2udp -lpcap
if [ "$ORACLE_ONLY" != 1 ]; then
	[ -x "$NFTOP" ] || die "nftop binary '$NFTOP' not found (set NFTOP, or ORACLE_ONLY=1)"
fi

fail=0
i=0
for cap in "$@"; do
	i=$((i + 1))
	name=$(basename "$cap")
	if [ ! -f "$cap" ]; then
		say "FAIL $cap: no such file"
		fail=1
		continue
	fi
	why=$(excepted "$name" "*")
	if [ -n "$why" ]; then
		say "skip $name: known difference: $why"
		continue
	fi
	dir=$tmp/c$i
	port=$(free_port "$i") || die "no free UDP port"
	nfcapd_start "$port" "$dir" "$tmp/nfcapd.$i.log" || { fail=1; continue; }
	if ! timeout 120 "$PCAP2UDP" -d "127.0.0.1:$port" --pps "$PPS" "$cap" 2>"$tmp/pcap2udp.$i.log"; then
		cat "$tmp/pcap2udp.$i.log"
		say "FAIL $name: pcap2udp failed"
		stop "$nfcapd_pid"
		fail=1
		continue
	fi
	nfcapd_stop || { fail=1; continue; }
	sent=$(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$tmp/pcap2udp.$i.log")
	ref_tot=$(timeout 60 nfdump -R "$dir" -s proto -n 1 -o csv 2>>"$tmp/nfdump.err" |
		awk -F, '/^flows,bytes,packets/ { getline; print $1, $3, $2 }')
	say "$name: $sent datagrams replayed; nfdump flows/packets/bytes = ${ref_tot:-none}"

	if [ "$ORACLE_ONLY" != 1 ]; then
		csv=$tmp/nftop.$i.csv
		if ! timeout 60 "$NFTOP" --no-config -r "$cap" -b -o csv -n "$TOPN" >"$csv" 2>"$tmp/nftop.$i.err"; then
			cat "$tmp/nftop.$i.err"
			say "FAIL $name: nftop -r failed"
			fail=1
			continue
		fi
		got_tot=$(awk -F, '$3 == "total" { print $(NF - 2), $(NF - 1), $NF; exit }' "$csv")
		if [ "$got_tot" = "$ref_tot" ]; then
			say "ok   $name total: $got_tot"
		else
			say "FAIL $name total: nftop '$got_tot', nfdump '$ref_tot'"
			fail=1
		fi
	fi

	for pair in $DIMS; do
		nd=${pair%%:*}
		dim=${pair#*:}
		a=$tmp/t$i.$dim.nfdump
		b=$tmp/t$i.$dim.nftop
		nfdump_table "$dir" "$nd" "$a"
		if [ "$ORACLE_ONLY" = 1 ]; then
			say "$name $dim (nfdump -s $nd/bytes):"
			awk '{ printf "    %-4d %s %s\n", NR, $1, $2 }' "$a"
			continue
		fi
		nftop_table "$csv" "$dim" "$b"
		known=$(excepted "$name" "$dim")
		if [ -n "$known" ]; then
			say "skip $name $dim: known difference: $known"
		elif why=$(compare "$a" "$b"); then
			say "ok   $name $dim: $(wc -l <"$a") rows agree"
			[ "$VERBOSE" = 1 ] && side_by_side "$a" "$b"
		else
			say "FAIL $name $dim:"
			printf '%s\n' "$why"
			side_by_side "$a" "$b"
			if [ "$dim" = dst_port ]; then
				icmp=$(timeout 60 nfdump -R "$dir" -q -o csv -c 1 'proto icmp or proto icmp6' 2>/dev/null |
					grep -c '^[0-9]')
				[ "$icmp" -gt 0 ] &&
					say "    note: this capture has ICMP flows; nfdump keeps ICMP type/code" \
						"in the dst port only for some exporters/versions (see PEERS.md)"
			fi
			fail=1
		fi
	done
done

[ "$fail" -eq 0 ] || exit 1
exit 0
