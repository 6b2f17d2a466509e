#!/usr/bin/env bash
# Upstream's onnxinference (gst-plugins-bad, ONNX Runtime) against
# ddamfnfilter on one ONNX file and the same frames: frames/s and CPU time
# (bench/bench-onnxinference.c). The model is the tests' EfficientNet-B0
# fixture (torchvision, HSEmotion's 10-output head, random weights), with
# the metadata onnxinference needs: each output's name mapped to a tensor
# id ("output" → "hsemotion-va-expression").
#
#   bash bench/onnxinference.sh [BUILD_DIR] [ROUNDS]
#
# Needs Debian's gstreamer1.0-plugins-bad with its onnx plugin (Debian 13),
# python3-torch, python3-torchvision and python3-onnx, ../shared/data.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
rounds=${2:-3}
video=$top/../shared/data/Megamind.avi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! GST_PLUGIN_PATH=$build/gst-plugin gst-inspect-1.0 onnxinference >/dev/null 2>&1; then
  echo "onnxinference.sh: GStreamer's onnxinference element is not installed" >&2
  exit 77
fi
/usr/bin/python3 "$top/tests/import/make_onnx_fixtures.py" "$work" efficientnet_b0 >/dev/null
/usr/bin/python3 - "$work/efficientnet_b0.onnx" "$work/model.onnx" <<'PY'
import sys
import onnx
m = onnx.load(sys.argv[1])
onnx.helper.set_model_props(m, {o.name: "hsemotion-va-expression"
                                for o in m.graph.output})
onnx.save(m, sys.argv[2])
PY
lscpu | grep -E '^Model name' || true
GST_PLUGIN_PATH=$build/gst-plugin OPENBLAS_NUM_THREADS=1 \
  "$build/bench/bench-onnxinference" "$work/model.onnx" "$video" "$rounds"
