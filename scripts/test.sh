#!/usr/bin/env bash
# The project's test command: unit and integration tests of every module.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
mvn -B -ntp verify "$@"
