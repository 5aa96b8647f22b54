export type { Clock, RandomSource } from './types';
export type { ErrorCategory, ErrorCode } from './errors';
export { HoldfastError, errorCodes, isHoldfastError } from './errors';

export type { TotpAlgorithm, TotpParams } from './totp/totp-params';
export { defaultTotpParams, totpSecretBytes } from './totp/totp-params';
export { createTotpSecret } from './totp/totp-secret';
export { buildOtpauthUri } from './totp/otpauth-uri';
export { timeStepAt } from './totp/time-step';
export { generateHotpCode, generateTotpCode } from './totp/generate-totp-code';
export type { TotpCheck } from './totp/check-totp-code';
export { checkTotpCode } from './totp/check-totp-code';
export { totpSecretAad } from './totp/totp-secret-aad';

export { formatRecoveryCode, normalizeRecoveryCode, recoveryCodeAlphabet, recoveryCodeLength } from './recovery/recovery-code-format';
export { generateRecoveryCodes } from './recovery/generate-recovery-codes';
export { recoveryCodeLookupTag, recoveryCodeLookupTagBits } from './recovery/recovery-code-lookup-tag';
export type { RecoveryCodeCandidate } from './recovery/hash-recovery-code';
export { findMatchingRecoveryCode, hashRecoveryCode, recoveryCodeSaltBytes } from './recovery/hash-recovery-code';

export type { Keyring } from './crypto/keyring';
export { parseKeyring } from './crypto/keyring';
export { encryptSecret } from './crypto/encrypt-secret';
export { decryptSecret } from './crypto/decrypt-secret';
export { envelopeKeyId } from './crypto/envelope-format';
export { rewrapSecret } from './crypto/rewrap-secret';
export { constantTimeEqual } from './crypto/constant-time-equal';

export type { LockoutPolicy } from './policy/lockout';
export { defaultAccountHardLimit, defaultLockoutPolicy, isFactorLocked, lockAfterFailure, permanentLockUntil, validateLockoutPolicy } from './policy/lockout';
export type { CheckOutcome, FactorState, LockState, RefusalBeforeCheck, VerificationDecision } from './policy/decide-verification';
export { decideVerification, refusalBeforeCheck } from './policy/decide-verification';
export type { FactorChange, FactorChangeDecision, FactorChangeState, StepUpStatus } from './policy/step-up';
export { decideFactorChange, describeStepUp, maxBoundFactorsPerUser, stepUpClockSkewMs, stepUpFreshnessMs } from './policy/step-up';

export type { AuditEventType } from './audit/events';
export { auditEventTypes } from './audit/events';
// The words themselves live in @holdfast/validators; re-exported for core's callers.
export type { AssuranceLevel, FactorKind, FactorRejectReason, VerifyRejectReason } from '@holdfast/validators';

export type { FactorEvaluation, FactorModule } from './factors/factor-module';
export type { FactorRegistry } from './factors/registry';
export { factorModuleFor, factorRegistry } from './factors/registry';
export type { TotpEvaluation } from './factors/totp-factor';
export { evaluateTotpCode, totpFactor } from './factors/totp-factor';
export type { RecoveryCodeEvaluation } from './factors/recovery-codes-factor';
export { evaluateRecoveryCode, recoveryCodesFactor } from './factors/recovery-codes-factor';
export type { WebauthnEvaluation } from './factors/webauthn-factor';
export { evaluateWebauthnAssertion, webauthnFactor } from './factors/webauthn-factor';
export type { BypassCodeEvaluation, StoredBypassCode } from './factors/bypass-factor';
export {
  bypassCodeSaltBytes,
  bypassFactor,
  evaluateBypassCode,
  formatBypassCode,
  generateBypassCode,
  hashBypassCode,
  normalizeBypassCode,
} from './factors/bypass-factor';

export { isSignCountSuspicious } from './webauthn/sign-count';
export { hasBackupEligibilityChanged } from './webauthn/backup-eligibility';
export { authenticatorNameFor } from './webauthn/authenticator-names';
export { bufferedRandomSource, readRandomBytes } from './random';
export { timeOrderedUuid } from './ids/time-ordered-uuid';

export type { PrivateSigningJwk, PublicSigningJwk, ResultClaims } from './hosted/result-token';
export { generateSigningKey, readResultTokenKid, signResultToken, verifyResultToken } from './hosted/result-token';
export type { SigningKeyPolicy, SigningKeyRotationPlan, SigningKeyState } from './hosted/signing-key-rotation';
export { defaultSigningKeyPolicy, isSigningKeyPublished, planSigningKeyRotation } from './hosted/signing-key-rotation';
export { isLoopbackUrl, isSecureOrLoopbackUrl } from './hosted/secure-url';

// Push approval (issue 11): the pure decisions; the plan for the rest of the issue heads push/index.ts.
export * from './push';

// Sealed audit log (issue 12): RFC 6962 trees and proofs, canonical leaves, C2SP signed checkpoints; design in audit-log/index.ts.
export * from './audit-log';
// Admin console (issue 13): the role matrix, session rules and password hashing; design in admin/index.ts.
export * from './admin';
