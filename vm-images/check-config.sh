#!/usr/bin/env bash
# Verify that a kernel .config has every option bpfdiff's guest needs.
#
#   check-config.sh [--kasan] PATH/.config
#
# Required: each "CONFIG_X=v" line of vm-images/bpfdiff.config (and kasan.config with
# --kasan) appears verbatim; each "# CONFIG_X is not set" line there is not enabled.
# Prints every missing option and exits 1 if there is any.
set -euo pipefail
VM=$(cd "$(dirname "$0")" && pwd)
fragments=("$VM/bpfdiff.config")
if [ "${1:-}" = "--kasan" ]; then fragments+=("$VM/kasan.config"); shift; fi
config=${1:?usage: check-config.sh [--kasan] PATH/.config}
[ -f "$config" ] || { echo "check-config: $config does not exist" >&2; exit 2; }

missing=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*)
      if ! grep -qxF "$line" "$config"; then
        have=$(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo "absent")
        echo "missing: $line (have: $have)"
        missing=$((missing + 1))
      fi ;;
    "# CONFIG_"*" is not set")
      opt=${line#\# }; opt=${opt%% *}
      if grep -qE "^$opt=[ym]" "$config"; then
        echo "must be off: $opt (have: $(grep -E "^$opt=" "$config"))"
        missing=$((missing + 1))
      fi ;;
  esac
done < <(cat "${fragments[@]}")

if [ "$missing" -gt 0 ]; then
  echo "check-config: $config lacks $missing required option(s)" >&2
  exit 1
fi
echo "check-config: $config has every required option"
