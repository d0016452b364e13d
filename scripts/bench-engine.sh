#!/usr/bin/env bash
# Engine throughput benchmark (io.subliminal.engine.bench.EngineBenchmark) on the embedded SmolLM2 GGUF.
# Usage: [THREADS=n] scripts/bench-engine.sh [--out file.json] [--batches 1,32,256] [--prompt 32] [--new 32] [--repeats 3]
#        [--device cpu|gpu] [--precision FP32|FP16_MIXED]
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -ntp -q -o -pl activities -am compile dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
threads=${THREADS:-$(nproc)}
# libgomp's default active spin-wait collapses throughput when the cores are shared (2 s vs 0.18 s per decode
# step measured at 2 threads on a loaded 2-core box); passive waiting costs nothing on an idle machine
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
OPT_OUT_TRACKING=true DJL_OFFLINE=true exec java -Xmx8g -Dai.djl.offline=true \
  -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dsubliminal.models.dir="$PWD/models" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "activities/target/classes:$(cat "$cp_file")" io.subliminal.engine.bench.EngineBenchmark "$@"
