#!/usr/bin/env bash
# FerretDB v1: the MongoDB wire protocol over an embedded SQLite store. v2 needs PostgreSQL
# with the DocumentDB extension, which is not available from the registries we can reach.
#
# Not a plain `go install …@v1.24.2`, for two reasons: the module proxy refuses FerretDB's
# version list (which `go install` asks for to check deprecations), and a binary built straight
# from the published module panics at start because the module lacks build/version/version.txt,
# which FerretDB's own release build generates. So: download the version pinned (with its
# checksum) in ./ferretdb/go.mod, copy its source, write version.txt, patch one line, build.
#
# The one-line patch (hence the `-idfix` build name): FerretDB's SQLite backend pushes `{_id: x}`
# down as `WHERE _ferretdb_sjson->'$._id' = ?` (internal/backends/sqlite/metadata/metadata.go,
# IDColumn) but creates the unique _id index on `_ferretdb_sjson->"_id"`. SQLite uses an
# expression index only for the same expression, so every find, update, replace and delete by _id
# was a full table SCAN (EXPLAIN QUERY PLAN says so), and each UPDATE held the write lock for that
# scan ("database is locked" under 32 writers). `->'_id'` is the same JSON path and matches the
# index: SEARCH … USING INDEX. Measured by `npm run bench:database` (README, "Performance").
source "$(dirname "$0")/lib.sh"
VERSION=v1.24.2
use_override FERRETDB_PATH && exit 0
# FERRETDB_UNPATCHED=1: the stock build, only for `npm run bench:database` to compare against.
if [ "${FERRETDB_UNPATCHED:-}" = 1 ]; then BUILD="$VERSION"; else BUILD="$VERSION-idfix"; fi
dest="$TOOLS_DIR/ferretdb-$BUILD"

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
  [ "$BUILD" = "$VERSION" ] || patch_id_lookup "$source_dir/internal/backends/sqlite/metadata/metadata.go"
}

# Dies rather than build something else than what the comment at the top describes.
patch_id_lookup() {
  local file="$1"
  grep -q "IDColumn = DefaultColumn + \"->'\$._id'\"" "$file" || die "$file is not the source this patch expects"
  sed -i "s/IDColumn = DefaultColumn + \"->'\$._id'\"/IDColumn = DefaultColumn + \"->'_id'\"/" "$file"
  grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$file" || die "patching $file failed"
}

build() {
  [ -x "$dest/ferretdb" ] && return 0
  local source_dir="$TOOLS_DIR/ferretdb-$BUILD.src"
  prepare_source "$source_dir"
  go_build_tool ferretdb "$BUILD" "$dest" ./cmd/ferretdb "$source_dir"
  rm -rf "$source_dir"
}
with_build_lock "ferretdb-$BUILD" build
printf '%s\n' "$dest/ferretdb"
