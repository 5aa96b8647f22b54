// The admin console's audit page (issue 13): search, event + proof, status, verify, export.
export { auditAdminAuditRead, recheckAdminAuditAccess, type AdminAuditReader } from './audit-access';
export { auditFilterSql, type AuditFilterSql } from './audit-filters';
export {
  auditVerifyIntervalMs,
  auditVerifyLockKey,
  auditVerifyMinIntervalMs,
  readAuditStatus,
  runAuditVerification,
  type AdminAuditVerification,
} from './audit-status';
export { auditExportLineOf, openAuditExport, type AdminAuditExport, type AdminAuditExportFormat } from './export-audit-records';
export { getAuditEvent, proofWaitMs, searchAuditEvents, searchStatementTimeoutMs } from './search-audit-events';
