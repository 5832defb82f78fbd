#!/bin/sh
# Batch output goldens: text, CSV and JSON of real captures, byte for byte.
# The numbers in them are checked against tshark by captures.py (totals and
# top-5 of the same captures); this test pins the formats. After a deliberate
# format change: UPDATE=1 tests/golden.sh, and review the diff.
set -u
NFTOP=${NFTOP:-src/nftop}
top_srcdir=${top_srcdir:-.}
data="$top_srcdir/tests/data"
gold="$top_srcdir/tests/golden"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nftop-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0

golden() {	# golden NAME ARGS...
	name=$1; shift
	n=$((n + 1))
	"$NFTOP" --no-config -b -q "$@" >"$tmp/$name" 2>"$tmp/$name.err"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp/$name" "$gold/$name"
	fi
	if cmp -s "$tmp/$name" "$gold/$name"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		diff -u "$gold/$name" "$tmp/$name" | head -40 | sed 's/^/#   /'
		fails=$((fails + 1))
	fi
}

mk="$data/ipfix/mikrotik_routeros6.pcap"
golden mikrotik.txt -r "$mk"
golden mikrotik.csv -r "$mk" -o csv
golden mikrotik.json -r "$mk" -o json
golden mikrotik_packets_top3.csv -r "$mk" -o csv -s packets -n 3
golden asa_v9.json -r "$data/netflow9/cisco_asa_1.pcap" -r "$data/netflow9/cisco_asa_2.pcap" -o json -n 5
# 20-second intervals over 61 s of softflowd v5 exports. Datagram times and
# flow counts from: tshark -r tests/data/netflow5/softflowd_v5_logstash.pcap
#   -d udp.port==2055,cflow -T fields -e frame.time_epoch -e cflow.count
# give 10, 8, 6 and 6 flows in [18:38:00,18:38:20) ... [18:39:00,18:39:20).
golden softflowd_v5_interval.csv -r "$data/netflow5/softflowd_v5_logstash.pcap" --interval 20s -o csv -n 3
n=$((n + 1))
flows=$(awk -F, '$3 == "total" { printf "%s ", $7 }' "$tmp/softflowd_v5_interval.csv")
if [ "$flows" = "10 8 6 6 " ]; then echo "ok $n - interval flows 10 8 6 6"; else
	echo "not ok $n - interval flows: got '$flows'"; fails=$((fails + 1)); fi
golden softflowd_v5_window15.json -r "$data/netflow5/softflowd_v5_logstash.pcap" -w 15s -o json -n 3

echo "1..$n"
[ "$fails" -eq 0 ]
