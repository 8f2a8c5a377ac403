#!/usr/bin/env bash
# Build one initramfs per catalog kernel (the modules differ between kernels) into
# vm-images/cache/kernels/ID/initramfs.cpio.gz and register it in the catalog.
#
#   build-initramfs.sh [ID...]      (default: every kernel in the catalog)
#
# Layout of the archive (newc cpio, gzip):
#   /init                    vm-images/initramfs/init (busybox sh)
#   /bin/busybox, /bin/*     busybox-static and a symlink per applet
#   /sbin/bpfdiff-agent      the static guest agent (vm-images/agent)
#   /lib/modules/*.ko        the kernel's virtio modules when it has them as modules,
#   /lib/modules/load-order  in insmod order (absent for kernels that build them in)
#   /dev/console, /dev/null, /proc, /sys
# Also cache/initramfs-generic.cpio.gz (no modules), the catalog's top-level "initramfs",
# for kernels booted by path. An archive is rebuilt only when one of its inputs changed
# (recorded in the .inputs file beside it).
set -euo pipefail
VM=$(cd "$(dirname "$0")" && pwd)
CACHE=${BPFDIFF_VM_CACHE:-$VM/cache}
export BPFDIFF_CATALOG=$CACHE/catalog.json
log() { printf '[vm-images] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

BUSYBOX=/bin/busybox
AGENT=$VM/agent/build/bpfdiff-agent
INIT=$VM/initramfs/init
[ -x "$AGENT" ] || make -s -C "$VM/agent" >&2 || die "could not build the agent"
dpkg -s busybox-static >/dev/null 2>&1 || die "busybox-static is not installed (scripts/provision.sh installs it)"
ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is not the static busybox"
command -v cpio >/dev/null || die "cpio is not installed"

# build_archive OUT MODULES_DIR: writes OUT (and OUT's .inputs) unless its inputs are unchanged;
# sets built=1 when it wrote OUT. (Not used as a condition, so set -e still covers its steps.)
build_archive() {
  local out=$1 mods=$2 inputs stage
  built=0
  # Everything that goes into the archive, plus this script: a change to any rebuilds it.
  inputs=$(
    sha256sum "$AGENT" "$INIT" "$BUSYBOX" "$0" | awk '{ print $1 }'
    if [ -n "$mods" ] && [ -f "$mods/load-order" ]; then (cd "$mods" && sha256sum load-order $(cat load-order)); fi
  )
  if [ -f "$out" ] && [ "$(cat "${out%.cpio.gz}.inputs" 2>/dev/null)" = "$inputs" ]; then return 0; fi
  stage=$(mktemp -d "$CACHE/initramfs.XXXXXX")
  mkdir -p "$stage"/{bin,sbin,dev,proc,sys,lib/modules,tmp}
  cp "$BUSYBOX" "$stage/bin/busybox"
  for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$stage/bin/$applet"
  done
  cp "$AGENT" "$stage/sbin/bpfdiff-agent"
  cp "$INIT" "$stage/init"
  chmod 755 "$stage/init" "$stage/sbin/bpfdiff-agent"
  if [ -n "$mods" ] && [ -f "$mods/load-order" ]; then
    cp "$mods/load-order" "$stage/lib/modules/"
    while read -r m; do cp "$mods/$m" "$stage/lib/modules/"; done < "$mods/load-order"
  fi
  # The kernel opens /dev/console for init before devtmpfs is mounted.
  if [ "$(id -u)" = 0 ]; then
    mknod -m 600 "$stage/dev/console" c 5 1
    mknod -m 666 "$stage/dev/null" c 1 3
  fi
  (cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) \
    | gzip -6 > "$out.tmp"
  mv "$out.tmp" "$out"
  rm -rf "$stage"
  printf '%s\n' "$inputs" > "${out%.cpio.gz}.inputs"
  built=1
}

# The generic archive (no modules) boots any kernel with virtio built in, e.g. a user's
# bzImage given by path; the catalog names it at top level.
mkdir -p "$CACHE"
generic=$CACHE/initramfs-generic.cpio.gz
build_archive "$generic" ""
if [ "$built" = 1 ] || ! node "$VM/catalog.mjs" get-top initramfs >/dev/null 2>&1; then
  node "$VM/catalog.mjs" set-top initramfs=initramfs-generic.cpio.gz
  log "generic initramfs built ($(du -k "$generic" | cut -f1) KiB)"
fi

ids=("$@")
if [ ${#ids[@]} -eq 0 ]; then mapfile -t ids < <(node "$VM/catalog.mjs" ids); fi

for id in "${ids[@]}"; do
  dir=$CACHE/kernels/$id
  [ -f "$dir/vmlinuz" ] || die "kernel $id has no image in $dir"
  out=$dir/initramfs.cpio.gz
  mods=''; [ ! -d "$dir/modules" ] || mods=$dir/modules
  build_archive "$out" "$mods"
  if [ "$built" = 1 ] || ! node "$VM/catalog.mjs" get "$id" initramfs >/dev/null 2>&1; then
    node "$VM/catalog.mjs" set "$id" initramfs="kernels/$id/initramfs.cpio.gz"
    log "$id: initramfs built ($(du -k "$out" | cut -f1) KiB)"
  fi
done
