#!/usr/bin/env bash
# Build a bzImage for bpfdiff from a kernel source tree (a bpf-next checkout, or Debian's
# linux-source) and register it in the catalog with its own initramfs.
#
#   build-kernel.sh [--id ID] [--profile PROFILE] [--kasan] [--jobs N] [--out DIR]
#                   [--config-only] SRC
#
#   --id ID        catalog id (default: next, or next-kasan with --kasan)
#   --profile P    model profile that predicts this kernel (default: next)
#   --kasan        add vm-images/kasan.config (generic inline KASAN)
#   --jobs N       make -j N (default: number of cores); the build runs under nice -n 19
#   --out DIR      build directory (make O=DIR; default: build in SRC)
#   --config-only  write and check the .config, do not build or register
#
# The config is x86_64 defconfig + vm-images/bpfdiff.config (+ kasan.config), merged with
# scripts/kconfig/merge_config.sh and completed by olddefconfig, then checked by
# check-config.sh. The bzImage and .config are copied into the cache, so rebuilding the
# tree later does not change a registered kernel.
set -euo pipefail
VM=$(cd "$(dirname "$0")" && pwd)
CACHE=${BPFDIFF_VM_CACHE:-$VM/cache}
export BPFDIFF_CATALOG=$CACHE/catalog.json
log() { printf '[build-kernel] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

id='' profile=next kasan=0 jobs=$(nproc) out='' config_only=0 src=''
while [ $# -gt 0 ]; do
  case "$1" in
    --id) id=${2:?--id needs a value}; shift 2 ;;
    --profile) profile=${2:?--profile needs a value}; shift 2 ;;
    --kasan) kasan=1; shift ;;
    --jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a value}; shift 2 ;;
    --config-only) config_only=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$src" ] || die "only one source tree, got $src and $1"; src=$1; shift ;;
  esac
done
[ -n "$src" ] || die "usage: build-kernel.sh [options] SRC (see --help)"
src=$(cd "$src" 2>/dev/null && pwd) || die "source tree $src does not exist"
[ -f "$src/Makefile" ] && [ -f "$src/scripts/kconfig/merge_config.sh" ] || die "$src is not a kernel source tree"
[ -n "$id" ] || { id=next; [ "$kasan" = 0 ] || id=next-kasan; }
case "$id" in */*|.*|'') die "--id must be a plain name, got '$id'" ;; esac
out=${out:-$src}; mkdir -p "$out"; out=$(cd "$out" && pwd)

# Build dependencies from Debian, installed only when missing.
missing=()
for pkg in make gcc bc bison flex libelf-dev libssl-dev cpio xz-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing build dependencies: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || die "could not install ${missing[*]} (run as root or install them yourself)"
fi

mk=(make -C "$src" ARCH=x86_64)
[ "$out" = "$src" ] || mk+=("O=$out")
fragments=("$VM/bpfdiff.config")
[ "$kasan" = 0 ] || fragments+=("$VM/kasan.config")

log "configuring $src (defconfig + ${fragments[*]##*/}) in $out"
"${mk[@]}" -s defconfig >&2
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >/dev/null)
"${mk[@]}" -s olddefconfig >&2
check_args=(); [ "$kasan" = 0 ] || check_args+=(--kasan)
"$VM/check-config.sh" "${check_args[@]}" "$out/.config" >&2
[ "$config_only" = 0 ] || exit 0

log "building bzImage with make -j$jobs under nice -n 19 (log: $out/bpfdiff-build.log)"
start=$(date +%s)
if ! nice -n 19 "${mk[@]}" -j"$jobs" bzImage > "$out/bpfdiff-build.log" 2>&1; then
  tail -n 30 "$out/bpfdiff-build.log" >&2
  die "kernel build failed (full log: $out/bpfdiff-build.log)"
fi
seconds=$(( $(date +%s) - start ))
release=$("${mk[@]}" -s kernelrelease)
log "built $release in ${seconds}s"

dir=$CACHE/kernels/$id
rm -rf "$dir.new"; mkdir -p "$dir.new"
cp "$out/arch/x86/boot/bzImage" "$dir.new/vmlinuz"
cp "$out/.config" "$dir.new/config"
echo "$release" > "$dir.new/uname"
echo "build $src" > "$dir.new/package"
rm -rf "$dir"; mv "$dir.new" "$dir"
node "$VM/catalog.mjs" set "$id" kind=build profile="$profile" kernelImage="kernels/$id/vmlinuz" \
  config="kernels/$id/config" version="$release" package=- packageVersion=- source="build:$src" \
  kasan="$([ "$kasan" = 1 ] && echo true || echo false)" buildSeconds="$seconds" modules= initramfs=-
"$VM/build-initramfs.sh" "$id"
log "registered kernel $id ($release)"
