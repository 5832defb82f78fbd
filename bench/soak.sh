#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench/soak.sh - a long live run with keys churning: `nftop -b -l` takes
# NetFlow v5 from a loopback sender whose every record has new random
# source and destination addresses and ports, with --max-keys small enough
# that the cap is reached in the first minute. nftop's RSS (VmRSS) is
# sampled every 10 s. Verdict: after the cap is reached, RSS stays within
# 10% of its value one minute in, and evictions are counted.
#
# Environment: NFTOP (src/nftop), SOAK_SECONDS (600), MAX_KEYS (100000),
# PPS (datagrams per second, 30 records each; 2000).
set -eu
cd "$(dirname "$0")/.."
NFTOP=${NFTOP:-src/nftop}
SECS=${SOAK_SECONDS:-600}
MAX_KEYS=${MAX_KEYS:-100000}
PPS=${PPS:-2000}
port=$((30000 + $$ % 20000))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$NFTOP" --no-config -b -q -l "127.0.0.1:$port" --max-keys "$MAX_KEYS" --duration "$SECS" -o json \
	>"$out/nftop.json" 2>"$out/nftop.err" &
pid=$!
sleep 1
python3 - "$port" "$PPS" "$SECS" <<'PY' &
import random, socket, struct, sys, time
port, pps, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rnd = random.Random(1)
t0 = time.time()
seq = 0
n = 0
while time.time() - t0 < secs - 2:
    recs = b"".join(struct.pack(">IIIHHIIIIHHBBBBHHBBH",
                                rnd.getrandbits(32), rnd.getrandbits(32), 0, 1, 2,
                                1 + rnd.getrandbits(4), 40 + rnd.getrandbits(10), 0, 0,
                                rnd.getrandbits(16), rnd.getrandbits(16), 0, 0, 6, 0,
                                rnd.getrandbits(16), rnd.getrandbits(16), 24, 24, 0)
                    for _ in range(30))
    now = int(time.time())
    s.sendto(struct.pack(">HHIIIIBBH", 5, 30, 1000, now, 0, seq, 0, 0, 0) + recs, ("127.0.0.1", port))
    seq += 30
    n += 1
    wait = t0 + n / pps - time.time()
    if wait > 0:
        time.sleep(wait)
PY
sender=$!
echo "== soak: $SECS s, --max-keys $MAX_KEYS, $PPS datagrams/s x 30 new keys"
i=0
while kill -0 "$pid" 2>/dev/null; do
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	[ -n "$rss" ] && echo "$i $rss" >>"$out/series"
	sleep 10
	i=$((i + 10))
done
wait "$sender" 2>/dev/null || true
wait "$pid" || true
python3 - "$out/series" "$out/nftop.json" "$MAX_KEYS" <<'PY'
import json, sys
series = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
d = json.loads(open(sys.argv[2]).read().splitlines()[-1])
keys = d["keys"]["src_ip"]
print("   flows %d; src_ip tracked %d (cap %s), evicted %d" % (d["totals"]["flows"], keys["tracked"], sys.argv[3], keys["evicted"]))
print("   seconds  RSS (MiB)")
for t, r in series:
    print("   %7d  %9.1f" % (t, r / 1024))
ref = [r for t, r in series if t >= 60]
if not ref:
    print("   too short for a verdict (needs more than 60 s)")
    sys.exit(0)
base, peak = ref[0], max(ref)
growth = 100.0 * (peak - base) / base
print("   RSS at 60 s %.1f MiB, highest after %.1f MiB: %+.1f%%" % (base / 1024, peak / 1024, growth))
print("   verdict: %s" % ("flat (within 10%)" if growth <= 10 and keys["evicted"] > 0 else "NOT flat or cap not reached"))
PY
