export * from './client';
export { migrateDatabase, migrationsDir } from './migrate';
export {
  applyGatewayGrants,
  bootstrapDatabaseRoles,
  defaultRoleNames,
  generateRolePassword,
  roleUrl,
  scramVerifier,
  type DatabaseRoleNames,
  type DatabaseRolePasswords,
} from './roles';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded';
export { auditInsertFrom, insertSpooledAuditEvents, webhookEventByAuditType, writeAuditEvent, type AuditEventInput, type SpooledAuditEvent } from './audit';
export * from './tokens';
export * from './seed';
export { rotateEncryptionKeys } from './rotate-keys';
export { runAtomicStatement, withTransaction, type SqlClient } from './sql';
export { queryDescribedOnce } from './described-once';
export * from './ha';
