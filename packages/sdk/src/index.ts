export { createEnrollmentClient, createHoldfastClient, type EnrollmentClient, type HoldfastClient, type HoldfastClientOptions } from './client';
export { HoldfastApiError, HoldfastUnavailableError } from './errors';
export type { RetryPolicy } from './failover';
