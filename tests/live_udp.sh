#!/bin/sh
# SPDX-License-Identifier: MIT
#
# live_udp.sh - nftop -b -l on two loopback sockets, IPv4 and IPv6 at once,
# fed with the datagrams of real captures by pcap2udp. What nftop collects
# live must equal what it reads from the same captures with -r (whose totals
# captures.py checks against tshark), exporter by exporter, and SIGTERM must
# end a collection early and still print.
set -u
me=live_udp
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
PCAP2UDP=${PCAP2UDP:-$builddir/tests/tools/pcap2udp}
. "$srcdir/tests/lib.sh"
tool PCAP2UDP pcap2udp -lpcap
data="$srcdir/tests/data"
a="$data/netflow9/cisco_asa_1.pcap"
b="$data/ipfix/mikrotik_routeros6.pcap"

totals() { python3 -c 'import json,sys; t=json.loads(sys.stdin.read().splitlines()[-1])["totals"]; print(t["flows"], t["packets"], t["bytes"])'; }
want_a=$("$NFTOP" --no-config -b -q -r "$a" -o json | totals)
want_b=$("$NFTOP" --no-config -b -q -r "$b" -o json | totals)
want=$(printf '%s\n%s\n' "$want_a" "$want_b" | awk '{ f += $1; p += $2; b += $3 } END { print f, p, b }')

p4=$(free_port 1) || die "no free port"
p6=$(free_port 2) || die "no free port"
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
	say "SKIP: no IPv6 loopback"
	exit 77
fi
timeout 60 "$NFTOP" --no-config -b -l "127.0.0.1:$p4" -l "[::1]:$p6" --duration 30 -o json \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
started="$started $pid"
wait_bound "$p4" "$pid" 10 && wait_bound "$p6" "$pid" 10 || { cat "$tmp/err"; die "nftop did not bind"; }
"$PCAP2UDP" -d "127.0.0.1:$p4" "$a" 2>/dev/null || die "pcap2udp to $p4 failed"
"$PCAP2UDP" -d "[::1]:$p6" "$b" 2>/dev/null || die "pcap2udp to [::1]:$p6 failed"
sleep 1
kill -TERM "$pid"
wait_exit "$pid" 10 || die "nftop did not stop on SIGTERM"
got=$(totals <"$tmp/out") || die "no JSON from nftop: $(cat "$tmp/err")"
[ "$got" = "$want" ] || die "live totals '$got', replay totals '$want'"
say "ok   totals over IPv4 and IPv6 sockets: $got"
exps=$(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(" ".join("%s/v%d/%d" % (e["address"], e["version"], e["flows"]) for e in d["exporters"]))' "$tmp/out")
fa=${want_a%% *}
fb=${want_b%% *}
[ "$exps" = "::1/v10/$fb 127.0.0.1/v9/$fa" ] || die "exporters '$exps'"
say "ok   exporters by source address: $exps"
grep -q "listening on 127.0.0.1:$p4 \[::1\]:$p6" "$tmp/err" || die "no listening line on stderr"
say "ok   stderr names the listening addresses"

# SIGHUP (the SSH session of an on-call engineer went away) ends a collection
# like SIGTERM: the output is still printed, and the status is 0.
p7=$(free_port 7) || die "no free port"
timeout 60 "$NFTOP" --no-config -b -l "127.0.0.1:$p7" --duration 30 -o json >"$tmp/out7" 2>"$tmp/err7" &
pid=$!
started="$started $pid"
wait_bound "$p7" "$pid" 10 || { cat "$tmp/err7"; die "nftop did not bind"; }
"$PCAP2UDP" -d "127.0.0.1:$p7" "$a" 2>/dev/null || die "pcap2udp failed"
sleep 1
child=$(pgrep -P "$pid" | head -1)	# nftop itself, under timeout(1)
kill -HUP "${child:-$pid}"
wait "$pid"
rc=$?
forget "$pid"
[ "$rc" -eq 0 ] || die "exit status $rc after SIGHUP"
[ "$(totals <"$tmp/out7")" = "$want_a" ] || die "after SIGHUP printed '$(totals <"$tmp/out7")', want '$want_a'"
say "ok   SIGHUP ends the collection, prints $want_a, status 0"

# A reader that goes away early (| head -1) ends nftop quietly: no SIGPIPE
# death, no error spam, status 0.
{ "$NFTOP" --no-config -b -r "$a" -o text -n 100; echo $? >"$tmp/rc8"; } 2>"$tmp/err8" | head -1 >/dev/null
[ "$(cat "$tmp/rc8")" = 0 ] || die "status $(cat "$tmp/rc8") with a closed pipe"
[ ! -s "$tmp/err8" ] || die "stderr with a closed pipe: $(cat "$tmp/err8")"
say "ok   a closed output pipe: status 0, nothing on stderr"

# -u: as root, the sockets are bound first, then nftop runs as another user
# and still collects.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	p5=$(free_port 5) || die "no free port"
	timeout 60 "$NFTOP" --no-config -b -l "127.0.0.1:$p5" -u nobody --duration 30 -o json >"$tmp/out5" 2>"$tmp/err5" &
	pid=$!
	started="$started $pid"
	wait_bound "$p5" "$pid" 10 || { cat "$tmp/err5"; die "nftop -u did not bind"; }
	sleep 0.3
	child=$(pgrep -P "$pid" | head -1)	# nftop itself, under timeout(1)
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/${child:-$pid}/status")
	[ "$uid" = "$(id -u nobody)" ] || die "running as uid $uid, not nobody's"
	"$PCAP2UDP" -d "127.0.0.1:$p5" "$a" 2>/dev/null || die "pcap2udp failed"
	sleep 1
	kill -TERM "$pid"
	wait_exit "$pid" 10 || die "nftop -u did not stop"
	[ "$(totals <"$tmp/out5")" = "$want_a" ] || die "nftop -u collected '$(totals <"$tmp/out5")', want '$want_a'"
	say "ok   -u nobody: bound as root, ran as uid $uid, collected $want_a"
else
	say "(not root: the -u check needs root and is left out)"
fi
exit 0
