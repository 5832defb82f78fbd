#!/bin/sh
# SPDX-License-Identifier: MIT
#
# flood.sh - more than nftop can take, then a rate it can: nftop must keep
# running, count the kernel's drops, and be exact again once the rate falls.
# nftop listens on 127.0.0.1 and [::1] with a small receive buffer. The flood:
# nftop is stopped (SIGSTOP) while 5,000 IPFIX datagrams are blasted at the
# IPv4 socket, so its buffer must overflow, then continued. The slow phase
# comes from another exporter address (::1): 20 rounds of the 3 datagrams of
# ipfix/mikrotik_routeros6.pcap (46 flows, 253 packets, 103235 bytes a round,
# tshark's numbers in tests/data/expected.tsv) at 60 datagrams a second.
set -u
me=flood
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
. "$srcdir/tests/lib.sh"
cap="$srcdir/tests/data/ipfix/mikrotik_routeros6.pcap"
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
	say "SKIP: no IPv6 loopback"
	exit 77
fi
p4=$(free_port 3) || die "no free port"
p6=$(free_port 4) || die "no free port"

send() {	# send ADDR PORT ROUNDS PER_SECOND (0: unpaced)
	python3 - "$srcdir/tests/data/tools" "$cap" "$@" <<'PY'
import socket, sys, time
sys.path.insert(0, sys.argv[1])
from mkbad import read_udp
payloads = [p for _, _, p in read_udp(sys.argv[2])]
addr, port, rounds, pps = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
n = 0
for r in range(rounds):
    for p in payloads:
        s.sendto(p, (addr, port))
        n += 1
        if pps:
            time.sleep(1 / pps)
print(n)
PY
}

timeout 60 "$NFTOP" --no-config -b -l "127.0.0.1:$p4" -l "[::1]:$p6" --rcvbuf 65536 --duration 10 -o json \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
started="$started $pid"
wait_bound "$p4" "$pid" 10 && wait_bound "$p6" "$pid" 10 || { cat "$tmp/err"; die "nftop did not bind"; }
child=$(pgrep -P "$pid" | head -1)	# nftop itself, under timeout(1)
kill -STOP "$child"
flood=$(send 127.0.0.1 "$p4" 1667 0)
kill -CONT "$child"
sleep 1
kill -0 "$child" 2>/dev/null || die "nftop died in the flood"
slow=$(send ::1 "$p6" 20 60)
wait "$pid"
rc=$?
forget "$pid"
[ "$rc" -eq 0 ] || die "nftop exited $rc after the flood: $(cat "$tmp/err")"
say "ok   nftop kept running through a flood of $flood datagrams and exited 0"
res=$(python3 - "$tmp/out" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
x = {e["address"]: e for e in d["exporters"]}
v4 = x.get("127.0.0.1", {"datagrams": 0})
v6 = x.get("::1", {})
print(d["input"]["kernel_drops"], v4["datagrams"], v6.get("datagrams"), v6.get("flows"))
t = [r for r in d["top"]["exporter"] if r["key"] == "::1"][0]
print(t["flows"], t["packets"], t["bytes"])
PY
)
set -- $res
drops=$1 got4=$2 dg6=$3 fl6=$4
[ "$drops" -gt 0 ] || die "no kernel drops counted in the flood ($res)"
[ "$got4" -lt "$flood" ] || die "all $flood flood datagrams arrived: no overflow?"
# Every datagram is either taken or counted as dropped by the kernel.
[ $((got4 + drops)) -eq "$flood" ] || die "taken $got4 + kernel_drops $drops != sent $flood"
say "ok   the flood overflowed: $got4 of $flood datagrams taken, kernel_drops $drops: every one accounted for"
[ "$dg6" = "$slow" ] || die "slow phase: $dg6 of $slow datagrams"
want="$((46 * 20)) $((253 * 20)) $((103235 * 20))"
[ "$5 $6 $7" = "$want" ] || die "slow phase: '$5 $6 $7', want '$want'"
say "ok   after the flood, exact again: $slow datagrams, flows/packets/bytes $want from ::1"
exit 0
