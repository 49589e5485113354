#!/usr/bin/env bash
# Drive the fuzz targets (used by mk/fuzz.mk).
#
#   run.sh replay DIR TARGET...            DIR/<target> (gcc build, replay.c main) over tests/fuzz/corpus/<target>
#   run.sh fuzz DIR SECONDS JOBS TARGET... DIR/fuzz_<target> (libFuzzer) for SECONDS each, JOBS at a time;
#                                          new inputs in DIR/corpus/<target>, crashes in DIR/artifacts/<target>/,
#                                          logs in DIR/logs/<target>.log
#   run.sh have-libfuzzer CC               exit 0 when CC can build a libFuzzer target
#
# Prints one line per target (inputs replayed; executions, exec/s, coverage) and a summary; exits 1
# on any crash, leak, timeout or sanitizer report, or when nothing ran.
set -u
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/corpus
dict=$here/docker.dict

replay() {
        local dir=$1 fail=0 t
        shift
        for t in "$@"; do
                if out=$("$dir/$t" "$corpus/$t" 2>&1); then
                        echo "ok - fuzz replay $t: ${out##*: }"
                else
                        echo "not ok - fuzz replay $t"
                        printf '%s\n' "$out" | tail -30
                        fail=$((fail + 1))
                fi
        done
        echo "fuzz-replay: $(($# - fail)) passed, $fail failed"
        [ "$fail" -eq 0 ] && [ $# -gt 0 ]
}

# One libFuzzer run; its summary line on stdout, its log kept.
fuzz_one() {
        local dir=$1 secs=$2 t=$3
        local log=$dir/logs/$t.log
        mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t" "$dir/logs"
        # -timeout: an input that takes 10 s is a hang dockerd would wait on; -rss_limit_mb: a leak
        # or an unbounded allocation.  LeakSanitizer is on: a leak is a finding.
        "$dir/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                -dict="$dict" -artifact_prefix="$dir/artifacts/$t/" "$dir/corpus/$t" "$corpus/$t" >"$log" 2>&1
        local rc=$?
        local execs rate cov
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
        if [ "$rc" -eq 0 ]; then
                echo "ok - fuzz $t: ${execs:-?} executions in ${secs}s (${rate:-?}/s), $cov"
        else
                echo "not ok - fuzz $t: exit $rc after ${execs:-?} executions; log $log, inputs in $dir/artifacts/$t/"
                grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant broken|.*runtime error)' "$log" | head -5
                return 1
        fi
}

fuzz() {
        local dir=$1 secs=$2 jobs=$3
        shift 3
        [ $# -gt 0 ] || { echo "fuzz: no targets"; return 1; }
        export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}
        export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
        echo "fuzz: $# targets, ${secs}s each, $jobs at a time"
        export -f fuzz_one
        export dict corpus
        printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'fuzz_one "$1" "$2" "$3"' _ "$dir" "$secs" {} \
                | tee "$dir/logs/summary.txt"
        local fail
        fail=$(grep -c '^not ok' "$dir/logs/summary.txt")
        echo "fuzz: $(($# - fail)) passed, $fail failed"
        [ "$fail" -eq 0 ]
}

have_libfuzzer() {
        local cc=$1 tmp
        command -v "$cc" >/dev/null 2>&1 || return 1
        tmp=$(mktemp -d) || return 1
        printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void) d; (void) n; return 0; }\n' >"$tmp/t.c"
        "$cc" -fsanitize=fuzzer,address,undefined -o "$tmp/t" "$tmp/t.c" >/dev/null 2>&1
        local rc=$?
        rm -rf "$tmp"
        return $rc
}

cmd=${1:-}
shift || true
case $cmd in
replay) replay "$@" ;;
fuzz) mkdir -p "$1/logs" && fuzz "$@" ;;
have-libfuzzer) have_libfuzzer "$@" ;;
*) echo "usage: $0 replay|fuzz|have-libfuzzer ..." >&2; exit 2 ;;
esac
