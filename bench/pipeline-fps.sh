#!/usr/bin/env bash
# Frames per second of Megamind.avi (270 frames, 720×528) through
# decodebin → facedetect → ddamfnfilter, and of its parts, to show where
# the time goes. Median wall time of RUNS runs per pipeline, sync=false.
#
#   [FRAMES=N] bench/pipeline-fps.sh MODEL [VIDEO] [RUNS]
#
# Needs GST_PLUGIN_PATH=build/gst-plugin when the plugin is not installed.
# No BLAS variable is needed: libddamfn's BLAS is a private serial build
# or OpenBLAS 0.3.29+ (meson option blas); n-threads are the engine's threads.
set -euo pipefail

model=${1:?usage: $0 MODEL [VIDEO] [RUNS]}
video=${2:-$(dirname "$0")/../../shared/data/Megamind.avi}
runs=${3:-3}
frames=${FRAMES:-270}            # frames in VIDEO (Megamind.avi: 270)

src="filesrc location=$video ! decodebin ! videoconvert"
fd="facedetect display=false updates=none"
f="ddamfnfilter model=$model"

median_seconds() {
  local t=()
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N)
    gst-launch-1.0 -q $1 >/dev/null 2>&1 || { echo "failed: $1" >&2; exit 1; }
    e=$(date +%s.%N)
    t+=("$(awk -v a="$e" -v b="$s" 'BEGIN { print a - b }')")
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

printf '%-58s %8s %8s\n' "pipeline (fakesink sync=false)" "s" "fps"
row() {
  local secs
  secs=$(median_seconds "$2 ! fakesink sync=false")
  printf '%-58s %8.2f %8.1f\n' "$1" "$secs" "$(awk -v a="$frames" -v b="$secs" 'BEGIN { print a / b }')"
}
row "decode + videoconvert" "$src"
row "decode + facedetect" "$src ! $fd"
row "decode + facedetect + ddamfnfilter" "$src ! $fd ! $f"
row "... + queue before ddamfnfilter" "$src ! $fd ! queue ! $f"
row "... + queue, ddamfnfilter n-threads=2" "$src ! $fd ! queue ! $f n-threads=2"
