#!/usr/bin/env bash
# PostgreSQL 15 for FerretDB's `--handler=postgresql`, unpacked from Debian's own packages into
# the tools cache: no root, no system service, no change outside the cache. Not part of the
# default stack (see README.md, "Choosing the embedded database"); `npm run bench:database`
# uses it to compare with the SQLite backend.
#
# Prints the path of bin/postgres. Its shared libraries (libpq, and any library the system
# lacks) are in <that tree>/lib: run the binaries with LD_LIBRARY_PATH=<tree>/lib.
#
# Debian only (apt-get download + dpkg -x). The packages are pinned by version and SHA-256; when
# the security archive moves on (it keeps only the latest point release), bump VERSION and the
# three checksums together.
source "$(dirname "$0")/lib.sh"
VERSION=15.20-0+deb12u1
declare -A SHA256=(
  [postgresql-15]=8566850f295c2cb5034ff5dd5b40caf97eea81b75a841c8d1f691c05ab8815db
  [postgresql-client-15]=779332f35a5adc7c97376a7bb6dd8a6a6b48f594953f01eecfaead2eab09dab1
  [libpq5]=ac8a72cc33453f75ac605b4f6b8f9febae303b9d9a61255a042a87a7f69ac5c7
)
use_override POSTGRES_PATH && exit 0
dest="$TOOLS_DIR/postgresql-$VERSION"
bin="$dest/usr/lib/postgresql/15/bin/postgres"

missing_libraries() {
  local binary
  for binary in postgres initdb pg_ctl psql; do
    LD_LIBRARY_PATH="$1/lib" ldd "$1/usr/lib/postgresql/15/bin/$binary" | awk '/not found/ { print $1 }'
  done | sort -u
}

build() {
  [ -x "$bin" ] && [ -z "$(missing_libraries "$dest")" ] && return 0
  require_command apt-get "download PostgreSQL from Debian's archive"
  require_command dpkg "unpack Debian packages"
  local staging="$dest.partial" arch multiarch package deb
  arch=$(dpkg --print-architecture)
  multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || printf '%s-linux-gnu' "$(uname -m)")
  rm -rf "$staging"
  mkdir -p "$staging/debs"
  log "downloading PostgreSQL $VERSION from Debian's archive"
  local -a pinned=()
  for package in "${!SHA256[@]}"; do pinned+=("$package=$VERSION"); done
  # apt-get download writes into the current directory; the subshell keeps ours.
  (cd "$staging/debs" && apt-get download -q "${pinned[@]}" >&2) ||
    die "apt-get download of PostgreSQL $VERSION failed (run apt-get update; if the version is gone, bump VERSION and the checksums)"
  for package in "${!SHA256[@]}"; do
    deb="$staging/debs/${package}_${VERSION}_${arch}.deb"
    [ -f "$deb" ] || die "missing $deb after download"
    printf '%s  %s\n' "${SHA256[$package]}" "$deb" | sha256sum --check --quiet >&2 ||
      die "checksum mismatch for $deb"
    dpkg -x "$deb" "$staging"
  done
  ln -s "usr/lib/$multiarch" "$staging/lib"
  # A library the system lacks (a minimal image may have no ICU or libxml2): fetch the library
  # packages PostgreSQL depends on that are not installed, from the same archive, unpinned (apt
  # checks them against the archive's signed index).
  if [ -n "$(missing_libraries "$staging")" ]; then
    log "libraries missing on this system: $(missing_libraries "$staging" | tr '\n' ' ')"
    local -a wanted=()
    for package in $(apt-cache depends --no-recommends --no-suggests postgresql-15 libpq5 |
      awk '/Depends: lib/ { print $2 }' | sort -u); do
      dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || wanted+=("$package")
    done
    [ "${#wanted[@]}" -gt 0 ] && (cd "$staging/debs" && apt-get download -q "${wanted[@]}" >&2)
    for deb in "$staging"/debs/*.deb; do dpkg -x "$deb" "$staging"; done
    [ -z "$(missing_libraries "$staging")" ] ||
      die "still missing after fetching ${wanted[*]:-nothing}: $(missing_libraries "$staging" | tr '\n' ' ')"
  fi
  rm -rf "$staging/debs" "$dest"
  mv "$staging" "$dest"
  log "PostgreSQL $VERSION unpacked -> $dest"
}
with_build_lock postgresql build
printf '%s\n' "$bin"
