#!/usr/bin/env python3
"""Write goflow2 JSON lines for real export captures, from tshark's decode.

Usage (from the repository root; needs tshark 4.0.x and python3, no other modules):
    python3 tests/data/tools/goflow2_json.py > tests/data/json/captures.jsonl
    python3 tests/data/tools/goflow2_json.py --summary   # totals and top-10s of the same records
    python3 tests/data/tools/goflow2_json.py --summary --type SFLOW_5     # of one type only
    python3 tests/data/tools/goflow2_json.py --summary --not-type SFLOW_5

Each capture in CAPTURES is decoded once with
    tshark -r FILE -d udp.port==PORT,cflow -T json      (sFlow: -d udp.port==PORT,sflow)
and every flow record ("pdu N/M" in v5, "Flow N" in v9/IPFIX data sets, each "Flow sample" in sFlow)
becomes one line in the shape `goflow2 -format json` (v2) prints: snake_case names, addresses as
text, proto by its IANA keyword, counters as exported (not multiplied by sampling_rate), times in
ns.  The values are goflow2's:
    type               NETFLOW_V5 / NETFLOW_V9 / IPFIX / SFLOW_5 (cflow.version, sFlow)
    time_received_ns   frame.time_epoch
    sampler_address    ip.src of the export frame; sFlow: sflow_245.agent
    sampling_rate      v5: cflow.samplerate (the header's interval, low 14 bits); v9/IPFIX 0 (these
                       captures announce no rate other than 1); sFlow: sflow.flow_sample.sampling_rate
    time_flow_*_ns     v5/v9: unix time of the header - (cflow.sysuptime - cflow.timestart/timeend);
                       otherwise time_received_ns
    bytes, packets     cflow.octets (else cflow.permanent_octets), cflow.packets (else
                       cflow.permanent_packets); sFlow: sflow_245.header.frame_length and 1
    src/dst_addr       cflow.srcaddr / srcaddrv6, cflow.dstaddr / dstaddrv6; sFlow: the sampled header's
                       ip.src / ipv6.src, ip.dst / ipv6.dst
    proto, ports       cflow.protocol, cflow.srcport, cflow.dstport; sFlow: ip.proto / ipv6.nxt, tcp/udp ports
    icmp_type/code     cflow.icmp_type_code_ipv4 (type<<8|code), cflow.icmp_ipv4_type/_code,
                       cflow.icmp_ipv6_type/_code; sFlow: icmp.type/code, icmpv6.type/code
    in_if, out_if, src_as, dst_as, next_hop, tcp_flags, ip_tos   as tshark shows them
Options data records (no addresses) are not flows and are left out, as goflow2 does.
"""
import argparse
import collections
import ipaddress
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
TSHARK = os.environ.get("TSHARK", "tshark")

# path, UDP port, dissector
CAPTURES = [
    ("netflow5/mikrotik_v5.pcap", 2055, "cflow"),
    ("netflow5/juniper_mx80_v5.pcap", 2055, "cflow"),
    ("netflow9/cisco_1941k9.pcap", 2055, "cflow"),
    ("ipfix/mikrotik_routeros6.pcap", 4739, "cflow"),
    ("ipfix/pmacct_cisco_xr7101_mpls_ipv6_with_bgp.pcap", 9991, "cflow"),
    ("sflow/telegraf_sflow_issue15918.pcap", 6343, "sflow"),
]
# goflow2's names for the protocol numbers these captures hold (IANA keywords).
PROTO_NAME = {0: "HOPOPT", 1: "ICMP", 6: "TCP", 17: "UDP", 41: "IPv6", 47: "GRE", 50: "ESP", 58: "IPv6-ICMP", 132: "SCTP"}
TYPE_NAME = {5: "NETFLOW_V5", 9: "NETFLOW_V9", 10: "IPFIX"}


def pairs(kv):
    """Keep tshark's repeated keys: every value is a list."""
    d = collections.OrderedDict()
    for k, v in kv:
        d.setdefault(k, []).append(v)
    return d


def first(node, key, default=None):
    v = node.get(key)
    return v[0] if v else default


def walk(node, pred):
    """Subtrees (name, node) whose name satisfies pred, in order, not looking inside a match."""
    for k, vs in node.items():
        for v in vs:
            if isinstance(v, dict):
                if pred(k):
                    yield k, v
                else:
                    yield from walk(v, pred)


def find(node, key):
    """The first value of key anywhere below node."""
    if key in node:
        return node[key][0]
    for vs in node.values():
        for v in vs:
            if isinstance(v, dict):
                r = find(v, key)
                if r is not None:
                    return r
    return None


def num(s, default=0):
    if s is None:
        return default
    return int(s, 16) if s.startswith("0x") else int(s)


def ns_of(seconds_text):
    s, _, frac = seconds_text.partition(".")
    return int(s) * 10**9 + int((frac + "000000000")[:9])


def tshark(path, port, proto):
    out = subprocess.run([TSHARK, "-r", os.path.join(DATA, path), "-d", "udp.port==%d,%s" % (port, proto),
                          "-T", "json"], check=True, capture_output=True).stdout
    return json.loads(out, object_pairs_hook=pairs)


def addr(rec, v4, v6):
    for k in (v4, v6):
        a = first(rec, k)
        if a is not None and ipaddress.ip_address(a) != ipaddress.ip_address("::" if ":" in a else "0.0.0.0"):
            return a
    return first(rec, v4) or first(rec, v6) or ""


def cflow_records(path, frames):
    for fr in frames:
        layers = fr["_source"][0]["layers"][0]
        recv = ns_of(first(layers["frame"][0], "frame.time_epoch"))
        if "cflow" not in layers:
            continue
        sampler = first(layers["ip"][0], "ip.src") if "ip" in layers else first(layers["ipv6"][0], "ipv6.src")
        cf = layers["cflow"][0]
        ver = num(first(cf, "cflow.version"))
        seq = num(first(cf, "cflow.sequence"))
        rate = num(first(cf, "cflow.samplerate")) & 0x3FFF if ver == 5 else 0
        hdr_ms = None
        if ver in (5, 9):
            ts = first(cf, "cflow.timestamp_tree")
            unix_ns = num(first(ts, "cflow.unix_secs")) * 10**9 + num(first(ts, "cflow.unix_nsecs"))
            hdr_ms = (unix_ns, ns_of(first(cf, "cflow.sysuptime")))
        for _, rec in walk(cf, lambda k: k.startswith("pdu ") or k.startswith("Flow ")):
            src = addr(rec, "cflow.srcaddr", "cflow.srcaddrv6")
            dst = addr(rec, "cflow.dstaddr", "cflow.dstaddrv6")
            if not src and not dst:
                continue  # an options record
            start = end = recv
            td = first(rec, "cflow.timedelta_tree")
            if hdr_ms and td and first(td, "cflow.timestart") and first(td, "cflow.timeend"):
                unix_ns, up_ns = hdr_ms
                start = unix_ns - (up_ns - ns_of(first(td, "cflow.timestart")))
                end = unix_ns - (up_ns - ns_of(first(td, "cflow.timeend")))
            octets = first(rec, "cflow.octets", first(rec, "cflow.permanent_octets"))
            packets = first(rec, "cflow.packets", first(rec, "cflow.permanent_packets"))
            itype = icode = 0
            if first(rec, "cflow.icmp_type_code_ipv4") is not None:
                tc = num(first(rec, "cflow.icmp_type_code_ipv4"))
                itype, icode = tc >> 8, tc & 0xFF
            for t, c in (("cflow.icmp_ipv4_type", "cflow.icmp_ipv4_code"),
                         ("cflow.icmp_ipv6_type", "cflow.icmp_ipv6_code")):
                if first(rec, t) is not None:
                    itype, icode = num(first(rec, t)), num(first(rec, c))
            yield dict(
                type=TYPE_NAME[ver], time_received_ns=recv, sequence_num=seq, sampling_rate=rate,
                sampler_address=sampler, time_flow_start_ns=start, time_flow_end_ns=end,
                bytes=num(octets), packets=num(packets), src_addr=src, dst_addr=dst,
                etype="IPv6" if ":" in (src or dst) else "IPv4",
                proto=PROTO_NAME[num(first(rec, "cflow.protocol"))],
                src_port=num(first(rec, "cflow.srcport")), dst_port=num(first(rec, "cflow.dstport")),
                in_if=num(first(rec, "cflow.inputint")), out_if=num(first(rec, "cflow.outputint")),
                ip_tos=num(first(rec, "cflow.tos")), tcp_flags=num(first(rec, "cflow.tcpflags")),
                icmp_type=itype, icmp_code=icode,
                src_as=num(first(rec, "cflow.srcas")), dst_as=num(first(rec, "cflow.dstas")),
                next_hop=first(rec, "cflow.nexthop", first(rec, "cflow.nexthopv6", "")))


def sflow_records(path, frames):
    for fr in frames:
        layers = fr["_source"][0]["layers"][0]
        recv = ns_of(first(layers["frame"][0], "frame.time_epoch"))
        if "sflow" not in layers:
            continue
        sf = layers["sflow"][0]
        agent = first(sf, "sflow_245.agent")
        seq = num(first(sf, "sflow_245.sequence_number"))
        for _, smp in walk(sf, lambda k: k.startswith("Flow sample") or k.startswith("Expanded flow sample")):
            hdr = next((v for k, v in walk(smp, lambda k: k == "Raw packet header")), None)
            if hdr is None:
                continue
            ip = find(hdr, "ip") or find(hdr, "ipv6")
            if ip is None:
                continue  # not IP: goflow2 prints no addresses
            v6 = "ipv6.src" in ip
            proto = num(first(ip, "ipv6.nxt" if v6 else "ip.proto"))
            l4 = find(hdr, "tcp") or find(hdr, "udp") or {}
            # goflow2 takes the IPv6 header's next header as proto and does not walk a
            # hop-by-hop header: ICMP fields only when ICMP follows the IP header itself.
            icmp = (find(hdr, "icmpv6" if v6 else "icmp") or {}) if proto in (1, 58) else {}
            pre = "tcp" if find(hdr, "tcp") else "udp"
            yield dict(
                type="SFLOW_5", time_received_ns=recv, sequence_num=seq,
                sampling_rate=num(first(smp, "sflow.flow_sample.sampling_rate")), sampler_address=agent,
                time_flow_start_ns=recv, time_flow_end_ns=recv,
                bytes=num(first(hdr, "sflow_245.header.frame_length")), packets=1,
                src_addr=first(ip, "ipv6.src" if v6 else "ip.src"), dst_addr=first(ip, "ipv6.dst" if v6 else "ip.dst"),
                etype="IPv6" if v6 else "IPv4", proto=PROTO_NAME[proto],
                src_port=num(first(l4, pre + ".srcport")), dst_port=num(first(l4, pre + ".dstport")),
                in_if=num(first(smp, "sflow.flow_sample.input_interface")),
                out_if=num(first(find(smp, "sflow.flow_sample.output_interface_tree") or {},
                                 "sflow.flow_sample.output_interface_value")),
                ip_tos=num(first(ip, "ipv6.tclass" if v6 else "ip.dsfield")),
                tcp_flags=num(first(l4, "tcp.flags")) & 0xFF if pre == "tcp" else 0,
                icmp_type=num(first(icmp, "icmpv6.type" if v6 else "icmp.type")),
                icmp_code=num(first(icmp, "icmpv6.code" if v6 else "icmp.code")),
                src_as=0, dst_as=0, next_hop="")


def records():
    for path, port, proto in CAPTURES:
        frames = tshark(path, port, proto)
        gen = sflow_records if proto == "sflow" else cflow_records
        yield from gen(path, frames)


def summary(recs):
    """Totals and top-10s by bytes, scaled by sampling_rate, with nftop's ICMP dst port rule."""
    tot = [0, 0, 0]
    raw = [0, 0]
    dims = {d: collections.defaultdict(lambda: [0, 0, 0]) for d in ("src_ip", "dst_ip", "dst_port", "proto")}
    for r in recs:
        rate = r["sampling_rate"] or 1
        b, p = r["bytes"] * rate, r["packets"] * rate
        pnum = {v: k for k, v in PROTO_NAME.items()}[r["proto"]]
        dport = r["dst_port"]
        if pnum in (1, 58) and (r["icmp_type"] or r["icmp_code"]):
            dport = r["icmp_type"] * 256 + r["icmp_code"]
        for d, k in (("src_ip", r["src_addr"]), ("dst_ip", r["dst_addr"]), ("dst_port", str(dport)),
                     ("proto", str(pnum))):
            e = dims[d][str(ipaddress.ip_address(k)) if d.endswith("_ip") else k]
            e[0] += 1
            e[1] += p
            e[2] += b
        raw[0] += r["packets"]
        raw[1] += r["bytes"]
        tot[0] += 1
        tot[1] += p
        tot[2] += b
    print("totals flows=%d packets=%d bytes=%d" % tuple(tot))
    print("unscaled packets=%d bytes=%d" % tuple(raw))
    for d, m in dims.items():
        top = sorted(m.items(), key=lambda kv: (-kv[1][2], kv[0]))[:10]
        print("top %s %s" % (d, " ".join("%s=%d" % (k, v[2]) for k, v in top)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--summary", action="store_true", help="print totals and top-10s instead of the lines")
    ap.add_argument("--type", help="only records of this type")
    ap.add_argument("--not-type", help="all records but those of this type")
    a = ap.parse_args()
    recs = [r for r in records() if (not a.type or r["type"] == a.type) and r["type"] != a.not_type]
    if a.summary:
        summary(recs)
        return
    for r in recs:
        sys.stdout.write(json.dumps(r, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
