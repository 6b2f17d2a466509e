#!/usr/bin/env bash
# Frames per second of Megamind.avi (270 frames, 720×528) through our face
# detector and through OpenCV's Haar cascade (facedetect), measured side by
# side in one run (runs alternate, so both see the same machine load), alone
# and followed by ddamfnfilter. Median wall time of RUNS runs per
# pipeline, fakesink sync=false, and the CPU time (user + system) of that
# run: facedetect spreads its cascade over every core by itself (OpenCV's
# threads), our detector runs on one, so the two figures say different
# things. The last two pipelines run two streams in one process (two
# chains, each on its own streaming thread): how the detectors use two cores
# when there is more than one stream. CPUS=LIST runs every pipeline under
# taskset -c LIST (CPUS=0: one core for both).
#
#   [FRAMES=N] [CPUS=LIST] bench/detector-fps.sh DETECTOR_MODEL DDAMFN_MODEL [VIDEO] [RUNS]
#
# Needs GST_PLUGIN_PATH=build/gst-plugin when the plugin is not installed.
# Run in a default environment: the default build's matrix products run on
# the engine's own GEMM, with no thread pool (meson option blas): no
# OPENBLAS_* variable is needed.
set -euo pipefail

det=${1:?usage: $0 DETECTOR_MODEL DDAMFN_MODEL [VIDEO] [RUNS]}
model=${2:?usage: $0 DETECTOR_MODEL DDAMFN_MODEL [VIDEO] [RUNS]}
video=${3:-$(dirname "$0")/../../shared/data/Megamind.avi}
runs=${4:-5}
frames=${FRAMES:-270}

src="filesrc location=$video ! decodebin"
ours="ddamfnfacedetect model=$det"
haar="videoconvert ! facedetect display=false updates=none"
f="ddamfnfilter model=$model"

names=("decode (I420)" "decode + videoconvert (RGB)"
  "decode + ddamfnfacedetect" "decode + videoconvert + facedetect"
  "decode + ddamfnfacedetect + ddamfnfilter"
  "decode + videoconvert + facedetect + ddamfnfilter"
  "2 streams: decode + ddamfnfacedetect"
  "2 streams: decode + videoconvert + facedetect")
pipes=("$src" "$src ! videoconvert" "$src ! $ours" "$src ! $haar"
  "$src ! $ours ! $f" "$src ! $haar ! $f"
  "$src ! $ours ! fakesink sync=false $src ! $ours"
  "$src ! $haar ! fakesink sync=false $src ! $haar")
# frames per run: the two-stream pipelines (two chains in one process,
# each on its own streaming thread) decode the video twice
mult=(1 1 1 1 1 1 2 2)

pin=()
if [ -n "${CPUS:-}" ]; then
  pin=(taskset -c "$CPUS")
fi

# One run of pipeline $1: "wall-seconds cpu-seconds".
tfile=$(mktemp)
trap 'rm -f "$tfile"' EXIT
run_once() {
  /usr/bin/time -o "$tfile" -f '%e %U %S' "${pin[@]}" gst-launch-1.0 -q $1 \
    ! fakesink sync=false >/dev/null 2>&1 ||
    { echo "failed: $1" >&2; exit 1; }
  tail -n 1 "$tfile" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }'
}

declare -A wall cpu
for r in $(seq "$runs"); do
  for i in "${!pipes[@]}"; do
    res=$(run_once "${pipes[$i]}")  # a failed run ends the script (set -e)
    read -r w c <<<"$res"
    wall[$i]="${wall[$i]:-} $w"
    cpu[$i]="${cpu[$i]:-} $w:$c"
  done
done

echo "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}${CPUS:+; taskset -c $CPUS}; $(uptime)"
printf '%-52s %8s %8s %8s\n' "pipeline (median of $runs runs)" "s" "fps" "cpu s"
declare -A fps cpus
for i in "${!pipes[@]}"; do
  med=$(printf '%s\n' ${wall[$i]} | sort -n | sed -n "$(((runs + 1) / 2))p")
  # the CPU time of the run whose wall time is the median
  c=$(printf '%s\n' ${cpu[$i]} | grep "^$med:" | head -n 1 | cut -d: -f2)
  fps[$i]=$(awk -v a="$frames" -v m="${mult[$i]}" -v b="$med" 'BEGIN { print a * m / b }')
  cpus[$i]=$c
  printf '%-52s %8.2f %8.1f %8.2f\n' "${names[$i]}" "$med" "${fps[$i]}" "$c"
done
printf 'ddamfnfacedetect against facedetect: %.1fx the frames per second, ' \
  "$(awk -v a="${fps[2]}" -v b="${fps[3]}" 'BEGIN { print a / b }')"
printf '%.1fx less CPU time\n' "$(awk -v a="${cpus[3]}" -v b="${cpus[2]}" 'BEGIN { print a / b }')"
printf 'two streams in one process: %.1fx the frames per second, %.1fx less CPU time\n' \
  "$(awk -v a="${fps[6]}" -v b="${fps[7]}" 'BEGIN { print a / b }')" \
  "$(awk -v a="${cpus[7]}" -v b="${cpus[6]}" 'BEGIN { print a / b }')"
