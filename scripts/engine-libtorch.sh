#!/usr/bin/env bash
# Runs a main class of the activities module without Maven on a host's own libtorch (e.g. the CUDA build inside a
# PyTorch wheel), through a DJL JNI built for it by scripts/build-djl-jni.sh.
#
# Usage: KIT=dir scripts/engine-libtorch.sh MAIN_CLASS [args...]
#   KIT/lib/*.jar         the activities module's runtime classpath without pytorch-native-cpu (scripts/cuda-kit.sh
#                         packs it as KIT/lib.tar.xz, unpacked here on first use)
#   KIT/libdjl_torch.so   the JNI built against TORCH_DIR's libtorch
#   KIT/jre (or JAVA_HOME) a Java 17 runtime
# Environment: TORCH_DIR (default: the python3 torch package), JAVA_OPTS (default -Xmx32g), THREADS.
set -euo pipefail
kit=$(cd "${KIT:?set KIT to the runtime kit folder}" && pwd)
main=${1:?usage: KIT=dir $0 MAIN_CLASS [args...]}
shift
torch=${TORCH_DIR:-$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')}
read -r torch_version cuda_version < <(python3 -c \
  'import torch; print(torch.__version__.split("+")[0], (torch.version.cuda or "").replace(".", ""))')
flavor=${cuda_version:+cu$cuda_version}
flavor=${flavor:-cpu}
java=${JAVA_HOME:+$JAVA_HOME/bin/java}
java=${java:-$kit/jre/bin/java}
[[ -x $java ]] || { echo "no Java runtime: set JAVA_HOME or unpack one into $kit/jre" >&2; exit 2; }
if [[ ! -d $kit/lib && -f $kit/lib.tar.xz ]]; then
  unpack=$(mktemp -d "$kit/.lib-XXXXXX")
  tar -xJf "$kit/lib.tar.xz" -C "$unpack" && mv "$unpack/lib" "$kit/lib" && rmdir "$unpack" \
    || { rm -rf "$unpack"; echo "cannot unpack $kit/lib.tar.xz" >&2; exit 2; }
fi
compgen -G "$kit/lib/*.jar" >/dev/null || { echo "no jars in $kit/lib (nor $kit/lib.tar.xz)" >&2; exit 2; }
[[ -f $kit/libdjl_torch.so ]] || { echo "no $kit/libdjl_torch.so: build it with scripts/build-djl-jni.sh" >&2; exit 2; }

# DJL takes libtorch from PYTORCH_LIBRARY_PATH and looks for the JNI there, then in its cache folder under
# <version>-<flavor>-<classifier>/0.36.0-libdjl_torch.so: the JNI goes there, the torch package stays untouched
cache=${DJL_CACHE_DIR:-$kit/djl-cache}
jni_dir=$cache/pytorch/$torch_version-$flavor-linux-x86_64
mkdir -p "$jni_dir"
cp -f "$kit/libdjl_torch.so" "$jni_dir/0.36.0-libdjl_torch.so"
classpath=$(printf '%s:' "$kit"/lib/*.jar)
export DJL_CACHE_DIR=$cache PYTORCH_LIBRARY_PATH=$torch/lib PYTORCH_VERSION=$torch_version PYTORCH_FLAVOR=$flavor
export OPT_OUT_TRACKING=true DJL_OFFLINE=true OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
threads=${THREADS:-$(nproc)}
# shellcheck disable=SC2086
exec "$java" ${JAVA_OPTS:--Xmx32g} -Dai.djl.offline=true \
  -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "${classpath%:}" "$main" "$@"
