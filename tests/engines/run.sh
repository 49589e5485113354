#!/usr/bin/env bash
# Run the end-to-end suites (tests/e2e/smoke.sh, and the attack and ordinary suites of arandu-e2e) on
# several engines, the engines side by side, and print one line per engine:
#   engine 28.5.2+dfsg4 (sid): N passed, M failed, K skipped
# (skipped: known incompatibilities of a client with that engine, recorded, never counted as passes)
#
# Usage: tests/engines/run.sh BINARY E2E_BINARY ENGINE...
#   ENGINE: "system" (Debian 12's docker.io) or the root of an unpacked engine (tests/engines/fetch.sh)
# Each engine's output goes to B/engines/NAME.log (B: the directory of BINARY); the failing lines and
# the log's tail are shown for an engine that failed.  Exit status 0 only when every suite of every
# engine passed and each ran at least one check.
set -uo pipefail

[ $# -ge 3 ] || { echo "usage: $0 BINARY E2E_BINARY ENGINE..."; echo "0 passed, 1 failed"; exit 1; }
BIN=$(realpath "$1")
E2E=$(realpath "$2")
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
LOGS="$(dirname "$BIN")/engines"
mkdir -p "$LOGS"

# suite_counts LOG: "N M" from the last "N passed, M failed" line, or "0 1" when there is none (the
# suite stopped before its summary).
suite_counts() {
        local line
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
        if [ -z "$line" ]; then echo "0 1"; else echo "$line" | awk '{ print $1, $3 }'; fi
}

# one_engine ENGINE NAME: both suites, one after the other, on that engine.
one_engine() {
        local root=$1 name=$2 log="$LOGS/$2.log" p=0 f=0 n m
        : >"$log"
        [ "$root" = system ] && root=""
        for suite in smoke e2e; do
                echo "# === $suite on engine $name" >>"$log"
                if [ $suite = smoke ]; then
                        E2E_ENGINE=$root timeout 1200 "$HERE/../e2e/smoke.sh" "$BIN" >"$log.$suite" 2>&1
                else
                        E2E_ENGINE=$root timeout 1200 "$E2E" "$BIN" >"$log.$suite" 2>&1
                fi
                echo "# exit status $?" >>"$log.$suite"
                read -r n m < <(suite_counts "$log.$suite")
                [ "$n" -gt 0 ] || m=$((m + 1))
                p=$((p + n))
                f=$((f + m))
                cat "$log.$suite" >>"$log"
                rm -f "$log.$suite"
        done
        k=$(sed -n -e 's/^attacks: .*; \([0-9]*\) skipped$/\1/p' "$log" | awk '{ s += $1 } END { print s + 0 }')
        echo "$p $f $k" >"$log.counts"
}

# The current docker-py and compose v2 for the system's engine, which has none of its own: those of
# the last unpacked engine given (the others use their own).
clients=""
for e in "$@"; do
        [ "$e" = system ] || clients=$(realpath "$e")
done
export E2E_CLIENTS=$clients

names=()
for e in "$@"; do
        if [ "$e" = system ]; then
                name=system
        else
                name=$(basename "$(dirname "$(realpath "$e")")")
        fi
        names+=("$name")
        one_engine "$e" "$name" &
done
wait

status=0
i=0
for e in "$@"; do
        name=${names[$i]}
        i=$((i + 1))
        root=$e
        [ "$e" = system ] && root=""
        version=$("$root/usr/sbin/dockerd" --version 2>/dev/null | sed -n -e 's/^Docker version \([^, ]*\).*/\1/p')
        read -r n m k <"$LOGS/$name.log.counts" 2>/dev/null || { n=0; m=1; k=0; }
        rm -f "$LOGS/$name.log.counts"
        echo "engine ${version:-unknown} ($name): $n passed, $m failed, ${k:-0} skipped"
        grep -E '^# skip: ' "$LOGS/$name.log" | sed -e 's/^# skip: /#   skipped: /' | cut -c1-300
        if [ "$m" -gt 0 ] || [ "$n" -eq 0 ]; then
                status=1
                grep -E '^(not ok|Bail out)' "$LOGS/$name.log" | head -n 40 | sed -e 's/^/#   /'
                echo "#   (full output: $LOGS/$name.log)"
        fi
done
exit $status
