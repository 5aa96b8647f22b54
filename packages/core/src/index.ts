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

export {
  formatRecoveryCode,
  normalizeRecoveryCode,
  recoveryCodeAlphabet,
  recoveryCodeLength,
} from './recovery/recovery-code-format';
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
export {
  defaultLockoutPolicy,
  isFactorLocked,
  lockAfterFailure,
  permanentLockUntil,
  validateLockoutPolicy,
} from './policy/lockout';

export type { AuditEventType, VerifyRejectReason } from './audit/events';
export { auditEventTypes } from './audit/events';

export type { AssuranceLevel, FactorStrategy } from './factors/strategy';
export { factorStrategies, recoveryCodeStrategy, totpStrategy, webauthnStrategy } from './factors/strategy';

export { isSignCountSuspicious } from './webauthn/sign-count';
export { authenticatorNameFor } from './webauthn/authenticator-names';
export { readRandomBytes } from './random';

export type { PublicSigningJwk, ResultClaims } from './hosted/result-token';
export { generateSigningKey, readResultTokenKid, signResultToken, verifyResultToken } from './hosted/result-token';
