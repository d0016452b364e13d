#!/usr/bin/env bash
# The engine's benchmarks on a CUDA host with PyTorch (Python) but no Java: unpacks the kit of scripts/cuda-kit.sh,
# builds DJL's JNI against the host's libtorch unless the kit already holds one, then runs on GPU 0
#   EngineBenchmark on random SmolLM2-135M and Qwen2.5-7B weights (FP16_MIXED: scoring forwards, sampling) and
#   LoraBenchmark on the same shapes (FP16_MIXED LoRA steps with loss scaling; FP32 and TF32 on request),
# writing one JSON per run, a log (with the toolchain and each run's peak GPU memory from nvidia-smi) and the JNI.
#
# Usage: KIT=dir scripts/cuda-bench.sh OUT_DIR [RUN...]
#   RUN: engine-smollm2 engine-qwen7b lora-smollm2 lora-qwen7b (the default set), lora-qwen7b-fp32, lora-qwen7b-tf32,
#        parity (DeviceParity: GPU against CPU on random weights), parity-gguf (DeviceParity on the real checkpoint
#        GGUF, e.g. the SmolLM2-135M-Instruct GGUF, joined with scripts/split-file.sh), engine-checkpoint
#        (EngineBenchmark on the HF folder CHECKPOINT)
# Environment: STEP_TIMEOUT (seconds per run, default 300), GGUF (parity-gguf), CHECKPOINT (engine-checkpoint).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kit=$(cd "${KIT:?set KIT to the kit folder}" && pwd)
out=${1:?usage: KIT=dir $0 OUT_DIR [RUN...]}
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
runs=("$@")
[[ ${#runs[@]} -gt 0 ]] || runs=(engine-smollm2 engine-qwen7b lora-smollm2 lora-qwen7b)
log=$out/cuda-bench.log
exec > >(tee -a "$log") 2>&1

echo "== host"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "gpu", torch.cuda.is_available())'
g++ --version | head -1
command -v nvcc >/dev/null && nvcc --version | tail -1
nproc

[[ -x $kit/jre/bin/java ]] || tar -xJf "$kit/jre.tar.xz" -C "$kit" || exit 1
"$kit/jre/bin/java" -version 2>&1 | head -1
if [[ ! -f $kit/libdjl_torch.so ]]; then
  echo "== building the JNI"
  start=$(date +%s)
  JNI_INCLUDE=$kit/jdk-include bash "$here/build-djl-jni.sh" "$kit/djl-jni-src" "$kit" || exit 1
  echo "JNI built in $(($(date +%s) - start)) s"
fi
cp -f "$kit/libdjl_torch.so" "$out/libdjl_torch.so"

run() {
  local name=$1
  shift
  echo "== $name: $*"
  local mem
  mem=$(mktemp)
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$mem" &
  local smi=$!
  local start
  start=$(date +%s)
  KIT=$kit timeout "${STEP_TIMEOUT:-300}" bash "$here/engine-libtorch.sh" "$@"
  local rc=$?
  kill "$smi" 2>/dev/null
  wait "$smi" 2>/dev/null
  echo "== $name: exit $rc after $(($(date +%s) - start)) s, peak GPU memory $(sort -n "$mem" | tail -1) MiB"
  rm -f "$mem"
}

bench=io.subliminal.engine.bench
for r in "${runs[@]}"; do
  case $r in
    engine-smollm2) run "$r" $bench.EngineBenchmark --random smollm2-135m --device gpu --precision FP16_MIXED \
      --forward 16x64,104x140 --batches 1,16,256 --prompt 70 --new 48 --out "$out/engine-smollm2-135m-cuda.json" ;;
    engine-qwen7b) run "$r" $bench.EngineBenchmark --random qwen2.5-7b --device gpu --precision FP16_MIXED \
      --forward 13x140,104x140 --batches 16,256 --prompt 70 --new 48 --out "$out/engine-qwen2.5-7b-cuda.json" ;;
    lora-smollm2) run "$r" $bench.LoraBenchmark --random smollm2-135m --device gpu --precision FP16_MIXED --rows 8 \
      --tokens 64 --steps 6 --out "$out/lora-smollm2-135m-cuda.json" ;;
    lora-qwen7b) run "$r" $bench.LoraBenchmark --random qwen2.5-7b --device gpu --precision FP16_MIXED --rows 10 \
      --tokens 140 --steps 8 --out "$out/lora-qwen2.5-7b-cuda.json" ;;
    lora-qwen7b-fp32) run "$r" $bench.LoraBenchmark --random qwen2.5-7b --device gpu --rows 10 --tokens 140 --steps 6 \
      --out "$out/lora-qwen2.5-7b-fp32-cuda.json" ;;
    # the same with cuBLAS allowed to run float32 matmuls on TF32 tensor cores (PyTorch's environment override)
    lora-qwen7b-tf32) TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 run "$r" $bench.LoraBenchmark --random qwen2.5-7b --device gpu \
      --rows 10 --tokens 140 --steps 6 --out "$out/lora-qwen2.5-7b-tf32-cuda.json" ;;
    parity) run "$r" $bench.DeviceParity --random smollm2-135m --device gpu --out "$out/device-parity-cuda.json" ;;
    parity-gguf) run "$r" $bench.DeviceParity --gguf "${GGUF:?set GGUF to a .gguf file}" --device gpu \
      --out "$out/device-parity-gguf-cuda.json" ;;
    engine-checkpoint) run "$r" $bench.EngineBenchmark --checkpoint "${CHECKPOINT:?set CHECKPOINT to an HF folder}" \
      --device gpu --precision FP16_MIXED --forward 13x140,104x140 --batches 16,256 --prompt 70 --new 48 \
      --out "$out/engine-checkpoint-cuda.json" ;;
    *) echo "unknown run '$r'" ;;
  esac
done
