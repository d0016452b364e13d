#!/usr/bin/env bash
# The project's test command: unit and integration tests of every module (this also builds the worker jar),
# then the docker-compose/Dockerfile validation.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
mvn -B -ntp verify "$@"
# the full build (no arguments) must have produced the worker jar that docker/worker.Dockerfile packages
if [ $# -eq 0 ]; then export CHECK_WORKER_JAR=required; fi
bash scripts/check-compose.sh
