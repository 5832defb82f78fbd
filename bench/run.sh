#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench/run.sh - nftop against nfdump on the same flows, and the cost of
# GeoIP enrichment and of spike alerts. Generates its inputs (never downloads), runs each side
# alternately several times, prints medians and ratios. No timing is
# asserted: the numbers are for people (doc/PERFORMANCE.md says how to read
# them).
#
# Environment: NFTOP (default src/nftop), FLOWS (default 2000000), ROUNDS
# (default 3), OUT (default bench/out), GEO_COUNTRY / GEO_ASN (databases for
# the enrichment run; default: ../shared/testdata/geoip/iptoasn-country.mmdb
# when present, else tests/data/geoip/GeoLite2-Country-Test.mmdb, and
# tests/data/geoip/GeoLite2-ASN-Test.mmdb).
set -eu
cd "$(dirname "$0")/.."
NFTOP=${NFTOP:-src/nftop}
FLOWS=${FLOWS:-2000000}
ROUNDS=${ROUNDS:-3}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
CC=${CC:-cc}

$CC -std=gnu11 -O2 -o "$OUT/mkexport" bench/mkexport.c -lm
$CC -std=gnu11 -O2 -o "$OUT/pcap2udp" tests/tools/pcap2udp.c -lpcap
cap="$OUT/v9_$FLOWS.pcap"
[ -s "$cap" ] || "$OUT/mkexport" "$cap" "$FLOWS"

echo "== inputs: $FLOWS flows (NetFlow v9, Zipf-like: 200k sources, 1M destinations)"

# The same flows as nfcapd stores them: replayed on loopback, count checked.
nfdir="$OUT/nfcapd_$FLOWS"
if command -v nfcapd >/dev/null && command -v nfdump >/dev/null; then
	if [ ! -d "$nfdir" ] || [ "$(nfdump -R "$nfdir" -I 2>/dev/null | sed -n 's/^Flows: //p')" != "$FLOWS" ]; then
		rm -rf "$nfdir"
		mkdir -p "$nfdir"
		port=$((30000 + $$ % 20000))
		nfcapd -b 127.0.0.1 -p "$port" -w "$nfdir" -t 3600 -B 33554432 >"$OUT/nfcapd.log" 2>&1 &
		pid=$!
		sleep 1
		"$OUT/pcap2udp" -d "127.0.0.1:$port" --pps 40000 "$cap"
		sleep 2
		kill -TERM "$pid"
		wait "$pid" || true
	fi
	got=$(nfdump -R "$nfdir" -I | sed -n 's/^Flows: //p')
	if [ "$got" != "$FLOWS" ]; then
		echo "nfcapd stored $got of $FLOWS flows (loss on loopback); rerun with a smaller FLOWS" >&2
		exit 1
	fi
	nffile=$(ls "$nfdir"/nfcapd.* | head -1)
	echo "== replay: nftop -b (all 14 dimensions) of the capture and of nfcapd's file vs nfdump -r (4 statistics), $ROUNDS rounds each"
	python3 bench/measure.py "$ROUNDS" \
		"nftop=$NFTOP --no-config -b -q -r $cap -o json" \
		"nftop-nfcapd=$NFTOP --no-config -b -q -r $nffile -o json" \
		"nfdump=nfdump -r $nffile -s srcip/bytes -s dstip/bytes -s dstport/bytes -s proto/bytes -n 10 -q" \
		>"$OUT/replay.json"
	python3 - "$OUT/replay.json" "$FLOWS" <<'PY'
import json, math, sys
r = {j["name"]: j for j in map(json.loads, open(sys.argv[1]))}
n = int(sys.argv[2])
for k in ("nftop", "nftop-nfcapd", "nfdump"):
    j = r[k]
    print("   %-12s %8.3f s  %10.0f flows/s  peak RSS %6.1f MiB" % (k, j["median_s"], n / j["median_s"], j["max_rss"] / 2**20))
for k, what in (("nftop", "the v9 capture"), ("nftop-nfcapd", "the same nfcapd file")):
    # Each round's ratio, then their geometric mean: steadier than a ratio
    # of medians when the machine's speed drifts during the run.
    per = [a / b for a, b in zip(r["nfdump"]["runs"], r[k]["runs"])]
    g = math.exp(sum(map(math.log, per)) / len(per))
    print("   ratio nftop/nfdump, nftop reading %s: throughput %.2fx (of medians), %.2fx (geometric mean of %d rounds' ratios), RSS %.2fx" %
          (what, r["nfdump"]["median_s"] / r[k]["median_s"], g, len(per), r[k]["max_rss"] / r["nfdump"]["max_rss"]))
PY
else
	echo "== replay vs nfdump skipped: nfdump/nfcapd not installed (tools/deps.sh installs them)"
fi

country=${GEO_COUNTRY:-}
asn=${GEO_ASN:-tests/data/geoip/GeoLite2-ASN-Test.mmdb}
if [ -z "$country" ]; then
	country=tests/data/geoip/GeoLite2-Country-Test.mmdb
	[ -f ../shared/testdata/geoip/iptoasn-country.mmdb ] && country=../shared/testdata/geoip/iptoasn-country.mmdb
fi
# cost FEATURE FILE CMD_WITHOUT CMD_WITH: medians of both and the throughput
# with the feature as a share of the throughput without it.
cost() {
	python3 bench/measure.py "$ROUNDS" "without=$3" "with=$4" >"$OUT/$2.json"
	python3 - "$OUT/$2.json" "$1" <<'PY'
import json, sys
r = {j["name"]: j for j in map(json.loads, open(sys.argv[1]))}
print("   without %.3f s, with %.3f s: throughput with %s = %.0f%% of without" %
      (r["without"]["median_s"], r["with"]["median_s"], sys.argv[2],
       100 * r["without"]["median_s"] / r["with"]["median_s"]))
PY
}

echo "== GeoIP: nftop with $country and $asn vs without, $ROUNDS rounds each"
cost databases geo "$NFTOP --no-config -b -q -r $cap -o json --geoip-dir /nonexistent 2>/dev/null" \
	"$NFTOP --no-config -b -q -r $cap -o json --geoip-country $country --geoip-asn $asn"

echo "== alerts: nftop with the spike detector vs --no-alerts, $ROUNDS rounds each"
cost alerts alerts "$NFTOP --no-config -b -q -r $cap -o json --no-alerts" \
	"$NFTOP --no-config -b -q -r $cap -o json"

if command -v nfcapd >/dev/null && command -v nfdump >/dev/null; then
	echo "== live ingest: the same datagrams on loopback to nftop -b -l and to nfcapd, rising rates"
	NFTOP=$NFTOP OUT=$OUT sh bench/live.sh "$cap" 30 "$FLOWS"
	# The same flows, 200 to a datagram: with 30 the sender tops out at
	# 3-4M flows/s on two cores, below nfcapd's loss point.
	cap200="$OUT/v9_${FLOWS}_r200.pcap"
	[ -s "$cap200" ] || "$OUT/mkexport" "$cap200" "$FLOWS" 200000 1000000 - 200
	echo "== live ingest, 200 flows per datagram (7.6 KB, jumbo frames: a 9000-byte MTU): fewer datagrams per flow let the sender go past nfcapd's loss point"
	NFTOP=$NFTOP OUT=$OUT RATES="2000000 3000000 4000000 5000000 6000000 8000000 12000000" \
		sh bench/live.sh "$cap200" 200 "$FLOWS"
fi
echo "== the screen under full ingest load: key answers and the rate it keeps up with"
NFTOP=$NFTOP OUT=$OUT sh bench/keylat.sh "$cap" 30

STOREBENCH=${STOREBENCH:-bench/storebench}
if [ -x "$STOREBENCH" ]; then
	echo "== memory: bytes per tracked key (source-address dimension, N unique keys)"
	for n in 1000000 10000000; do
		printf '   %8d keys: ' "$n"
		"$STOREBENCH" mem "$n"
	done
	echo "== UI cost: snapshot + drawing every pane at 200x50 (median of 9), 1M unique keys in 3 dimensions"
	printf '   '
	"$STOREBENCH" ui 1000000
fi
