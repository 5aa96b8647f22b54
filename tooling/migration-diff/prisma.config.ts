// Prisma 6's WASM schema engine computes migration SQL offline (Prisma 7's migrate needs a
// native binary these machines cannot download). The adapter is only used to open a connection.
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma6/config';

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL ?? '' }) as never,
} as never);
