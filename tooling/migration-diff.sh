#!/usr/bin/env bash
# Prints the SQL that takes the schema at git revision $1 (default HEAD) to prisma/schema.prisma.
# Needs DATABASE_URL to any reachable Postgres (nothing is changed there). Save the output as
# prisma/migrations/<timestamp>_<name>/migration.sql.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
add_url() { sed 's/provider = "postgresql"/provider = "postgresql"\n  url      = env("DATABASE_URL")/' "$1"; }
git -C "$root" show "${1:-HEAD}:prisma/schema.prisma" | add_url /dev/stdin > "$work/old.prisma"
add_url "$root/prisma/schema.prisma" > "$work/new.prisma"
cp "$root/tooling/migration-diff/prisma.config.ts" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
cd "$work"
PRISMA_SCHEMA_ENGINE_BINARY=/bin/false PRISMA_QUERY_ENGINE_LIBRARY=/bin/false \
  node "$root/node_modules/prisma6/build/index.js" migrate diff \
  --from-schema-datamodel old.prisma --to-schema-datamodel new.prisma --script 2>/dev/null
