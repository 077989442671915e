#!/usr/bin/env bash
# Temporal CLI: `temporal server start-dev` is the local Temporal server with its Web UI.
# v1.5.1 is the newest tag `go install` accepts (later ones carry a replace directive).
source "$(dirname "$0")/lib.sh"
VERSION=v1.5.1
use_override TEMPORAL_CLI_PATH && exit 0
dest="$TOOLS_DIR/temporal-cli-$VERSION"
build() {
  [ -x "$dest/temporal" ] || go_build_tool temporal "$VERSION" "$dest" "github.com/temporalio/cli/cmd/temporal@$VERSION"
}
with_build_lock temporal-cli build
printf '%s\n' "$dest/temporal"
