export * from './client';
export { migrateDatabase, migrationsDir } from './migrate';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded';
export { writeAuditEvent, type AuditEventInput } from './audit';
export * from './tokens';
export * from './seed';
export { rotateEncryptionKeys } from './rotate-keys';
export { withTransaction, type SqlClient } from './sql';
export * from './ha';
