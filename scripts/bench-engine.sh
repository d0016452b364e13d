#!/usr/bin/env bash
# Engine throughput benchmark (io.subliminal.engine.bench.EngineBenchmark) on the embedded SmolLM2 GGUF.
# Usage: [THREADS=n] scripts/bench-engine.sh [--out file.json] [--batches 1,32,256] [--prompt 32] [--new 32] [--repeats 3]
#        [--device cpu|gpu] [--precision FP32|FP16_MIXED]
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/engine-java.sh io.subliminal.engine.bench.EngineBenchmark "$@"
