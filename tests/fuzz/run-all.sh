#!/usr/bin/env bash
# Every libFuzzer target (run-fuzz.sh) for a bounded time each, on its seed
# corpus: the ONNX and TensorFlow.js importers, the model loader, the
# preprocessing and the model-card reader. Fails on any finding. Skips (exit 77) where clang is not
# installed: CI installs it (.ci/run), a newcomer's set-up does not need it.
#
#   [DDAMFN_FUZZ_SECONDS=45] tests/fuzz/run-all.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${DDAMFN_FUZZ_SECONDS:-45}
if ! command -v "${CC:-clang}" >/dev/null; then
  echo "SKIP: clang is not installed (apt-get install clang; CI installs it)"
  exit 77
fi
failed=()
for target in onnx tfjs model preprocess card; do
  echo "==== $target, ${seconds} s"
  bash "$here/run-fuzz.sh" "$target" "$seconds" || failed+=("$target")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAIL: findings in ${failed[*]}"
  exit 1
fi
echo "PASS: no findings in 5 targets"
