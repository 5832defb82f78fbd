#!/bin/sh
# Command line, config file, errors and exit codes, as a person meets them.
set -u
NFTOP=${NFTOP:-src/nftop}
top_srcdir=${top_srcdir:-.}
data="$top_srcdir/tests/data"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nftop-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0
check() {	# check NAME CONDITION...
	name=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fails=$((fails + 1)); fi
}
run() {	# run EXPECTED_STATUS ARGS...: stdout in $tmp/out, stderr in $tmp/err
	want=$1; shift
	XDG_CONFIG_HOME="$tmp/xdg" "$NFTOP" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] || { echo "# exit $got, wanted $want: nftop $*"; sed 's/^/#   /' "$tmp/err"; return 1; }
}
lines() { [ "$(wc -l <"$1")" -eq "$2" ]; }
has() { grep -q -- "$2" "$1"; }
cap="$data/netflow9/cisco_asa_1.pcap"

check "--help exits 0" run 0 --help
check "--help has examples" has "$tmp/out" "examples:"
# Every long option in --help is in the man page, and the reverse.
XDG_CONFIG_HOME="$tmp/xdg" "$NFTOP" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$tmp/help.opts"
sed 's/\\-/-/g' "$top_srcdir/doc/nftop.1" | grep -o -- '^\.B[IR]* *--[a-z][a-z-]*\|^\.BR -[a-zA-Z] ", " --[a-z-]*' |
	grep -o -- '--[a-z][a-z-]*' | sort -u >"$tmp/man.opts"
check "man page documents every option of --help" cmp -s "$tmp/help.opts" "$tmp/man.opts"
cmp -s "$tmp/help.opts" "$tmp/man.opts" || diff "$tmp/help.opts" "$tmp/man.opts" | sed 's/^/#   /'
check "--version" run 0 --version
check "--version names nftop" has "$tmp/out" "^nftop "

check "unknown option exits 2" run 2 --bogus
check "unknown option: one line naming it" sh -c "grep -q -- '--bogus' '$tmp/err' && [ \$(wc -l <'$tmp/err') -eq 1 ]"
check "bad --top value exits 2" run 2 -b -r "$cap" -n 0
check "bad window exits 2" run 2 -b -r "$cap" -w 5x
check "no -b without a terminal exits 2" run 2 -r "$cap"
check "  ... and says to use -b" has "$tmp/err" "needs a terminal; use -b"

check "missing file exits 1" run 1 -b -q -r "$tmp/nope.pcap" -o json
check "  ... naming the file" has "$tmp/err" "nope.pcap: No such file"
check "  ... and still prints the (empty) aggregates" has "$tmp/out" '"totals":{"flows":0'

head -c 4096 /dev/urandom >"$tmp/junk.bin"
printf 'NOTAPCAP' | dd of="$tmp/junk.bin" conv=notrunc 2>/dev/null
check "not a capture exits 1" run 1 -b -q -r "$tmp/junk.bin"
check "  ... with offset and magic" has "$tmp/err" "junk.bin: offset 0: not a pcap or pcapng capture"

# A capture cut inside its second frame (frames of 1054 and 1494 bytes, pcap
# header 24, record headers 16): the first datagram still counts.
head -c $((24 + 16 + 1054 + 16 + 700)) "$cap" >"$tmp/cut.pcap"
check "truncated capture exits 1" run 1 -b -q -r "$tmp/cut.pcap" -o json
check "  ... naming file and offset" has "$tmp/err" "cut.pcap: offset [0-9]*: truncated"
check "  ... keeping what came before" sh -c "grep -q '\"datagrams\":1,' '$tmp/out'"

check "two files are read in order" run 0 -b -q -r "$cap" -r "$data/netflow9/cisco_asa_2.pcap" -o json
check "  ... and summed (14 + 19 flows, tshark)" has "$tmp/out" '"totals":{"flows":33,'

# Config file: the usual place, overridden by the command line.
mkdir -p "$tmp/xdg/nftop"
printf '# test config\ntop = 2\nformat csv\nsort flows\n' >"$tmp/xdg/nftop/config"
check "config file read" run 0 -b -q -r "$cap"
check "  ... format from config" has "$tmp/out" "^window_start,window_end,dimension"
check "  ... top 2 from config" sh -c "[ \$(grep -c ',src_ip,' '$tmp/out') -eq 2 ]"
check "command line overrides config" run 0 -b -q -r "$cap" -n 3 -o json
check "  ... json wins over csv" has "$tmp/out" '^{"window"'
check "--no-config ignores it" run 0 --no-config -b -q -r "$cap"
check "  ... default text format" has "$tmp/out" "^window "
printf 'bogus 1\n' >"$tmp/bad.conf"
check "bad config line exits 2" run 2 -c "$tmp/bad.conf" -b -r "$cap"
check "  ... naming file and line" has "$tmp/err" "bad.conf:1: unknown option 'bogus'"
check "-c with a missing file exits 2" run 2 -c "$tmp/none.conf" -b -r "$cap"
rm -rf "$tmp/xdg"

check "--port keeps only that port" run 0 -b -q -r "$cap" --port 9 -o json
check "  ... others counted" sh -c "grep -q '\"totals\":{\"flows\":0,' '$tmp/out' && grep -q '\"other_port\":2,' '$tmp/out'"

# --allow-exporter: cisco_asa_1 comes from 192.0.2.19 (tshark: ip.src).
check "--allow-exporter keeps a listed exporter" run 0 -b -q -r "$cap" --allow-exporter 192.0.2.0/24 -o json
check "  ... all 14 flows (tshark)" sh -c "grep -q '\"totals\":{\"flows\":14,' '$tmp/out' && grep -q '\"not_allowed\":0' '$tmp/out'"
check "--allow-exporter drops the others" run 0 -b -q -r "$cap" --allow-exporter 10.0.0.0/8 --allow-exporter 2001:db8::/32 -o json
check "  ... counting the 2 datagrams" sh -c "grep -q '\"totals\":{\"flows\":0,' '$tmp/out' && grep -q '\"not_allowed\":2' '$tmp/out'"
check "a bad prefix exits 2" run 2 -b -r "$cap" --allow-exporter 10.0.0.0/33
check "  ... naming it" has "$tmp/err" "not '10.0.0.0/33'"

echo "1..$n"
[ "$fails" -eq 0 ]
