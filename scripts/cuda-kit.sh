#!/usr/bin/env bash
# Packs what a GPU host without Java or Maven needs to run the engine on its own libtorch (scripts/engine-libtorch.sh,
# scripts/cuda-bench.sh): a jlink'd Java runtime (jre.tar.xz), the engine's runtime jars without pytorch-native-cpu
# and the compiled classes (lib.tar.xz, unpacked to lib/ by engine-libtorch.sh), jni.h, and DJL v0.36.0's PyTorch JNI
# sources with their generated header (from the djl git repository given), to be built there by
# scripts/build-djl-jni.sh.
#
# Usage: [KIT_TESTS=1] scripts/cuda-kit.sh DJL_GIT_DIR OUT_DIR  (e.g. a clone of github.com/deepjavalibrary/djl; tag
#        v0.36.0; KIT_TESTS=1 adds the activities tests and JUnit's console launcher, see below)
# Needs zip and unzip besides the JDK and Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
djl_git=${1:?usage: $0 DJL_GIT_DIR OUT_DIR}
out=${2:?usage: $0 DJL_GIT_DIR OUT_DIR}
for tool in zip unzip xz; do
  command -v "$tool" >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }
done
rm -rf "$out"
mkdir -p "$out/djl-jni-src/build/include" "$out/jdk-include"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib"

# the engine's runtime classpath: DJL, JNA, Gson, Jackson, commons and SLF4J for the engine and the benchmarks, DJL's
# HF tokenizers and Jinjava with the jars it uses at run time (Guava, Javassist, RE2/J, commons-net, java-ipv6,
# big-math, HubSpot's algebra and immutables-exceptions; not the annotation-only jars) for the tokenizer and chat
# template of a checkpoint (DeviceParity --gguf); the Temporal, gRPC and AWS jars serve the workers and are left out
cp_file=$(mktemp)
mvn -B -ntp -q -o -pl activities -am compile dependency:build-classpath -Dmdep.outputFile="$cp_file" \
  -Dmdep.includeScope=runtime >/dev/null
jars=$(tr ':' '\n' <"$cp_file" | grep -E '/ai/djl/(api|pytorch/pytorch-engine|pytorch/pytorch-jni|huggingface/tokenizers)/|/gson/|/jna/|commons-(compress|io|lang3|codec|net)|/slf4j-|/jackson-|/com/hubspot/(jinjava|algebra|immutables/immutables-exceptions)/|/com/google/guava/(guava|failureaccess)/|/org/javassist/|/com/google/re2j/|/java-ipv6/|/big-math/' \
  | grep -v -e awssdk -e pytorch-native)
jars+=$'\n'$(find ~/.m2/repository/org/slf4j/slf4j-simple -name 'slf4j-simple-2*.jar' | sort | tail -1)
jar cf "$stage/subliminal-activities.jar" -C activities/target/classes .
jar cf "$stage/subliminal-workflows.jar" -C workflows/target/classes .
jars+=$'\n'$stage/subliminal-activities.jar$'\n'$stage/subliminal-workflows.jar
if [[ ${KIT_TESTS:-0} == 1 ]]; then
  # KIT_TESTS=1: also the activities tests with their whole test classpath (Temporal's test environment, gRPC, AWS)
  # and JUnit's console launcher, to run a stage test on the GPU host, e.g.
  #   KIT=kit scripts/engine-libtorch.sh org.junit.platform.console.ConsoleLauncher \
  #     --select-class io.subliminal.activities.SmolLm2PipelineIT   (with JAVA_OPTS=-Dsubliminal.test.device=cuda:0 ...)
  mvn -B -ntp -q -o -pl activities -am test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" \
    -Dmdep.includeScope=test >/dev/null
  jars+=$'\n'$(tr ':' '\n' <"$cp_file" | grep '\.jar$' | grep -v -e pytorch-native -e '/org/junit/' -e '/org/opentest4j/' \
    -e '/org/apiguardian/' | grep -v -F "$jars")
  launcher=$(find ~/.m2/repository/org/junit/platform/junit-platform-console-standalone -name '*.jar' | sort | tail -1)
  [[ -n $launcher ]] || { echo "no junit-platform-console-standalone in ~/.m2: mvn dependency:get \
-Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.3" >&2; exit 2; }
  jars+=$'\n'$launcher
  jar cf "$stage/subliminal-activities-tests.jar" -C activities/target/test-classes .
  jars+=$'\n'$stage/subliminal-activities-tests.jar
fi
rm -f "$cp_file"

# each jar is rewritten uncompressed (xz then packs the whole folder about twice as small as the deflated jars) and
# without the native libraries of other platforms than linux-x86_64: DJL's tokenizers (macOS, Windows, aarch64), JNA
# (every other platform) and DJL's PyTorch JNI (all but linux-x86_64 cpu; a CUDA host uses the JNI built for it)
while read -r jar; do
  [[ -n $jar ]] || continue
  name=$(basename "$jar")
  case $name in
    tokenizers-*) drop='native/lib/osx-* native/lib/win-* native/lib/linux-aarch64' ;;
    jna-*) drop='com/sun/jna/aix-* com/sun/jna/darwin* com/sun/jna/*bsd-* com/sun/jna/sunos-* com/sun/jna/win32-*
                 com/sun/jna/linux-[!x]* com/sun/jna/linux-x86' ;;
    pytorch-jni-*) drop='jnilib/osx-* jnilib/win-* jnilib/linux-aarch64 jnilib/linux-x86_64/cu*' ;;
    *) drop= ;;
  esac
  x=$stage/x
  rm -rf "$x"
  mkdir -p "$x"
  unzip -q "$jar" -d "$x"
  # shellcheck disable=SC2086  # the patterns are globbed inside the unpacked jar
  (cd "$x" && rm -rf $drop)
  # the manifest first, as JarInputStream expects
  (cd "$x" && { if [[ -f META-INF/MANIFEST.MF ]]; then echo META-INF/MANIFEST.MF; fi
                find . -mindepth 1 ! -path ./META-INF/MANIFEST.MF | sed 's|^\./||' | sort; } \
    | zip -q -0 -X "$stage/lib/$name" -@)
done <<<"$jars"
rm -rf "$stage/x"
tar -C "$stage" -cf - lib | xz -T0 -6 >"$out/lib.tar.xz"

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
cp scripts/build-djl-jni.sh scripts/engine-libtorch.sh scripts/cuda-bench.sh scripts/split-file.sh "$out/"
du -sh "$out"
