// Prisma 7 CLI config. Only `prisma generate` is used here: migrations are applied by
// src/migrate.ts (the Prisma migrate engine is a native download these machines cannot fetch).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: '../../prisma/schema.prisma',
  migrations: { path: '../../prisma/migrations' },
});
