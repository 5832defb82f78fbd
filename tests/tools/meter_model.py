#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An independent model of packet metering, fed by tshark's decode.

Reads the lines of
  tshark -r CAP -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
    -T fields -E occurrence=f -E separator=/t \
    -e frame.time_epoch -e frame.protocols -e ip.src -e ip.dst -e ip.proto \
    -e ip.len -e ipv6.src -e ipv6.dst -e ipv6.nxt -e ipv6.plen \
    -e tcp.srcport -e tcp.dstport -e tcp.flags -e udp.srcport -e udp.dstport \
    -e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code
on stdin and prints "packets bytes flows" for the rules given:
  --inactive S  a flow idle for more than S seconds ends (default 15)
  --active S    a flow is cut S seconds after its first packet (default 300)
  --no-fin      TCP FIN/RST does not end a flow
  --bidir       one flow per address/port pair in either direction, counted
                as one record per direction that carried packets
  --no-pseudowire  skip frames carried in an MPLS Ethernet pseudowire
Frames without IPv4 or IPv6 are skipped. The key is nftop's: addresses,
ports, protocol, ICMP type*256+code as the destination port.
"""
import sys

def main():
    inactive, active, fin, bidir, pw = 15.0, 300.0, True, False, True
    a = sys.argv[1:]
    while a:
        o = a.pop(0)
        if o == "--inactive": inactive = float(a.pop(0))
        elif o == "--active": active = float(a.pop(0))
        elif o == "--no-fin": fin = False
        elif o == "--bidir": bidir = True
        elif o == "--no-pseudowire": pw = False
        else: sys.exit("meter_model: unknown option " + o)
    live = {}      # key -> [first, last, directions-with-packets]
    packets = nbytes = flows = 0

    def end(k):
        nonlocal flows
        flows += len(live.pop(k)[2])

    for line in sys.stdin:
        f = line.rstrip("\n").split("\t")
        f += [""] * (19 - len(f))
        (t, protos, s4, d4, p4, l4, s6, d6, n6, pl6,
         ts, td, tf, us, ud, it, ic, i6t, i6c) = f[:19]
        chain = protos.split(":")
        ip = next((i for i, p in enumerate(chain) if p in ("ip", "ipv6")), None)
        if ip is None or (not pw and "pwethcw" in chain):
            continue
        t = float(t)
        if chain[ip] == "ip":
            src, dst, proto, length = s4, d4, int(p4), int(l4)
        else:
            src, dst, proto, length = s6, d6, int(n6), int(pl6) + 40
        nxt = chain[ip + 1] if ip + 1 < len(chain) else ""
        sport = dport = 0
        flags = 0
        if nxt == "tcp" and ts:
            sport, dport, flags = int(ts), int(td), int(tf, 16)
        elif nxt == "udp" and us:
            sport, dport = int(us), int(ud)
        elif nxt == "icmp" and it:
            dport = int(it) * 256 + int(ic or 0)
        elif nxt == "icmpv6" and i6t:
            dport = int(i6t) * 256 + int(i6c or 0)
        packets += 1
        nbytes += length
        k, d = (src, dst, sport, dport, proto), 0
        if bidir and (dst, src, dport, sport, proto) in live:
            k, d = (dst, src, dport, sport, proto), 1
        # Idle flows end before this packet is looked at (every key).
        for old in [x for x, v in live.items() if t - v[1] > inactive]:
            end(old)
        if k in live and t >= live[k][0] + active:
            end(k)
        if k not in live:
            live[k] = [t, t, set()]
        live[k][1] = t
        live[k][2].add(d)
        if fin and proto == 6 and flags & 0x05:
            end(k)
    for k in list(live):
        end(k)
    print(packets, nbytes, flows)

main()
