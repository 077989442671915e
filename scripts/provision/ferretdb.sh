#!/usr/bin/env bash
# FerretDB v1: the MongoDB wire protocol over an embedded SQLite store. v2 needs PostgreSQL
# with the DocumentDB extension, which is not available from the registries we can reach.
#
# Not a plain `go install …@v1.24.2`, for two reasons: the module proxy refuses FerretDB's
# version list (which `go install` asks for to check deprecations), and a binary built straight
# from the published module panics at start because the module lacks build/version/version.txt,
# which FerretDB's own release build generates. So: download the version pinned (with its
# checksum) in ./ferretdb/go.mod, copy its source, write version.txt, build.
source "$(dirname "$0")/lib.sh"
VERSION=v1.24.2
use_override FERRETDB_PATH && exit 0
dest="$TOOLS_DIR/ferretdb-$VERSION"

prepare_source() {
  local source_dir="$1" module_dir
  require_command go "build FerretDB from the Go module proxy"
  grep -q "github.com/FerretDB/FerretDB $VERSION" "$PROVISION_DIR/ferretdb/go.mod" ||
    die "scripts/provision/ferretdb/go.mod does not pin FerretDB $VERSION"
  log "downloading FerretDB $VERSION source"
  module_dir=$(cd "$PROVISION_DIR/ferretdb" && go mod download -json github.com/FerretDB/FerretDB |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [ -d "$module_dir" ] || die "go mod download did not give FerretDB's source directory"
  rm -rf "$source_dir"
  cp -R "$module_dir" "$source_dir"
  chmod -R u+w "$source_dir"
  printf '%s\n' "$VERSION" >"$source_dir/build/version/version.txt"
}

build() {
  [ -x "$dest/ferretdb" ] && return 0
  local source_dir="$TOOLS_DIR/ferretdb-$VERSION.src"
  prepare_source "$source_dir"
  go_build_tool ferretdb "$VERSION" "$dest" ./cmd/ferretdb "$source_dir"
  rm -rf "$source_dir"
}
with_build_lock ferretdb build
printf '%s\n' "$dest/ferretdb"
