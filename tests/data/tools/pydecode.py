#!/usr/bin/env python3
"""Independent, minimal NetFlow v5 / v9 / IPFIX decoder used only to cross-check tshark.

It reads classic pcap files directly (Ethernet or raw IP; IPv4/IPv6; UDP), decodes the export
payloads itself (templates keyed by exporter address, observation domain / source id and
template id) and applies the same per-record rules as tshark_expect.py (written separately here):
    1. bytes   = IE 1, else IE 85, else IE 231;   packets = IE 2, else IE 86, else IE 298
    2. if that forward value is absent or 0 and the record has IE 23 (postOctetDeltaCount /
       v9 OUT_BYTES), bytes = IE 23; likewise packets = IE 24.  Never added to a non-zero forward.
    3. the other direction is ADDED: bytes += IE 232 responderOctets, else the RFC 5103 reverse
       counter (PEN 29305) IE 1, else IE 85; packets += IE 299, else reverse IE 2, else 86.
    4. other enterprise-specific fields never count; options records excluded; data sets
       without a known template skipped and counted.
    5. keys: src = the non-zero of IE 8 / IE 27 (IE 8 first), else 0.0.0.0 (:: when the
       template's only source address field is IE 27); dst_port = for protocol 1 / 58 IE 32 /
       IE 139 (the protocol's own first), else type*256+code from IE 176/177 / 178/179 (own
       first; code 0 if absent), else IE 11; other protocols IE 11 (0 if absent).
    A template that repeats an IE: the first occurrence is used.  Integer fields of length 0
    or more than 8 bytes count as absent.

Usage:
    python3 tests/data/tools/pydecode.py FILE.pcap [PORT]      -> prints a one-line summary
    python3 tests/data/tools/pydecode.py --records FILE [PORT]   -> also prints every flow record
It knows nothing about tshark, so where the two agree the expectation is not a tshark artefact;
where they differ (netflow9/h3c.pcap) the difference is reported in expected.tsv notes.
"""
import collections
import ipaddress
import struct
import sys

SAMPLING_IES = (34, 35, 48, 49, 50, 302, 304, 305, 306, 309, 310)
BYTE_IES = (1, 85, 231)
PKT_IES = (2, 86, 298)
REVERSE_PEN = 29305


def first(d, ies):
    for i in ies:
        if i in d:
            return i
    return None


def counter(vals, rev, fwd, post, resp):
    """Rules 1-3 for one counter on integer dicts vals (IE -> value) and rev (reverse IE -> value)."""
    f = first(vals, fwd)
    v = vals[f] if f is not None else 0
    if not v and post in vals:
        v = vals[post]
    if resp in vals:
        v += vals[resp]
    else:
        r = first(rev, fwd[:2])
        if r is not None:
            v += rev[r]
    return v


def icmp_key(ints, proto):
    if proto == 58:
        tcs, pairs = (139, 32), ((178, 179), (176, 177))
    else:
        tcs, pairs = (32, 139), ((176, 177), (178, 179))
    for i in tcs:
        if i in ints:
            return ints[i]
    for t, c in pairs:
        if t in ints:
            return ints[t] * 256 + ints.get(c, 0)
    return None


def pcap_udp(path):
    with open(path, "rb") as fh:
        data = fh.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit("%s: not a classic pcap" % path)
    linktype = struct.unpack(e + "I", data[20:24])[0]
    off = 24
    n = 0
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        if linktype == 1:
            et = struct.unpack(">H", pkt[12:14])[0]
            p = 14
            while et in (0x8100, 0x88a8):
                et = struct.unpack(">H", pkt[p + 2:p + 4])[0]
                p += 4
            ip = pkt[p:]
        elif linktype in (101, 12, 14):
            ip = pkt
            et = 0x0800 if ip[0] >> 4 == 4 else 0x86dd
        elif linktype == 113:  # Linux cooked
            et = struct.unpack(">H", pkt[14:16])[0]
            ip = pkt[16:]
        else:
            raise SystemExit("linktype %d unsupported" % linktype)
        if et == 0x0800:
            ihl = (ip[0] & 15) * 4
            proto = ip[9]
            src = str(ipaddress.IPv4Address(ip[12:16]))
            l4 = ip[ihl:struct.unpack(">H", ip[2:4])[0]]
        elif et == 0x86dd:
            proto = ip[6]
            src = str(ipaddress.IPv6Address(ip[8:24]))
            l4 = ip[40:40 + struct.unpack(">H", ip[4:6])[0]]
        else:
            continue
        if proto != 17:
            continue
        sport, dport, ulen = struct.unpack(">HHH", l4[:6])
        yield n, src, sport, dport, l4[8:ulen]


def uint(b):
    return int.from_bytes(b, "big") if b else 0


def decode_file(path, port=None, want_records=False):
    res = dict(datagrams=0, flows=0, packets=0, bytes=0, opt_records=0, notpl_sets=0, records=[],
               versions=collections.Counter(), sampling=collections.Counter())
    templates = {}
    for frame, src, sport, dport, pl in pcap_udp(path):
        if port is not None and dport != port:
            continue
        if len(pl) < 4:
            continue
        ver = struct.unpack(">H", pl[:2])[0]
        if ver == 5:
            res["datagrams"] += 1
            res["versions"][5] += 1
            n = (len(pl) - 24) // 48  # bound the header count by the datagram length
            cnt = struct.unpack(">H", pl[2:4])[0]
            for i in range(min(cnt, n)):
                r = pl[24 + 48 * i:72 + 48 * i]
                rec = dict(frame=frame, src=str(ipaddress.IPv4Address(r[0:4])), dport=uint(r[34:36]), proto=r[38],
                           packets=uint(r[16:20]), bytes=uint(r[20:24]))
                res["records"].append(rec)
                res["flows"] += 1
                res["packets"] += rec["packets"]
                res["bytes"] += rec["bytes"]
            continue
        if ver not in (9, 10):
            continue
        res["datagrams"] += 1
        res["versions"][ver] += 1
        if ver == 9:
            dom = struct.unpack(">I", pl[16:20])[0]
            off, end = 20, len(pl)
        else:
            mlen = struct.unpack(">H", pl[2:4])[0]
            dom = struct.unpack(">I", pl[12:16])[0]
            off, end = 16, min(mlen, len(pl))
        while off + 4 <= end:
            sid, slen = struct.unpack(">HH", pl[off:off + 4])
            if slen < 4:
                break
            body = pl[off + 4:off + slen]
            off += slen
            key = lambda tid: (src, ver, dom, tid)
            if (ver == 9 and sid == 0) or (ver == 10 and sid == 2):
                p = 0
                while p + 4 <= len(body):
                    tid, fc = struct.unpack(">HH", body[p:p + 4])
                    p += 4
                    if tid < 256:
                        break
                    flds = []
                    for _ in range(fc):
                        t, l = struct.unpack(">HH", body[p:p + 4])
                        p += 4
                        pen = 0
                        if ver == 10 and t & 0x8000:
                            pen = struct.unpack(">I", body[p:p + 4])[0]
                            p += 4
                            t &= 0x7fff
                        flds.append((t, pen, l, False))
                    if fc:
                        templates[key(tid)] = (False, flds)
            elif ver == 9 and sid == 1:
                p = 0
                while p + 6 <= len(body):
                    tid, sl, ol = struct.unpack(">HHH", body[p:p + 6])
                    p += 6
                    if tid < 256:
                        break
                    flds = []
                    for _ in range(sl // 4):
                        t, l = struct.unpack(">HH", body[p:p + 4])
                        p += 4
                        flds.append((None, None, l, True))  # v9 scope type: not an IE
                    for _ in range(ol // 4):
                        t, l = struct.unpack(">HH", body[p:p + 4])
                        p += 4
                        flds.append((t, 0, l, False))
                    templates[key(tid)] = (True, flds)
                    # the rest of the set is padding to 4 bytes
                    if len(body) - p < 6:
                        break
            elif ver == 10 and sid == 3:
                p = 0
                while p + 6 <= len(body):
                    tid, fc, sc = struct.unpack(">HHH", body[p:p + 6])
                    p += 6
                    if tid < 256:
                        break
                    flds = []
                    for i in range(fc):
                        t, l = struct.unpack(">HH", body[p:p + 4])
                        p += 4
                        pen = 0
                        if t & 0x8000:
                            pen = struct.unpack(">I", body[p:p + 4])[0]
                            p += 4
                            t &= 0x7fff
                        flds.append((t, pen, l, i < sc))
                    templates[key(tid)] = (True, flds)
            elif sid >= 256:
                tpl = templates.get(key(sid))
                if tpl is None:
                    res["notpl_sets"] += 1
                    continue
                opt, flds = tpl
                std = {ie for ie, pen, l, _ in flds if pen == 0}
                v6only = 27 in std and 8 not in std
                fixed = all(l != 65535 for _, _, l, _ in flds)
                rlen = sum(l for _, _, l, _ in flds) if fixed else None
                p = 0
                while p < len(body):
                    if fixed and (rlen == 0 or len(body) - p < rlen):
                        break
                    vals, rvals = {}, {}
                    q = p
                    ok = True
                    for ie, pen, l, scope in flds:
                        if l == 65535:
                            if q >= len(body):
                                ok = False
                                break
                            l = body[q]
                            q += 1
                            if l == 255:
                                l = struct.unpack(">H", body[q:q + 2])[0]
                                q += 2
                        if q + l > len(body):
                            ok = False
                            break
                        if not l:
                            pass  # a zero-length field carries nothing: as if absent
                        elif ie is not None and pen == 0 and ie not in vals:
                            vals[ie] = body[q:q + l]
                        elif pen == REVERSE_PEN and ie in (1, 85, 2, 86) and ie not in rvals:
                            rvals[ie] = body[q:q + l]
                        q += l
                    if not ok or q == p:
                        break
                    p = q
                    sv = {i: uint(vals[i]) for i in SAMPLING_IES if i in vals and len(vals[i]) <= 8}
                    if sv:
                        res["sampling"][("options" if opt else "data", sid, tuple(sorted(sv.items())))] += 1
                    if opt:
                        res["opt_records"] += 1
                        continue
                    ints = {i: uint(v) for i, v in vals.items() if 0 < len(v) <= 8}
                    revs = {i: uint(v) for i, v in rvals.items() if 0 < len(v) <= 8}
                    b = counter(ints, revs, BYTE_IES, 23, 232)
                    k = counter(ints, revs, PKT_IES, 24, 299)
                    s4 = str(ipaddress.IPv4Address(vals[8])) if len(vals.get(8, b"")) == 4 else None
                    s6 = str(ipaddress.IPv6Address(vals[27])) if len(vals.get(27, b"")) == 16 else None
                    if s4 not in (None, "0.0.0.0"):
                        srcip = s4
                    elif s6 not in (None, "::"):
                        srcip = s6
                    else:
                        srcip = "::" if v6only else "0.0.0.0"
                    proto = ints.get(4)
                    dp = icmp_key(ints, proto) if proto in (1, 58) else None
                    if dp is None:
                        dp = ints.get(11, 0)
                    rec = dict(frame=frame, src=srcip, dport=dp, proto=proto,
                               packets=k, bytes=b, tid=sid)
                    res["records"].append(rec)
                    res["flows"] += 1
                    res["packets"] += k
                    res["bytes"] += b
    return res


def main():
    args = sys.argv[1:]
    recs = False
    if args and args[0] == "--records":
        recs = True
        args = args[1:]
    path = args[0]
    port = int(args[1]) if len(args) > 1 else None
    r = decode_file(path, port)
    print("%s\tdatagrams=%d\tflows=%d\tpackets=%d\tbytes=%d\topt_records=%d\tsets_without_template=%d" % (
        path, r["datagrams"], r["flows"], r["packets"], r["bytes"], r["opt_records"], r["notpl_sets"]))
    for (kind, tid, sv), n in sorted(r["sampling"].items()):
        print("  sampling: %s records of template %d x%d: %s" % (kind, tid, n, " ".join("IE%d=%d" % kv for kv in sv)))
    if recs:
        for x in r["records"]:
            print("\t".join(str(x.get(k)) for k in ("frame", "tid", "src", "proto", "dport", "packets", "bytes")))


if __name__ == "__main__":
    main()
