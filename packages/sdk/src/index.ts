export {
  createEnrollmentClient,
  createHoldfastClient,
  type EnrollmentClient,
  type HoldfastClient,
  type HoldfastClientOptions,
  type WebauthnAuthenticationResponse,
  type WebauthnBeginResult,
  type WebauthnRegistrationResponse,
} from './client';
export { HoldfastApiError, HoldfastUnavailableError } from './errors';
export type { RetryPolicy } from './failover';
