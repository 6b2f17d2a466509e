#!/usr/bin/env bash
# Builds a libFuzzer target with clang (ASan + UBSan) into build-fuzz/ and
# runs it on its corpus for a while.
#
#   tests/fuzz/run-fuzz.sh TARGET SECONDS [LIBFUZZER-OPTION…]
#
# TARGET is model, preprocess, tfjs, onnx or card. New inputs go to build-fuzz/corpus-TARGET/
# (seeded from tests/fuzz/corpus-TARGET/, which is only read); crashes to
# build-fuzz/artifacts-TARGET/. Prints the run's statistics and any crash
# file; exits non-zero when the fuzzer found something. One fuzzer at a
# time: each run is a single process.
#
# Environment: CC (default clang); DDAMFN_FUZZ_SESSION=new|never (model
# target, see harness-model.c) to run fewer forward passes.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 model|preprocess|tfjs|onnx|card SECONDS [LIBFUZZER-OPTION...]" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2
case "$target" in
  model|preprocess|tfjs|onnx|card) ;;
  *) echo "$0: unknown target '$target' (model, preprocess, tfjs, onnx or card)" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/../.." && pwd)
fuzz="$top/tests/fuzz"
out="$top/build-fuzz"
cc=${CC:-clang}
mkdir -p "$out/corpus-$target" "$out/artifacts-$target"

san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
# the default build's choices: the engine's own GEMM (-Dblas=builtin), and
# a models directory that does not exist (no installed model is read)
read -r -a pkg_cflags <<<"$(pkg-config --cflags glib-2.0 json-glib-1.0)"
read -r -a libs <<<"$(pkg-config --libs glib-2.0 json-glib-1.0) -lm"
cflags=(-g -fno-omit-frame-pointer -std=gnu11
  -Wno-unknown-pragmas -Wno-psabi -DDDAMFN_COMPILATION '-DG_LOG_DOMAIN="ddamfn"'
  -DDDAMFN_BLAS_BUILTIN '-DDDAMFN_MODEL_DIR="/nonexistent/gst-ddamfn/models"'
  -I"$top/include" -I"$top/src" -I"$out" "${pkg_cflags[@]}")

/usr/bin/python3 "$fuzz/gen-fuzz-data.py" --header "$out/arch-tensors.h.new"
if cmp -s "$out/arch-tensors.h.new" "$out/arch-tensors.h"; then
  rm -f "$out/arch-tensors.h.new"
else
  mv "$out/arch-tensors.h.new" "$out/arch-tensors.h"
fi
echo '#define DDAMFN_VERSION "fuzz"' > "$out/ddamfn-version.h.new"
if cmp -s "$out/ddamfn-version.h.new" "$out/ddamfn-version.h"; then
  rm -f "$out/ddamfn-version.h.new"
else
  mv "$out/ddamfn-version.h.new" "$out/ddamfn-version.h"
fi

# The library, per target: the sources the target is about get coverage
# (with comparison tracing) and UBSan; the model loader gets coverage
# counters without comparison tracing, which would triple the cost of its
# per-element loops; everything else (the forward pass, mostly) is built
# with -O2 and ASan only, to keep a model that loads cheap to run.
# A source is recompiled when it, a header or this script is newer than
# its object. Two compilers at a time.
deep=(-O1 "${san[@]}" -fsanitize=fuzzer-no-link)
counters=(-O1 "${san[@]}" -fsanitize-coverage=inline-8bit-counters,pc-table
  -fno-builtin)
plain=(-O2 -fsanitize=address)
flags_for() {
  case "$target:$1" in
    model:safetensors | preprocess:preprocess | preprocess:align | \
    tfjs:tfjs | tfjs:tfjs-ops | tfjs:tfjs-attr | tfjs:graph | tfjs:lower | \
    onnx:protobuf | onnx:onnx | onnx:onnx-ops | onnx:onnx-shape | onnx:graph | \
    onnx:lower | card:card | card:card-presets | card:json-bounded)
      echo deep ;;
    model:model | model:loader | model:metadata | model:ddamfn | model:plan)
      echo counters ;;
    *) echo plain ;;
  esac
}
objdir="$out/obj-$target"
mkdir -p "$objdir"
objs=()
newest=$(ls -t "$top"/src/*.h "$top"/src/ops/*.h "$top"/src/import/*.h \
  "$top"/include/ddamfn/*.h \
  "$0" | head -1)
n_compiled=0
for src in "$top"/src/*.c "$top"/src/ops/*.c "$top"/src/nets/*.c \
    "$top"/src/import/*.c; do
  name=$(basename "$src" .c)
  obj="$objdir/$(basename "$(dirname "$src")")-$name.o"
  objs+=("$obj")
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest" -nt "$obj" ]; then
    case $(flags_for "$name") in
      deep) extra=("${deep[@]}") ;;
      counters) extra=("${counters[@]}") ;;
      *) extra=("${plain[@]}") ;;
    esac
    if [ "$(jobs -rp | wc -l)" -ge 2 ]; then
      wait -n
    fi
    rm -f "$obj"
    "$cc" "${cflags[@]}" "${extra[@]}" -c "$src" -o "$obj" &
    n_compiled=$((n_compiled + 1))
  fi
done
for pid in $(jobs -rp); do
  wait "$pid"
done
[ "$n_compiled" -gt 0 ] && echo "compiled $n_compiled library sources with $cc"
for obj in "${objs[@]}"; do
  [ -f "$obj" ] || { echo "$0: $obj was not built" >&2; exit 1; }
done

echo "linking build-fuzz/fuzz-$target..."
"$cc" "${cflags[@]}" -O1 "${san[@]}" -fsanitize=fuzzer -I"$fuzz" "$fuzz/fuzz-$target.c" \
  "$fuzz/harness-$target.c" "$fuzz/harness-graph.c" "$fuzz/fuzz-common.c" \
  "${objs[@]}" "${libs[@]}" \
  -o "$out/fuzz-$target"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/scripts/lsan.supp:print_suppressions=0}

# ONNX seeds are whole small models (about 20 kB)
max_len=16384
[ "$target" = onnx ] && max_len=65536
dict=()
[ -f "$fuzz/$target.dict" ] && dict=(-dict="$fuzz/$target.dict")
log="$out/fuzz-$target.log"
before=$(ls "$out/artifacts-$target" | wc -l)
echo "fuzzing $target for ${seconds}s (log: build-fuzz/fuzz-$target.log)..."
set +e
"$out/fuzz-$target" -max_total_time="$seconds" -timeout=120 \
  -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$out/artifacts-$target/" \
  "${dict[@]}" "$@" "$out/corpus-$target" "$fuzz/corpus-$target" \
  >"$log" 2>&1
status=$?
set -e

echo "---- last status lines"
grep -E '^#[0-9]+' "$log" | tail -n 3 || true
echo "---- final statistics"
grep -E '^stat::|^Done ' "$log" || true
cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
echo "coverage (edges, features): ${cov:-none reported}"
echo "corpus: $(ls "$out/corpus-$target" | wc -l) inputs in build-fuzz/corpus-$target"
after=$(ls "$out/artifacts-$target" | wc -l)
if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
  echo "---- FINDING (exit status $status)"
  grep -E 'ERROR: |FUZZ CHECK FAILED|runtime error|SUMMARY|GLib|CRITICAL|WARNING' \
    "$log" | head -20 || true
  echo "---- last lines of the log"
  grep -vE '^#[0-9]+' "$log" | tail -n 40 || true
  ls -t "$out/artifacts-$target" | head -5 | sed "s|^|build-fuzz/artifacts-$target/|"
  # the input itself, so that a run whose files are gone (CI) can be
  # replayed: base64 of the newest artifact when it is small
  newest=$(ls -t "$out/artifacts-$target" | head -n1)
  if [ -n "$newest" ] && [ "$(stat -c %s "$out/artifacts-$target/$newest")" -le 65536 ]; then
    echo "---- $newest, base64"
    base64 -w 0 "$out/artifacts-$target/$newest"
    echo
  fi
  exit 1
fi
echo "no findings"
