#!/usr/bin/env bash
# Packs what a GPU host without Java or Maven needs to run the engine on its own libtorch (scripts/engine-libtorch.sh,
# scripts/cuda-bench.sh): a jlink'd Java runtime (jre.tar.xz), the engine's runtime jars without pytorch-native-cpu,
# the compiled classes, jni.h, and DJL v0.36.0's PyTorch JNI sources with their generated header (from the
# djl git repository given), to be built there by scripts/build-djl-jni.sh.
#
# Usage: scripts/cuda-kit.sh DJL_GIT_DIR OUT_DIR      (e.g. a clone of github.com/deepjavalibrary/djl; tag v0.36.0)
set -euo pipefail
cd "$(dirname "$0")/.."
djl_git=${1:?usage: $0 DJL_GIT_DIR OUT_DIR}
out=${2:?usage: $0 DJL_GIT_DIR OUT_DIR}
rm -rf "$out"
mkdir -p "$out/lib" "$out/djl-jni-src/build/include" "$out/jdk-include"

# the engine's runtime classpath; the benchmarks and the engine need DJL, JNA, Gson, Jackson, commons and SLF4J
# (the Temporal, gRPC, AWS and tokenizer jars serve the workers and are left out to stay small)
cp_file=$(mktemp)
mvn -B -ntp -q -o -pl activities -am compile dependency:build-classpath -Dmdep.outputFile="$cp_file" \
  -Dmdep.includeScope=runtime >/dev/null
tr ':' '\n' <"$cp_file" | grep -E '/ai/djl/(api|pytorch/pytorch-engine|pytorch/pytorch-jni)/|/gson/|/jna/|commons-(compress|io|lang3|codec)|/slf4j-|/jackson-' \
  | grep -v -e awssdk -e pytorch-native | xargs -I{} cp {} "$out/lib/"
rm -f "$cp_file"
find ~/.m2/repository/org/slf4j/slf4j-simple -name 'slf4j-simple-2*.jar' | sort | tail -1 | xargs -I{} cp {} "$out/lib/"
jar cf "$out/lib/subliminal-activities.jar" -C activities/target/classes .
jar cf "$out/lib/subliminal-workflows.jar" -C workflows/target/classes .

# Java runtime, compressed (xz does better than jlink's own compression)
jre=$(mktemp -d)
jlink --add-modules java.base,java.logging,java.management,jdk.management,java.naming,jdk.unsupported,java.xml,java.sql,java.desktop \
  --strip-debug --no-header-files --no-man-pages --output "$jre/jre"
tar -C "$jre" -cf - jre | xz -T0 -6 >"$out/jre.tar.xz"
rm -rf "$jre"
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
cp -r "$java_home/include/." "$out/jdk-include/"

# DJL's JNI sources at v0.36.0 and the header javac generates from PyTorchLibrary.java
src=$out/djl-jni-src
git --git-dir="$djl_git" archive v0.36.0 engines/pytorch/pytorch-native/CMakeLists.txt \
  engines/pytorch/pytorch-native/src/main/native api/src/main/native engines/pytorch/pytorch-engine/src/main/java \
  | tar -x -C "$src"
classes=$(mktemp -d)
javac -sourcepath "$src/engines/pytorch/pytorch-engine/src/main/java" -h "$src/build/include" -d "$classes" \
  "$src/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
rm -rf "$classes" "$src/engines/pytorch/pytorch-engine"
echo "DJL v0.36.0 $(git --git-dir="$djl_git" rev-parse 'v0.36.0^{commit}')" >"$src/SOURCE"
cp scripts/build-djl-jni.sh scripts/engine-libtorch.sh scripts/cuda-bench.sh "$out/"
du -sh "$out"
