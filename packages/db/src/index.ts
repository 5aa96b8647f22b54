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
export { webhookEventByAuditType, writeAuditEvent, type AuditEventInput } from './audit';
export * from './tokens';
export * from './seed';
export { rotateEncryptionKeys } from './rotate-keys';
export { withTransaction, type SqlClient } from './sql';
export * from './ha';
