#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench/soak.sh - a long live run with keys churning: `nftop -b -l` takes
# NetFlow v5 from a loopback sender whose every record has new random
# source and destination addresses and ports, over a sliding window, with
# --max-memory small enough that the bound is reached in the first minutes.
# nftop's RSS (VmRSS) is sampled every 10 s. Verdict: RSS never goes past
# the bound by more than 10%, ends within 10% of it, stays flat once there,
# and evictions are counted.
#
# Environment: NFTOP (src/nftop), SOAK_SECONDS (600), MAX_MEMORY (256M),
# WINDOW (1m), PPS (datagrams per second, 30 records each; 2000).
set -eu
cd "$(dirname "$0")/.."
NFTOP=${NFTOP:-src/nftop}
SECS=${SOAK_SECONDS:-600}
MAX_MEMORY=${MAX_MEMORY:-256M}
WINDOW=${WINDOW:-1m}
PPS=${PPS:-2000}
port=$((30000 + $$ % 20000))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$NFTOP" --no-config -b -q -l "127.0.0.1:$port" --max-keys 100000000 --max-memory "$MAX_MEMORY" \
	-w "$WINDOW" --duration "$SECS" -o json \
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
echo "== soak: $SECS s, --max-memory $MAX_MEMORY -w $WINDOW, $PPS datagrams/s x 30 new keys"
i=0
while kill -0 "$pid" 2>/dev/null; do
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	[ -n "$rss" ] && echo "$i $rss" >>"$out/series"
	sleep 10
	i=$((i + 10))
done
wait "$sender" 2>/dev/null || true
wait "$pid" || true
python3 - "$out/series" "$out/nftop.json" "$MAX_MEMORY" <<'PY'
import json, sys
series = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
d = json.loads(open(sys.argv[2]).read().splitlines()[-1])
m = sys.argv[3]
cap_kib = int(m[:-1]) * {"K": 1, "M": 1024, "G": 1024 * 1024}[m[-1].upper()] if m[-1].isalpha() else int(m) // 1024
keys = d["keys"]
ev = sum(k["evicted"] for k in keys.values())
print("   flows %d; src_ip tracked %d, dst_ip %d; evicted (all dimensions) %d" %
      (d["totals"]["flows"], keys["src_ip"]["tracked"], keys["dst_ip"]["tracked"], ev))
print("   seconds  RSS (MiB)  of the bound")
for t, r in series:
    print("   %7d  %9.1f  %5.1f%%" % (t, r / 1024, 100.0 * r / cap_kib))
if not series or series[-1][0] < 120:
    print("   too short for a verdict (needs 2 minutes)")
    sys.exit(0)
peak, last = max(r for t, r in series), series[-1][1]
# Flat once there: from the first sample within 10% of the bound on.
there = next((t for t, r in series if r >= 0.9 * cap_kib), None)
after = [r for t, r in series if there is not None and t >= there]
spread = 100.0 * (max(after) - min(after)) / cap_kib if after else 0
print("   bound %.0f MiB; highest RSS %.1f MiB (%.1f%%), last %.1f MiB (%.1f%%); reached 90%% at %s s, spread after %.1f%%"
      % (cap_kib / 1024, peak / 1024, 100.0 * peak / cap_kib, last / 1024, 100.0 * last / cap_kib,
         there, spread))
good = peak <= 1.1 * cap_kib and abs(last - cap_kib) <= 0.1 * cap_kib and ev > 0 and spread <= 10
print("   verdict: %s" % ("within 10% of the bound and flat" if good else "NOT within 10% of the bound, or not flat"))
PY
