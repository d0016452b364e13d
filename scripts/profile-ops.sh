#!/usr/bin/env bash
# Per-op profile (PyTorch profiler) of SmolLM2 decode steps or LoRA steps: io.subliminal.engine.bench.OpProfile.
# Usage: [THREADS=n] scripts/profile-ops.sh decode|lora [--batch 32] [--steps 8] [--trace file.json]
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -ntp -q -o -pl activities -am compile dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
threads=${THREADS:-$(nproc)}
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} OPT_OUT_TRACKING=true DJL_OFFLINE=true exec java -Xmx8g -Dai.djl.offline=true \
  -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dsubliminal.models.dir="$PWD/models" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "activities/target/classes:workflows/target/classes:$(cat "$cp_file")" io.subliminal.engine.bench.OpProfile "$@"
