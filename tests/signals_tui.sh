#!/bin/sh
# SPDX-License-Identifier: MIT
#
# signals_tui.sh - the screen in a real terminal (tmux) ended by signals:
# SIGHUP stops it cleanly (status 0), SIGSEGV and SIGABRT kill it with the
# default action (status 128+N) after the crash handler has put the terminal
# back. Each time the pane must show the shell prompt that follows, not the
# screen, and `stty -a` must show echo and icanon on again. Skips (77)
# without tmux.
set -u
me=signals_tui
srcdir=${top_srcdir:-${srcdir:-$(dirname "$0")/..}}
builddir=${top_builddir:-.}
NFTOP=${NFTOP:-$builddir/src/nftop}
case $NFTOP in /*) ;; *) NFTOP=$PWD/$NFTOP ;; esac
command -v tmux >/dev/null 2>&1 || { echo "$me: SKIP: tmux is not installed"; exit 77; }
. "$srcdir/tests/lib.sh"
sock="$tmp/tmux.sock"
T() { tmux -S "$sock" "$@"; }
fails=0
t() { name=$1; shift; if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fails=$((fails + 1)); fi; }
# until_pane SESSION PATTERN SECONDS
until_pane() {
	_i=0
	while ! T capture-pane -p -t "$1" | grep -q -- "$2"; do
		_i=$((_i + 1))
		if [ "$_i" -gt $(($3 * 10)) ]; then
			T capture-pane -p -t "$1" | sed 's/^/    | /'
			return 1
		fi
		sleep 0.1
	done
}

# run_case NAME SIGNAL WANT_STATUS
run_case() {
	s=$1 sig=$2 want=$3
	port=$(free_port "$s") || die "no free port"
	# A child shell writes its PID and becomes nftop; the pane's shell then
	# reports the status and the terminal modes, and shows a prompt.
	T -f /dev/null new-session -d -s "$s" -x 160 -y 40 \
		"cd '$tmp' && ulimit -c 0; LANG=C.UTF-8 TERM=xterm-256color sh -c 'echo \$\$ >\"\$0\"; exec \"\$1\" --no-config -l 127.0.0.1:$port -w 1m' '$tmp/$s.pid' '$NFTOP'; \
echo EXIT=\$?; stty -a | tr ' ;' '\\n\\n' | grep -qx echo && stty -a | tr ' ;' '\\n\\n' | grep -qx icanon && echo TTY=sane; \
PS1='PROMPT\$ ' exec sh -i"
	T set-option -t "$s" remain-on-exit on >/dev/null 2>&1
	t "$s: the screen is up" until_pane "$s" "Sources by" 10
	pid=$(cat "$tmp/$s.pid" 2>/dev/null)
	[ -n "$pid" ] || die "$s: no PID"
	kill "-$sig" "$pid"
	t "$s: SIG$sig ends nftop with status $want" until_pane "$s" "EXIT=$want\$" 10
	t "$s: echo and icanon are on again" until_pane "$s" "TTY=sane" 5
	t "$s: the shell prompt follows" until_pane "$s" "PROMPT\\$" 5
	t "$s: the screen is gone from the terminal" sh -c "! tmux -S '$sock' capture-pane -p -t '$s' | grep -q 'Sources by'"
	T kill-session -t "$s" 2>/dev/null
}

run_case hup HUP 0
run_case segv SEGV 139		# 128 + SIGSEGV (11): the default action after the handler
run_case abrt ABRT 134		# 128 + SIGABRT (6)
T kill-server 2>/dev/null

[ "$fails" -eq 0 ] || die "$fails checks failed"
say "ok   all signal cases"
