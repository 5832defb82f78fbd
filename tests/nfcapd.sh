#!/bin/sh
# SPDX-License-Identifier: MIT
#
# nfcapd.sh - nftop reading nfcapd files (-r) and directories (-R), with
# nfdump 1.7.1 as the oracle on the very same files.
#
# 1. Compressions: for each block compression this system's nfcapd can
#    write (uncompressed, -z LZO, -y LZ4, -j BZ2), mkpackets' capture
#    (a different seed each time) is exported by softflowd (NetFlow v9 or
#    IPFIX) to nfcapd on loopback. For each file, nftop's JSON totals
#    (flows packets bytes) equal the summary of
#    `nfdump -r FILE -s proto -n 1 -o csv`, and nftop's top 10 by bytes
#    of src_ip, dst_ip, dst_port and proto equal
#    `nfdump -r FILE -s srcip/bytes -n 10 -o csv` (dstip, dstport, proto),
#    compared as tests/nfdump_topn.sh does (helpers in tests/lib.sh).
#    The compression byte of each file's header is checked too.
# 2. ZSTD, and files of many small blocks: Debian's nfdump 1.7.1 cannot
#    write ZSTD (nor read it), so tests/tools/nfreblock rewrites the
#    uncompressed file with ZSTD blocks of 50 records; nftop on it must
#    give nfdump's numbers for the uncompressed original. The same rewrite
#    with LZ4 is read by nfdump itself.
# 3. -R: the four files copied into nfcapd -S 1's %Y/%m/%d layout, named
#    in the order they were written (12- and 14-digit names), plus an
#    nfcapd.current.* file that must be skipped (and named with -v).
#    Totals equal `nfdump -R DIR -I` (taken before the current file is
#    added). Order: with --interval 1s no flow is late and the intervals
#    add up to the total, while the same files given with -r in reverse
#    order do give late flows (so the check can fail).
# 4. Damaged files of tests/data/bad/nfcapd-* (tests/tools/mkbad_nfcapd.sh):
#    nftop exits 1, prints one line "FILE: block N at offset X: ..." naming
#    the damaged block and its offset (found here by walking the block
#    headers), and counts exactly the flows of the blocks before it, as
#    nfdump counts them on that intact prefix (the header patched to
#    announce those blocks only). A directory holding a damaged file and a
#    good one: the good one is still read.
# 5. Layout 1 (nfdump 1.6): nfdump 1.7.1 cannot write it, so
#    tests/tools/mknfcapd16 writes one (see there) and nfdump 1.7.1 reads it:
#    nftop's totals and top tables equal nfdump's on that file.
#
# Exit: 0 pass, 1 fail, 77 skip (nfcapd, nfdump, softflowd or python3 missing).

set -u

me=nfcapd
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
MKPACKETS=${MKPACKETS:-$builddir/tests/tools/mkpackets}
NFREBLOCK=${NFREBLOCK:-$builddir/tests/tools/nfreblock}
MKNFCAPD16=${MKNFCAPD16:-$builddir/tests/tools/mknfcapd16}
TOPN=10
BAD=${BAD:-$srcdir/tests/data/bad}

for t in nfcapd nfdump softflowd python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "$me: SKIP: $t is not installed"; exit 77; }
done

# shellcheck source=tests/lib.sh
. "$srcdir/tests/lib.sh"

tool MKPACKETS mkpackets
tool NFREBLOCK nfreblock "-llzo2 -llz4 -lzstd -lbz2"
tool MKNFCAPD16 mknfcapd16
[ -x "$NFTOP" ] || die "nftop binary '$NFTOP' not found (set NFTOP)"

fail=0
bad() { say "FAIL $*"; fail=1; }

# ref_totals FILE: "flows packets bytes" summed by nfdump over the records
ref_totals() {
	timeout 60 nfdump -r "$1" -s proto -n 1 -o csv 2>>"$tmp/nfdump.err" |
		awk -F, '/^flows,bytes,packets/ { getline; print $1, $3, $2 }'
}

# json_field FILE EXPR: a value of the first JSON line of FILE (python expression over d)
json_field() {
	python3 -c 'import json, sys; d = json.loads(open(sys.argv[1]).readline()); print(eval(sys.argv[2]))' "$1" "$2"
}

# check_file NAME NFTOP_INPUT ORACLE_INPUT: nftop on one against nfdump on the other
check_file() {
	_n=$1
	_json=$tmp/$_n.json
	_csv=$tmp/$_n.csv
	if ! timeout 60 "$NFTOP" --no-config -b -o json -n "$TOPN" -r "$2" >"$_json" 2>"$tmp/$_n.err" ||
		! timeout 60 "$NFTOP" --no-config -b -o csv -n "$TOPN" -r "$2" >"$_csv" 2>>"$tmp/$_n.err"; then
		cat "$tmp/$_n.err"
		bad "$_n: nftop failed"
		return
	fi
	_ref=$(ref_totals "$3")
	_got=$(json_field "$_json" '"%d %d %d" % (d["totals"]["flows"], d["totals"]["packets"], d["totals"]["bytes"])')
	if [ -n "$_ref" ] && [ "$_got" = "$_ref" ]; then
		say "ok   $_n totals: $_got"
	else
		bad "$_n totals: nftop '$_got', nfdump '$_ref'"
	fi
	for _pair in srcip:src_ip dstip:dst_ip dstport:dst_port proto:proto; do
		_nd=${_pair%%:*}
		_dim=${_pair#*:}
		nfdump_table "$3" "$_nd" "$tmp/$_n.$_dim.nfdump"
		nftop_table "$_csv" "$_dim" "$tmp/$_n.$_dim.nftop"
		if [ ! -s "$tmp/$_n.$_dim.nfdump" ]; then
			bad "$_n $_dim: nfdump gave no table"
		elif _why=$(compare "$tmp/$_n.$_dim.nfdump" "$tmp/$_n.$_dim.nftop"); then
			say "ok   $_n $_dim: $(wc -l <"$tmp/$_n.$_dim.nfdump") rows agree"
		else
			bad "$_n $_dim:"
			printf '%s\n' "$_why"
			side_by_side "$tmp/$_n.$_dim.nfdump" "$tmp/$_n.$_dim.nftop"
		fi
	done
}

# ---- 1. one nfcapd file per compression nfcapd can write here
help=$(nfcapd -h 2>&1)
specs="none::0"
for s in lzo:-z:1:LZO lz4:-y:3:LZ4 bz2:-j:2:BZ2; do
	opt=$(echo "$s" | cut -d: -f2)
	label=${s##*:}
	if printf '%s\n' "$help" | grep -q -- "^${opt}[[:space:]].*$label compress"; then
		specs="$specs ${s%:*}"
	else
		say "note: this nfcapd cannot write $label files; not tested with nfcapd"
	fi
done
printf '%s\n' "$help" | grep -qi zstd ||
	say "note: this nfcapd cannot write ZSTD files; ZSTD is tested on nfreblock's rewrite (part 2)"

i=0
files=""
for spec in $specs; do
	i=$((i + 1))
	name=${spec%%:*}
	rest=${spec#*:}
	opt=${rest%%:*}
	code=${rest#*:}
	ver=9
	[ $((i % 2)) -eq 0 ] && ver=10
	"$MKPACKETS" "$tmp/p$i.pcap" "$i" 300 >/dev/null 2>&1 || die "mkpackets failed"
	port=$(free_port "$i") || die "no free UDP port"
	NFCAPD_OPTS=$opt nfcapd_start "$port" "$tmp/d$i" "$tmp/nfcapd.$i.log" || { bad "$name: nfcapd did not start"; continue; }
	timeout 60 softflowd -r "$tmp/p$i.pcap" -n "127.0.0.1:$port" -v "$ver" -m 65536 -a -A milli \
		-p "$tmp/softflowd.pid" >"$tmp/softflowd.$i.log" 2>&1 || bad "$name: softflowd failed"
	nfcapd_stop || { bad "$name: nfcapd did not stop"; continue; }
	f=$(find "$tmp/d$i" -name 'nfcapd.2*' | head -1)
	[ -n "$f" ] || { bad "$name: nfcapd wrote no file"; continue; }
	got=$(od -An -tu1 -j16 -N1 "$f" | tr -d ' ')
	[ "$got" = "$code" ] || bad "$name: header compression byte $got, $code expected"
	say "$name: nfcapd file of $(wc -c <"$f") bytes from softflowd $( [ "$ver" = 10 ] && echo IPFIX || echo "NetFlow v9")"
	check_file "$name" "$f" "$f"
	eval "file_$name=\$f"
	files="$files $f"
	sleep 1.1	# the next file's receive times fall in a later second (part 3)
done

# ---- 2. ZSTD (and small LZ4 blocks) by nfreblock
# shellcheck disable=SC2154  # file_none is set by the eval above
if [ -n "${file_none:-}" ]; then
	"$NFREBLOCK" "$file_none" "$tmp/zstd.nfcapd" 50 zstd >/dev/null || bad "nfreblock zstd failed"
	"$NFREBLOCK" "$file_none" "$tmp/lz4blocks.nfcapd" 50 lz4 >/dev/null || bad "nfreblock lz4 failed"
	check_file zstd "$tmp/zstd.nfcapd" "$file_none"
	check_file lz4blocks "$tmp/lz4blocks.nfcapd" "$tmp/lz4blocks.nfcapd"
else
	bad "no uncompressed nfcapd file to rewrite"
fi

# ---- 3. -R over an nfcapd -S 1 tree
# shellcheck disable=SC2086  # $files is a list of paths without spaces (mktemp)
set -- $files
if [ $# -eq 4 ]; then
	tree=$tmp/tree
	mkdir -p "$tree/2026/01/02" "$tree/2026/01/03" "$tree/2026/02/01"
	cp "$1" "$tree/2026/01/02/nfcapd.202601020300"
	cp "$2" "$tree/2026/01/02/nfcapd.202601021500"
	cp "$3" "$tree/2026/01/03/nfcapd.20260103000000"
	cp "$4" "$tree/2026/02/01/nfcapd.202602010000"
	ref=$(timeout 60 nfdump -R "$tree" -I 2>>"$tmp/nfdump.err" |
		awk '/^Flows:/ { f = $2 } /^Packets:/ { p = $2 } /^Bytes:/ { b = $2 } END { print f, p, b }')
	cp "$3" "$tree/2026/02/01/nfcapd.current.4242"
	if timeout 60 "$NFTOP" --no-config -v -b -o json -R "$tree" >"$tmp/R.json" 2>"$tmp/R.err"; then
		got=$(json_field "$tmp/R.json" '"%d %d %d" % (d["totals"]["flows"], d["totals"]["packets"], d["totals"]["bytes"])')
		if [ "$got" = "$ref" ]; then
			say "ok   -R totals: $got (nfdump -R -I: $ref)"
		else
			bad "-R totals: nftop '$got', nfdump -R -I '$ref'"
		fi
		if grep -q "nfcapd.current.4242: skipped" "$tmp/R.err"; then
			say "ok   -R -v names the skipped nfcapd.current file"
		else
			bad "-R -v did not name the skipped file: $(cat "$tmp/R.err")"
		fi
	else
		cat "$tmp/R.err"
		bad "nftop -R failed"
	fi
	# order: per-second intervals, nothing late, the intervals sum to the total
	order() {	# order OUT ARGS...: "late sum" over the interval lines
		_o=$1
		shift
		timeout 60 "$NFTOP" --no-config -b -o json --interval 1s "$@" >"$_o" 2>/dev/null
		python3 -c 'import json, sys
late = s = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    late = max(late, d["input"]["late"]); s += d["totals"]["flows"]
print(late, s)' "$_o"
	}
	fwd=$(order "$tmp/fwd.json" -R "$tree")
	rev=$(order "$tmp/rev.json" -r "$4" -r "$3" -r "$2" -r "$1")
	flows=${ref%% *}
	if [ "$fwd" = "0 $flows" ]; then
		say "ok   -R reads in time order: $(wc -l <"$tmp/fwd.json") intervals, no late flow, $flows flows"
	else
		bad "-R order: late/sum '$fwd', expected '0 $flows'"
	fi
	case $rev in
	0\ *) bad "reversed -r order gave no late flows ($rev): the order check cannot fail" ;;
	*) say "ok   the same files in reverse order give late flows ($rev), so the check above can fail" ;;
	esac
else
	bad "-R: $# files made instead of 4"
fi

# ---- 4. damaged files
# prefix FILE K OUT: the first K blocks of FILE, the header announcing K
# blocks and no appendix; prints the offset of block K (0-based)
prefix() {
	python3 - "$1" "$2" "$3" <<'EOF'
import struct, sys
b = open(sys.argv[1], 'rb').read()
k, off = int(sys.argv[2]), 40
for _ in range(k):
    off += 12 + struct.unpack_from('<I', b, off + 4)[0]
h = bytearray(b[:40])
struct.pack_into('<H', h, 18, 0); struct.pack_into('<Q', h, 24, 0); struct.pack_into('<I', h, 36, k)
open(sys.argv[3], 'wb').write(bytes(h) + b[40:off])
print(off)
EOF
}
for spec in truncated.lz4:2 blocksize.lz4:1 hugeblock.lz4:1 badlz4.lz4:1 record0:1 header-only:0; do
	f=$BAD/nfcapd-${spec%:*}
	k=${spec##*:}
	[ -f "$f" ] || { bad "$f missing"; continue; }
	off=$(prefix "$f" "$k" "$tmp/prefix")
	if [ "$k" -eq 0 ]; then
		ref="0 0 0"
	else
		ref=$(ref_totals "$tmp/prefix")
	fi
	timeout 30 "$NFTOP" --no-config -b -o json -r "$f" >"$tmp/bad.json" 2>"$tmp/bad.err"
	rc=$?
	got=$(json_field "$tmp/bad.json" '"%d %d %d" % (d["totals"]["flows"], d["totals"]["packets"], d["totals"]["bytes"])')
	lines=$(wc -l <"$tmp/bad.err")
	if [ "$rc" -eq 1 ] && [ "$got" = "$ref" ] && [ "$lines" -eq 1 ] &&
		grep -q "^nftop: $f: block $k at offset $off: " "$tmp/bad.err"; then
		say "ok   $(basename "$f"): exit 1, $got as nfdump on its first $k blocks; $(cut -d: -f3- "$tmp/bad.err")"
	else
		bad "$(basename "$f"): exit $rc, totals '$got' (nfdump on the first $k blocks: '$ref'), block $k at offset $off expected; stderr:"
		cat "$tmp/bad.err"
	fi
done
if [ -n "${file_lzo:-}" ]; then
	mkdir -p "$tmp/mixed"
	cp "$BAD/nfcapd-truncated.lz4" "$tmp/mixed/nfcapd.202601010000"
	cp "$file_lzo" "$tmp/mixed/nfcapd.202601010100"
	prefix "$BAD/nfcapd-truncated.lz4" 2 "$tmp/prefix" >/dev/null
	ref=$(printf '%s\n%s\n' "$(ref_totals "$tmp/prefix")" "$(ref_totals "$file_lzo")" |
		awk '{ f += $1; p += $2; b += $3 } END { print f, p, b }')
	timeout 30 "$NFTOP" --no-config -b -o json -R "$tmp/mixed" >"$tmp/mixed.json" 2>"$tmp/mixed.err"
	rc=$?
	got=$(json_field "$tmp/mixed.json" '"%d %d %d" % (d["totals"]["flows"], d["totals"]["packets"], d["totals"]["bytes"])')
	if [ "$rc" -eq 1 ] && [ "$got" = "$ref" ]; then
		say "ok   -R with a damaged file first: exit 1, the next file is still read ($got)"
	else
		bad "-R with a damaged file: exit $rc, totals '$got', expected '$ref'"
	fi
fi

# ---- 5. layout 1 (nfdump 1.6), written by mknfcapd16, read by nfdump 1.7.1
for c in none lzo; do
	"$MKNFCAPD16" "$tmp/v16.$c" 400 "$c" >/dev/null || { bad "mknfcapd16 $c failed"; continue; }
	check_file "layout1-$c" "$tmp/v16.$c" "$tmp/v16.$c"
done

[ "$fail" -eq 0 ] || exit 1
exit 0
