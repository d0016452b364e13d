#!/bin/sh
# One-shot: waits until the Temporal frontend is healthy, then makes sure the namespace exists.
set -eu
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
RETENTION="${TEMPORAL_RETENTION:-720h}"

i=0
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -ge 90 ] && { echo "Temporal at $ADDRESS did not become healthy"; exit 1; }
  sleep 2
done
if temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" --address "$ADDRESS"
  echo "namespace $NAMESPACE created (retention $RETENTION)"
fi
