#!/bin/sh
# SPDX-License-Identifier: MIT
#
# alerts_live.sh - a live spike: softflowd (a real NetFlow v5 exporter)
# watches the loopback interface and exports to nftop -b -l; this script
# sends steady UDP traffic, then a spike to port 7777. The alert log must name
# port 7777 within 10 s of the spike. Needs root (softflowd captures lo) and
# softflowd; skips (77) without them. Bounded: about 30 s.
set -u
me=alerts_live
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
command -v softflowd >/dev/null 2>&1 || { echo "$me: SKIP: softflowd is not installed"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "$me: SKIP: softflowd needs root to capture on lo"; exit 77; }
. "$srcdir/tests/lib.sh"

port=$(free_port 11) || die "no free port"
timeout 60 "$NFTOP" --no-config -b -q -l "127.0.0.1:$port" --duration 40 --alert-warmup 5 \
	--alert-log "$tmp/live.log" -o json >"$tmp/out.json" 2>"$tmp/err" &
nft=$!
started="$started $nft"
wait_bound "$port" "$nft" 10 || { cat "$tmp/err"; die "nftop did not bind"; }
timeout 60 softflowd -d -i lo -n "127.0.0.1:$port" -v 5 -t maxlife=2 -t udp=2 -t expint=1 \
	-p "$tmp/sf.pid" -c "$tmp/sf.ctl" >"$tmp/sf.log" 2>&1 &
sf=$!
started="$started $sf"
sleep 2
# Steady: 100 datagrams/s of 500 bytes to 127.0.0.2:9000 for 12 s; then a
# spike: 2000/s of 1000 bytes to 127.0.0.3:7777 for 6 s.
python3 - "$tmp/spike_at" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def send(dst, size, pps, secs):
    end = time.time() + secs
    n = 0
    while time.time() < end:
        s.sendto(b"x" * size, dst)
        n += 1
        time.sleep(max(0.0, (n / pps) - (time.time() - (end - secs))))
send(("127.0.0.2", 9000), 500, 100, 12)
open(sys.argv[1], "w").write("%d\n" % time.time())
send(("127.0.0.3", 7777), 1000, 2000, 6)
PY
spike_at=$(cat "$tmp/spike_at")
i=0
while ! grep -q '"dimension":"dst_port","key":"7777"' "$tmp/live.log" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -gt 100 ] && break; sleep 0.1
done
seen=$(date +%s)
stop "$sf"
stop "$nft"
sed 's/^/# /' "$tmp/live.log" 2>/dev/null | head -20
grep -q '"event":"start".*"dimension":"dst_port","key":"7777"' "$tmp/live.log" ||
	die "no alert names port 7777"
delay=$((seen - spike_at))
[ "$delay" -le 10 ] || die "the alert came $delay s after the spike"
say "ok   an alert names dst_port 7777, $delay s after the spike began"
exit 0
