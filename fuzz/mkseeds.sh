#!/bin/sh
# Regenerates fuzz/corpus/decode/ from the captures in tests/data: one seed
# per capture, its UDP payloads in capture order, each behind a 2-byte
# big-endian length (the framing fuzz/fuzz_decode.c reads). Needs tshark.
# Usage (from the top of the tree): sh fuzz/mkseeds.sh
set -e
out=fuzz/corpus/decode
mkdir -p "$out"
for f in tests/data/netflow5/*.pcap tests/data/netflow5/invalid/*.pcap tests/data/netflow9/*.pcap \
	 tests/data/netflow9/invalid/*.pcap tests/data/ipfix/*.pcap tests/data/sflow/*.pcap; do
	dir=$(basename "$(dirname "$f")")
	[ "$dir" = invalid ] && dir=$(basename "$(dirname "$(dirname "$f")")")-invalid
	tshark -r "$f" -Y udp -T fields -e udp.payload 2>/dev/null | python3 -c '
import sys
out = bytearray()
for line in sys.stdin:
    hexs = line.strip().split(",")[0]
    if not hexs:
        continue
    p = bytes.fromhex(hexs)[:65535]
    out += len(p).to_bytes(2, "big") + p
sys.stdout.buffer.write(out)
' >"$out/$dir-$(basename "$f" .pcap)"
done
