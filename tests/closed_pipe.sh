#!/bin/sh
# SPDX-License-Identifier: MIT
#
# closed_pipe.sh - batch output far larger than a pipe holds (mkburst's 60 s
# of traffic, one CSV block per second: about 1.4 MB) read by `head -1`:
# nftop must stop quietly, status 0, nothing on stderr, not be killed by
# SIGPIPE. The first line is the CSV header.
set -u
me=closed_pipe
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
MKBURST=${MKBURST:-$builddir/tests/tools/mkburst}
. "$srcdir/tests/lib.sh"
tool MKBURST mkburst
"$MKBURST" "$tmp/burst.pcap" 60 || die "mkburst failed"
size=$("$NFTOP" --no-config -b -r "$tmp/burst.pcap" -o csv -n 1000 --interval 1s | wc -c)
[ "$size" -gt 262144 ] || die "output only $size bytes: too small to fill a pipe"
first=$({ timeout 60 "$NFTOP" --no-config -b -r "$tmp/burst.pcap" -o csv -n 1000 --interval 1s
	echo $? >"$tmp/rc"; } 2>"$tmp/err" | head -1)
[ "$(cat "$tmp/rc")" = 0 ] || die "status $(cat "$tmp/rc") when the reader went away (141 = SIGPIPE)"
[ ! -s "$tmp/err" ] || die "stderr when the reader went away: $(head -3 "$tmp/err")"
[ "$first" = "window_start,window_end,dimension,rank,key,name,flows,packets,bytes" ] || die "first line '$first'"
say "ok   $size bytes of output cut by head -1: status 0, stderr empty"
