#!/usr/bin/env bash
# Builds (or finds in the cache) every server the project runs: `npm run provision`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for tool in temporal-cli ferretdb test-server; do
  printf '%s: %s\n' "$tool" "$(bash "$here/$tool.sh")"
done
