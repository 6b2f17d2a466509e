#!/usr/bin/env bash
# Wall and CPU time (user, system) of the detector, the detector with the
# filter, and ddamfn-analyze on Megamind.avi, for two builds measured side
# by side (runs alternate): BUILD_A, e.g. configured with -Dblas=openblas
# (Debian's libopenblas.so, what the project linked before), and BUILD_B,
# e.g. the default -Dblas=builtin (the engine's own GEMM); BUILD_B may be a
# comma-separated list of builds (B1, B2, ...: -Dblas=builtin,-Dblas=blis).
# Every run has no OPENBLAS_* variable in its environment, as a user's
# plain gst-launch-1.0 has; BUILD_A is also run with OPENBLAS_NUM_THREADS=1
# (the old advice), the bar the default must be within 10 % of.
#
#   bench/blas-cpu.sh BUILD_A BUILD_B DETECTOR_MODEL DDAMFN_MODEL [VIDEO] [RUNS]
#
# Prints the median of RUNS runs (default 5) per case: wall s, user s,
# sys s, user+sys s.
set -euo pipefail

usage="usage: $0 BUILD_A BUILD_B DETECTOR_MODEL DDAMFN_MODEL [VIDEO] [RUNS]"
a=$(cd "${1:?$usage}" && pwd)
IFS=, read -r -a bs <<<"${2:?$usage}"
det=${3:?$usage}
model=${4:?$usage}
video=${5:-$(dirname "$0")/../../shared/data/Megamind.avi}
runs=${6:-5}

out=$(mktemp -d)
tfile=$out/time
trap 'rm -rf "$out"' EXIT

src="filesrc location=$video ! decodebin"
workloads=(detector filter analyze)

# One run: "wall user sys" of workload $2 with build $1, extra env $3.
run_once() {
  local build=$1 w=$2 extra=$3 cmd
  case "$w" in
    detector) cmd=(gst-launch-1.0 -q $src ! ddamfnfacedetect model="$det"
        ! fakesink sync=false) ;;
    filter) cmd=(gst-launch-1.0 -q $src ! ddamfnfacedetect model="$det"
        ! ddamfnfilter model="$model" ! fakesink sync=false) ;;
    analyze) cmd=("$build/tools/ddamfn-analyze" "$video" --model "$model"
        --detector-model "$det" --csv "$out/a.csv") ;;
  esac
  rm -f "$out/a.csv"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u OPENBLAS_NUM_THREADS \
    -u OMP_NUM_THREADS $extra GST_PLUGIN_PATH="$build/gst-plugin" \
    GST_REGISTRY="$out/registry-$(basename "$build").bin" \
    /usr/bin/time -o "$tfile" -f '%e %U %S' "${cmd[@]}" >/dev/null 2>&1 ||
    { echo "failed: ${cmd[*]}" >&2; exit 1; }
  tail -n 1 "$tfile"
}

# BLAS_A_ENV: extra environment of A's runs, e.g.
# LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread where the
# build's RUNPATH names another variant (openblas.pc of Debian 13 names
# the serial one when libopenblas-serial-dev is installed)
cases=("A:$a:${BLAS_A_ENV:-}" "A1:$a:${BLAS_A_ENV:-} OPENBLAS_NUM_THREADS=1")
for i in "${!bs[@]}"; do
  b=$(cd "${bs[$i]}" && pwd)
  name=B; [ "${#bs[@]}" -gt 1 ] && name=B$((i + 1))
  cases+=("$name:$b:")
done
declare -A res
for r in $(seq "$runs"); do
  for w in "${workloads[@]}"; do
    for c in "${cases[@]}"; do
      IFS=: read -r name build extra <<<"$c"
      res[$name.$w]="${res[$name.$w]:-}$(run_once "$build" "$w" "$extra")
"
    done
  done
done

median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }
echo "A = $a (${cases[0]##*:}default environment)"
echo "A1 = A with OPENBLAS_NUM_THREADS=1"
for c in "${cases[@]:2}"; do
  IFS=: read -r name build extra <<<"$c"
  echo "$name = $build (default environment)"
done
echo "$(uptime)"
printf '%-10s %-4s %8s %8s %8s %9s\n' workload build "wall s" "user s" \
  "sys s" "user+sys"
for w in "${workloads[@]}"; do
  for c in "${cases[@]}"; do
    name=${c%%:*}
    col() { printf '%s' "${res[$name.$w]}" | awk "NF { print \$$1 }" | median; }
    cpu=$(printf '%s' "${res[$name.$w]}" | awk 'NF { print $2 + $3 }' | median)
    printf '%-10s %-4s %8.2f %8.2f %8.2f %9.2f\n' "$w" "$name" "$(col 1)" \
      "$(col 2)" "$(col 3)" "$cpu"
  done
done
