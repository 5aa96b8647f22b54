export { appRouter, createCaller, type AppRouter } from './router';
export type { Context } from './trpc';
export type { ApplicationPrincipal, EnrollmentPrincipal, ServiceDeps } from './deps';
export type { VerificationResult } from './services/verify/verification-result';
export type { PreauthResult } from './services/preauth/get-preauth';
export { MetadataCache } from './cache/metadata-cache';
export { startCacheListener } from './cache/cache-listener';
export { listPublicSigningKeys } from './services/hosted/signing-keys';
