#!/usr/bin/env bash
# The concurrency test (four ddamfnfilter elements in four threads sharing
# one model) under ThreadSanitizer. Not part of CI (a few minutes on 2
# cores); run it after touching threads, the model cache or the element.
#
#   tests/scripts/tsan.sh
#
# GLib's slice allocator hands memory between threads out of TSan's sight:
# G_SLICE=always-malloc. No system GStreamer plugin is loaded (the test
# needs none, and some start threads of their own in uninstrumented code).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=build-tsan
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=debugoptimized -Db_sanitize=thread \
    -Db_lundef=false >/dev/null
fi
ninja -C "$build" -j 2 tests/gst/test-soak gst-plugin/libgstddamfn.so \
  tests/gst/test-multitask.safetensors >/dev/null
export G_SLICE=always-malloc GST_PLUGIN_SYSTEM_PATH_1_0= GST_REGISTRY_FORK=no
export GST_PLUGIN_PATH="$top/$build/gst-plugin"
export GST_REGISTRY="$top/$build/registry-tsan.bin"
export DDAMFN_SOAK_NO_RSS_BOUND=1
export TSAN_OPTIONS="halt_on_error=0:exitcode=66"
# OpenBLAS's AVX-512 kernels are fine under TSan; Haswell keeps it portable.
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
"$build/tests/gst/test-soak" "$build/tests/gst/test-multitask.safetensors" 0 \
  concurrency
echo "tsan: no data race reported"
