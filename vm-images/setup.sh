#!/usr/bin/env bash
# Kernel images, guest agent and initramfs for bpfdiff: fetch the Debian kernels, build the
# static agent, build one initramfs per catalog kernel. Idempotent and silent when current;
# called by scripts/provision.sh. Result: vm-images/cache/catalog.json (see README.md).
set -euo pipefail
VM=$(cd "$(dirname "$0")" && pwd)
chmod +x "$VM"/*.sh 2>/dev/null || true
"$VM/fetch-kernels.sh"
# make prints nothing when the agent is current (-s), so a no-op run stays quiet
make -s -C "$VM/agent" >&2
"$VM/build-initramfs.sh"
