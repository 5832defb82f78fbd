#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench/keylat.sh CAPTURE [FLOWS_PER_DATAGRAM] - the screen under full
# ingest load. nftop runs in a 200x50 tmux pane collecting live
# (`nftop -l -w 1h`) while pcap2udp sends CAPTURE's datagrams on loopback at
# RATE flows/s for SECS seconds. Meanwhile '?' is pressed SAMPLES times (and
# any key to close the help again): the time from send-keys until the pane
# writes the help (or the panes again) is one answer. Keys go in and output
# comes out through one tmux client in control mode, so each figure is
# nftop's answer plus tmux passing the bytes on. Then the header's
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
sock=$OUT/keylat.$$.sock
port=$((20000 + $$ % 10000))
T() { tmux -S "$sock" "$@"; }
T -f /dev/null new-session -d -s k -x 200 -y 50 \
	"LANG=C.UTF-8 TERM=xterm-256color '$NFTOP' --no-config -l 127.0.0.1:$port -w 1h; sleep 60" \; \
	set -g window-size manual
trap 'T kill-server 2>/dev/null || true; rm -f "$sock"' EXIT
sleep 1
rcvbuf_errors() { awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }
e0=$(rcvbuf_errors)
pps=$((RATE / per))
"$OUT/pcap2udp" -d "127.0.0.1:$port" --pps "$pps" --count $((pps * SECS)) "$cap" >"$OUT/keylat_sent.txt" 2>&1 &
sender=$!
sleep 2
python3 - "$sock" "$SAMPLES" <<'PY'
# One tmux client in control mode both presses the keys (send-keys on its
# standard input) and receives the pane's output as it is written (%output
# lines), so no process is started per key or per look at the pane.
import os, select, statistics, subprocess, sys, time
sock, n = sys.argv[1], int(sys.argv[2])
cm = subprocess.Popen(["tmux", "-S", sock, "-C", "attach", "-t", "k"],
                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
buf = b""
def pump(want, limit):
    """Reads the pane's output until want shows up or limit seconds pass."""
    global buf
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        r, _, _ = select.select([cm.stdout], [], [], 0.01)
        if r:
            d = os.read(cm.stdout.fileno(), 1 << 16)
            if not d:
                return False
            buf += d
            if want and want in buf:
                return True
    return False
pump(None, 0.3)
# '?' replaces the panes with the help; any key brings the panes (and the
# title of pane 2) back.
lat = []
for i in range(n):
    for key, want in ((b"?", b"any key closes"), (b"x", b"Destinations")):
        buf = b""
        t0 = time.monotonic()
        cm.stdin.write(b"send-keys -t k " + key + b"\n")
        ok = pump(want, 2)
        lat.append((time.monotonic() - t0) * 1000 if ok else 2000.0)
        pump(None, 0.05)
cm.stdin.write(b"detach\n")
cm.wait(timeout=5)
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
