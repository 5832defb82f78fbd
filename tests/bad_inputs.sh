#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bad_inputs.sh - the bad-input corpus (tests/data/bad/, written by
# tests/data/tools/mkbad.py from the good captures named below). Each file
# mixes one kind of bad input with good export datagrams; nftop must exit as
# documented, raise exactly the counter the bad input calls for, and count
# the good records exactly.
#
# Good totals (flows packets bytes) come from tshark, as in
# tests/data/expected.tsv (tests/data/tools/tshark_expect.py):
#   netflow5/mikrotik_v5.pcap        30 160 40812
#   netflow9/cisco_asa_1.pcap        14 0 888
#   ipfix/mikrotik_routeros6.pcap    46 253 103235
# and for the files whose bad part tshark decodes too:
#   tshark -r FILE -d udp.port==PORT,cflow -T fields -E occurrence=a -e cflow.octets -e cflow.packets
#   (records = octets values; summed)
#   pcap-cut.pcap (its two whole frames):          28 208 95010
#   v5-count-too-big.pcap (count 30, 2 records):   32 166 41097
set -u
me=bad_inputs
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
. "$srcdir/tests/lib.sh"
bad="$srcdir/tests/data/bad"

fail=0
# check FILE STATUS "FLOWS PACKETS BYTES" PYTHON-CONDITION DESCRIPTION
# The condition sees d (the last JSON object), x (exporters by address) and i (input counters).
check() {
	"$NFTOP" --no-config -b -q -r "$bad/$1" -o json >"$tmp/out" 2>"$tmp/err"
	rc=$?
	got=$(python3 - "$tmp/out" "$4" <<'PY' 2>&1
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
x = {e["address"]: e for e in d["exporters"]}
i = d["input"]
t = d["totals"]
print(t["flows"], t["packets"], t["bytes"], "yes" if eval(sys.argv[2]) else "no")
PY
)
	if [ "$rc" = "$2" ] && [ "$got" = "$3 yes" ]; then
		say "ok   $1: status $rc, totals $3, $5"
	else
		say "FAIL $1: status $rc (want $2), got '$got' (want '$3 yes': $4); stderr: $(head -c 300 "$tmp/err")"
		fail=1
	fi
	lines=$(wc -l <"$tmp/err")
	if [ "$2" != 0 ] && [ "$lines" -ne 1 ]; then
		say "FAIL $1: $lines lines on stderr, want one"
		fail=1
	fi
}

check v5-truncated-header.pcap 0 "30 160 40812" \
	'i["not_export"] == 1 and x["192.0.2.13"]["datagrams"] == 1' \
	"a 12-byte v5 header is no export datagram (not_export 1)"
check v5-count-too-big.pcap 0 "32 166 41097" \
	'x["192.0.2.13"]["malformed"] == 1' \
	"count 30 over 2 records: malformed 1, the 2 records present decoded (as tshark does)"
check v5-seq-wrap.pcap 0 "90 480 122436" \
	'x["192.0.2.13"]["seq_lost"] == 0' \
	"sequence 2^32-30, 0, 30: no loss counted across the wrap"
check v5-time-future.pcap 0 "30 160 40812" \
	'd["window"]["start"] == "2026-01-02T03:04:00Z" and d["window"]["end"] == "2026-01-02T03:04:00Z"' \
	"a header clock in 2100 does not move the window (placed by the capture time)"
# v9 fields of length 0 and 65535 are sent by real exporters (the shared
# corpus's netflow9/zero_length_fields.pcap, and H3C NetStream's variable-length
# strings in netflow9/h3c_netstream_varstring.pcap), so such a template is
# kept; it must not disturb the exporter's good templates and data.
check v9-field-len-0.pcap 0 "14 0 888" \
	'x["192.0.2.19"]["templates_rejected"] == 0 and x["192.0.2.19"]["templates"] == 14 and x["192.0.2.19"]["seq_lost"] == 0 and x["192.0.2.19"]["malformed"] == 0' \
	"a v9 field of length 0: kept, the good data exact"
check v9-field-len-65535.pcap 0 "14 0 888" \
	'x["192.0.2.19"]["templates_rejected"] == 0 and x["192.0.2.19"]["templates"] == 14 and x["192.0.2.19"]["malformed"] == 0' \
	"a v9 field of length 65535: kept, the good data exact"
check v9-template-loop.pcap 0 "14 0 888" \
	'x["192.0.2.66"]["templates"] == 1 and x["192.0.2.66"]["datagrams"] == 1000 and x["192.0.2.19"]["flows"] == 14' \
	"one template redefined 1000 times: one kept"
check ipfix-template-flood.pcap 0 "46 253 103235" \
	'x["192.0.2.66"]["templates"] == 1024 and x["192.0.2.66"]["templates_rejected"] == 100000 - 1024 and x["192.0.2.52"]["flows"] == 46' \
	"100,000 templates from one exporter: 1,024 kept (the cap), 98,976 rejected, the good exporter untouched"
check ipfix-varlen-past-end.pcap 0 "46 253 103235" \
	'x["192.0.2.52"]["malformed"] == 1' \
	"a variable-length field of 65535 bytes in a 16-byte set: malformed 1"
check pcap-snaplen.pcap 0 "14 0 888" \
	'i["truncated"] == 1 and i["datagrams"] == 2' \
	"a frame cut by the snaplen: truncated 1, never decoded"
check pcap-cut.pcap 1 "28 208 95010" \
	'True' \
	"a capture cut mid-frame: status 1, the two whole frames counted"
grep -q "pcap-cut.pcap: offset 1708: " "$tmp/err" || { say "FAIL pcap-cut.pcap: error does not name the offset: $(cat "$tmp/err")"; fail=1; }

# Memory stays bounded under the template flood: peak RSS well under the
# size a table of 100,000 templates per exporter would take.
if command -v /usr/bin/time >/dev/null 2>&1; then
	/usr/bin/time -f %M "$NFTOP" --no-config -b -q -r "$bad/ipfix-template-flood.pcap" -o json >/dev/null 2>"$tmp/rss"
	kb=$(tail -1 "$tmp/rss")
	[ "$kb" -lt 200000 ] || { say "FAIL template flood: peak RSS $kb KB"; fail=1; }
	say "ok   template flood: peak RSS $kb KB"
fi
[ "$fail" -eq 0 ] || exit 1
exit 0
