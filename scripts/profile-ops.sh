#!/usr/bin/env bash
# Per-op profile (PyTorch profiler) of SmolLM2 decode steps or LoRA steps: io.subliminal.engine.bench.OpProfile.
# Usage: [THREADS=n] scripts/profile-ops.sh decode|lora [--batch 32] [--steps 8] [--trace file.json]
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/engine-java.sh io.subliminal.engine.bench.OpProfile "$@"
