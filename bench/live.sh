#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench/live.sh - live ingest: the same NetFlow v9 datagrams sent on loopback
# at rising rates to `nftop -b -l` and to nfcapd, one after the other at each
# rate; a rate is taken without loss when every flow sent is counted. Prints
# the highest lossless rate of each, their ratio, and the kernel's receive
# buffer errors (RcvbufErrors in /proc/net/snmp) at each step.
#
# The order of the two sides alternates from one rate to the next (nftop
# first at the first rate, nfcapd first at the second, and so on), so that
# neither always runs right after the other. nfcapd's files (hundreds of MB
# at the higher rates) are removed after its flows are counted, and `sync`
# runs then (and once before the first step), so that the kernel writing
# them back on the same cores does not slow the step that follows.
#
# The rate the sender reached is printed too: on a small machine the sender
# (one datagram per sendto, on the same cores) may fall short of the rate
# asked for, and then neither side was offered more than that.
#
# Usage: bench/live.sh CAPTURE FLOWS_PER_DATAGRAM [FLOWS_IN_CAPTURE]   (run.sh calls it)
#   FLOWS_IN_CAPTURE: when the whole capture is sent, its last datagram may
#   hold fewer flows than the others; this is then the count sent.
# Environment: NFTOP, OUT, RATES (flows/s, space separated), SECONDS_PER_RATE,
# BURST (datagrams the sender hands the kernel per call, default 32).
set -eu
cap=$1
per=$2
total=${3:-0}
NFTOP=${NFTOP:-src/nftop}
OUT=${OUT:-bench/out}
RATES=${RATES:-"250000 500000 750000 1000000 1500000 2000000 3000000"}
SECS=${SECONDS_PER_RATE:-3}
BURST=${BURST:-32}		# datagrams per sendmmsg call of the sender
RCVBUF=8388608

rcvbuf_errors() { awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }

# run_one SIDE RATE: prints "received sent kernel_errors achieved_flows_per_s"
run_one() {
	side=$1 rate=$2
	pps=$((rate / per))
	count=$((pps * SECS))
	port=$((20000 + $$ % 10000))
	e0=$(rcvbuf_errors)
	if [ "$side" = nftop ]; then
		"$NFTOP" --no-config -b -q -l "127.0.0.1:$port" --rcvbuf "$RCVBUF" --duration $((SECS + 3)) \
			-o json >"$OUT/live_nftop.json" 2>"$OUT/live_nftop.err" &
		pid=$!
		sleep 1
		"$OUT/pcap2udp" -d "127.0.0.1:$port" --pps "$pps" --burst "$BURST" --count "$count" "$cap" >"$OUT/live_sent.txt" 2>&1
		wait "$pid" || true
		got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["flows"])' \
			"$OUT/live_nftop.json" 2>/dev/null || echo 0)
	else
		rm -rf "$OUT/live_nfcapd"
		mkdir -p "$OUT/live_nfcapd"
		nfcapd -b 127.0.0.1 -p "$port" -w "$OUT/live_nfcapd" -t 3600 -B "$RCVBUF" >"$OUT/live_nfcapd.log" 2>&1 &
		pid=$!
		sleep 1
		"$OUT/pcap2udp" -d "127.0.0.1:$port" --pps "$pps" --burst "$BURST" --count "$count" "$cap" >"$OUT/live_sent.txt" 2>&1
		sleep 2
		kill -TERM "$pid"
		wait "$pid" || true
		got=$(nfdump -R "$OUT/live_nfcapd" -I 2>/dev/null | sed -n 's/^Flows: //p')
		rm -rf "$OUT/live_nfcapd"
		sync
	fi
	e1=$(rcvbuf_errors)
	# The capture may hold fewer datagrams than the rate asks for.
	sent=$(($(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$OUT/live_sent.txt") * per))
	[ "$total" -gt 0 ] && [ "$sent" -gt "$total" ] && sent=$total
	secs=$(sed -n 's/^sent .* in \([0-9.]*\) s$/\1/p' "$OUT/live_sent.txt")
	achieved=$(python3 -c 'import sys; print(int(int(sys.argv[1]) / max(float(sys.argv[2]), 1e-9)))' "$sent" "${secs:-0}")
	echo "${got:-0} $sent $((e1 - e0)) $achieved"
}

# The verdict uses the rate the sender reached, not the one asked for.
best_nftop=0 best_nfcapd=0 lost_nftop=0 lost_nfcapd=0
order="nftop nfcapd"
sync		# what ran before (a capture just written) is not flushed during a step
for rate in $RATES; do
	for side in $order; do
		# shellcheck disable=SC2046  # the four numbers become $1..$4
		set -- $(run_one "$side" "$rate")
		mark="lossless"
		if [ "$1" -eq "$2" ]; then
			[ "$side" = nftop ] && [ "$4" -gt "$best_nftop" ] && best_nftop=$4
			[ "$side" = nfcapd ] && [ "$4" -gt "$best_nfcapd" ] && best_nfcapd=$4
		else
			mark="lost $(($2 - $1))"
			[ "$side" = nftop ] && lost_nftop=1
			[ "$side" = nfcapd ] && lost_nfcapd=1
		fi
		printf '   %-7s offered %8d flows/s (sender reached %8d): received %9d of %9d  kernel rcvbuf errors %7d  %s\n' \
			"$side" "$rate" "$4" "$1" "$2" "$3" "$mark"
	done
	if [ "$order" = "nftop nfcapd" ]; then order="nfcapd nftop"; else order="nftop nfcapd"; fi
done
echo "   highest rate reached without loss: nftop $best_nftop flows/s, nfcapd $best_nfcapd flows/s"
[ "$lost_nftop" = 0 ] && echo "   nftop lost nothing at any rate: its limit is above what the sender reached"
[ "$lost_nfcapd" = 0 ] && echo "   nfcapd lost nothing at any rate: its limit is above what the sender reached"
if [ "$best_nfcapd" -gt 0 ]; then
	python3 -c 'import sys; print("   ratio nftop/nfcapd: %.2fx" % (int(sys.argv[1]) / int(sys.argv[2])))' \
		"$best_nftop" "$best_nfcapd"
fi
