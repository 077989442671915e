# Shared helpers for the provisioning scripts. Sourced, not run.
#
# Contract of every provisioning script: progress and errors go to stderr; the only thing
# written to stdout is the absolute path of the ready-to-run executable, so callers can do
# `bin=$(bash scripts/provision/ferretdb.sh)`.
set -euo pipefail

TOOLS_DIR="${AMIABLE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/amiable/tools}"
PROVISION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[provision] %s\n' "$*" >&2; }
die() { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }

require_command() {
  local cmd="$1" why="$2"
  command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is not installed; it is needed to $why. Install it, or see README.md (Configuration) to bring your own binary."
}

# Honour an explicit override: a path to an existing executable.
use_override() {
  local var="$1" value="${!1:-}"
  [ -z "$value" ] && return 1
  [ -x "$value" ] || die "$var=$value is not an executable file"
  log "using $var=$value"
  printf '%s\n' "$value"
  return 0
}

# Serialise builds of the same tool (npm start and npm test may run at once) and make the
# result appear atomically: a build that is interrupted leaves nothing that looks finished.
with_build_lock() {
  local name="$1"; shift
  mkdir -p "$TOOLS_DIR"
  exec 9>"$TOOLS_DIR/.$name.lock"
  flock 9
  "$@"
  flock -u 9
}

# Print a line every 30 s while a long command runs, so a first run never looks hung.
run_with_heartbeat() {
  local label="$1"; shift
  local started=$SECONDS
  ( while sleep 30; do log "  … still $label ($((SECONDS - started)) s)"; done ) &
  local heartbeat=$!
  local status=0
  "$@" || status=$?
  kill "$heartbeat" 2>/dev/null || true
  wait "$heartbeat" 2>/dev/null || true
  return "$status"
}

# Build a Go command into a staging directory, then move the binary into place.
#   go_build_tool <binary> <version> <dest_dir> <module>@<version>       (go install)
#   go_build_tool <binary> <version> <dest_dir> <package> <module dir>   (go build in a pinned module)
go_build_tool() {
  local binary="$1" version="$2" dest_dir="$3" target="$4" module_dir="${5:-}"
  require_command go "build $binary from the Go module proxy"
  local staging="$dest_dir.partial"
  rm -rf "$staging"
  mkdir -p "$staging"
  log "building $binary $version with Go (first run only; several minutes on 2 cores)"
  local started=$SECONDS
  local -a command=(go install -trimpath "$target")
  [ -n "$module_dir" ] && command=(go build -C "$module_dir" -trimpath -o "$staging/$binary" "$target")
  run_with_heartbeat "building $binary" env GOBIN="$staging" "${command[@]}" >&2 ||
    die "building $binary $version failed (see above)"
  mkdir -p "$dest_dir"
  mv "$staging/$binary" "$dest_dir/$binary"
  rm -rf "$staging"
  log "built $binary $version in $((SECONDS - started)) s -> $dest_dir/$binary"
}
