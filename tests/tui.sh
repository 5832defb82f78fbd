#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tui.sh - the screen in a real terminal: tmux runs nftop, send-keys types,
# capture-pane reads. Checks that the screen agrees with batch mode on the
# same capture, that drill-down narrows the panes as the equivalent -f does,
# that Esc, /, w, s, p, ? work, that a resize keeps it running, and that q
# exits 0 with the terminal restored. Skips (77) without tmux.
set -u
me=tui
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
command -v tmux >/dev/null 2>&1 || { echo "$me: SKIP: tmux is not installed"; exit 77; }
. "$srcdir/tests/lib.sh"
cap="$srcdir/tests/data/ipfix/mikrotik_routeros6.pcap"
sock="$tmp/tmux.sock"
T() { tmux -S "$sock" "$@"; }
screen() { T capture-pane -p -t nt; }
# until_screen PATTERN SECONDS: wait until the screen shows PATTERN
until_screen() {
	_i=0
	while ! screen | grep -q -- "$1"; do
		_i=$((_i + 1))
		if [ "$_i" -gt $(($2 * 10)) ]; then
			screen | sed 's/^/    | /'
			return 1
		fi
		sleep 0.1
	done
}
key() { T send-keys -t nt "$@"; sleep 0.3; }
fails=0
t() { name=$1; shift; if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fails=$((fails + 1)); fi; }

# What batch mode says about the same capture.
top_src=$("$NFTOP" --no-config -b -q -r "$cap" -o csv -n 1 | awk -F, '$3 == "src_ip" { print $5 }')
top_dst_of_src=$("$NFTOP" --no-config -b -q -r "$cap" -o csv -n 1 -f "src host $top_src" |
	awk -F, '$3 == "dst_ip" { print $5 }')
[ -n "$top_src" ] && [ -n "$top_dst_of_src" ] || die "batch mode gave no top rows"

T -f /dev/null new-session -d -s nt -x 200 -y 50 \
	"cd '$PWD' && LANG=C.UTF-8 TERM=xterm-256color '$NFTOP' --no-config -r '$cap' --speed 0; echo \"EXIT=\$?\"; stty -a | grep -q ' echo ' && echo TTY=sane; sleep 60"
T set-option -t nt remain-on-exit on >/dev/null 2>&1

t "screen starts and the replay ends" until_screen "END" 10
first_src=$(screen | awk '/Sources by/ { getline; getline; print $1; exit }')
t "top source on screen is $top_src" [ "$first_src" = "$top_src" ]

key Enter
t "Enter drills into the top source" until_screen "view: src host $top_src" 5
first_dst=$(screen | awk '/Destinations by/ { getline; getline; i = index($0, "Destinations by"); print $1; exit }')
# Destinations is the second pane on the row: take the column under its title.
col=$(screen | awk '/Destinations by/ { print index($0, "2 Destinations by"); exit }')
first_dst=$(screen | awk -v c="$col" '/Destinations by/ { getline; getline; print substr($0, c); exit }' | awk '{ print $1 }')
t "Destinations narrowed to the source's peers ($top_dst_of_src, as -f 'src host')" [ "$first_dst" = "$top_dst_of_src" ]
t "only that peer is left" until_screen "Destinations by bytes (1 keys)" 3

key Escape
t "Esc pops back to all traffic" until_screen "view: all traffic" 3

key / 
T send-keys -t nt -l "port 44x3"
key Enter
t "a bad filter shows its column and reason" until_screen "column [0-9]*: " 3
key Escape
t "and nftop keeps running" until_screen "view: all traffic" 3

key / 
T send-keys -t nt -l "proto udp"
key Enter
t "a good filter narrows the view" until_screen "filter: proto udp" 3
t "  ... to UDP only" until_screen "4 Protocols by bytes (1 keys)" 3
key Escape

key w
t "w cycles the window to 5m" until_screen "window 5m" 3
key s
t "s sorts by packets" until_screen "Sources by packets" 3
key p
t "p freezes" until_screen "FROZEN" 3
key p
key e
t "e exports the view and shows the path" until_screen "exported the view to nftop-[0-9-]*\.csv" 3
exported=$(screen | grep -o "nftop-[0-9-]*\.csv" | head -1)
t "  ... a CSV with every dimension of the view" sh -c "grep -q '^window_start,window_end,dimension' '$exported' && grep -q ',src_country,' '$exported'"
rm -f "$exported"
key '?'
t "? shows the help" until_screen "nftop keys" 3
t "  ... and which GeoIP databases are loaded" until_screen "GeoIP databases" 3
key x
t "any key closes the help" until_screen "Sources by packets" 3

T resize-window -t nt -x 80 -y 24 >/dev/null 2>&1 || T resize-pane -t nt -x 80 -y 24
sleep 0.5
t "resize to 80x24 keeps running and redraws one pane" until_screen "1 Sources by packets" 3
t "  ... and the detail line of the selected row" until_screen " src_ip [0-9a-f.:]*: .* of bytes" 3
T resize-window -t nt -x 200 -y 50 >/dev/null 2>&1 || true

key q
t "q exits 0" until_screen "EXIT=0" 5
t "the terminal is restored (echo on)" until_screen "TTY=sane" 5
T kill-server >/dev/null 2>&1

# Countries: with the MaxMind test database, the pane fills (this capture's
# addresses are private and link-local, labelled as such) and a drill-down
# on a country narrows every pane to it. A tmux server of its own.
sock="$tmp/tmux2.sock"
T -f /dev/null new-session -d -s nt -x 200 -y 50 \
	"cd '$PWD' && LANG=C.UTF-8 TERM=xterm-256color '$NFTOP' --no-config -r '$cap' --speed 0 \
	 --geoip-country '$srcdir/tests/data/geoip/GeoIP2-Country-Test.mmdb'; echo \"EXIT=\$?\"; sleep 60"
t "countries: the replay ends" until_screen "END" 10
t "the Countries pane fills" until_screen "6 Source countries by bytes (2 keys)" 3
key 6
key Enter
t "Enter on a country narrows the view" until_screen "view: src country private" 3
nprivate=$("$NFTOP" --no-config -b -q -r "$cap" -f 'src country private' -o json |
	python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["keys"]["src_ip"]["tracked"])')
t "  ... and the Sources pane to the $nprivate private sources batch mode finds" \
	until_screen "1 Sources by bytes ($nprivate keys)" 3
key q
t "q exits 0" until_screen "EXIT=0" 5
T kill-server >/dev/null 2>&1
[ "$fails" -eq 0 ]
