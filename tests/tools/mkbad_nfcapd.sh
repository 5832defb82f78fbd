#!/bin/sh
# SPDX-License-Identifier: MIT
#
# mkbad_nfcapd.sh - make the damaged nfcapd files of tests/data/bad/.
#
#   tests/tools/mkbad_nfcapd.sh OUTDIR MKPACKETS NFREBLOCK
#
# A real nfcapd file first: mkpackets' capture (seed 7, 40 conversations)
# exported by softflowd as NetFlow v9 to nfcapd 1.7.1 on loopback. nfreblock
# splits its records into blocks of 20 (LZ4, and uncompressed), and one
# block of each copy is then damaged in one way. Needs nfcapd, softflowd
# and python3. tests/nfcapd.sh reads the results; the expected flow counts
# come from nfdump on each file's intact prefix, at test time.
set -eu
out=$1 mkp=$2 reblock=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mkp" "$tmp/p.pcap" 7 40 >/dev/null
port=$((30000 + $$ % 20000))
timeout 60 nfcapd -b 127.0.0.1 -p "$port" -w "$tmp" -t 3600 >/dev/null 2>&1 &
pid=$!
sleep 1
timeout 30 softflowd -r "$tmp/p.pcap" -n "127.0.0.1:$port" -v 9 -m 65536 -a -A milli -p "$tmp/sf.pid" >/dev/null 2>&1
sleep 0.5
kill -TERM "$pid"
wait "$pid" || true
src=$(ls "$tmp"/nfcapd.2*)
"$reblock" "$src" "$tmp/lz4" 20 lz4 >/dev/null
"$reblock" "$src" "$tmp/none" 20 none >/dev/null
mkdir -p "$out"
python3 - "$tmp" "$out" <<'EOF'
import struct, sys
tmp, out = sys.argv[1], sys.argv[2]
def blocks(b):                      # (offset, records, size) of each block
    off, r = 40, []
    while off + 12 <= len(b):
        n, size = struct.unpack_from('<II', b, off)
        r.append((off, n, size))
        off += 12 + size
    return r
lz4 = bytearray(open(tmp + '/lz4', 'rb').read())
raw = bytearray(open(tmp + '/none', 'rb').read())
bl, br = blocks(lz4), blocks(raw)
def put(name, data):
    open(out + '/' + name, 'wb').write(bytes(data))
# the file ends in the middle of block 2's data
o, n, s = bl[2]
put('nfcapd-truncated.lz4', lz4[:o + 12 + s // 2])
# block 1 says it is 1 MiB long, past the end of the file
o, n, s = bl[1]
b = bytearray(lz4); struct.pack_into('<I', b, o + 4, 1 << 20); put('nfcapd-blocksize.lz4', b)
# block 1 says 6 MiB, over what nfdump ever writes
b = bytearray(lz4); struct.pack_into('<I', b, o + 4, 6 << 20); put('nfcapd-hugeblock.lz4', b)
# block 1's LZ4 data overwritten in its middle
b = bytearray(lz4)
for i in range(o + 12 + s // 3, o + 12 + s // 3 + 16): b[i] = 0xff
put('nfcapd-badlz4.lz4', b)
# block 1, its third record's size is 0
o, n, s = br[1]
p = o + 12
for _ in range(2):
    p += struct.unpack_from('<H', raw, p + 2)[0]
b = bytearray(raw); struct.pack_into('<H', b, p + 2, 0); put('nfcapd-record0', b)
# only the file header (which announces its blocks)
put('nfcapd-header-only', lz4[:40])
EOF
ls -l "$out"/nfcapd-*
