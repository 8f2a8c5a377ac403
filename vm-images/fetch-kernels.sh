#!/usr/bin/env bash
# Resolve, download and unpack the newest Debian kernel package of each catalog kernel.
#
#   6.12  linux-image-6.12.*-amd64-unsigned   from this machine's own suites
#   7.2   linux-binary-7.2.*-amd64            from sid          (modules: linux-modules-<uname>)
#   7.3   linux-binary-7.3-amd64              from experimental (modules: linux-modules-<uname>)
#
# sid and experimental are reached through a private apt state under the cache (sources list,
# lists, package cache) built from the mirror URI the machine's apt config already names, so
# the system's apt state is never touched and no host name is written anywhere.
# Re-running is a no-op when current; apt's lists are refreshed at most once a day; when the
# network fails, the kernels already in the cache stay registered.
#
# usage: fetch-kernels.sh [ID...]        (default: 6.12 7.2 7.3)
#        BPFDIFF_VM_CACHE=DIR overrides the cache (default vm-images/cache)
#        BPFDIFF_APT_MAX_AGE=SECONDS overrides the list refresh interval (default 86400)
set -euo pipefail
VM=$(cd "$(dirname "$0")" && pwd)
CACHE=${BPFDIFF_VM_CACHE:-$VM/cache}
APTDIR=$CACHE/apt
MAX_AGE=${BPFDIFF_APT_MAX_AGE:-86400}
export BPFDIFF_CATALOG=$CACHE/catalog.json
catalog() { node "$VM/catalog.mjs" "$@"; }
log() { printf '[vm-images] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Modules the guest needs if the kernel does not build them in (checked per kernel config).
GUEST_MODULES=(virtio_pci virtio_console)
declare -A CONFIG_OF=([virtio_pci]=CONFIG_VIRTIO_PCI [virtio_console]=CONFIG_VIRTIO_CONSOLE)

mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$CACHE/debs" "$CACHE/kernels"
[ -f "$APTDIR/status" ] || : > "$APTDIR/status"

# --- the machine's Debian mirror, read from its apt config --------------------------------
# Prints "URI SUITE" for every enabled deb entry of /etc/apt/sources.list{,.d/*}.
system_entries() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled != "no")
          for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j];
        types = ""; enabled = ""; nu = 0; ns = 0
      }
      /^[ \t]*$/ { flush(); next }
      /^#/ { next }
      /^Types:/    { sub(/^Types:[ \t]*/, ""); types = $0 }
      /^Enabled:/  { enabled = tolower($2) }
      /^URIs:/     { for (i = 2; i <= NF; i++) u[++nu] = $i }
      /^Suites:/   { for (i = 2; i <= NF; i++) s[++ns] = $i }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [options] URI SUITE COMPONENTS...
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }'
  done
}

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring is missing (install debian-archive-keyring)"

own_entries=$(system_entries | awk -v c="$codename" '$2 == c || index($2, c "-") == 1' | sort -u)
mirror=$(printf '%s\n' "$own_entries" | awk -v c="$codename" '$2 == c { print $1; exit }')
[ -n "$mirror" ] || die "no Debian mirror for suite $codename in the machine's apt sources"

sources_new=$(
  printf '%s\n' "$own_entries" | while read -r uri suite; do
    [ -n "$uri" ] && echo "deb [signed-by=$keyring] $uri $suite main"
  done
  echo "deb [signed-by=$keyring] $mirror sid main"
  echo "deb [signed-by=$keyring] $mirror experimental main"
)
sources_changed=0
if [ ! -f "$APTDIR/sources.list" ] || [ "$(cat "$APTDIR/sources.list")" != "$sources_new" ]; then
  printf '%s\n' "$sources_new" > "$APTDIR/sources.list"
  sources_changed=1
fi

. "$VM/apt-opts.sh" # APT_OPTS: the private apt state under $APTDIR

# --- refresh the lists at most once a day ------------------------------------------------
stamp=$APTDIR/updated-at
online=1 refreshed=0
age=$(( $(date +%s) - $(stat -c %Y "$stamp" 2>/dev/null || echo 0) ))
# after a failed refresh, wait an hour before trying the network again
failed_age=$(( $(date +%s) - $(stat -c %Y "$APTDIR/refresh-failed-at" 2>/dev/null || echo 0) ))
if [ "$sources_changed" = 1 ] || { [ "$age" -ge "$MAX_AGE" ] && [ "$failed_age" -ge 3600 ]; }; then
  log "refreshing package lists (own suites, sid, experimental)"
  if apt-get "${APT_OPTS[@]}" update > "$APTDIR/update.log" 2>&1 \
     && ! grep -qE '^(W|E): Failed to fetch' "$APTDIR/update.log"; then
    touch "$stamp"; refreshed=1; rm -f "$APTDIR/refresh-failed-at"
  else
    online=0; touch "$APTDIR/refresh-failed-at"
    log "warning: package list refresh failed (see $APTDIR/update.log); working from the cache"
  fi
fi

# Newest "PACKAGE VERSION" among package names matching an extended regex.
newest_package() {
  local regex=$1 best_pkg='' best_ver='' pkg ver
  while read -r pkg; do
    [ -n "$pkg" ] || continue
    ver=$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "$pkg" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
    [ -n "$ver" ] || continue
    if [ -z "$best_ver" ] || dpkg --compare-versions "$ver" gt "$best_ver"; then best_pkg=$pkg; best_ver=$ver; fi
  done < <(apt-cache "${APT_OPTS[@]}" pkgnames 2>/dev/null | grep -E "$regex" || true)
  [ -n "$best_pkg" ] && echo "$best_pkg $best_ver"
}

# Downloads PACKAGE=VERSION into $CACHE/debs and prints the .deb path.
download() {
  local pkg=$1 ver=$2
  local deb=$CACHE/debs/${pkg}_${ver//:/%3a}_amd64.deb # apt's file name, epoch colon escaped
  if [ ! -f "$deb" ]; then
    (cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" download "$pkg=$ver" >&2) || return 1
  fi
  [ -f "$deb" ] && echo "$deb"
}

# Copies the .ko files the guest needs (GUEST_MODULES that the config has as =m, with the
# modules they depend on) from an unpacked lib/modules/UNAME into DEST, uncompressed, and
# writes DEST/load-order (insmod order: dependencies first). Dependencies come from each
# module's own .modinfo "depends=" (Debian ships no modules.dep; depmod may be absent).
collect_modules() {
  local root=$1 config=$2 dest=$3 m f n
  declare -gA KO_PATH=() KO_DONE=()
  rm -rf "$dest"; mkdir -p "$dest"
  : > "$dest/load-order"
  while IFS= read -r f; do
    n=${f##*/}; n=${n%%.ko*}; KO_PATH[${n//-/_}]=$f
  done < <(find "$root" -name '*.ko*' -type f)
  for m in "${GUEST_MODULES[@]}"; do
    grep -q "^${CONFIG_OF[$m]}=m" "$config" && add_module "$m" "$dest"
  done
  return 0
}

add_module() {
  local m=$1 dest=$2 src=${KO_PATH[$1]:-} out dep
  [ -z "${KO_DONE[$m]:-}" ] || return 0
  KO_DONE[$m]=1
  [ -n "$src" ] || die "module $m is needed but not in the kernel's modules"
  out=$dest/$m.ko
  case "$src" in
    *.xz)  xz -dc "$src" > "$out" ;;
    *.zst) zstd -qdc "$src" > "$out" ;;
    *.gz)  gzip -dc "$src" > "$out" ;;
    *)     cp "$src" "$out" ;;
  esac
  for dep in $(tr '\0' '\n' < "$out" | sed -n 's/^depends=//p' | tr ',' ' '); do
    add_module "${dep//-/_}" "$dest"
  done
  echo "$m.ko" >> "$dest/load-order"
}

# fetch ID SOURCE REGEX: brings kernel ID up to date in the cache and the catalog.
fetch() {
  local id=$1 source=$2 regex=$3 dir=$CACHE/kernels/$1 found pkg ver
  # Lists unchanged since the kernel was unpacked: nothing newer can be resolved.
  if [ "$refreshed" = 0 ] && [ -f "$dir/vmlinuz" ] && [ "$dir/package" -nt "$stamp" ] \
     && catalog get "$id" version >/dev/null 2>&1; then
    return 0
  fi
  found=$(newest_package "$regex" || true)
  if [ -z "$found" ]; then
    if [ -f "$dir/vmlinuz" ]; then
      log "warning: $id: no package matches /$regex/ in the lists; keeping the cached kernel"
      return 0
    fi
    log "error: $id: no package matches /$regex/ (network or lists missing: see $APTDIR/update.log)"
    return 1
  fi
  read -r pkg ver <<< "$found"
  if [ -f "$dir/vmlinuz" ] && [ "$(cat "$dir/package" 2>/dev/null)" = "$pkg $ver" ] \
     && catalog get "$id" version >/dev/null 2>&1; then
    return 0 # current
  fi
  log "$id: fetching $pkg $ver"
  local deb tmp uname config_src modroot
  if ! deb=$(download "$pkg" "$ver"); then
    [ -f "$dir/vmlinuz" ] && { log "warning: $id: download failed; keeping the cached kernel"; return 0; }
    log "error: $id: download of $pkg failed"; return 1
  fi
  tmp=$CACHE/tmp/$id; rm -rf "$tmp"; mkdir -p "$tmp"
  dpkg -x "$deb" "$tmp/pkg"
  # 6.12 ships boot/vmlinuz-UNAME; 7.x ships usr/lib/modules/UNAME/vmlinuz
  local vmlinuz; vmlinuz=$(ls "$tmp/pkg/boot/"vmlinuz-* "$tmp/pkg/"{usr/,}lib/modules/*/vmlinuz 2>/dev/null | head -n1 || true)
  [ -n "$vmlinuz" ] || die "$id: $pkg holds no vmlinuz"
  case "$vmlinuz" in
    */boot/vmlinuz-*) uname=${vmlinuz##*/vmlinuz-} ;;
    *) uname=$(basename "$(dirname "$vmlinuz")") ;;
  esac
  config_src=$(find "$tmp/pkg" \( -name "config-$uname" -o -path "*/modules/$uname/config" \) -type f 2>/dev/null | head -n1 || true)
  modroot=$tmp/pkg/lib/modules/$uname
  [ -d "$modroot" ] || modroot=$tmp/pkg/usr/lib/modules/$uname
  # 7.x splits the kernel into linux-binary (image), linux-base (config) and linux-modules
  local need_mods=0 m
  if [ -z "$config_src" ]; then
    local base; base=$(download "linux-base-$uname" "$ver") || die "$id: download of linux-base-$uname failed"
    dpkg -x "$base" "$tmp/base"
    config_src=$(find "$tmp/base" \( -name "config-$uname" -o -path "*/modules/$uname/config" \) -type f | head -n1)
    [ -n "$config_src" ] || die "$id: no config-$uname in $pkg or linux-base-$uname"
  fi
  for m in "${GUEST_MODULES[@]}"; do grep -q "^${CONFIG_OF[$m]}=m" "$config_src" && need_mods=1; done
  if [ "$need_mods" = 1 ] && [ ! -d "$modroot/kernel" ]; then
    local mdeb; mdeb=$(download "linux-modules-$uname" "$ver") || die "$id: download of linux-modules-$uname failed"
    dpkg -x "$mdeb" "$tmp/modules"
    modroot=$tmp/modules/lib/modules/$uname
    [ -d "$modroot" ] || modroot=$tmp/modules/usr/lib/modules/$uname
  fi
  local new=$CACHE/kernels/.$id.new; rm -rf "$new"; mkdir -p "$new"
  cp "$vmlinuz" "$new/vmlinuz"
  cp "$config_src" "$new/config"
  if [ "$need_mods" = 1 ]; then collect_modules "$modroot" "$config_src" "$new/modules"; fi
  echo "$uname" > "$new/uname"
  echo "$pkg $ver" > "$new/package"
  rm -rf "$dir"; mv "$new" "$dir"
  rm -rf "$tmp"; rm -f "$CACHE/debs/"*"_${ver//:/%3a}_amd64.deb"
  local mods=''
  [ -f "$dir/modules/load-order" ] && mods=$(paste -sd, "$dir/modules/load-order")
  catalog set "$id" kind=debian profile="$id" kernelImage="kernels/$id/vmlinuz" config="kernels/$id/config" \
    version="$uname" package="$pkg" packageVersion="$ver" source="$source" modules="$mods" initramfs=-
  log "$id: $uname ready"
}

ids=("$@"); [ ${#ids[@]} -gt 0 ] || ids=(6.12 7.2 7.3)
status=0
for id in "${ids[@]}"; do
  case "$id" in
    6.12) fetch 6.12 "debian:$codename" '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$' || status=1 ;;
    7.2)  fetch 7.2 'debian:sid' '^linux-binary-7\.2\.[0-9]+\+deb[0-9]+-amd64$' || status=1 ;;
    7.3)  fetch 7.3 'debian:experimental' '^linux-binary-7\.3-amd64$' || status=1 ;;
    *) log "error: unknown Debian kernel id $id (known: 6.12 7.2 7.3)"; status=1 ;;
  esac
done
[ "$online" = 1 ] || [ "$status" = 0 ] || log "hint: the network looked down; rerun when it is back"
exit $status
