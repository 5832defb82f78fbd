#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench/live.sh - live ingest: the same NetFlow v9 datagrams sent on loopback
# at rising rates to `nftop -b -l` and to nfcapd, one after the other at each
# rate; a rate is taken without loss when every flow sent is counted. Prints
# the highest lossless rate of each, their ratio, and the kernel's receive
# buffer errors (RcvbufErrors in /proc/net/snmp) at each step.
#
# Usage: bench/live.sh CAPTURE FLOWS_PER_DATAGRAM   (run.sh calls it)
# Environment: NFTOP, OUT, RATES (flows/s, space separated), SECONDS_PER_RATE.
set -eu
cap=$1
per=$2
NFTOP=${NFTOP:-src/nftop}
OUT=${OUT:-bench/out}
RATES=${RATES:-"250000 500000 750000 1000000 1500000 2000000 3000000"}
SECS=${SECONDS_PER_RATE:-3}
RCVBUF=8388608

rcvbuf_errors() { awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }

# run_one SIDE RATE: prints "received sent kernel_errors"
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
		"$OUT/pcap2udp" -d "127.0.0.1:$port" --pps "$pps" --count "$count" "$cap" >"$OUT/live_sent.txt" 2>&1
		wait "$pid" || true
		got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["flows"])' \
			"$OUT/live_nftop.json" 2>/dev/null || echo 0)
	else
		rm -rf "$OUT/live_nfcapd"
		mkdir -p "$OUT/live_nfcapd"
		nfcapd -b 127.0.0.1 -p "$port" -w "$OUT/live_nfcapd" -t 3600 -B "$RCVBUF" >"$OUT/live_nfcapd.log" 2>&1 &
		pid=$!
		sleep 1
		"$OUT/pcap2udp" -d "127.0.0.1:$port" --pps "$pps" --count "$count" "$cap" >"$OUT/live_sent.txt" 2>&1
		sleep 2
		kill -TERM "$pid"
		wait "$pid" || true
		got=$(nfdump -R "$OUT/live_nfcapd" -I 2>/dev/null | sed -n 's/^Flows: //p')
	fi
	e1=$(rcvbuf_errors)
	# The capture may hold fewer datagrams than the rate asks for.
	sent=$(($(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$OUT/live_sent.txt") * per))
	echo "${got:-0} $sent $((e1 - e0))"
}

best_nftop=0 best_nfcapd=0
for rate in $RATES; do
	for side in nftop nfcapd; do
		set -- $(run_one "$side" "$rate")
		mark="lossless"
		if [ "$1" -eq "$2" ]; then
			[ "$side" = nftop ] && best_nftop=$rate
			[ "$side" = nfcapd ] && best_nfcapd=$rate
		else
			mark="lost $(($2 - $1))"
		fi
		printf '   %-7s offered %8d flows/s: received %9d of %9d  kernel rcvbuf errors %7d  %s\n' \
			"$side" "$rate" "$1" "$2" "$3" "$mark"
	done
done
echo "   highest lossless rate: nftop $best_nftop flows/s, nfcapd $best_nfcapd flows/s"
if [ "$best_nfcapd" -gt 0 ]; then
	python3 -c 'import sys; print("   ratio nftop/nfcapd: %.2fx" % (int(sys.argv[1]) / int(sys.argv[2])))' \
		"$best_nftop" "$best_nfcapd"
fi
