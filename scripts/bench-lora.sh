#!/usr/bin/env bash
# LoRA training-step benchmark (io.subliminal.engine.bench.LoraBenchmark) on the embedded SmolLM2 GGUF:
# 8 rows x 64 tokens, r=8 on the 7 projections of all 30 layers, AdamW, clip 1.0.
# Usage: THREADS=1 scripts/bench-lora.sh [--steps 6] [--rows 8] [--tokens 64] [--prompt 1] [--rank 8] [--out file.json]
# (--prompt: unlabelled tokens at the start of each row; the loss and LM head run on the labelled rest)
# OMP_WAIT_POLICY=PASSIVE keeps idle OpenMP threads from spinning; on a CPU box shared with other busy processes
# THREADS=1 may still be faster (oversubscribed threads were measured several times slower).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/engine-java.sh io.subliminal.engine.bench.LoraBenchmark "$@"
