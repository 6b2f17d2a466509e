#!/usr/bin/env bash
# Builds (if needed) and runs the whole test suite; ends with the line
# "N passed, N failed" and exits non-zero when anything failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -f build/build.ninja ] || meson setup build >/dev/null || exit 1
ninja -C build >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

meson test -C build --num-processes 2 --print-errorlogs "$@"
status=$?

/usr/bin/python3 tests/scripts/summary.py build/meson-logs/testlog.json
summary=$?
[ "$status" -eq 0 ] && [ "$summary" -eq 0 ]
