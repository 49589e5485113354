#!/usr/bin/env bash
# Run every unit-test program; fail if any fails or if none ran.
set -u
pass=0 fail=0
for t in "$@"; do
        echo "== $t"
        if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
echo "unit: $pass passed, $fail failed"
[ $((pass + fail)) -gt 0 ] || { echo "no unit tests ran"; exit 1; }
[ "$fail" -eq 0 ]
