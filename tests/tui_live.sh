#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tui_live.sh - the screen collecting live: pcap2udp sends a real Cisco IOS XR
# IPFIX export to nftop -l on loopback at 5 datagrams/s for about 13 s. The
# header's totals must grow from one second to the next (the panes are
# redrawn from fresh snapshots), and a key must be answered within a second
# while the datagrams keep coming. Skips (77) without tmux.
set -u
me=tui_live
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
PCAP2UDP=${PCAP2UDP:-$builddir/tests/tools/pcap2udp}
command -v tmux >/dev/null 2>&1 || { echo "$me: SKIP: tmux is not installed"; exit 77; }
. "$srcdir/tests/lib.sh"
tool PCAP2UDP pcap2udp -lpcap
cap="$srcdir/tests/data/ipfix/pmacct_cisco_xr7101_mpls_ipv6_with_bgp.pcap"
sock="$tmp/tmux.sock"
T() { tmux -S "$sock" "$@"; }
screen() { T capture-pane -p -t nl; }
totals() { screen | sed -n 's/.*(\([^)]*flows\)).*/\1/p' | head -1; }
clock() { screen | grep -o '[0-9-]* [0-9:]*Z' | head -1; }
fails=0
t() { name=$1; shift; if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fails=$((fails + 1)); fi; }

port=$(free_port 3) || die "no free port"
T -f /dev/null new-session -d -s nl -x 160 -y 40 \
	"LANG=C.UTF-8 TERM=xterm-256color '$NFTOP' --no-config -l 127.0.0.1:$port -w 1m; echo EXIT=\$?; sleep 30"
i=0
until udp_bound "$port"; do
	i=$((i + 1)); [ "$i" -gt 50 ] && die "nftop did not bind 127.0.0.1:$port"; sleep 0.1
done
"$PCAP2UDP" -d "127.0.0.1:$port" --pps 5 "$cap" 2>"$tmp/sender.log" &
sender=$!
started="$started $sender"

sleep 2
prev=$(totals) prevc=$(clock)
grew=0 ticked=0
for s in 1 2 3 4 5 6 7 8; do
	sleep 1
	now=$(totals) nowc=$(clock)
	[ "$now" != "$prev" ] && grew=$((grew + 1))
	[ "$nowc" != "$prevc" ] && ticked=$((ticked + 1))
	echo "# t+$((2 + s))s: $nowc $now"
	prev=$now prevc=$nowc
done
# The export is bursty (template and options datagrams carry no flows), so
# totals grow in steps; the header clock comes from each new snapshot. That a
# snapshot is published at least every second is measured in test_engine; here
# the screen must keep redrawing them (a loaded CI machine delays tmux itself).
t "the screen keeps redrawing new snapshots (clock moved in $ticked of 8 samples)" [ "$ticked" -ge 4 ]
t "totals grew while the exporter sent (in $grew of 8 samples)" [ "$grew" -ge 3 ]
t "header names the listening address" sh -c "T() { tmux -S '$sock' \"\$@\"; }; T capture-pane -p -t nl | grep -q 'live 127.0.0.1:$port'"

# A key is answered within a second while datagrams arrive.
T send-keys -t nl s
i=0
while ! screen | grep -q "Sources by packets"; do
	i=$((i + 1)); [ "$i" -gt 10 ] && break; sleep 0.1
done
t "s answered within 1 s under load" [ "$i" -le 10 ]

wait_exit "$sender" 30 || stop "$sender"
sleep 1
sent=$(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$tmp/sender.log")
final=$(totals)
want=$("$NFTOP" --no-config -b -q -r "$cap" -o json | python3 -c 'import json,sys; t=json.loads(sys.stdin.read())["totals"]; print(t["flows"])')
t "all $sent datagrams counted: $want flows, as -r gives ($final)" sh -c "echo '$final' | grep -q ', $want flows'"
T send-keys -t nl q
sleep 0.5
t "q exits 0" sh -c "T() { tmux -S '$sock' \"\$@\"; }; T capture-pane -p -t nl | grep -q EXIT=0"
T kill-server >/dev/null 2>&1
[ "$fails" -eq 0 ]
