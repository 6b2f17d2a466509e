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

# meson writes one JSON object per test to testlog.json.
read -r passed failed skipped < <(/usr/bin/python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f, s)
PY
)
if [ "${skipped:-0}" -gt 0 ]; then
  echo "${passed:-0} passed, ${failed:-1} failed, ${skipped} skipped"
else
  echo "${passed:-0} passed, ${failed:-1} failed"
fi
[ "$status" -eq 0 ] && [ "${failed:-1}" -eq 0 ]
