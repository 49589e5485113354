#!/usr/bin/env bash
# A fleet under one signed policy: N plugin instances (default 200) on this machine poll one real
# nginx (Debian's) for a bundle made with `arandu-authz bundle`.  A new serial is in force on all of
# them within one interval plus a few seconds (the time is printed); a tampered, a truncated and a
# replayed older bundle are refused by all, the one in force kept; nginx stopped for a while and
# started again: none loses its policy, all converge on the serial published meanwhile.  An
# instance started while nginx is down uses the bundle it kept; one with nothing kept denies every
# request, saying why.  The audit line and the metrics name the serial in force.
#
# Usage: tests/e2e/bundles.sh BINARY     (as root; `make e2e-bundles` installs nginx-light)
# Talks only to 127.0.0.1; everything it starts it stops; bounded (300 s at most).  Prints
# "ok N - ..." / "not ok N - ..." and ends with "N passed, M failed".
set -euo pipefail

PASS=0
FAIL=0
ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else notok "$d"; fi; }

[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 BINARY"; echo "0 passed, 1 failed"; exit 1; }
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")/../.." && pwd)
N=${BUNDLE_INSTANCES:-200}
INTERVAL=${BUNDLE_INTERVAL:-5}
# One interval with its jitter (+20%), the fetch, and the few seconds the issue allows.
CONVERGE=$((INTERVAL * 12 / 10 + 5))
for t in nginx curl jq; do
        command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "Bail out! $t not found"; echo "0 passed, 1 failed"; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

T=$(mktemp -d /tmp/arandu-bundles.XXXXXX)
PIDS=()
NGINX_PID=""
WATCHDOG_PID=""
cleanup() {
        local rc=$?
        set +e
        [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null
        for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
        for p in "${PIDS[@]}" $NGINX_PID; do
                for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$p" 2>/dev/null
        done
        [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
        wait 2>/dev/null
        if [ "$FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
                echo "# instance 1's log:"; tail -n 12 "$T/i1/log" 2>/dev/null | sed -e 's/^/#   /'
                echo "# nginx error log:"; tail -n 5 "$T/nginx/error.log" 2>/dev/null | sed -e 's/^/#   /'
        fi
        rm -rf --one-file-system "$T"
        [ "$rc" -eq 0 ] || notok "harness stopped early (exit status $rc)"
        echo "$PASS passed, $FAIL failed"
        [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ] && exit 0
        exit 1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
( trap 'kill "$s" 2>/dev/null; exit 0' TERM; sleep 300 >/dev/null 2>&1 & s=$!; wait "$s"
  echo "# watchdog: the test took over 300 s"; kill -TERM $$ ) &
WATCHDOG_PID=$!

free_port() {
        local p
        for p in $(shuf -i 20000-40000 -n 50); do
                ! grep -qi ":$(printf '%04X' "$p") 00000000:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null && { echo "$p"; return; }
        done
        return 1
}
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/fleet/bundle.json

# ---- the publisher: a key, bundles, nginx ----
mkdir -p "$T/pub" "$T/www/fleet" "$T/nginx" "$T/repos" "$T/artifacts"
chmod 0755 "$T"   # nginx's workers run as www-data; the private key stays in the 0700 $T/pub
chmod 0700 "$T/pub"
"$BIN" bundle keygen "$T/pub/fleet" >/dev/null
policy() {   # policy SERIAL MEMORY: a policy file, signed as SERIAL, into $T/pub/SERIAL.json
        printf '{"memory_limit": "%s", "repos_dir": "%s", "artifacts_dir": "%s"}\n' "$2" "$T/repos" "$T/artifacts" >"$T/pub/p$1.json"
        "$BIN" bundle sign --key "$T/pub/fleet.key" --serial "$1" -o "$T/pub/$1.json" "$T/pub/p$1.json" 2>/dev/null
}
# nginx's ETag is the mtime (in seconds) and the size: each publication gets an mtime of its own,
# as a publisher's would a second apart (the plugin also fetches without the ETag every 10th poll).
PUBLISHED=0
publish() {
        PUBLISHED=$((PUBLISHED + 1))
        cp "$1" "$T/www/fleet/.new" && touch -d "@$(($(date +%s) + PUBLISHED * 1000))" "$T/www/fleet/.new" &&
                mv "$T/www/fleet/.new" "$T/www/fleet/bundle.json"
}
policy 1 2g
policy 2 3g
policy 4 1g
publish "$T/pub/1.json"
check "bundle verify accepts what bundle sign made" "$BIN" bundle verify --key "$T/pub/fleet.pub" "$T/pub/1.json"

cat >"$T/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 4096; }
http {
        log_format st '\$status \$http_if_none_match';
        access_log $T/nginx/access.log st;
        client_body_temp_path $T/nginx/body;
        proxy_temp_path $T/nginx/proxy;
        fastcgi_temp_path $T/nginx/fastcgi;
        uwsgi_temp_path $T/nginx/uwsgi;
        scgi_temp_path $T/nginx/scgi;
        types { application/json json; }
        server {
                listen 127.0.0.1:$PORT;
                root $T/www;
        }
}
EOF
start_nginx() {
        "$NGINX" -c "$T/nginx/nginx.conf" -p "$T/nginx" &
        NGINX_PID=$!
        for _ in $(seq 50); do curl -fso /dev/null "$URL" && return 0; sleep 0.1; done
        return 1
}
check "nginx serves the bundle on 127.0.0.1:$PORT" start_nginx
etag=$(curl -sI "$URL" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
check "nginx answers If-None-Match $etag with 304" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: $etag' '$URL')\" = 304 ]"

# ---- the fleet ----
start_instance() {   # start_instance I [extra serve options]
        local i=$1
        shift
        mkdir -p "$T/i$i"
        DOCKER_REPOS_DIR=$T/repos DOCKER_ARTIFACTS_DIR=$T/artifacts \
                "$BIN" serve --socket "$T/i$i/s.sock" --metrics-socket "$T/i$i/m.sock" \
                --policy-url "$URL" --policy-key "$T/pub/fleet.pub" --policy-cache "$T/i$i/kept.json" \
                --policy-interval "$INTERVAL" "$@" 2>"$T/i$i/log" &
        PIDS+=($!)
}
in_force() {   # in_force SERIAL: how many instances logged SERIAL in force
        grep -l "policy bundle: serial $1 from .* in force" "$T"/i*/log 2>/dev/null | wc -l
}
wait_all() {   # wait_all SERIAL SECONDS: 0 when all N have SERIAL in force within SECONDS; prints the time
        local start end now
        start=$(date +%s.%N)
        end=$(awk -v s="$start" -v d="$2" 'BEGIN { printf "%.0f", s + d }')
        while :; do
                [ "$(in_force "$1")" -ge "$N" ] && break
                now=$(date +%s)
                [ "$now" -lt "$end" ] || { echo "timeout"; return 1; }
                sleep 0.2
        done
        awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }'
}
metric() {   # metric I NAME: the value of a metric line of instance I
        curl -s --unix-socket "$T/i$1/m.sock" http://localhost/metrics | awk -v n="$2" '$1 == n { print $2 }'
}

t0=$(date +%s.%N)
start_instance 1 --audit-log "$T/i1/audit.log"
for i in $(seq 2 "$N"); do start_instance "$i"; done
took=$(wait_all 1 60) || true
check "all $N instances started with serial 1 in force ($took s after the first start)" test "$took" != timeout
echo "# $N instances: $(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s to start and take serial 1; RSS $(ps -o rss= -p "$(IFS=,; echo "${PIDS[*]}")" | awk '{ s += $1 } END { printf "%.0f MiB", s / 1024 }') in all"

publish "$T/pub/2.json"
took=$(wait_all 2 "$CONVERGE") || true
echo "# serial 2 published: in force on all $N instances after $took s (interval $INTERVAL s, jitter 20%)"
check "a new serial is in force on all $N within $CONVERGE s ($took s)" test "$took" != timeout
check "the metrics name serial 2 (instance 7)" test "$(metric 7 arandu_authz_policy_serial)" = 2
check "policy_info carries the serial" sh -c "curl -s --unix-socket '$T/i7/m.sock' http://localhost/metrics | grep -q 'arandu_authz_policy_info{sha256=\"[0-9a-f]*\",serial=\"2\"} 1'"

# An AuthZ request to instance 1: its audit line names the serial.
REQ=$HERE/tests/fixtures/dockerd-20.10.24/privileged.cli28.2.2.req.json
curl -s --unix-socket "$T/i1/s.sock" -X POST --data-binary @"$REQ" http://localhost/AuthZPlugin.AuthZReq >"$T/answer"
check "a request is judged by the bundle's policy (memory 3g)" grep -q "at most 3g" "$T/answer"
for _ in $(seq 20); do [ -s "$T/i1/audit.log" ] && break; sleep 0.1; done
check "its audit line names policy_serial 2" sh -c "tail -1 '$T/i1/audit.log' | jq -e '.policy_serial == 2'"

# ---- what must be refused, by all ----
refused_everywhere() {   # refused_everywhere WHAT: all N logged a refusal for WHAT and still hold serial 2
        local what=$1 n
        for _ in $(seq $((CONVERGE * 5))); do
                n=$(grep -l "policy bundle: .*refused: $what" "$T"/i*/log 2>/dev/null | wc -l)
                [ "$n" -ge "$N" ] && break
                sleep 0.2
        done
        [ "$n" -ge "$N" ] && [ "$(in_force 3)" -eq 0 ] && [ "$(metric 9 arandu_authz_policy_serial)" = 2 ]
}
# tampered: serial 2's signature over serial 3's claim
sed 's/"serial":2,/"serial":3,/' "$T/pub/2.json" >"$T/pub/tampered.json"
publish "$T/pub/tampered.json"
check "a tampered bundle (serial changed) is refused by all $N, serial 2 kept" refused_everywhere "the signature of serial 3 does not verify"
head -c 120 "$T/pub/2.json" >"$T/pub/truncated.json"
publish "$T/pub/truncated.json"
check "a truncated bundle is refused by all $N, serial 2 kept" refused_everywhere "not JSON"
publish "$T/pub/1.json"
check "a replayed older bundle (serial 1) is refused by all $N, serial 2 kept" refused_everywhere "serial 1 is older than serial 2"
# The replayed bundle stays on the server: its 304s repeat the refusal, and the last good poll's
# time stands still (what the stale-bundle alert watches).
ts0=$(metric 9 arandu_authz_bundle_last_success_timestamp_seconds)
ref0=$(metric 9 'arandu_authz_bundle_polls_total{result="refused"}')
sleep $((INTERVAL * 12 / 10 + 2))
still_refused() {
        [ "$(metric 9 arandu_authz_bundle_last_success_timestamp_seconds)" = "$ts0" ] &&
                [ "$(metric 9 'arandu_authz_bundle_polls_total{result="refused"}')" -gt "$ref0" ]
}
check "a refused bundle's 304s stay refused, and the last good poll's time stands still (instance 9)" still_refused
check "the refusals are counted (instance 9)" sh -c "[ \"\$(curl -s --unix-socket '$T/i9/m.sock' http://localhost/metrics | awk '\$1 == \"arandu_authz_bundle_polls_total{result=\\\"refused\\\"}\" { print \$2 }')\" -ge 3 ]"

# ---- nginx down for a while, and back ----
kill -QUIT "$NGINX_PID"
wait "$NGINX_PID" 2>/dev/null || true
NGINX_PID=""
publish "$T/pub/4.json"
sleep $((INTERVAL * 2 + 2))
check "nginx down: every instance keeps serial 2" sh -c "[ $(in_force 4) -eq 0 ] && [ \"\$(grep -l 'cannot fetch' $T/i*/log | wc -l)\" -ge $N ]"
curl -s --unix-socket "$T/i1/s.sock" -X POST --data-binary @"$REQ" http://localhost/AuthZPlugin.AuthZReq >"$T/answer"
check "nginx down: requests are still judged by serial 2" grep -q "at most 3g" "$T/answer"

# Started while nginx is down: instance 1 again, from what it kept; a new one with nothing kept.
kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
start_instance 1 --audit-log "$T/i1/audit.log"
PIDS[0]=${PIDS[-1]}
unset 'PIDS[-1]'
for _ in $(seq 50); do [ -S "$T/i1/s.sock" ] && break; sleep 0.1; done
check "restarted with nginx down, an instance uses the bundle it kept" grep -q "serial 2 from the kept bundle" "$T/i1/log"
start_instance new
for _ in $(seq 80); do [ -S "$T/inew/s.sock" ] && break; sleep 0.1; done
curl -s --unix-socket "$T/inew/s.sock" -X POST --data-binary @"$REQ" http://localhost/AuthZPlugin.AuthZReq >"$T/answer-new"
check "with nothing kept and nginx down, every request is denied, saying why" \
        grep -q '"Allow":false.*policy: no signed policy is in force yet.*cannot fetch' "$T/answer-new"

check "nginx back" start_nginx
N=$((N + 1))   # the new instance too
took=$(wait_all 4 "$CONVERGE") || true
echo "# nginx back: serial 4 in force on all $N instances after $took s"
check "nginx back: all $N converge on serial 4 within $CONVERGE s ($took s)" test "$took" != timeout
curl -s --unix-socket "$T/inew/s.sock" -X POST --data-binary @"$REQ" http://localhost/AuthZPlugin.AuthZReq >"$T/answer-new"
check "the instance that had none now judges by serial 4 (memory 1g)" grep -q "at most 1g" "$T/answer-new"
# Unchanged since: over the next two intervals every poll that carries the ETag (If-None-Match)
# gets a 304.
seen=$(wc -l <"$T/nginx/access.log")
sleep $((INTERVAL * 2 + 1))
tail -n +$((seen + 1)) "$T/nginx/access.log" >"$T/window"
nall=$(wc -l <"$T/window")
ncond=$(grep -vc ' -$' "$T/window" || true)                   # sent If-None-Match
ncond304=$(grep -c '^304 ' "$T/window" || true)
echo "# unchanged bundle: $nall polls in $((INTERVAL * 2 + 1)) s, $ncond with the ETag, $ncond304 answered 304 Not Modified"
# (every 10th poll of an instance asks without the ETag, on purpose)
check "an unchanged bundle costs a 304: every poll with the ETag got one ($ncond304 of $ncond), most polls had it" \
        sh -c "[ $ncond -ge $N ] && [ $ncond304 -eq $ncond ] && [ $((ncond * 2)) -gt $nall ]"

# SIGHUP asks the server at once: an instance polling hourly takes a new serial right after it.
start_instance hourly --policy-interval 3600
for _ in $(seq 50); do grep -q "serial 4 from .* in force" "$T/ihourly/log" 2>/dev/null && break; sleep 0.1; done
policy 5 2g
publish "$T/pub/5.json"
sleep 1
check "an hourly instance has not polled on its own (serial 4 still)" sh -c "! grep -q 'serial 5 from' '$T/ihourly/log'"
kill -HUP "${PIDS[-1]}"
took=timeout
for i in $(seq 30); do grep -q "serial 5 from .* in force" "$T/ihourly/log" && { took=$((i / 10)).$((i % 10)); break; }; sleep 0.1; done
check "SIGHUP: serial 5 in force at once ($took s)" test "$took" != timeout
