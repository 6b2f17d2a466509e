#!/usr/bin/env bash
# Downloads the three released DDAMFN++ checkpoints (GitHub repository
# SainingZhang/DDAMFN, folder DDAMFN++/checkpoints_ver2.0/), checks them
# against the sha256 sums recorded on the first verified download, and
# converts each to <dir>/<name>.safetensors with models/ddamfn-convert.
#
# Usage: models/fetch-released.sh [DIR] [--install MODEL_DIR]
#   DIR          where checkpoints and conversions go (default: models/released)
#   --install    also copy the converted models into MODEL_DIR (the project's
#                data directory, $datadir/gst-ddamfn/models, which the build
#                writes to BUILD/model-dir) as affectnet7.safetensors,
#                affectnet8.safetensors (the default model of ddamfnfilter and
#                the tools) and rafdb.safetensors
#
# Checkpoints already present in DIR are not downloaded again. When a
# download fails (offline, moved file, Git LFS pointer instead of the file)
# the script says what to download from where and where to put it, and exits
# with status 2; it never writes placeholder weights.
#
# Environment: PYTHON (interpreter for the converter, default python3),
# DDAMFN_FETCH_BASE_URLS (space-separated base URLs tried in order; the
# file name is appended; for mirrors and tests).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=
install_dir=
while [ $# -gt 0 ]; do
  case $1 in
    --install)
      [ $# -ge 2 ] || { echo "fetch-released: --install needs a directory" >&2; exit 1; }
      install_dir=$2
      shift 2 ;;
    *)
      [ -z "$dir" ] || { echo "fetch-released: one DIR only" >&2; exit 1; }
      dir=$1
      shift ;;
  esac
done
dir=${dir:-$here/released}
python=${PYTHON:-python3}
convert=$here/ddamfn-convert

repo_path="DDAMFN++/checkpoints_ver2.0"
media_base="https://media.githubusercontent.com/media/SainingZhang/DDAMFN/main/DDAMFN%2B%2B/checkpoints_ver2.0"
raw_base="https://raw.githubusercontent.com/SainingZhang/DDAMFN/main/DDAMFN%2B%2B/checkpoints_ver2.0"
page_base="https://github.com/SainingZhang/DDAMFN/blob/main/DDAMFN%2B%2B/checkpoints_ver2.0"
bases=${DDAMFN_FETCH_BASE_URLS:-"$media_base $raw_base"}

# file name : label preset
checkpoints=(
  "affecnet7_epoch19_acc0.671.pth:affectnet7"
  "affecnet8_epoch25_acc0.6469.pth:affectnet8"
  "rafdb_epoch20_acc0.9204_bacc0.8617.pth:rafdb"
)

say() { printf 'fetch-released: %s\n' "$*" >&2; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# A real checkpoint is a zip ("PK\x03\x04"); a Git LFS pointer or an HTML
# page is not.
is_zip() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = "504b0304" ]; }

manual_instructions() {
  local missing=("$@")
  {
    echo
    echo "fetch-released: could not download the released DDAMFN++ checkpoints."
    echo "Download these files by hand (a browser works: open each page and press"
    echo "\"Download raw file\"; the files are stored with Git LFS):"
    echo
    local f
    for f in "${missing[@]}"; do
      echo "  $page_base/$f"
      echo "    (direct: $media_base/$f)"
    done
    echo
    echo "from the GitHub repository SainingZhang/DDAMFN, folder $repo_path/,"
    echo "put them into:"
    echo
    echo "  $dir/"
    echo
    echo "and run this script again: it verifies and converts them. No placeholder"
    echo "weights were written."
  } >&2
}

mkdir -p "$dir" || { say "cannot create $dir"; exit 1; }
sums=$dir/SHA256SUMS
offline=0

# Downloads $1 into $dir; returns non-zero when no source gave a zip. Sets
# offline=1 when no host could even be reached (then later files are not
# tried).
download() {
  local f=$1 tmp base url rc reached=0
  # mktemp wants a template ending in six X's, replaced by random characters
  tmp=$(mktemp "$dir/.$f.$(printf 'X%.0s' 1 2 3 4 5 6)") || return 1
  for base in $bases; do
    url="$base/$f"
    say "downloading $url"
    curl -fL --retry 1 --connect-timeout 20 -sS -o "$tmp" "$url"
    rc=$?
    case $rc in
      5|6|7) ;;                 # proxy / host not resolved / no connection
      *) reached=1 ;;
    esac
    if [ $rc -eq 0 ]; then
      if is_zip "$tmp"; then
        mv -f "$tmp" "$dir/$f"
        return 0
      fi
      say "$url is not a zip checkpoint (Git LFS pointer or HTML page?)"
    fi
  done
  rm -f "$tmp"
  [ $reached -eq 1 ] || offline=1
  return 1
}

missing=()
for entry in "${checkpoints[@]}"; do
  f=${entry%%:*}
  if [ -f "$dir/$f" ] && is_zip "$dir/$f"; then
    continue
  fi
  if [ $offline -eq 1 ] || ! command -v curl >/dev/null 2>&1 ||
    ! download "$f"; then
    missing+=("$f")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  manual_instructions "${missing[@]}"
  exit 2
fi

touch "$sums" || { say "cannot write $sums"; exit 1; }

# A checkpoint counts as verified once it converts; only then is its sha256
# recorded. Later runs compare against the recorded sum.
status=0
for entry in "${checkpoints[@]}"; do
  f=${entry%%:*}
  preset=${entry##*:}
  sum=$(sha256_of "$dir/$f")
  recorded=$(awk -v f="$f" '$2 == f || $2 == "*" f { print $1; exit }' "$sums")
  if [ -n "$recorded" ] && [ "$recorded" != "$sum" ]; then
    say "$f: sha256 $sum does not match the recorded $recorded ($sums);" \
      "delete the file (or its line in $sums if the release changed) and run again"
    status=1
    continue
  fi
  out=$dir/${f%.pth}.safetensors
  if ! "$python" "$convert" "$dir/$f" "$out" --labels "$preset"; then
    say "$f: conversion failed"
    status=1
    continue
  fi
  if [ -z "$recorded" ]; then
    printf '%s  %s\n' "$sum" "$f" >>"$sums"
    say "$f: sha256 $sum recorded in $sums"
  fi
done
[ $status -eq 0 ] || exit $status

# Installs each conversion under its preset's name, through a temporary
# file in the target directory so a reader never sees half a model.
if [ -n "$install_dir" ]; then
  mkdir -p "$install_dir" || { say "cannot create $install_dir"; exit 1; }
  for entry in "${checkpoints[@]}"; do
    f=${entry%%:*}
    preset=${entry##*:}
    tmp=$(mktemp "$install_dir/.$preset.$(printf 'X%.0s' 1 2 3 4 5 6)") ||
      { say "cannot write into $install_dir"; exit 1; }
    if cp "$dir/${f%.pth}.safetensors" "$tmp" && chmod 0644 "$tmp" &&
      mv -f "$tmp" "$install_dir/$preset.safetensors"; then
      say "installed $install_dir/$preset.safetensors"
    else
      rm -f "$tmp"
      say "cannot install $install_dir/$preset.safetensors"
      exit 1
    fi
  done
fi
exit 0
