#!/usr/bin/env bash
# Runs a command of this repository inside a Debian 13 root made here with
# debootstrap, for machines that are not Debian 13 themselves (CI on a
# Debian 12 machine runs the Debian 13 job this way; .ci/run).
#
#   sudo bash .ci/debian13-root.sh [COMMAND…]     default: bash .ci/run
#
# The root is ci-debian13/root in the repository (made once, reused); the
# committed tree (git clone of HEAD) and ../shared are copied into it as
# /src/gst-ddamfn and /src/shared, so nothing of this checkout's build
# directories is touched, and the command runs there as root with
# DDAMFN_CI_NATIVE=1. The packages come from the Debian mirror this
# machine's apt uses; the machine's CA certificates and npm settings are
# copied in so that the root reaches the same registries. Exits with the
# command's status.
#
# Safe to interrupt: the root's /dev is a tmpfs with single device nodes
# bound into it (no recursive bind of the host's /dev), /proc and /sys are
# their own mounts, and all are unmounted on exit.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
root=$top/ci-debian13/root
[ "$(id -u)" -eq 0 ] || { echo "debian13-root: run as root" >&2; exit 2; }
[ $# -gt 0 ] || set -- bash .ci/run

# The mirror of this machine's own Debian sources (first non-security one).
mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$f"
  done
  [ -f /etc/apt/sources.list ] && awk '$1 == "deb" && $0 !~ /security/ {
      for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
      /etc/apt/sources.list
  return 0
}

unmount_all() {
  local m
  # deepest first
  for m in $(findmnt -rn -o TARGET | grep -F "$root/" | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}
trap unmount_all EXIT

if [ ! -x "$root/usr/bin/apt-get" ]; then
  url=$(mirror | head -n1)
  [ -n "$url" ] || { echo "debian13-root: no Debian mirror in this machine's apt sources" >&2; exit 2; }
  command -v debootstrap >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  echo "== debian13-root: debootstrap trixie into $root"
  rm -rf "$root"
  mkdir -p "$root"
  debootstrap --variant=minbase --include=ca-certificates trixie "$root" \
    "$url" >"$top/ci-debian13/debootstrap.log" 2>&1 \
    || { tail -n 20 "$top/ci-debian13/debootstrap.log"; exit 1; }
  echo "deb $url trixie main" >"$root/etc/apt/sources.list"
fi

# What the root needs from this machine to reach the same registries.
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
if [ -d /usr/local/share/ca-certificates ]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
for f in /etc/npmrc /usr/etc/npmrc; do
  [ -f "$f" ] && mkdir -p "$root$(dirname "$f")" && cp "$f" "$root$f"
done

# /proc, /sys (read-only), and a /dev of single nodes.
unmount_all
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount -t tmpfs -o mode=755,size=64k devtmp "$root/dev"
for n in null zero full random urandom tty; do
  touch "$root/dev/$n"
  mount --bind "/dev/$n" "$root/dev/$n"
done
mkdir -p "$root/dev/shm" "$root/dev/pts"
mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
ln -sf /proc/self/fd "$root/dev/fd"
ln -sf /proc/self/fd/0 "$root/dev/stdin"
ln -sf /proc/self/fd/1 "$root/dev/stdout"
ln -sf /proc/self/fd/2 "$root/dev/stderr"

# The committed tree and the shared data, fresh each time.
rm -rf "$root/src"
mkdir -p "$root/src"
git clone -q "$top" "$root/src/gst-ddamfn"
# -L: a ../shared that is a symbolic link is copied as its contents
[ -d "$top/../shared" ] && cp -rL "$top/../shared" "$root/src/shared"
chmod -R u+w "$root/src"

echo "== debian13-root: $* (Debian $(cat "$root/etc/debian_version"))"
set +e
chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root LANG=C.UTF-8 CI="${CI:-}" DDAMFN_CI_NATIVE=1 \
  bash -c 'cd /src/gst-ddamfn && "$@"' bash "$@"
status=$?
set -e
exit $status
