#!/usr/bin/env bash
# Builds DJL's PyTorch JNI (libdjl_torch.so) from DJL's own sources against an installed libtorch, e.g. the one inside
# a PyTorch wheel on a GPU host (the published JNI binds to libtorch 2.7.1 exactly and is ABI-broken against others).
#
# Usage: scripts/build-djl-jni.sh SRC_DIR OUT_DIR [TORCH_DIR]
#   SRC_DIR   DJL v0.36.0 sources: engines/pytorch/pytorch-native/src/main/native, api/src/main/native and the JNI
#             header generated from PyTorchLibrary.java (javac -h) in build/include, e.g.
#               git archive v0.36.0 engines/pytorch/pytorch-native api/src/main/native engines/pytorch/pytorch-engine
#               javac -sourcepath engines/pytorch/pytorch-engine/src/main/java -h build/include -d /tmp/classes \
#                     engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java
#   OUT_DIR   where libdjl_torch.so is written
#   TORCH_DIR the torch package folder (holds include/ and lib/); default: python3 -c 'import torch' location
# Environment: JNI_INCLUDE (folder with jni.h; default $JAVA_HOME/include), CUDA_INCLUDE (folder with
# cuda_runtime_api.h; default: next to nvcc, else the nvidia wheels), JOBS (parallel compiles; default nproc).
# Uses g++ directly (no CMake needed). CUDA is enabled when TORCH_DIR/lib holds libtorch_cuda.so.
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 SRC_DIR OUT_DIR [TORCH_DIR]" >&2; exit 2; }
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
torch=${3:-$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')}
native=$src/engines/pytorch/pytorch-native/src/main/native
header=$src/build/include/ai_djl_pytorch_jni_PyTorchLibrary.h
[[ -d $native ]] || { echo "SRC_DIR has no engines/pytorch/pytorch-native/src/main/native: $src" >&2; exit 2; }
[[ -f $header ]] || { echo "SRC_DIR has no JNI header build/include/ai_djl_pytorch_jni_PyTorchLibrary.h: $src" >&2; exit 2; }
[[ -f $src/api/src/main/native/djl/utils.h ]] || { echo "SRC_DIR has no api/src/main/native/djl/utils.h: $src" >&2; exit 2; }
[[ -f $torch/lib/libtorch.so ]] || { echo "TORCH_DIR has no lib/libtorch.so: $torch" >&2; exit 2; }

jni=${JNI_INCLUDE:-${JAVA_HOME:-/nonexistent}/include}
[[ -f $jni/jni.h ]] || { echo "no jni.h in JNI_INCLUDE=$jni" >&2; exit 2; }

defs=()
libs=(-ltorch -ltorch_cpu -lc10)
incs=(-I"$src/build/include" -I"$src/api/src/main/native" -I"$jni" -I"$jni/linux"
      -I"$torch/include" -I"$torch/include/torch/csrc/api/include")
if [[ -f $torch/lib/libtorch_cuda.so ]]; then
  cuda_inc=${CUDA_INCLUDE:-}
  if [[ -z $cuda_inc ]] && command -v nvcc >/dev/null; then
    cuda_inc=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")/include
  fi
  if [[ -z $cuda_inc || ! -f $cuda_inc/cuda_runtime_api.h ]]; then
    cuda_inc=$(dirname "$(find "$torch/.." -path '*nvidia*' -name cuda_runtime_api.h -print -quit 2>/dev/null || true)")
  fi
  [[ -f $cuda_inc/cuda_runtime_api.h ]] || { echo "no cuda_runtime_api.h found; set CUDA_INCLUDE" >&2; exit 2; }
  defs+=(-DUSE_CUDA)
  incs+=(-I"$cuda_inc")
  libs=(-Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed "${libs[@]}")
  echo "CUDA build: torch $torch, CUDA headers $cuda_inc"
fi
# the wheel's C++ ABI (1 for wheels built with the new ABI, which all 2.x manylinux_2_28 wheels are)
abi=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))' 2>/dev/null || echo 1)

obj=$(mktemp -d)
trap 'rm -rf "$obj"' EXIT
jobs=${JOBS:-$(nproc)}
export obj abi
printf '%s\n' "$native"/*.cc | xargs -P "$jobs" -I{} sh -c \
  'g++ -std=c++17 -O2 -fPIC -w -D_GLIBCXX_USE_CXX11_ABI=$abi '"${defs[*]} ${incs[*]}"' -c "{}" -o "$obj/$(basename "{}" .cc).o"'
g++ -shared -o "$out/libdjl_torch.so" "$obj"/*.o -L"$torch/lib" "${libs[@]}" -Wl,-rpath,'$ORIGIN':"$torch/lib"
echo "built $out/libdjl_torch.so ($(du -h "$out/libdjl_torch.so" | cut -f1))"
