#!/bin/sh
# SPDX-License-Identifier: MIT
#
# live_iface.sh - nftop -i lo: packets captured live and metered into flows.
# A sender puts a known set of UDP datagrams on loopback (two destination
# ports, two bursts 2 s apart); tshark captures the same traffic as the
# oracle. Checks: packets, bytes (IP lengths, as softflowd counts them) and
# flows against the sender and tshark; --inactive-timeout splitting a flow
# at the pause; -u dropping root once the interface is open; the refusal to
# run as root without -u or --keep-root; clear errors for a bad --bpf and a
# missing interface; --bpf on -r of the capture tshark wrote.
set -u
me=live_iface
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
. "$srcdir/tests/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	say "SKIP: capturing on lo needs root (CI runs as root)"
	exit 77
fi
command -v tshark >/dev/null 2>&1 || { say "SKIP: tshark missing (tools/deps.sh installs it)"; exit 77; }
id nobody >/dev/null 2>&1 || die "no user nobody"

p1=$(free_port 1) || die "no free port"
p2=$(free_port 2) || die "no free port"
bpf="udp and (dst port $p1 or dst port $p2)"

json() { python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(eval(sys.argv[2]))' "$@"; }

# The sender: burst 1 (60 to p1, 40 to p2), a 2 s pause, burst 2 (30 to p1,
# 20 to p2), one source socket so each port is one 5-tuple. Datagram i of a
# burst carries 50 + 7i bytes of payload (up to 463: past the 256-byte snap
# length -i captures with, so the IP header's length must be what counts);
# IP length = payload + 28.
send() {
	python3 - "$p1" "$p2" <<'PY'
import socket, sys, time
p1, p2 = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
for n1, n2 in ((60, 40), (30, 20)):
    for port, n in ((p1, n1), (p2, n2)):
        for i in range(n):
            s.sendto(b"x" * (50 + 7 * i), ("127.0.0.1", port))
    time.sleep(2)
PY
}
# What was sent: 150 packets; bytes = sum over bursts of (50+7i+28).
want_packets=150
want_bytes=$(python3 -c 'print(sum(78 + 7 * i for n in (60, 40, 30, 20) for i in range(n)))')

timeout 30 tshark -q -i lo -f "$bpf" -a duration:7 -w "$tmp/lo.pcap" >/dev/null 2>"$tmp/tshark.err" &
tpid=$!
started="$started $tpid"
timeout 30 "$NFTOP" --no-config -b -i lo --bpf "$bpf" -u nobody --inactive-timeout 1 --duration 6 -o json \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
started="$started $pid"
sleep 1.5
child=$(pgrep -P "$pid" | head -1)	# nftop itself, under timeout(1)
uid=$(awk '/^Uid:/ { print $2 }' "/proc/${child:-$pid}/status")
send
wait "$pid"
rc=$?
forget "$pid"
wait "$tpid" 2>/dev/null
forget "$tpid"
[ "$rc" -eq 0 ] || die "nftop -i exited $rc: $(cat "$tmp/err")"
[ "$uid" = "$(id -u nobody)" ] || die "running as uid $uid after -u nobody"
say "ok   -u nobody: the interface opened as root, then running as uid $uid"

# tshark's view of the same traffic:
#   tshark -r lo.pcap -T fields -e ip.len
oracle=$(tshark -r "$tmp/lo.pcap" -T fields -e ip.len 2>/dev/null |
	awk '{ n++; b += $1 } END { print n + 0, b + 0 }')
[ "$oracle" = "$want_packets $want_bytes" ] || die "tshark saw '$oracle', the sender sent '$want_packets $want_bytes'"
got=$(json "$tmp/out" 'd["totals"]["packets"], d["totals"]["bytes"]' | tr -d '(),')
[ "$got" = "$want_packets $want_bytes" ] || die "nftop -i counted '$got', tshark '$oracle'"
say "ok   packets and bytes (IP lengths) equal tshark's: $got"
# Two 5-tuples, each cut in two by the 2 s pause (--inactive-timeout 1).
flows=$(json "$tmp/out" 'd["totals"]["flows"]')
[ "$flows" = 4 ] || die "flows $flows, want 4 (2 tuples x 2 bursts split by the inactive timeout)"
ports=$(json "$tmp/out" '" ".join("%s/%d/%d" % (r["key"], r["flows"], r["packets"]) for r in sorted(d["top"]["dst_port"], key=lambda r: r["key"]))')
want_ports=$(printf '%s\n%s\n' "$p1/2/90" "$p2/2/60" | sort | tr '\n' ' ' | sed 's/ $//')
[ "$ports" = "$want_ports" ] || die "dst ports '$ports', want '$want_ports'"
say "ok   flows split at the pause by --inactive-timeout 1: $ports"

# --bpf on -r of the packets tshark wrote: only p1's.
got=$("$NFTOP" --no-config -b -q -r "$tmp/lo.pcap" --bpf "udp dst port $p1" -o json >"$tmp/r.json" &&
	json "$tmp/r.json" 'd["totals"]["packets"]')
want=$(tshark -r "$tmp/lo.pcap" -Y "udp.dstport == $p1" -T fields -e ip.len 2>/dev/null | wc -l)
[ "$got" = "$want" ] && [ "$want" = 90 ] || die "--bpf on -r: $got packets, tshark -Y: $want"
say "ok   --bpf on -r: $got packets, as tshark -Y 'udp.dstport == $p1'"

# Root without -u or --keep-root is refused; --keep-root is accepted.
"$NFTOP" --no-config -b -i lo --duration 1 >/dev/null 2>"$tmp/e1"
rc=$?
[ "$rc" -eq 2 ] && grep -q "refusing to capture on lo as root" "$tmp/e1" || die "as root without -u: status $rc, '$(cat "$tmp/e1")'"
say "ok   as root without -u: refused, status 2"
timeout 20 "$NFTOP" --no-config -b -q -i lo --keep-root --bpf "$bpf" --duration 1 -o json >/dev/null 2>"$tmp/e2" ||
	die "--keep-root: $(cat "$tmp/e2")"
say "ok   --keep-root runs"

# Clear one-line errors.
"$NFTOP" --no-config -b -i lo --keep-root --bpf 'udp and' --duration 1 >"$tmp/o3" 2>"$tmp/e3"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/e3")" -eq 1 ] && grep -q -- "--bpf" "$tmp/e3" && [ ! -s "$tmp/o3" ] ||
	die "bad --bpf: status $rc, '$(cat "$tmp/e3")'"
say "ok   bad --bpf: one line, status 2: $(cat "$tmp/e3")"
"$NFTOP" --no-config -b -i nftop-none0 --keep-root --duration 1 >"$tmp/o4" 2>"$tmp/e4"
rc=$?
[ "$rc" -eq 1 ] && grep -q "no such interface" "$tmp/e4" && [ ! -s "$tmp/o4" ] ||
	die "missing interface: status $rc, '$(cat "$tmp/e4")'"
say "ok   missing interface: status 1: $(cat "$tmp/e4")"
"$NFTOP" --no-config -b -i lo -l 2055 >/dev/null 2>&1
[ $? -eq 2 ] || die "-i with -l accepted"
say "ok   -i with -l: usage error"
exit 0
