#!/bin/sh
# SPDX-License-Identifier: MIT
#
# shared_packets.sh - packet captures metered into flows, against tshark and
# softflowd, over every capture in ../shared/testdata/packets (run by
# .ci/run after check-captures; not part of make check, which needs only
# the repository).
#
# For each capture:
#  1. nftop -b -r CAP: packets and bytes equal tshark's sums over the frames
#     that carry IPv4 or IPv6, a frame's bytes being its first IP header's
#     length (ip.len, or ipv6.plen + 40):
#       tshark -r CAP -T fields -E occurrence=f -e frame.protocols -e ip.len -e ipv6.plen
#  2. nftop's flow count equals tests/tools/meter_model.py run over tshark's
#     decode of the same frames with nftop's rules (5-tuple per direction,
#     15 s inactive, 300 s active, TCP FIN/RST ends a flow).
#  3. softflowd (-r CAP, IPFIX to nftop -l on loopback) exports a different
#     number of flows; the difference is explained, and checked, by running
#     the model with softflowd's behaviour on a file: it does not end a flow
#     at FIN/RST, applies no timeouts while reading a file (seen: adding
#     -t tcp=15 -t udp=15 -t icmp=15 -t general=15 -t maxlife=300 gives the
#     same counts), and does not follow
#     Ethernet pseudowires under MPLS. With those three rules the model's
#     count equals softflowd's. The numbers seen (softflowd 1.1.0, Debian 12):
#       capture              nftop  model  softflowd  model-as-softflowd
#       ndpi_netflix.pcap      195    195        119                 119
#       ndpi_sites.pcapng      158    158        126                 126
#       ndpi_teams.pcap        174    174        157                 157
#       tcpreplay_test.pcap     52     52         45                  45
#     softflowd's byte totals differ too: it counts from the IP header to the
#     end of the frame (Ethernet padding of short frames included, a frame
#     shorter than its IP length counted short), nftop the IP length.
#
# Environment: SHARED (default $srcdir/../shared), NFTOP.
# Exit: 0 pass, 1 fail, 77 skip (no shared captures, or tshark missing).
set -u
me=shared_packets
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
SHARED=${SHARED:-$srcdir/../shared}
. "$srcdir/tests/lib.sh"

dir=$SHARED/testdata/packets
[ -d "$dir" ] || { say "SKIP: no $dir"; exit 77; }
command -v tshark >/dev/null 2>&1 || { say "SKIP: tshark missing (tools/deps.sh installs it)"; exit 77; }
model=$srcdir/tests/tools/meter_model.py

totals() { python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; print(t["packets"], t["bytes"], t["flows"])' "$1"; }

n=0
for cap in "$dir"/*; do
	name=$(basename "$cap")
	"$NFTOP" --no-config -b -q -r "$cap" -o json >"$tmp/$name.json" 2>"$tmp/$name.err" ||
		die "$name: nftop exited $?: $(cat "$tmp/$name.err")"
	set -- $(totals "$tmp/$name.json")
	packets=$1 bytes=$2 flows=$3

	want=$(tshark -r "$cap" -T fields -E occurrence=f -e frame.protocols -e ip.len -e ipv6.plen 2>/dev/null |
		awk -F'\t' '{
			n = split($1, c, ":"); v = ""
			for (i = 1; i <= n; i++) if (c[i] == "ip" || c[i] == "ipv6") { v = c[i]; break }
			if (v == "ip") { p++; b += $2 } else if (v == "ipv6") { p++; b += $3 + 40 }
		} END { print p + 0, b + 0 }')
	[ "$packets $bytes" = "$want" ] || die "$name: nftop packets/bytes '$packets $bytes', tshark '$want'"
	say "ok   $name: packets and bytes equal tshark's: $want"

	tshark -r "$cap" -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
		-T fields -E occurrence=f -E separator=/t \
		-e frame.time_epoch -e frame.protocols -e ip.src -e ip.dst -e ip.proto \
		-e ip.len -e ipv6.src -e ipv6.dst -e ipv6.nxt -e ipv6.plen \
		-e tcp.srcport -e tcp.dstport -e tcp.flags -e udp.srcport -e udp.dstport \
		-e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code >"$tmp/$name.tsv" 2>/dev/null ||
		die "$name: tshark failed"
	m=$(python3 "$model" <"$tmp/$name.tsv") || die "$name: model failed"
	[ "$m" = "$packets $bytes $flows" ] || die "$name: nftop '$packets $bytes $flows', model '$m'"
	say "ok   $name: $flows flows, as the model of the metering rules"

	if command -v softflowd >/dev/null 2>&1; then
		port=$(free_port 1) || die "no free UDP port"
		timeout 30 "$NFTOP" --no-config -b -q -l "127.0.0.1:$port" --duration 4 -o json \
			>"$tmp/$name.sf.json" 2>"$tmp/$name.sf.err" &
		pid=$!
		started="$started $pid"
		wait_bound "$port" "$pid" 5 || die "nftop -l did not bind 127.0.0.1:$port"
		timeout 30 softflowd -d -r "$cap" -n "127.0.0.1:$port" -v 10 -6 -m 65536 -a -A milli \
			-p "$tmp/softflowd.pid" >"$tmp/$name.softflowd.log" 2>&1 ||
			die "$name: softflowd failed: $(cat "$tmp/$name.softflowd.log")"
		wait "$pid" || die "$name: nftop -l exited $?: $(cat "$tmp/$name.sf.err")"
		forget "$pid"
		sf=$(totals "$tmp/$name.sf.json" | cut -d' ' -f3)
		ms=$(python3 "$model" --no-fin --inactive 1e12 --active 1e12 --no-pseudowire <"$tmp/$name.tsv" | cut -d' ' -f3)
		[ "$sf" = "$ms" ] || die "$name: softflowd exported $sf flows, the model with softflowd's rules $ms"
		say "ok   $name: softflowd $sf flows = the model without FIN/RST ends, timeouts or pseudowires (nftop $flows)"
	fi
	n=$((n + 1))
done
[ "$n" -gt 0 ] || die "no captures in $dir"
say "$n captures checked"
exit 0
