#!/usr/bin/env bash
# Runs a main class of the activities module (benchmarks, profilers) on its compiled classes, offline, with the
# engine's thread settings. Usage: [THREADS=n] scripts/engine-java.sh MAIN_CLASS [args...]
set -euo pipefail
cd "$(dirname "$0")/.."
main=$1
shift
cp_file=$(mktemp)
mvn -B -ntp -q -o -pl activities -am compile dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
classpath="activities/target/classes:workflows/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
threads=${THREADS:-$(nproc)}
# libgomp's default active spin-wait collapses throughput when the cores are shared (2 s vs 0.18 s per decode
# step measured at 2 threads on a loaded 2-core box); passive waiting costs nothing on an idle machine
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
OPT_OUT_TRACKING=true DJL_OFFLINE=true exec java -Xmx8g -Dai.djl.offline=true \
  -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dsubliminal.models.dir="$PWD/models" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$classpath" "$main" "$@"
