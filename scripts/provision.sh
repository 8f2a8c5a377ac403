#!/usr/bin/env bash
# Idempotent provisioning for a fresh machine of this kind: npm packages, Debian packages,
# then (when their scripts exist) kernel images, the guest agent and the initramfs.
# Each step checks what is already there and does nothing when it is current.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[provision] %s\n' "$*" >&2; }

# 1. npm packages
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund >&2
fi

# 2. Debian packages the project runs: QEMU, the guest userland, Redis, the browser for the dashboard tests
need_pkgs=()
for pair in qemu-system-x86:qemu-system-x86_64 busybox-static:/bin/busybox cpio:cpio \
            redis-server:redis-server gcc:gcc xz-utils:xz \
            make:make libc6-dev:/usr/include/stdio.h linux-libc-dev:/usr/include/linux/bpf.h; do
  pkg=${pair%%:*}; probe=${pair#*:}
  if ! command -v "$probe" >/dev/null 2>&1 && [ ! -e "$probe" ]; then need_pkgs+=("$pkg"); fi
done
# busybox-static is checked by package state: a dynamic busybox may exist without it
dpkg -s busybox-static >/dev/null 2>&1 || need_pkgs+=(busybox-static)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >&2
fi

# 2b. Debian's chromium: the dashboard tests drive it through playwright-core (no browser download)
if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian package: chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends chromium >&2
fi

# 3. kernel images, guest agent, initramfs (vm-images/ owns these)
if [ -x vm-images/setup.sh ]; then
  vm-images/setup.sh >&2
fi
