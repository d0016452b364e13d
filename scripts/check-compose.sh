#!/usr/bin/env bash
# Validates the cluster definition without a Docker engine (none runs in CI): docker-compose.yml must parse with
# every profile, define the expected services, give GPU worker N exactly host GPU N, and the worker Dockerfile's
# build inputs (and the worker jar it packages, once built) must exist.
set -euo pipefail
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1; then
  DC=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  DC=(docker-compose)
else
  msg="check-compose: neither 'docker compose' nor 'docker-compose' is installed (scripts/setup.sh installs Debian's docker-compose)"
  if [ "${CI:-}" = "true" ]; then echo "$msg" >&2; exit 1; fi
  echo "$msg; skipped" >&2
  exit 0
fi

"${DC[@]}" -f docker-compose.yml config -q
config=$(COMPOSE_PROFILES=gpu8 "${DC[@]}" -f docker-compose.yml config)

PY=
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c 'import yaml' 2>/dev/null; then PY=$candidate; break; fi
done
[ -n "$PY" ] || { echo "check-compose: no python3 with PyYAML (Debian python3-yaml) for the structural checks" >&2; exit 1; }
"$PY" - "$config" <<'PYCHECK'
import sys, yaml
cfg = yaml.safe_load(sys.argv[1])
services = cfg["services"]
expected = ["postgresql", "temporal-admin-tools", "temporal", "temporal-create-namespace", "temporal-ui",
            "minio", "minio-create-bucket", "orchestrator"] + [f"gpu-worker-{i}" for i in range(8)]
missing = [s for s in expected if s not in services]
assert not missing, f"services missing from docker-compose.yml: {missing}"
assert "auto-setup" not in str(services["temporal"].get("image")), "use temporalio/server, not auto-setup"
for i in range(8):
    s = services[f"gpu-worker-{i}"]
    devices = s["deploy"]["resources"]["reservations"]["devices"]
    assert [d["device_ids"] for d in devices] == [[str(i)]], f"gpu-worker-{i} must reserve exactly GPU {i}: {devices}"
    assert all("gpu" in d["capabilities"] and d["driver"] == "nvidia" for d in devices), f"gpu-worker-{i}: {devices}"
    env = s["environment"]
    assert env["CUDA_VISIBLE_DEVICES"] == "0", f"gpu-worker-{i}: CUDA_VISIBLE_DEVICES must be 0 inside"
    assert env["SUBLIMINAL_ROLE"] == "gpu"
    assert s["build"]["dockerfile"] == "docker/worker.Dockerfile"
for name in ["orchestrator"] + [f"gpu-worker-{i}" for i in range(8)]:
    env = services[name]["environment"]
    # the names the worker reads (application.yml); S3ClusterSweepTest runs workers with this environment
    assert env["SUBLIMINAL_STORE"].startswith("s3://"), name
    assert env["SUBLIMINAL_DEVICE"] == ("cpu" if name == "orchestrator" else "cuda:0"), f"{name}: {env['SUBLIMINAL_DEVICE']}"
    for key in ["SUBLIMINAL_TEMPORAL_ADDRESS", "SUBLIMINAL_S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "SUBLIMINAL_REFERENCE_DIR", "SUBLIMINAL_MODELS_DIR", "SUBLIMINAL_MODEL_CACHE", "SUBLIMINAL_MODEL_CACHE_MAX_GB"]:
        assert env.get(key), f"{name} lacks {key}"
    # the S3 base-model cache lives on a volume (not the container's own layer) mounted into the worker
    mounts = [v["target"] if isinstance(v, dict) else v.split(":")[1] for v in services[name].get("volumes", [])]
    assert any(env["SUBLIMINAL_MODEL_CACHE"] == m or env["SUBLIMINAL_MODEL_CACHE"].startswith(m + "/") for m in mounts), \
        f"{name}: SUBLIMINAL_MODEL_CACHE={env['SUBLIMINAL_MODEL_CACHE']} is on none of its volumes {mounts}"
    assert float(env["SUBLIMINAL_MODEL_CACHE_MAX_GB"]) > 0, f"{name}: SUBLIMINAL_MODEL_CACHE_MAX_GB must be > 0"
print(f"docker-compose.yml: {len(services)} services valid")
PYCHECK

# every COPY source of the worker Dockerfile's build stage exists in the repository
grep -E '^COPY ' docker/worker.Dockerfile | grep -v -- '--from=' | while read -r _ src _; do
  [ -e "$src" ] || { echo "docker/worker.Dockerfile copies missing path: $src" >&2; exit 1; }
done
for script in docker/temporal/setup-postgres.sh docker/temporal/create-namespace.sh; do
  sh -n "$script"
done
if [ -f workers/target/subliminal-workers.jar ]; then
  main=$(unzip -p workers/target/subliminal-workers.jar META-INF/MANIFEST.MF | tr -d '\r' | sed -n 's/^Main-Class: //p')
  [ -n "$main" ] || { echo "subliminal-workers.jar has no Main-Class" >&2; exit 1; }
  echo "workers/target/subliminal-workers.jar: Main-Class $main"
elif [ "${CHECK_WORKER_JAR:-}" = "required" ]; then
  echo "workers/target/subliminal-workers.jar was not built" >&2; exit 1
fi
echo "check-compose: ok (${DC[*]})"
