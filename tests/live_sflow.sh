#!/bin/sh
# SPDX-License-Identifier: MIT
#
# live_sflow.sh - nftop's sFlow input against a real agent: pmacctd's sfprobe.
#
# A deterministic packet capture made by mkpackets, padded with marker
# packets, is read by pmacctd, whose sfprobe plugin samples it into sFlow v5
# datagrams sent over loopback to a live `nftop -b -l 127.0.0.1:PORT
# --duration N -o json`. dumpcap captures the same datagrams on lo, and
# tshark's decode of that capture is the oracle:
#   flows   = the number of flow samples,
#   packets = the sum of each sample's sampling rate (one sampled packet each),
#   bytes   = the sum of sampled frame length x sampling rate
# (pmacct's frame length counts the Ethernet header and the FCS), and the
# exporter (the agent address 127.0.0.1) shows every datagram, no sequence
# loss, nothing malformed, the announced rate. Run at sampling_rate 1 and 4.
# At rate 1 every packet of the capture is also checked to be sampled:
# sfprobe loses its last, partial datagram when the capture ends, which only
# the marker packets after the real ones may be in.
#
# Environment:
#   NFTOP       nftop binary (default $top_builddir/src/nftop)
#   MKPACKETS   packet generator (default tests/tools/mkpackets; compiled
#               from tests/tools/mkpackets.c into a temp dir if missing)
#   SEED NFLOWS passed to mkpackets (default 1 and 300)
#   RATES       sampling rates to test (default "1 4")
#   DURATION    nftop --duration in seconds (default 8)
#   KEEP=1      keep the temp dir (logs, captures)
#
# Exit: 0 pass, 1 fail, 77 skip (pmacctd, dumpcap or tshark not installed).
# Only loopback is used, every wait is bounded, and only the processes this
# script starts are signalled.
set -u
me=live_sflow
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
MKPACKETS=${MKPACKETS:-$builddir/tests/tools/mkpackets}
SEED=${SEED:-1}
NFLOWS=${NFLOWS:-300}
RATES=${RATES:-"1 4"}
DURATION=${DURATION:-8}
MARKERS=64

for t in pmacctd dumpcap tshark python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "$me: SKIP: $t is not installed"; exit 77; }
done
# shellcheck source=tests/lib.sh
. "$srcdir/tests/lib.sh"
[ -x "$NFTOP" ] || die "nftop binary '$NFTOP' not found (set NFTOP)"

# ---------------------------------------------------------------- capture
tool MKPACKETS mkpackets
pcap=$tmp/packets.pcap
"$MKPACKETS" "$pcap" "$SEED" "$NFLOWS" 2>"$tmp/mkpackets.log" || {
	cat "$tmp/mkpackets.log"
	die "mkpackets failed"
}
say "$(cat "$tmp/mkpackets.log")"
real=$(sed -n 's/.* \([0-9]*\) packets,.*/\1/p' "$tmp/mkpackets.log")
[ -n "$real" ] || die "cannot read the packet count from mkpackets"
# Marker packets after the last real one (UDP 192.0.2.254 -> 192.0.2.253:9,
# 60-byte frames, 1 ms apart), so the datagram sfprobe loses at the end
# holds markers only.
python3 - "$pcap" "$MARKERS" <<'EOF' || die "cannot append marker packets"
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
off, last = 24, 0
while off + 16 <= len(data):
    sec, usec, incl, _ = struct.unpack_from("<IIII", data, off)
    last = sec * 1000000 + usec
    off += 16 + incl
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF
out = bytearray()
for i in range(n):
    udp = struct.pack("!HHHH", 40000 + i, 9, 8 + 18, 0) + b"nftop-marker-%05d" % i
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                               bytes([192, 0, 2, 254]), bytes([192, 0, 2, 253])))
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    frame = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + bytes(ip) + udp
    frame += b"\x00" * (60 - len(frame))
    t = last + 1000 * (i + 1)
    out += struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame
open(path, "ab").write(out)
EOF

fail=0
t() { name=$1; shift; if "$@"; then say "ok   $name"; else say "FAIL $name"; fail=1; fi; }

# run_rate RATE: one live run; sets got and want ("flows packets bytes"), exp, markers
run_rate() {
	rate=$1
	got="" want="" exp="" markers=""
	port=$(free_port "$rate") || { say "no free UDP port"; return 1; }
	out=$tmp/nftop.$rate.json
	wire=$tmp/wire.$rate.pcapng
	timeout $((DURATION + 30)) "$NFTOP" --no-config -b -l "127.0.0.1:$port" --duration "$DURATION" \
		-o json >"$out" 2>"$tmp/nftop.$rate.err" &
	npid=$!
	started="$started $npid"
	if ! wait_bound "$port" "$npid" 10; then
		cat "$tmp/nftop.$rate.err" >&2
		say "nftop did not bind 127.0.0.1:$port"
		stop "$npid"
		return 1
	fi
	timeout $((DURATION + 30)) dumpcap -q -i lo -f "udp dst port $port" -w "$wire" \
		>"$tmp/dumpcap.$rate.out" 2>"$tmp/dumpcap.$rate.err" &
	dpid=$!
	started="$started $dpid"
	_i=0
	until grep -q "Capturing on" "$tmp/dumpcap.$rate.err" 2>/dev/null; do
		_i=$((_i + 1))
		if [ "$_i" -gt 100 ] || ! kill -0 "$dpid" 2>/dev/null; then
			cat "$tmp/dumpcap.$rate.err" >&2
			say "dumpcap did not start on lo"
			stop "$dpid"
			stop "$npid"
			return 1
		fi
		sleep 0.1
	done
	sleep 0.5
	cat >"$tmp/pmacctd.$rate.conf" <<EOF
daemonize: false
pcap_savefile: $pcap
pcap_savefile_wait: false
plugins: sfprobe[sp]
sfprobe_receiver[sp]: 127.0.0.1:$port
sfprobe_agentip[sp]: 127.0.0.1
sampling_rate[sp]: $rate
plugin_pipe_size[sp]: 102400000
EOF
	# pmacctd exits by itself at the end of the capture (pcap_savefile_wait: false)
	timeout 60 pmacctd -f "$tmp/pmacctd.$rate.conf" >"$tmp/pmacctd.$rate.log" 2>&1
	rc=$?
	# At the end of the file pmacctd's core and its plugin race to shut down;
	# it may then exit 1 after a normal end. What it sent is checked below
	# against tshark's capture of the wire either way.
	if [ "$rc" -eq 1 ] && grep -q "no more plugins active. Shutting down" "$tmp/pmacctd.$rate.log"; then
		say "pmacctd exited 1 after a normal end of file (shutdown race); going on"
		rc=0
	fi
	if [ "$rc" -ne 0 ]; then
		cat "$tmp/pmacctd.$rate.log" >&2
		say "pmacctd exited with $rc"
		stop "$dpid"
		stop "$npid"
		return 1
	fi
	sleep 1
	kill -INT "$dpid" 2>/dev/null
	wait_exit "$dpid" 10 || stop "$dpid"
	if ! wait_exit "$npid" $((DURATION + 35)); then
		say "nftop did not exit after --duration $DURATION"
		stop "$npid"
		return 1
	fi
	# tshark -r WIRE -d udp.port==PORT,sflow -T fields -E occurrence=a -E aggregator=' '
	#        -e sflow.flow_sample.sampling_rate -e sflow_245.header.frame_length -e ip.src
	want=$(tshark -r "$wire" -d "udp.port==$port,sflow" -T fields -E occurrence=a -E aggregator=' ' \
		-e sflow.flow_sample.sampling_rate -e sflow_245.header.frame_length -e ip.src 2>"$tmp/tshark.$rate.err" |
		python3 -c '
import sys
frames = samples = packets = nbytes = markers = 0
for line in sys.stdin:
    cols = line.rstrip("\n").split("\t")
    rates, lens, srcs = (c.split() for c in cols + [""] * (3 - len(cols)))
    frames += 1
    if len(rates) != len(lens):
        sys.exit("frame %d: %d flow samples but %d packet headers" % (frames, len(rates), len(lens)))
    for r, l in zip(rates, lens):
        samples += 1
        packets += int(r)
        nbytes += int(r) * int(l)
    markers += srcs.count("192.0.2.254")
print(samples, packets, nbytes, frames, markers)')
	[ -n "$want" ] || { cat "$tmp/tshark.$rate.err" >&2; say "no tshark decode of $wire"; return 1; }
	markers=${want##* }
	want=${want% *}
	wire_frames=${want##* }
	want=${want% *}
	line=$(grep '"totals"' "$out" | tail -n 1)
	[ -n "$line" ] || { cat "$tmp/nftop.$rate.err" >&2; say "no JSON from nftop"; return 1; }
	got=$(printf '%s\n' "$line" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
t = d["totals"]
print(t["flows"], t["packets"], t["bytes"])')
	exp=$(printf '%s\n' "$line" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
e = [x for x in d["exporters"] if x["address"] == "127.0.0.1"]
if len(d["exporters"]) != 1 or not e:
    print("exporters:", [(x["address"], x["version"]) for x in d["exporters"]])
else:
    e = e[0]
    print("version=%d datagrams=%d flows=%d malformed=%d seq_lost=%d sampling=%d" % (e["version"],
          e["datagrams"], e["flows"], e["malformed"], e["seq_lost"], e["sampling"]))')
	return 0
}

for rate in $RATES; do
	if ! run_rate "$rate"; then
		say "FAIL rate $rate: the run failed"
		fail=1
		continue
	fi
	say "rate $rate: tshark on the datagrams: samples/packets/bytes $want in $wire_frames datagrams ($markers marker samples)"
	t "rate $rate: nftop flows/packets/bytes = $got, tshark = $want" [ "$got" = "$want" ]
	samples=${want%% *}
	t "rate $rate: exporter 127.0.0.1 sFlow, every datagram, nothing lost or malformed ($exp)" \
		[ "$exp" = "version=105 datagrams=$wire_frames flows=$samples malformed=0 seq_lost=0 sampling=$rate" ]
	if [ "$rate" = 1 ]; then
		t "rate 1: every one of the $real packets sampled ($samples samples - $markers markers)" \
			[ $((samples - markers)) -eq "$real" ]
	fi
done

[ "$fail" -eq 0 ] || exit 1
exit 0
