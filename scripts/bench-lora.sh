#!/usr/bin/env bash
# LoRA training-step benchmark (io.subliminal.engine.bench.LoraBenchmark) on the embedded SmolLM2 GGUF:
# 8 rows x 64 tokens, r=8 on the 7 projections of all 30 layers, AdamW, clip 1.0.
# Usage: THREADS=1 scripts/bench-lora.sh [--steps 6] [--rows 8] [--tokens 64] [--prompt 1] [--rank 8] [--out file.json]
# (--prompt: unlabelled tokens at the start of each row; the loss and LM head run on the labelled rest)
# OMP_WAIT_POLICY=PASSIVE keeps idle OpenMP threads from spinning; on a CPU box shared with other busy processes
# THREADS=1 may still be faster (oversubscribed threads were measured several times slower).
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -ntp -q -o -pl activities -am compile dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
threads=${THREADS:-$(nproc)}
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} OPT_OUT_TRACKING=true DJL_OFFLINE=true exec java -Xmx8g -Dai.djl.offline=true \
  -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dsubliminal.models.dir="$PWD/models" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "activities/target/classes:workflows/target/classes:$(cat "$cp_file")" io.subliminal.engine.bench.LoraBenchmark "$@"
