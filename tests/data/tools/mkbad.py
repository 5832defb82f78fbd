#!/usr/bin/env python3
"""Writes the bad-input corpus tests/data/bad/*.pcap: each file mixes the GOOD
export datagrams of a real capture in tests/data with one kind of bad input,
so a test can check both the counter the bad input must raise and that the
good records around it are counted exactly (tests/bad_inputs.sh).

Run from the repository root:  python3 tests/data/tools/mkbad.py
Output pcaps are raw IPv4 (link type 101), one UDP datagram a frame.
"""
import os
import struct

DATA = "tests/data"
OUT = os.path.join(DATA, "bad")
T0 = 1767323040  # frame times: 2026-01-02T03:04:00Z, one second apart


def read_udp(path):
    """(src_ip_bytes, dst_port, payload) of every UDP datagram of a classic pcap."""
    raw = open(path, "rb").read()
    magic = raw[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(e + "I", raw[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(raw):
        _, _, caplen, _ = struct.unpack(e + "IIII", raw[off:off + 16])
        frame = raw[off + 16:off + 16 + caplen]
        off += 16 + caplen
        p = 0
        if linktype == 1:
            etype = struct.unpack(">H", frame[12:14])[0]
            p = 14
            while etype in (0x8100, 0x88a8):
                etype = struct.unpack(">H", frame[p + 2:p + 4])[0]
                p += 4
            if etype != 0x0800:
                continue
        elif linktype == 113:
            p = 16
        ip = frame[p:]
        if ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        udp = ip[ihl:]
        dport = struct.unpack(">H", udp[2:4])[0]
        ulen = struct.unpack(">H", udp[4:6])[0]
        out.append((ip[12:16], dport, udp[8:ulen]))
    return out


def frame(src, dport, payload):
    udp = struct.pack(">HHHH", 40000, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, b"\xc6\x33\x64\x01")
    return ip + udp


def write(name, frames, snaplen=65535, cut=None):
    """frames: (src, dport, payload); cut: keep only this many bytes of the file."""
    b = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, 101)
    for i, (src, dport, payload) in enumerate(frames):
        f = frame(src, dport, payload)
        cap = f[:snaplen]
        b += struct.pack("<IIII", T0 + i, 0, len(cap), len(f)) + cap
    if cut is not None:
        b = b[:cut]
    open(os.path.join(OUT, name), "wb").write(b)


def v5_header(count, seq, unix_secs=T0, uptime=100000):
    return struct.pack(">HHIIIIBBH", 5, count, uptime, unix_secs, 0, seq, 0, 0, 0)


HOSTILE = bytes([192, 0, 2, 66])


def main():
    os.makedirs(OUT, exist_ok=True)
    v5 = read_udp(os.path.join(DATA, "netflow5/mikrotik_v5.pcap"))          # 1 datagram, 30 flows
    v9 = read_udp(os.path.join(DATA, "netflow9/cisco_asa_1.pcap"))          # 2 datagrams, 14 flows
    ipfix = read_udp(os.path.join(DATA, "ipfix/mikrotik_routeros6.pcap"))   # 3 datagrams, 46 flows
    src5, port5, good5 = v5[0]
    src9, port9 = v9[0][0], v9[0][1]
    srcx, portx = ipfix[0][0], ipfix[0][1]
    records5 = good5[24:]

    # v5: a header cut at 12 bytes; a count of 30 over 2 records.
    write("v5-truncated-header.pcap", [(src5, port5, good5[:12])] + v5)
    write("v5-count-too-big.pcap", [(src5, port5, v5_header(30, 0) + records5[:96])] + v5)
    # v5 sequence numbers wrapping: 2^32-30, 0, 30 -- no loss at all.
    wrap = [(src5, port5, v5_header(30, s) + records5) for s in (2**32 - 30, 0, 30)]
    write("v5-seq-wrap.pcap", wrap)
    # v5 header clock in 2100: the frames' times still place the flows.
    write("v5-time-future.pcap", [(src5, port5, v5_header(30, 0, unix_secs=4102444800) + records5)])

    # v9 templates with a field of length 0 and of length 65535 (id 300, from
    # the good exporter, before its good datagrams).
    seq9, sid9 = struct.unpack(">II", v9[0][2][12:20])
    for name, flen in (("v9-field-len-0.pcap", 0), ("v9-field-len-65535.pcap", 65535)):
        fs = struct.pack(">HHHHHHHH", 0, 16, 300, 2, 8, 4, 12, flen)
        # The good exporter's source id and the sequence number before its first.
        bad = struct.pack(">HHIIII", 9, 1, 100000, T0, seq9 - 1, sid9) + fs
        write(name, [(src9, port9, bad)] + v9)
    # A template redefined over and over (template loop): id 301 sent 1000 times.
    loop = []
    for i in range(1000):
        fs = struct.pack(">HHHHHHHH", 0, 16, 301, 2, 8, 4, 12, 4)
        loop.append((HOSTILE, port9, struct.pack(">HHIIII", 9, 1, 100000, T0, i, 0) + fs))
    write("v9-template-loop.pcap", loop + v9)

    # IPFIX template flood from a hostile exporter: 200 messages of 500
    # templates, 100,000 (domain, id) pairs, then the good exporter's data.
    flood = []
    n = 0
    for m in range(200):
        recs = b""
        for k in range(500):
            tid = 256 + (n % 65000)
            recs += struct.pack(">HHHHHH", tid, 2, 8, 4, 12, 4)
            n += 1
        st = struct.pack(">HH", 2, 4 + len(recs)) + recs
        dom = m // 130  # ids run out after 130 messages: the next domain
        flood.append((HOSTILE, portx, struct.pack(">HHIII", 10, 16 + len(st), T0, m, dom) + st))
    write("ipfix-template-flood.pcap", flood + ipfix)
    # IPFIX variable-length field running past the end: template 400 = a
    # varlen field (IE 82), data record says 255 then 0xffff bytes.
    ts = struct.pack(">HHHHHH", 2, 12, 400, 1, 82, 65535)
    ds = struct.pack(">HH", 400, 4 + 8) + b"\xff\xff\xff" + b"abcde"
    msg = ts + ds
    bad = struct.pack(">HHIII", 10, 16 + len(msg), T0, 0, 7) + msg
    write("ipfix-varlen-past-end.pcap", [(srcx, portx, bad)] + ipfix)

    # pcap whose snaplen (1,485) is shorter than the v5 datagram (1,492 bytes
    # of IP): that frame is cut and must not be decoded; the v9 capture's two
    # datagrams (1,040 and 1,480 bytes) fit.
    write("pcap-snaplen.pcap", [(src5, port5, good5)] + v9, snaplen=1485)
    # The IPFIX capture cut in the middle of its third frame.
    whole = [(srcx, portx, p) for _, _, p in ipfix]
    write("pcap-cut.pcap", whole)
    size = os.path.getsize(os.path.join(OUT, "pcap-cut.pcap"))
    write("pcap-cut.pcap", whole, cut=size - len(ipfix[2][2]) // 2)


if __name__ == "__main__":
    main()
