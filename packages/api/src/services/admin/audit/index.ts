// The admin console's audit page (issue 13): search, event + proof, status, verify, export.
export { recheckAdminAuditAccess } from './audit-access';
export { auditFilterSql, type AuditFilterSql } from './audit-filters';
export { auditVerifyMinIntervalMs, readAuditStatus, runAuditVerification, type AdminAuditVerification } from './audit-status';
export { auditExportLineOf, openAuditExport, type AdminAuditExport, type AdminAuditExportFormat } from './export-audit-records';
export { getAuditEvent, searchAuditEvents } from './search-audit-events';
