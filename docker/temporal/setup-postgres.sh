#!/bin/sh
# One-shot Temporal schema set-up on PostgreSQL, run by the temporal-admin-tools service before the server starts.
# Idempotent: a second run (existing databases, existing schema) only applies pending schema updates.
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
PORT="${DB_PORT:-5432}"
SCHEMA=/etc/temporal/schema/postgresql/v12

echo "waiting for PostgreSQL at ${POSTGRES_SEEDS}:${PORT}"
i=0
until nc -z -w 5 "$POSTGRES_SEEDS" "$PORT"; do
  i=$((i + 1)); [ "$i" -ge 60 ] && { echo "PostgreSQL did not come up"; exit 1; }
  sleep 2
done

sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$PORT" -u "$POSTGRES_USER" "$@"; }

for db in temporal temporal_visibility; do
  case "$db" in temporal) dir=temporal ;; *) dir=visibility ;; esac
  sql --db "$db" create 2>/dev/null || echo "database $db exists"
  sql --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db already initialised"
  sql --db "$db" update-schema -d "$SCHEMA/$dir/versioned"
done
echo "Temporal schema is up to date"
