#!/usr/bin/env bash
# Local set-up in one command: installs the pinned Temporal CLI if missing, starts the Temporal dev server on a SQLite
# file (search attributes registered, 30-day retention), starts the orchestrator worker and one GPU worker per device,
# and prints the Web UI address. State survives restarts: run it again after `scripts/launch.sh stop` and every
# workflow continues where it was.
#
#   scripts/launch.sh            start (idempotent: running parts are left alone)
#   scripts/launch.sh stop       stop the workers and the dev server started by this script
#   scripts/launch.sh status     show what runs
#   scripts/launch.sh input FIG  write .temporal/inputs/FIG.json, the SweepWorkflow input of cfgs/figures/FIG.yaml
#
# Settings (environment): TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233), SUBLIMINAL_HTTP_PORT (8081, then +1 per
# GPU worker), SUBLIMINAL_DEVICES ("cuda:0 cuda:1 ..."; default: every GPU nvidia-smi lists, else "cpu"; the worker
# for host GPU N runs with CUDA_VISIBLE_DEVICES=N and SUBLIMINAL_DEVICE=cuda:0, the only device it sees),
# SUBLIMINAL_STORE (file://$PWD/runs/store), SUBLIMINAL_RETENTION (720h), SUBLIMINAL_REFERENCE_DIR (the protocol's
# data folder, default ../shared/reference/data), SUBLIMINAL_WORKER_DIR (stage scratch, default runs/worker).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/.temporal
mkdir -p "$STATE/logs" "$STATE/pids" "$STATE/inputs"
TEMPORAL=${TEMPORAL_CLI:-$ROOT/.tools/bin/temporal}
PORT=${TEMPORAL_PORT:-7233}
UI_PORT=${TEMPORAL_UI_PORT:-8233}
HTTP_PORT=${SUBLIMINAL_HTTP_PORT:-8081}
RETENTION=${SUBLIMINAL_RETENTION:-720h}
export SUBLIMINAL_TEMPORAL_ADDRESS=${SUBLIMINAL_TEMPORAL_ADDRESS:-127.0.0.1:$PORT}
export SUBLIMINAL_STORE=${SUBLIMINAL_STORE:-file://$ROOT/runs/store}
export SUBLIMINAL_MODELS_DIR=${SUBLIMINAL_MODELS_DIR:-$ROOT/models}
export SUBLIMINAL_REGISTRY_FILE=${SUBLIMINAL_REGISTRY_FILE:-$ROOT/cfgs/models.yaml}
export SUBLIMINAL_REFERENCE_DIR=${SUBLIMINAL_REFERENCE_DIR:-$(cd "$ROOT/.." && pwd)/shared/reference/data}
export SUBLIMINAL_WORKER_DIR=${SUBLIMINAL_WORKER_DIR:-$ROOT/runs/worker}
SEARCH_ATTRIBUTES=(Figure=Keyword Model=Keyword Target=Keyword Condition=Keyword Seed=Int Stage=Keyword)

running() { [ -f "$STATE/pids/$1" ] && kill -0 "$(cat "$STATE/pids/$1")" 2>/dev/null; }

start_bg() { # name, command...
  local name=$1; shift
  if running "$name"; then echo "  $name already running (pid $(cat "$STATE/pids/$name"))"; return; fi
  nohup "$@" >"$STATE/logs/$name.log" 2>&1 &
  echo $! >"$STATE/pids/$name"
  echo "  started $name (pid $!, log .temporal/logs/$name.log)"
}

stop_one() {
  local name=$1
  if running "$name"; then
    kill -TERM "$(cat "$STATE/pids/$name")"
    for _ in $(seq 1 120); do running "$name" || break; sleep 1; done
    running "$name" && echo "  $name still draining (pid $(cat "$STATE/pids/$name"))" || echo "  stopped $name"
  fi
  running "$name" || rm -f "$STATE/pids/$name"
}

classpath() { # the workers' runtime class path (built once per source change)
  local cp=$ROOT/workers/target/runtime-classpath.txt
  if [ ! -f "$cp" ] || [ -n "$(find "$ROOT"/workflows/src "$ROOT"/activities/src "$ROOT"/workers/src "$ROOT"/*/pom.xml -newer "$cp" -print -quit)" ]; then
    echo "building workers ..." >&2
    # one reactor build: sibling modules resolve to their fresh jars; the last module written is workers
    mvn -B -ntp -q -pl workers -am package dependency:build-classpath -DskipTests \
      -Dmdep.outputFile="$cp.deps" -Dmdep.includeScope=runtime >&2 || return 1
    echo "$ROOT/workflows/target/classes:$ROOT/activities/target/classes:$ROOT/workers/target/classes:$(cat "$cp.deps")" >"$cp"
  fi
  cat "$cp"
}

wait_for_server() {
  for _ in $(seq 1 60); do
    "$TEMPORAL" operator cluster health --address "127.0.0.1:$PORT" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "Temporal dev server did not come up; see .temporal/logs/temporal.log" >&2; exit 1
}

devices() {
  if [ -n "${SUBLIMINAL_DEVICES:-}" ]; then echo "$SUBLIMINAL_DEVICES"; return; fi
  if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
    nvidia-smi -L | awk '{sub(":", "", $2); printf "cuda:%s ", $2}'
  else
    echo cpu
  fi
}

case "${1:-start}" in
  start)
    [ -x "$TEMPORAL" ] || bash scripts/setup.sh
    [ -f "$SUBLIMINAL_REFERENCE_DIR/number_prompt_templates.json" ] || {
      echo "SUBLIMINAL_REFERENCE_DIR=$SUBLIMINAL_REFERENCE_DIR is not the protocol's data folder (no number_prompt_templates.json)" >&2; exit 1; }
    echo "Temporal dev server (SQLite .temporal/dev.sqlite):"
    args=(server start-dev --db-filename "$STATE/dev.sqlite" --port "$PORT" --ui-port "$UI_PORT" --log-level warn)
    for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
    start_bg temporal "$TEMPORAL" "${args[@]}"
    wait_for_server
    "$TEMPORAL" operator namespace update --address "127.0.0.1:$PORT" --namespace default --retention "$RETENTION" >/dev/null
    CP=$(classpath) || { echo "workers build failed" >&2; exit 1; }
    echo "Workers:"
    SUBLIMINAL_ROLE=orchestrator SUBLIMINAL_HTTP_PORT=$HTTP_PORT start_bg orchestrator java ${SUBLIMINAL_JAVA_OPTS:--Xmx2g} -cp "$CP" io.subliminal.workers.Application
    port=$HTTP_PORT
    for device in $(devices); do
      port=$((port + 1))
      # host GPU N is the only one the worker sees (CUDA_VISIBLE_DEVICES=N), where it is device 0: cuda:0
      case "$device" in
        cuda:*|gpu*) index=${device#cuda:}; index=${index#gpu}
             visible=(CUDA_VISIBLE_DEVICES="$index"); worker_device=cuda:0 ;;
        *)   visible=(); worker_device=$device ;;
      esac
      SUBLIMINAL_ROLE=gpu SUBLIMINAL_DEVICE=$worker_device SUBLIMINAL_HTTP_PORT=$port \
        start_bg "gpu-${device/:/-}" env ${visible[@]+"${visible[@]}"} \
        java ${SUBLIMINAL_JAVA_OPTS:--Xmx2g} -cp "$CP" io.subliminal.workers.Application
    done
    echo
    echo "Temporal Web UI:  http://localhost:$UI_PORT"
    echo "Temporal address: 127.0.0.1:$PORT (namespace default, retention $RETENTION)"
    echo "Worker health:    http://localhost:$HTTP_PORT/health   metrics: http://localhost:$HTTP_PORT/prometheus"
    ;;
  stop)
    for pid in "$STATE"/pids/gpu-* "$STATE"/pids/orchestrator "$STATE"/pids/temporal; do
      [ -e "$pid" ] && stop_one "$(basename "$pid")"
    done
    ;;
  status)
    for pid in "$STATE"/pids/*; do
      [ -e "$pid" ] || continue
      name=$(basename "$pid"); running "$name" && echo "$name: running (pid $(cat "$pid"))" || echo "$name: stopped"
    done
    ;;
  input)
    fig=${2:?usage: scripts/launch.sh input FIGURE (e.g. fig-3 or demo-fig3-smollm2)}
    CP=$(classpath) || { echo "workers build failed" >&2; exit 1; }
    java -cp "$CP" io.subliminal.workflows.recipe.SweepInputFile "cfgs/figures/$fig.yaml" "$STATE/inputs/$fig.json" cfgs/models.yaml
    ;;
  *)
    echo "usage: $0 [start|stop|status|input FIGURE]" >&2; exit 64 ;;
esac
