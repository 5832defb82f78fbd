#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench/keylat.sh CAPTURE [FLOWS_PER_DATAGRAM] - the screen under full
# ingest load. nftop runs in a 200x50 tmux pane collecting live
# (`nftop -l -w 1h`) while pcap2udp sends CAPTURE's datagrams on loopback at
# RATE flows/s for SECS seconds. Meanwhile '?' is pressed SAMPLES times (and
# any key to close the help again): the time from send-keys until the pane
# shows (or stops showing) the help is one answer, polled every 2 ms with
# capture-pane (so each figure includes tmux's own delay). Then the header's
# flow count is compared with what was sent: the ingest rate the screen
# kept up with while redrawing once a second.
#
# Environment: NFTOP, OUT (bench/out), RATE (500000), SECS (12), SAMPLES (20).
set -eu
cap=$1
per=${2:-30}
NFTOP=${NFTOP:-src/nftop}
OUT=${OUT:-bench/out}
RATE=${RATE:-500000}
SECS=${SECS:-12}
SAMPLES=${SAMPLES:-20}
command -v tmux >/dev/null 2>&1 || { echo "   skipped: tmux is not installed"; exit 0; }
sock=$OUT/keylat.sock
port=$((20000 + $$ % 10000))
T() { tmux -S "$sock" "$@"; }
T -f /dev/null new-session -d -s k -x 200 -y 50 \
	"LANG=C.UTF-8 TERM=xterm-256color '$NFTOP' --no-config -l 127.0.0.1:$port -w 1h; sleep 60"
trap 'T kill-server 2>/dev/null || true' EXIT
sleep 1
rcvbuf_errors() { awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }
e0=$(rcvbuf_errors)
pps=$((RATE / per))
"$OUT/pcap2udp" -d "127.0.0.1:$port" --pps "$pps" --count $((pps * SECS)) "$cap" >"$OUT/keylat_sent.txt" 2>&1 &
sender=$!
sleep 2
python3 - "$sock" "$SAMPLES" <<'PY'
import statistics, subprocess, sys, time
sock, n = sys.argv[1], int(sys.argv[2])
def pane():
    return subprocess.run(["tmux", "-S", sock, "capture-pane", "-p", "-t", "k"],
                          capture_output=True, text=True).stdout
def help_shown(s):
    return "this help (any key closes it)" in s
def answer(key, want):
    t0 = time.monotonic()
    subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "k", key])
    while time.monotonic() - t0 < 2:
        if help_shown(pane()) == want:
            return (time.monotonic() - t0) * 1000
        time.sleep(0.002)
    return None
lat = []
for i in range(n):
    for key, want in (("?", True), ("x", False)):
        ms = answer(key, want)
        lat.append(ms if ms is not None else 2000.0)
        time.sleep(0.05)
lat.sort()
print("   key answered (help opened or closed), %d presses under load: median %.1f ms, 90th %.1f ms, max %.1f ms"
      % (len(lat), statistics.median(lat), lat[int(len(lat) * 0.9) - 1], lat[-1]))
PY
wait "$sender" || true
sleep 2
sent=$(($(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$OUT/keylat_sent.txt") * per))
got=$(T capture-pane -p -t k | sed -n 's/.*, \([^ ]*\) flows).*/\1/p' | head -1)
e1=$(rcvbuf_errors)
echo "   screen's header after $sent flows sent at $RATE flows/s for ${SECS} s: ${got:-?} flows; kernel receive-buffer errors $((e1 - e0)) datagrams"
