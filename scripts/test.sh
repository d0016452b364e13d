#!/usr/bin/env bash
# The project's test command: unit and integration tests of every module (this also builds the worker jar),
# then the docker-compose/Dockerfile validation.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
# Python cross-checks (scripts/setup.sh installs the libraries into .tools/pylib)
if [ -d "$PWD/.tools/pylib" ]; then
  export SUBLIMINAL_PYTHON=${SUBLIMINAL_PYTHON:-python3} PYTHONPATH="$PWD/.tools/pylib${PYTHONPATH:+:$PYTHONPATH}"
fi
mvn -B -ntp verify "$@"
# the full build (no arguments) must have produced the worker jar that docker/worker.Dockerfile packages
if [ $# -eq 0 ]; then export CHECK_WORKER_JAR=required; fi
bash scripts/check-compose.sh
