#!/bin/sh
# SPDX-License-Identifier: MIT
#
# alerts.sh - spike alerts on a replayed capture: mkburst writes 180 s of
# steady TCP traffic (1.4 Mb/s from 50 clients to ports 443 and 80) with a
# 10 s burst to port 5001 from second 120; nftop meters the packets into flows
# and must raise exactly one alert for port 5001, starting within two ticks of
# the burst and ending after it, and nothing before the burst. Thresholds from
# the command line and the config file, and the alert log's JSON lines.
set -u
me=alerts
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
MKBURST=${MKBURST:-$builddir/tests/tools/mkburst}
. "$srcdir/tests/lib.sh"
tool MKBURST mkburst
fails=0
t() { name=$1; shift; if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fails=$((fails + 1)); fi; }

"$MKBURST" "$tmp/burst.pcap" 180 120 10 5001 || die "mkburst failed"
burst=$(date -u -d @$((1767323045 + 120)) +%Y-%m-%dT%H:%M:%S)	# 2026-01-02T03:06:05
burst_end=$(date -u -d @$((1767323045 + 130)) +%Y-%m-%dT%H:%M:%S)

"$NFTOP" --no-config -b -q -r "$tmp/burst.pcap" --alert-log "$tmp/alerts.log" -o json >"$tmp/out.json" ||
	die "nftop failed"
python3 - "$tmp/alerts.log" "$burst" "$burst_end" >"$tmp/check" <<'PY'
import json, sys
from datetime import datetime
ev = [json.loads(l) for l in open(sys.argv[1])]
t = lambda s: datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")
burst, end = t(sys.argv[2]), t(sys.argv[3])
port = [e for e in ev if e["dimension"] == "dst_port" and e["key"] == "5001"]
starts = [e for e in port if e["event"] == "start"]
ends = [e for e in port if e["event"] == "end"]
print("one", len(starts) == 1 and len(ends) == 1 and starts[0]["id"] == ends[0]["id"])
print("early", bool(starts) and 0 <= (t(starts[0]["start"]) - burst).total_seconds() <= 2)
print("after", bool(ends) and t(ends[0]["end"]) >= end)
print("quiet", all(t(e["start"]) >= burst for e in ev))
print("others", sorted({(e["dimension"], e["key"]) for e in ev if e is not None}))
PY
cat "$tmp/check" | sed 's/^/# /'
t "exactly one alert for dst_port 5001 (a start and its end)" grep -q "^one True" "$tmp/check"
t "  ... starting within two ticks of the burst ($burst)" grep -q "^early True" "$tmp/check"
t "  ... ending after the burst ($burst_end)" grep -q "^after True" "$tmp/check"
t "no alert on the 120 steady seconds before it" grep -q "^quiet True" "$tmp/check"
t "batch JSON lists the events" grep -q '"alerts":\[{"event"' "$tmp/out.json"

# A threshold from the command line, and the same from the config file.
"$NFTOP" --no-config -b -q -r "$tmp/burst.pcap" --alert 'dst_port 5001 bps>5m' --alert-log "$tmp/th.log" -o json >/dev/null
t "--alert 'dst_port 5001 bps>5m' fires" grep -q '"kind":"threshold","dimension":"dst_port","key":"5001"' "$tmp/th.log"
mkdir -p "$tmp/xdg/nftop"
printf 'alert dst_ip 198.51.100.0/24 pps>1000\nalert-log %s\n' "$tmp/cfg.log" >"$tmp/xdg/nftop/config"
XDG_CONFIG_HOME="$tmp/xdg" "$NFTOP" -b -q -r "$tmp/burst.pcap" -o text >"$tmp/out.txt"
t "a threshold in the config file fires" grep -q '"kind":"threshold","dimension":"dst_ip","key":"198.51.100.20"' "$tmp/cfg.log"
t "text output lists the alerts" grep -q "^alerts (" "$tmp/out.txt"
"$NFTOP" --no-config -b -q -r "$tmp/burst.pcap" --alert 'dst_port bps>>5' >/dev/null 2>"$tmp/err"
t "a bad threshold exits 2 ..." [ $? -eq 2 ]
t "  ... naming it and the column" grep -q "alert 'dst_port bps>>5': column" "$tmp/err"
# --alert-exec: the program gets the event as arguments, no shell between.
cat >"$tmp/hook" <<HOOK
#!/bin/sh
echo "\$*" >>"$tmp/hook.out"
HOOK
chmod +x "$tmp/hook"
"$NFTOP" --no-config -b -q -r "$tmp/burst.pcap" --alert-exec "$tmp/hook" -o json >/dev/null
sleep 0.5
# One program at a time: the first event of the burst runs, the ones meanwhile are not.
t "--alert-exec runs the program with the event" grep -q "^start new_heavy_hitter dst_ip 198.51.100.20 bps " "$tmp/hook.out"
"$NFTOP" --no-config -b -q -r "$tmp/burst.pcap" --alert-exec hook >/dev/null 2>"$tmp/err"
t "--alert-exec needs an absolute path" grep -q "absolute path" "$tmp/err"
"$NFTOP" --no-config -b -q -r "$tmp/burst.pcap" --no-alerts -o json >"$tmp/none.json"
t "--no-alerts: no events" grep -q '"alerts":\[\]' "$tmp/none.json"
[ "$fails" -eq 0 ]
