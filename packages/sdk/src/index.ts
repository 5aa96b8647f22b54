export {
  createEnrollmentClient,
  createHoldfastClient,
  type EnrollmentClient,
  type HoldfastClient,
  type HoldfastClientOptions,
  type PreauthResult,
  type PushBeginResult,
  type PushContext,
  type PushStatusResult,
  type PushTransactionStatus,
  type WebauthnAuthenticationResponse,
  type WebauthnBeginResult,
  type WebauthnRegistrationBeginResult,
  type WebauthnRegistrationResponse,
} from './client';
export { HoldfastApiError, HoldfastUnavailableError, type HoldfastTry } from './errors';
export type { RetryPolicy } from './failover';
// The system's words, for relying applications that switch on a kind, an outcome or a reason.
export type { AssuranceLevel, FactorKind, HostedOutcome, VerificationOutcome, VerificationResult, VerifyRejectReason } from '@holdfast/validators';
export {
  verifyWebhookSignature,
  webhookHeaderNames,
  WebhookVerificationError,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookRequestHeaders,
  type WebhookVerificationFailure,
} from './webhooks';
