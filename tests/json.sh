#!/bin/sh
# SPDX-License-Identifier: MIT
#
# json.sh - goflow2 JSON lines as input (-r FILE, -r -, --format-in json).
#
# tests/data/json/captures.jsonl holds one goflow2 record per flow record of
# six real captures in tests/data, written from tshark's decode by
# tests/data/tools/goflow2_json.py. Checked here:
#  1. nftop -r on the JSON gives tshark's totals and top-10s (scaled by each
#     record's sampling_rate, and unscaled with --no-scale);
#  2. the round trip: nftop -r on the JSON equals nftop -r on the captures
#     (totals and top-10 src_ip, dst_ip, dst_port, proto), NetFlow/IPFIX and
#     sFlow apart, since goflow2 and nftop differ on one sFlow sample (below);
#  3. -r - reads the same from standard input, also with --format-in json;
#  4. bad lines (tests/data/bad/json-*.jsonl) are skipped, each named with its
#     line number on stderr, counted as bad_records; the good lines are counted
#     exactly; the exit status is 0 (1 for a file that cannot be read);
#  5. the screen on standard input data (cat FILE | nftop -r -) in tmux: it
#     shows the same top source, and keys (Enter, q) reach it from the tty.
# Exit: 0 pass, 1 fail, 77 skip (tmux not installed).
set -u
me=json
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
command -v tmux >/dev/null 2>&1 || { echo "$me: SKIP: tmux is not installed"; exit 77; }
. "$srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || die "python3 is needed"
[ -x "$NFTOP" ] || die "no nftop binary at $NFTOP"

data=$srcdir/tests/data
fix=$data/json/captures.jsonl
nf_caps="netflow5/mikrotik_v5.pcap netflow5/juniper_mx80_v5.pcap netflow9/cisco_1941k9.pcap
ipfix/mikrotik_routeros6.pcap ipfix/pmacct_cisco_xr7101_mpls_ipv6_with_bgp.pcap"
sf_cap=sflow/telegraf_sflow_issue15918.pcap

fails=0
t() { name=$1; shift; if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fails=$((fails + 1)); fi; }
run() { "$NFTOP" --no-config -b -q -o json -n 50 "$@"; }
reads() { _a=""; for _c in $1; do _a="$_a -r $data/$_c"; done; echo "$_a"; }

# Compares nftop JSON with a summary (goflow2_json.py --summary lines) or with
# another nftop JSON. Top lists: byte counts rank by rank, and within a byte
# count the keys as a set (ties are listed in any order; -n 50 shows them all).
cat >"$tmp/cmp.py" <<'EOF'
import json, sys
def load(path):
    with open(path) as f:
        return json.loads(f.read().strip().splitlines()[-1])
def tops(d, dim, n=10):
    return [(e["key"], e["bytes"]) for e in d["top"][dim]][:n], [(e["key"], e["bytes"]) for e in d["top"][dim]]
def same_top(want, full):
    got = full[:len(want)]
    if [b for _, b in got] != [b for _, b in want]:
        return False
    for b in {b for _, b in want}:
        if not {k for k, x in want if x == b} <= {k for k, x in full if x == b}:
            return False
    return True
mode, a, b = sys.argv[1:4]
dims = ("src_ip", "dst_ip", "dst_port", "proto")
bad = []
if mode == "summary":
    d = load(a)
    for line in open(b):
        w = line.split()
        if w[0] == "totals":
            want = dict(kv.split("=") for kv in w[1:])
            got = d["totals"]
            if any(int(want[k]) != got[k] for k in want):
                bad.append("totals %s != %s" % (got, want))
        elif w[0] == "top":
            want = [(kv.rsplit("=", 1)[0], int(kv.rsplit("=", 1)[1])) for kv in w[2:]]
            if not same_top(want, tops(d, w[1])[1]):
                bad.append("top %s: got %s want %s" % (w[1], tops(d, w[1])[0], want))
else:
    x, y = load(a), load(b)
    if x["totals"] != y["totals"]:
        bad.append("totals %s != %s" % (x["totals"], y["totals"]))
    for dim in sys.argv[4].split(","):
        if not same_top(tops(x, dim)[0], tops(y, dim)[1]) or len(x["top"][dim]) != len(y["top"][dim]):
            bad.append("top %s: %s != %s" % (dim, tops(x, dim)[0], tops(y, dim)[0]))
for m in bad:
    print("#   " + m)
sys.exit(1 if bad else 0)
EOF
summary() { python3 "$tmp/cmp.py" summary "$1" "$2"; }
same() { python3 "$tmp/cmp.py" same "$1" "$2" "${3:-src_ip,dst_ip,dst_port,proto}"; }

# ------------------------------------------------------------- 1. tshark's numbers
# python3 tests/data/tools/goflow2_json.py --summary   (tshark 4.0.17 on the six captures)
cat >"$tmp/want.all" <<'EOF'
totals flows=214 packets=60796 bytes=9914814
top src_ip 192.0.2.12=1614952 10.0.0.1=1500080 10.0.2.1=1033000 2001:db8::12=999232 2001:db8::14=349394 192.0.2.14=313374 192.0.2.17=313374 192.168.227.2=257200 2001:db8::13=232994 2001:db8::15=232994
top dst_ip 192.168.0.1=2500992 192.168.0.2=1500000 192.0.2.12=1453944 2001:db8::12=1048376 192.0.2.17=338588 192.0.2.14=338400 192.168.101.2=257200 2001:db8::13=249808 2001:db8::14=249808 2001:db8::15=249808
top dst_port 2222=2719720 1111=2356434 61608=1500000 80=1461865 443=1069601 2055=257200 64969=143800 52851=112600 42502=79724 0=70868
top proto 17=5639565 6=4204271 1=45408 0=22800 58=2770
EOF
# same command, its "unscaled" line (and the raw columns of tests/data/expected.tsv add up to it)
echo "totals flows=214 packets=28633 bytes=5362255" >"$tmp/want.raw"
# python3 tests/data/tools/goflow2_json.py --summary --type SFLOW_5
cat >"$tmp/want.sflow" <<'EOF'
totals flows=6 packets=1200 bytes=570400
top src_ip 192.168.227.2=257200 142.250.185.14=143800 142.250.200.99=112600 fe80::f3a8:9738:cab4:2286=41400 192.168.153.106=15400
top dst_ip 192.168.101.2=257200 192.168.153.106=143800 192.168.100.104=112600 ff02::16=22800 ff02::1:3=18600 142.250.185.14=15400
top dst_port 2055=257200 64969=143800 52851=112600 0=22800 5355=18600 443=15400
top proto 17=547600 0=22800
EOF

run -r "$fix" >"$tmp/json.all" 2>"$tmp/json.err"
t "JSON lines: totals and top-10s are tshark's (sampling_rate applied)" summary "$tmp/json.all" "$tmp/want.all"
t "JSON lines: no warnings" [ ! -s "$tmp/json.err" ]
run --no-scale -r "$fix" >"$tmp/json.raw"
t "JSON lines --no-scale: counters as printed" summary "$tmp/json.raw" "$tmp/want.raw"

# ------------------------------------------------------------- 2. round trip
grep -v '"SFLOW_5"' "$fix" >"$tmp/nf.jsonl"
grep '"SFLOW_5"' "$fix" >"$tmp/sf.jsonl"
# shellcheck disable=SC2046  # one -r per capture
run $(reads "$nf_caps") >"$tmp/cap.nf"
run -r "$tmp/nf.jsonl" >"$tmp/json.nf"
t "round trip NetFlow v5/v9/IPFIX: captures = their JSON lines" same "$tmp/cap.nf" "$tmp/json.nf"
run -r "$data/$sf_cap" >"$tmp/cap.sf"
run -r "$tmp/sf.jsonl" >"$tmp/json.sf"
t "round trip sFlow: totals, top src_ip and dst_ip equal" same "$tmp/cap.sf" "$tmp/json.sf" src_ip,dst_ip
t "sFlow JSON lines: tshark's numbers" summary "$tmp/json.sf" "$tmp/want.sflow"
# One sample is IPv6 with a hop-by-hop header before ICMPv6 type 143 (MLDv2
# report): goflow2 prints the IPv6 header's next header (HOPOPT, 0) and no
# ICMP type; nftop's sFlow decoder walks to ICMPv6 and keys the destination
# port on type 143 * 256 = 36608 (tshark -r tests/data/sflow/telegraf_sflow_issue15918.pcap
# -d udp.port==6343,sflow -Y icmpv6 -T fields -e icmpv6.type -e icmpv6.code: 143 0).
sed -e 's/^top proto 17=547600 0=22800$/top proto 17=547600 58=22800/' \
	-e 's/ 0=22800 5355/ 36608=22800 5355/' "$tmp/want.sflow" >"$tmp/want.sflow.cap"
t "sFlow capture: the same but the hop-by-hop sample under ICMPv6 36608" summary "$tmp/cap.sf" "$tmp/want.sflow.cap"

# ------------------------------------------------------------- 3. standard input
run -r - <"$fix" >"$tmp/stdin.all"
t "-r - from standard input = -r FILE" same "$tmp/stdin.all" "$tmp/json.all"
cat "$fix" | run --format-in json -r - >"$tmp/pipe.all"
t "a pipe with --format-in json = -r FILE" same "$tmp/pipe.all" "$tmp/json.all"

# ------------------------------------------------------------- 4. bad lines
# tests/data/bad/json-mixed.jsonl, made for this test: lines 1, 4 and 13 are
# good (1000+200+30 bytes, 10+2+1 packets); 6 is blank; 2 garbage, 3
# truncated, 5 bytes as a string, 7 a NUL byte, 8 invalid UTF-8, 9 address
# 10.0.0.256, 10 no dst_addr, 11 an array, 12 packets as an array are bad.
# Cross-check: python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1],"rb") if l.strip()))' FILE
# counts 12 non-blank lines (3 good + 9 bad).
bad=$data/bad/json-mixed.jsonl
"$NFTOP" --no-config -b -q -o json -r "$bad" >"$tmp/bad.json" 2>"$tmp/bad.err"
rc=$?
t "bad lines: exit status 0 (skipped, counted)" [ "$rc" = 0 ]
echo "totals flows=3 packets=13 bytes=1230" >"$tmp/want.bad"
t "bad lines: the 3 good lines are counted exactly" summary "$tmp/bad.json" "$tmp/want.bad"
t "bad lines: bad_records = 9" python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); sys.exit(d["input"]["bad_records"] != 9)' "$tmp/bad.json"
lines=$(sed -n 's/^nftop: .*json-mixed\.jsonl:\([0-9]*\): .*/\1/p' "$tmp/bad.err" | tr '\n' ' ')
t "bad lines: each named on stderr with its line number (2 3 5 7 8 9 10 11 12)" [ "$lines" = "2 3 5 7 8 9 10 11 12 " ]
[ "$lines" = "2 3 5 7 8 9 10 11 12 " ] || sed 's/^/#   /' "$tmp/bad.err"
t "bad lines: the text header says 'bad records 9'" sh -c '"$1" --no-config -b -r "$2" 2>/dev/null | head -n 1 | grep -q "bytes 1230  bad records 9\$"' sh "$NFTOP" "$bad"
t "bad lines: one message a line, printable" [ "$(LC_ALL=C grep -c '[^[:print:]]' "$tmp/bad.err")" = 0 ]
# tests/data/bad/json-huge.jsonl: good (1000 bytes), a 70,079-byte line, good (200 bytes)
"$NFTOP" --no-config -b -q -o json -r - <"$data/bad/json-huge.jsonl" >"$tmp/huge.json" 2>"$tmp/huge.err"
rc=$?
echo "totals flows=2 packets=12 bytes=1200" >"$tmp/want.huge"
t "huge line: exit 0, the two good lines counted" [ "$rc" = 0 ]
t "huge line: totals of the good lines" summary "$tmp/huge.json" "$tmp/want.huge"
t "huge line: reported as line 2" grep -q '^nftop: -:2: line longer than 65536 bytes' "$tmp/huge.err"
"$NFTOP" --no-config -b -q --format-in json -r "$tmp/missing.jsonl" >/dev/null 2>"$tmp/missing.err"
rc=$?
t "a file that cannot be opened: exit 1, named" [ "$rc" = 1 ] && grep -q "missing.jsonl: No such file" "$tmp/missing.err"

# ------------------------------------------------------------- 5. the screen
sock="$tmp/tmux.sock"
T() { tmux -S "$sock" "$@"; }
screen() { T capture-pane -p -t nt; }
until_screen() {
	_i=0
	while ! screen | grep -q -- "$1"; do
		_i=$((_i + 1))
		if [ "$_i" -gt $(($2 * 10)) ]; then
			screen | sed 's/^/#   | /'
			return 1
		fi
		sleep 0.1
	done
}
T -f /dev/null new-session -d -s nt -x 200 -y 50 \
	"cat '$fix' | LANG=C.UTF-8 TERM=xterm-256color '$NFTOP' --no-config -r - --speed 0; echo \"EXIT=\$?\"; sleep 60"
T set-option -t nt remain-on-exit on >/dev/null 2>&1
t "screen: replay from standard input ends" until_screen "END" 10
first_src=$(screen | awk '/Sources by/ { getline; getline; print $1; exit }')
t "screen: top source is tshark's 192.0.2.12" [ "$first_src" = "192.0.2.12" ]
T send-keys -t nt Enter
t "screen: Enter from the tty drills into it" until_screen "view: src host 192.0.2.12" 5
T send-keys -t nt q
t "screen: q from the tty quits with status 0" until_screen "EXIT=0" 5
T kill-server 2>/dev/null

[ "$fails" -eq 0 ] || { say "$fails failed"; exit 1; }
exit 0
