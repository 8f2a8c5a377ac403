#!/usr/bin/env bash
# Download Debian's linux-source-VERSION package (default 7.2, from sid) through bpfdiff's
# private apt state and unpack its source tarball under the cache; prints the tree's path.
# The tree is for reading the verifier and for vm-images/build-kernel.sh:
#
#   vm-images/build-kernel.sh --id src-7.2 --profile linux-7.2 \
#       --out vm-images/cache/build/7.2 "$(vm-images/fetch-source.sh 7.2)"
#
# Idempotent: a tree already unpacked for the newest package version is reused.
set -euo pipefail
VM=$(cd "$(dirname "$0")" && pwd)
CACHE=${BPFDIFF_VM_CACHE:-$VM/cache}
APTDIR=$CACHE/apt
log() { printf '[fetch-source] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
version=${1:-7.2}
case "$version" in *[!0-9.]*|'') die "version must look like 7.2, got '$version'" ;; esac
pkg=linux-source-$version

# fetch-kernels.sh writes the private sources list (sid, experimental) and refreshes lists.
[ -f "$APTDIR/sources.list" ] || "$VM/fetch-kernels.sh" >&2
. "$VM/apt-opts.sh"

ver=$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "$pkg" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
[ -n "$ver" ] || die "no package $pkg in the private apt lists (run vm-images/fetch-kernels.sh to refresh)"
dest=$CACHE/src/$pkg-$ver
if [ -f "$dest/.complete" ]; then echo "$dest/$pkg"; exit 0; fi

mkdir -p "$CACHE/debs" "$CACHE/src"
deb=$(ls "$CACHE/debs/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
  log "downloading $pkg $ver"
  (cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" download "$pkg=$ver" >&2) || die "download of $pkg=$ver failed"
  deb=$(ls "$CACHE/debs/${pkg}_${ver//:/%3a}_"*.deb | head -n1)
fi
log "unpacking $deb"
rm -rf "$dest" "$dest.tmp"; mkdir -p "$dest.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dest.tmp" --wildcards '*.tar.xz'
tarball=$(find "$dest.tmp" -name "$pkg.tar.xz" | head -n1)
[ -n "$tarball" ] || die "$deb holds no $pkg.tar.xz"
tar -xJf "$tarball" -C "$dest.tmp"
rm -f "$tarball"
[ -f "$dest.tmp/$pkg/Makefile" ] || die "$pkg.tar.xz did not unpack to a kernel tree"
mv "$dest.tmp" "$dest"; touch "$dest/.complete"
log "$pkg $ver unpacked"
echo "$dest/$pkg"
