// The system's words in one place: factor kinds, code formats, rejection reasons, outcomes and
// the ids every layer passes around. The api's schemas, core's factor registry, the SDK and the
// web apps derive from these; nothing else spells them out.
export type { AssuranceLevel, EnrollmentFactorStatus, FactorKind, FactorStatus } from './factor-kinds';
export { assuranceLevel, assuranceLevels, enrollmentFactorStatus, factorKind, factorKinds, factorStatus, factorStatuses } from './factor-kinds';

export type { TotpDigits } from './code-formats';
export {
  bypassCode,
  bypassCodeCanonicalPattern,
  bypassCodeGroupLength,
  bypassCodeLength,
  isWellFormedTotpCode,
  recoveryCode,
  recoveryCodeAlphabet,
  recoveryCodeCanonicalPattern,
  recoveryCodeGroupLength,
  recoveryCodeInputMaxLength,
  recoveryCodeInputMinLength,
  recoveryCodeLength,
  stripCodeSeparators,
  totpCode,
  totpCodeInputMaxLength,
  totpCodePattern,
  totpDigitOptions,
  totpDigits,
  typedRecoveryCode,
  typedTotpCode,
} from './code-formats';

export type { FactorRejectReason, VerifyRejectReason } from './reasons';
export { factorRejectReason, verifyRejectReason, verifyRejectReasons } from './reasons';

export type { HostedOutcome, VerificationOutcome, VerificationResult } from './outcomes';
export { hostedOutcome, verificationOutcome, verificationOutcomes, verificationResult } from './outcomes';

export { attemptId, enrollmentLinkToken, externalUserId, factorId, factorLabel, hostedResultCode, transactionToken, webauthnChallengeId } from './ids';

export type { WebhookDeliveryStatus, WebhookEvent, WebhookEventType } from './webhook-events';
export { webhookDeliveryStatus, webhookDeliveryStatuses, webhookEvent, webhookEventType, webhookEventTypes } from './webhook-events';

export type { PushContext, PushSubscriptionInput, PushTransactionStatusWord } from './push';
export {
  deviceName,
  devicePublicJwk,
  deviceSignature,
  deviceTime,
  maxPushStatusWaitMs,
  pushContext,
  pushDecision,
  pushDecisionWords,
  pushNumberInput,
  pushOutcomeReason,
  pushOutcomeReasons,
  pushPairingToken,
  pushStatusWaitMs,
  pushSubscription,
  pushTransactionStatus,
  pushTransactionStatuses,
} from './push';

export type { AdminAction, AdminFactorKind, AdminRole } from './admin';
export { adminAction, adminActions, adminEmail, adminFactorKind, adminFactorKinds, adminPassword, adminRole, adminRoles } from './admin';

export type {
  ClusterOverview,
  EtcdMemberStatus,
  FailoverEvent,
  GatewayStatus,
  HaproxyStatus,
  OverviewSource,
  PostgresNodeStatus,
  PostgresRole,
  RegionStatus,
} from './overview';
export {
  clusterOverview,
  etcdMemberStatus,
  failoverEvent,
  gatewayStatus,
  haproxyStatus,
  overviewSource,
  overviewSourceKinds,
  postgresNodeStatus,
  postgresRole,
  postgresRoles,
  regionStatus,
} from './overview';

export type { AppEnvIssue } from './app-env';
export { describeEnvProblems, describePublicUrl, gatewayUrlsSetting, publicUrlIssues, publicUrlSetting } from './app-env';

export type { AdminApiKey, AdminApplication, AdminAuditEvent, AdminAuditSearchFilters, AdminFactor, AdminUserDetail } from './admin-console';
export {
  adminApiKey,
  adminApiKeyCreatedOutput,
  adminApiKeyRevokeInput,
  adminApiKeyRotateInput,
  adminApplication,
  adminApplicationCreateInput,
  adminApplicationCreateOutput,
  adminApplicationGetOutput,
  adminApplicationListOutput,
  adminApplicationOutput,
  adminApplicationRef,
  adminApplicationSummary,
  adminApplicationUpdateInput,
  adminAuditEvent,
  adminAuditExportQuery,
  adminAuditGetInput,
  adminAuditGetOutput,
  adminAuditSearchFilters,
  adminAuditSearchInput,
  adminAuditSearchOutput,
  adminAuditStatusOutput,
  adminAuditVerifyOutput,
  adminDrillDetail,
  adminDrillGetInput,
  adminDrillGetOutput,
  adminDrillListInput,
  adminDrillListOutput,
  adminDrillSummary,
  adminEnrollmentLinkInput,
  adminEnrollmentLinkOutput,
  adminFactor,
  adminIssueBypassInput,
  adminIssueBypassOutput,
  adminLockoutOverrides,
  adminLockoutPolicy,
  adminPushPolicy,
  adminRevokeFactorInput,
  adminRevokeFactorOutput,
  adminUnlockInput,
  adminUnlockOutput,
  adminUserDetail,
  adminUserGetOutput,
  adminUserListInput,
  adminUserListOutput,
  adminUserRef,
  adminUserSummary,
  adminWebhookDeliveriesInput,
  adminWebhookDeliveriesOutput,
  adminWebhookDelivery,
  adminWebhookRedeliverInput,
  adminWebhookRedeliverOutput,
  adminWebhookSetInput,
  adminWebhookSetOutput,
  apiKeyStates,
  auditExportFormats,
  auditTypeFilter,
} from './admin-console';

export { adminActionNeedsStepUp, canAdmin } from './admin-permissions';

export { deadlineSignal } from './abort';
