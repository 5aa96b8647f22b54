export { appRouter, createCaller, type AppRouter } from './router';
export type { Context, RequestClient } from './trpc';
export { createAuthFailureRecorder, type AuthFailureRecorder } from './services/audit/auth-failure-counter';
export { writeStandaloneAuditEvent } from './services/audit/write-standalone-audit-event';
export { defaultRetentionPolicy, runRetention, startRetentionJob, type RetentionPolicy, type RetentionReport } from './services/maintenance/retention';
export type { ApplicationPrincipal, EnrollmentPrincipal, PushSettings, ServiceDeps } from './deps';
export { defaultPushSettings } from './deps';
export type { VerificationResult } from './services/verify/verification-result';
export type { PreauthResult } from './services/preauth/get-preauth';
export { MetadataCache } from './cache/metadata-cache';
export { startCacheListener } from './cache/cache-listener';
export { PushStatusSignals } from './services/push/push-status-signals';
export { defaultWebhookWorkerSettings, startWebhookWorker, type WebhookWorkerSettings } from './services/webhooks/webhook-worker';
export { signWebhook } from './services/webhooks/sign-webhook';
export { listPublicSigningKeys } from './services/hosted/signing-keys';
export * from './services/audit-log';
export * from './rest';
export * from './services/admin/overview';
export { adminProcedure, adminSessionProcedure, writeAdminActionAudit, type AdminPrincipal } from './admin-procedure';
export * from './services/admin/index';
export { adminOverviewRouter, createAdminOverviewCaller } from './routers/admin-overview';
export { createAdminAuditAccessCaller } from './routers/admin-audit';
export {
  auditAdminAuditRead,
  auditExportLineOf,
  openAuditExport,
  recheckAdminAuditAccess,
  type AdminAuditExport,
  type AdminAuditExportFormat,
} from './services/admin/audit';
