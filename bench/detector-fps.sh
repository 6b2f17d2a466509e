#!/usr/bin/env bash
# Frames per second of Megamind.avi (270 frames, 720×528) through our face
# detector and through OpenCV's Haar cascade (facedetect), measured side by
# side in one run (runs alternate, so both see the same machine load), alone
# and followed by ddamfnfilter. Median wall time of RUNS runs per
# pipeline, fakesink sync=false.
#
#   [FRAMES=N] bench/detector-fps.sh DETECTOR_MODEL DDAMFN_MODEL [VIDEO] [RUNS]
#
# Needs GST_PLUGIN_PATH=build/gst-plugin when the plugin is not installed.
# OpenBLAS runs one thread per call unless OPENBLAS_NUM_THREADS says
# otherwise (as ddamfn-analyze does in its own main): with OpenBLAS's
# default of one thread per core, its threads fight the pipeline's for the
# small matrix products of both networks.
set -euo pipefail
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

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
  "decode + videoconvert + facedetect + ddamfnfilter")
pipes=("$src" "$src ! videoconvert" "$src ! $ours" "$src ! $haar"
  "$src ! $ours ! $f" "$src ! $haar ! $f")

declare -A times
for r in $(seq "$runs"); do
  for i in "${!pipes[@]}"; do
    s=$(date +%s.%N)
    gst-launch-1.0 -q ${pipes[$i]} ! fakesink sync=false >/dev/null 2>&1 ||
      { echo "failed: ${pipes[$i]}" >&2; exit 1; }
    e=$(date +%s.%N)
    times[$i]="${times[$i]:-} $(echo "$e - $s" | bc -l)"
  done
done

echo "OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS; $(uptime)"
printf '%-52s %8s %8s\n' "pipeline (median of $runs runs)" "s" "fps"
for i in "${!pipes[@]}"; do
  med=$(printf '%s\n' ${times[$i]} | sort -n | sed -n "$(((runs + 1) / 2))p")
  printf '%-52s %8.2f %8.1f\n' "${names[$i]}" "$med" \
    "$(echo "$frames / $med" | bc -l)"
done
