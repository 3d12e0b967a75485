#!/usr/bin/env bash
# Regenerates the PostgreSQL migration set as ONE initial migration from the current model
# (docs/decisions/036). Run it after merging model changes: the SQLite set gets a migration per change
# (`dotnet ef migrations add <Branch>_<What>`), the PostgreSQL set is made again from the whole model.
# Only for PostgreSQL databases that nobody runs yet; once one is in use, add migrations to the set instead:
#   dotnet ef migrations add <Name> --project IntegrationsPortal --context PostgresPortalDbContext --output-dir Infrastructure/Data/Migrations/PostgreSQL
set -euo pipefail
# Retired on 2026-12-03 (docs/decisions/036, amended by 049): PostgreSQL databases exist, and regenerating
# the set would make them apply everything again. Add a migration to the set instead (command above).
if [ "${REGENERATE_POSTGRES_MIGRATIONS:-}" != "yes" ]; then
  echo "tools/postgres-migrations.sh is retired: add a migration with --context PostgresPortalDbContext instead (docs/decisions/036)." >&2
  echo "Set REGENERATE_POSTGRES_MIGRATIONS=yes only for a fresh set no database has applied." >&2
  exit 2
fi
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
rm -rf IntegrationsPortal/Infrastructure/Data/Migrations/PostgreSQL
dotnet ef migrations add PostgreSQL_Initial --project IntegrationsPortal --context PostgresPortalDbContext \
  --output-dir Infrastructure/Data/Migrations/PostgreSQL "$@"
