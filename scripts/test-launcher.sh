#!/usr/bin/env bash
# test-launcher.sh [ARCH]: the hands-on path works in a real terminal.  scripts/memscope is
# run in a pseudo-terminal (tmux), as a person runs it:
#   - `memscope hold` says it is holding, and Ctrl-C stops it (exit 0);
#   - `memscope watch` draws its view, and `q` stops it (exit 0);
#   - a second console (another tmux window) sees the text the first one set, while the
#     first holds the block;
#   - `memscope --run` runs level 0's hosts (docs/levels.md) the same way: the writer holds
#     until Enter, and a reader in another console prints its text meanwhile;
#   - French reaches a UTF-8 terminal as French: `memscope --lang fr info` shows "état",
#     not the "Ã©tat" of UTF-8 bytes read in another code page (host/msg.c, msg_write).
# Each wait is bounded; a failure prints the terminal's screen.  make check runs it.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:-x86_64}
if [ "$arch" != x86_64 ]; then
    echo "test-launcher: SKIP: the launcher is tested with the x86_64 build only"
    exit 0
fi
command -v tmux >/dev/null || { echo "test-launcher: FAIL: tmux is missing (scripts/install-deps.sh installs it)"; exit 1; }

sess="memscope-launcher-$$"
# A tmux server of this run's own (its own socket): another tmux user on the machine (a
# `tmux kill-server`, say) cannot end this test's sessions, nor this test theirs.  -u: the
# panes' text is UTF-8 whatever this shell's locale (the French check reads accents).
tmux() { command tmux -u -L "$sess" "$@"; }
export MEMSCOPE_NAME="Local\\memscope-launcher-$$"
fail=0
screen() { tmux capture-pane -p -t "$sess:$1" 2>/dev/null; }
# wait_for WINDOW TEXT SECONDS: until TEXT is on the window's screen.
wait_for() {
    local deadline=$((SECONDS + $3))
    while [ $SECONDS -lt $deadline ]; do
        screen "$1" | grep -qF -- "$2" && return 0
        sleep 0.2
    done
    echo "test-launcher: FAIL: '$2' did not appear in window $1 within $3 s; its screen:"
    screen "$1" | sed 's/^/  | /'
    fail=1
    return 1
}
cleanup() {
    tmux kill-server 2>/dev/null
    WINEPREFIX="$top/build/wineprefix-x86_64" wineserver -k 2>/dev/null
}
trap cleanup EXIT

# tmux runs the commands through a shell of its own: the environment is passed explicitly.
run="cd '$top' && MEMSCOPE_NAME='$MEMSCOPE_NAME' scripts/memscope"
tmux new-session -d -s "$sess" -x 100 -y 30 -n hold \
    "$run --hold set from-the-first-console; echo LAUNCHER-EXIT=\$?; sleep 60"
if wait_for hold "holding the block until Ctrl-C" 120; then
    tmux new-window -t "$sess" -n second "$run get; echo LAUNCHER-EXIT=\$?; sleep 60"
    wait_for second "LAUNCHER-EXIT=0" 60 && { screen second | grep -qF "from-the-first-console" \
        || { echo "test-launcher: FAIL: the second console did not see the first one's text"; fail=1; }; }
    tmux send-keys -t "$sess:hold" C-c
    wait_for hold "LAUNCHER-EXIT=0" 30
fi

l0="cd '$top' && MEMSCOPE_MINIMAL_NAME='$MEMSCOPE_NAME-level0' scripts/memscope --run build/x86_64/minimal"
tmux new-window -t "$sess" -n writer "$l0/writer.exe from-level-0; echo LAUNCHER-EXIT=\$?; sleep 60"
if wait_for writer "holding the mapping until Enter" 60; then
    tmux new-window -t "$sess" -n reader "$l0/reader.exe; echo LAUNCHER-EXIT=\$?; sleep 60"
    wait_for reader 'reader: "from-level-0"' 60
    tmux send-keys -t "$sess:writer" Enter
    wait_for writer "LAUNCHER-EXIT=0" 30
fi

tmux new-window -t "$sess" -n watch "$run watch; echo LAUNCHER-EXIT=\$?; sleep 60"
if wait_for watch "q or Ctrl-C to quit" 60; then
    tmux send-keys -t "$sess:watch" q
    wait_for watch "LAUNCHER-EXIT=0" 30
fi

# A UTF-8 terminal (the locale Wine reads to turn the console's UTF-16 into bytes for it):
# the accents of the French labels must arrive as accents.
fr="cd '$top' && env -u LC_ALL -u LC_CTYPE LANG=C.UTF-8 MEMSCOPE_NAME='$MEMSCOPE_NAME' scripts/memscope"
tmux new-window -t "$sess" -n french "$fr --lang fr info; echo LAUNCHER-EXIT=\$?; sleep 60"
if wait_for french "LAUNCHER-EXIT=" 60; then
    if ! screen french | grep -qF "état" || screen french | grep -qF "Ã"; then
        echo "test-launcher: FAIL: \`memscope --lang fr info\` in a UTF-8 terminal does not show \"état\" intact; its screen:"
        screen french | sed 's/^/  | /'
        fail=1
    fi
fi

[ $fail -eq 0 ] && echo "test-launcher: Ctrl-C stops hold, q stops watch, a second console shares the block, level 0's writer holds until Enter, French reaches the terminal as UTF-8"
exit $fail
