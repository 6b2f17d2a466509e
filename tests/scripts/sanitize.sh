#!/usr/bin/env bash
# The test suites under AddressSanitizer + UndefinedBehaviorSanitizer:
# configures (once) and builds build-asan/ (debugoptimized, -Db_sanitize=
# address,undefined), runs the unit, loader, cli and parity suites (and gst
# when the project has it) and prints a summary. Exits non-zero when the
# build or any test fails.
#
#   tests/scripts/sanitize.sh [MESON-TEST-OPTION…]      e.g. --suite unit
#
# Every executable of the build is ASan-linked, so the Python tests that
# spawn tools/ddamfn-infer run instrumented binaries without LD_PRELOAD.
# A sanitizer report makes a process exit with status 86 (ASan, UBSan and
# LeakSanitizer alike), which no test accepts as a regular answer.
# Leaks inside third-party libraries are suppressed by tests/scripts/lsan.supp.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=build-asan
start=$(date +%s)

elapsed() {
  local s=$(($(date +%s) - start))
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false >"$top/$build.setup.log" 2>&1 \
    || { tail -n 30 "$top/$build.setup.log"; echo "sanitize: meson setup failed"; exit 1; }
  rm -f "$top/$build.setup.log"
fi
if ! ninja -C "$build" -j 2 >"$build/sanitize-build.log" 2>&1; then
  tail -n 40 "$build/sanitize-build.log"
  echo "sanitize: build failed ($(elapsed))"
  exit 1
fi
echo "sanitize: built $build in $(elapsed)"

# test_model_errors.py runs ddamfn-infer under valgrind when it finds one;
# valgrind cannot run ASan binaries, and ASan already checks what valgrind
# would. This stand-in drops valgrind's options and runs the command.
shim="$top/$build/sanitize-bin"
mkdir -p "$shim"
cat >"$shim/valgrind" <<'EOF'
#!/bin/sh
# tests/scripts/sanitize.sh: ASan build, so run the command without valgrind.
while [ $# -gt 0 ]; do
  case "$1" in
    -*) shift ;;
    *) break ;;
  esac
done
exec "$@"
EOF
chmod +x "$shim/valgrind"

# Full stacks for leaks: the suppressions match library frames deep in
# the stack (plugin loading), which the fast unwinder does not see.
san_common="exitcode=86:print_stacktrace=1:fast_unwind_on_malloc=0"
export ASAN_OPTIONS="detect_leaks=1:$san_common:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86"
export LSAN_OPTIONS="suppressions=$top/tests/scripts/lsan.supp:print_suppressions=0:exitcode=86"
# The plugin is ASan-built: GStreamer must load it into the (ASan-linked)
# test process, not into its uninstrumented gst-plugin-scanner helper.
export GST_REGISTRY_FORK=no
export PATH="$shim:$PATH"

suites=(--suite unit --suite loader --suite cli --suite parity)
if [ $# -gt 0 ]; then
  suites=()        # the caller's selection only
elif meson test -C "$build" --list --suite gst >/dev/null 2>&1 \
    && [ -n "$(meson test -C "$build" --list --suite gst 2>/dev/null)" ]; then
  suites+=(--suite gst)
fi

# Sanitized code runs several times slower: stretch meson's timeouts.
# python-gi: tests that load the plugin into Python (PyGObject), which an
# uninstrumented interpreter cannot do with an ASan-built plugin; readme:
# the README's pipelines, and gst-launch: the presets' pipelines, through
# the system's gst-launch-1.0, likewise.
meson test -C "$build" --num-processes 2 --print-errorlogs \
  --timeout-multiplier 3 --no-suite python-gi --no-suite readme --no-suite gst-launch \
  "${suites[@]}" "$@"
status=$?

echo "sanitize: results"
/usr/bin/python3 tests/scripts/summary.py "$build/meson-logs/testlog.json" | sed 's/^/  /'
echo "sanitize: wall time $(elapsed)"
exit $status
