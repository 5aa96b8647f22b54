import { z } from 'zod';
import { externalUserId, factorId } from './ids';
import { factorKind, factorStatus } from './factor-kinds';
import { webhookDeliveryStatus } from './webhook-events';

// The admin console's pages (issue 13): Users & factors, Applications, Audit, Drills. ONE set of
// schemas for both ends — the gateway's `admin.*` procedures validate their inputs and outputs with
// these, the console (apps/admin) parses the answers with the same ones. Times are ISO 8601 strings
// (UTC) on the wire, so the two ends agree without a transformer. Nothing secret is ever part of an
// output except where a field says "shown once" (a new API key, a bypass code, an enrollment link).

const isoTime = z.iso.datetime({ offset: true });
const nullableTime = isoTime.nullable();
const applicationId = z.uuid();

/** Page sizes are bounded everywhere: a console page never asks the database for everything. */
const pageLimit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);
/** Opaque paging cursor the server handed out ("the next page starts after this"). */
const cursor = z.string().min(1).max(64).nullable().default(null);

// ---------------------------------------------------------------------------------------------
// Users and factors — admin.users.* (actions users.read / users.unlock / users.revoke_factor /
// users.send_enrollment_link) and admin.bypass.* (users.issue_bypass)
// ---------------------------------------------------------------------------------------------

export const adminUserRef = z.strictObject({ applicationId, userId: externalUserId });

export const adminUserListInput = z.strictObject({
  applicationId,
  /** A prefix of the application's own user id (case-sensitive, as the application stores it). */
  query: z.string().trim().max(128).default(''),
  limit: pageLimit(50, 25),
  cursor,
});
export const adminUserSummary = z.strictObject({
  userId: z.string(),
  createdAt: isoTime,
  /** Factors not revoked (active, pending, suspended). */
  factorCount: z.number().int(),
  /** Account lock or any factor lock in force now. */
  isLocked: z.boolean(),
});
export const adminUserListOutput = z.strictObject({ users: z.array(adminUserSummary), nextCursor: z.string().nullable() });

export const adminFactor = z.strictObject({
  id: z.uuid(),
  kind: factorKind,
  label: z.string(),
  status: factorStatus,
  createdAt: isoTime,
  lastUsedAt: nullableTime,
  failedCount: z.number().int(),
  /** In force now (a lock in the past is reported as null). */
  lockedUntil: nullableTime,
  /** What the factor lives on, when known: a passkey's authenticator / transports, a push device's name. */
  device: z.string().nullable(),
});
export type AdminFactor = z.infer<typeof adminFactor>;

export const adminUserDetail = z.strictObject({
  applicationId,
  applicationName: z.string(),
  userId: z.string(),
  createdAt: isoTime,
  /** The account-wide consecutive failures and lock (NIST SP 800-63B throttle). */
  failedCount: z.number().int(),
  lockedUntil: nullableTime,
  pushSuspendedUntil: nullableTime,
  factors: z.array(adminFactor),
  /** The unused, unexpired bypass code (its existence, never the code). */
  bypass: z.strictObject({ issuedAt: isoTime, expiresAt: isoTime }).nullable(),
  /** The last verifications (newest first, at most 10). */
  recentAttempts: z.array(
    z.strictObject({ at: isoTime, kind: factorKind.nullable(), outcome: z.enum(['accepted', 'rejected']), reason: z.string().nullable() }),
  ),
});
export type AdminUserDetail = z.infer<typeof adminUserDetail>;
/** admin.users.get → null when the application has no such user. */
export const adminUserGetOutput = z.strictObject({ user: adminUserDetail.nullable() });

export const adminUnlockInput = z.strictObject({ applicationId, userId: externalUserId, factorId: factorId.nullable().default(null) });
export const adminUnlockOutput = z.strictObject({ unlockedFactorIds: z.array(z.uuid()), accountUnlocked: z.boolean(), user: adminUserDetail });

export const adminRevokeFactorInput = z.strictObject({ applicationId, userId: externalUserId, factorId });
export const adminRevokeFactorOutput = z.strictObject({ user: adminUserDetail });

export const adminEnrollmentLinkInput = z.strictObject({
  applicationId,
  userId: externalUserId,
  /** 5 minutes to 1 hour (the enrollment links' own bounds); default 15 minutes. */
  ttlSeconds: z.number().int().min(300).max(3600).default(900),
});
/** Shown once to the admin, who passes it on; only its hash is stored. */
export const adminEnrollmentLinkOutput = z.strictObject({ url: z.url(), expiresAt: isoTime });

export const adminIssueBypassInput = z.strictObject({
  applicationId,
  userId: externalUserId,
  /** 5 minutes to 24 hours; default 1 hour. */
  ttlMinutes: z.number().int().min(5).max(1440).default(60),
});
/** The code is shown once (only a hash is stored); issuing one ends any earlier unused one. */
export const adminIssueBypassOutput = z.strictObject({ code: z.string(), expiresAt: isoTime, user: adminUserDetail });

// ---------------------------------------------------------------------------------------------
// Applications — admin.applications.* (applications.read / applications.write / apikeys.write)
// ---------------------------------------------------------------------------------------------

export const adminApplicationSummary = z.strictObject({
  id: applicationId,
  name: z.string(),
  createdAt: isoTime,
  userCount: z.number().int(),
  activeKeyCount: z.number().int(),
  hasWebhook: z.boolean(),
});
export const adminApplicationListOutput = z.strictObject({ applications: z.array(adminApplicationSummary) });

export const apiKeyStates = ['active', 'expiring', 'revoked'] as const;
export const adminApiKey = z.strictObject({
  /** The key id (the `hf_<id>_` part): safe to show, it is not the secret. */
  id: z.string(),
  createdAt: isoTime,
  /** In the future while a rotated key is still honoured (state `expiring`), in the past once revoked. */
  revokedAt: nullableTime,
  state: z.enum(apiKeyStates),
});
export type AdminApiKey = z.infer<typeof adminApiKey>;

const appName = z.string().trim().min(1).max(80);
const httpsOrLocalUrl = z.url({ protocol: /^https?$/ }).max(2048);
const rpId = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .regex(/^(localhost|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/, 'a host name such as example.com');

export const adminPushPolicy = z.strictObject({
  // The database's bounds (migration 20261129000000_push): 15–300 s, and a fraud mute of at least 1 s.
  ttlSeconds: z.number().int().min(15).max(300),
  numberDigits: z.number().int().min(2).max(3),
  maxPerWindow: z.number().int().min(1).max(20),
  windowSeconds: z.number().int().min(60).max(3600),
  fraudSuspensionSeconds: z.number().int().min(1).max(86_400),
});

export const adminLockoutPolicy = z.strictObject({
  /** Every this-many consecutive failures lock a factor for factorLockSeconds. */
  factorThreshold: z.number().int(),
  factorLockSeconds: z.number().int(),
  /** At this many consecutive failures a factor stays locked until an unlock. */
  factorHardLimit: z.number().int(),
  /** Consecutive failures across all of a user's factors that lock the account (NIST SP 800-63B: ≤ 100). */
  accountThreshold: z.number().int(),
});
const overrideOf = (min: number, max: number) => z.number().int().min(min).max(max).nullable();
export const adminLockoutOverrides = z.strictObject({
  factorThreshold: overrideOf(1, 100),
  factorLockSeconds: overrideOf(1, 86_400),
  factorHardLimit: overrideOf(1, 100),
  accountThreshold: overrideOf(1, 100),
});

export const adminApplication = z.strictObject({
  id: applicationId,
  name: z.string(),
  failMode: z.enum(['secure', 'safe']),
  createdAt: isoTime,
  rpId: z.string(),
  rpName: z.string(),
  allowedOrigins: z.array(z.string()),
  userVerification: z.enum(['required', 'preferred']),
  callbackUrls: z.array(z.string()),
  push: adminPushPolicy,
  /** The lockout verifications of this application are counted with: its overrides on the deployment's HOLDFAST_LOCKOUT_* values. */
  lockout: adminLockoutPolicy,
  /** What the application sets itself; null = the deployment's value. */
  lockoutOverrides: adminLockoutOverrides,
  apiKeys: z.array(adminApiKey),
  webhook: z.strictObject({ url: z.string(), secretCreatedAt: isoTime }).nullable(),
});
export type AdminApplication = z.infer<typeof adminApplication>;
export const adminApplicationRef = z.strictObject({ applicationId });
export const adminApplicationGetOutput = z.strictObject({ application: adminApplication.nullable() });

export const adminApplicationCreateInput = z.strictObject({ name: appName, failMode: z.enum(['secure', 'safe']).default('secure') });
/** The first API key comes with the application, shown once. */
export const adminApplicationCreateOutput = z.strictObject({ application: adminApplication, apiKey: z.string() });

/** Only the fields given change; every change is audited with before and after. */
export const adminApplicationUpdateInput = z.strictObject({
  applicationId,
  name: appName.optional(),
  failMode: z.enum(['secure', 'safe']).optional(),
  rpId: rpId.optional(),
  rpName: z.string().trim().min(1).max(64).optional(),
  allowedOrigins: z
    .array(z.url({ protocol: /^https?$/ }).max(2048))
    .min(1)
    .max(20)
    .optional(),
  userVerification: z.enum(['required', 'preferred']).optional(),
  callbackUrls: z.array(httpsOrLocalUrl).max(20).optional(),
  push: adminPushPolicy.partial().optional(),
  /** null clears an override (back to the deployment's value); the merged policy must hold 1 ≤ threshold ≤ hard limit ≤ 100. */
  lockout: adminLockoutOverrides.partial().optional(),
});
export const adminApplicationOutput = z.strictObject({ application: adminApplication });

/** A new key, shown once. */
export const adminApiKeyCreatedOutput = z.strictObject({ apiKey: z.string(), key: adminApiKey, application: adminApplication });
export const adminApiKeyRotateInput = z.strictObject({
  applicationId,
  keyId: z.string().min(1).max(24),
  /** How long the old key keeps working: 0 (at once) to 7 days; default 24 hours. */
  overlapSeconds: z.number().int().min(0).max(604_800).default(86_400),
});
export const adminApiKeyRevokeInput = z.strictObject({ applicationId, keyId: z.string().min(1).max(24) });

export const adminWebhookSetInput = z.strictObject({ applicationId, url: httpsOrLocalUrl.nullable(), rotateSecret: z.boolean().default(false) });
/** `secret` only when just created or rotated: shown once. */
export const adminWebhookSetOutput = z.strictObject({ secret: z.string().nullable(), application: adminApplication });
export const adminWebhookDeliveriesInput = z.strictObject({ applicationId, limit: pageLimit(100, 25), cursor });
export const adminWebhookDelivery = z.strictObject({
  id: z.uuid(),
  type: z.string(),
  status: webhookDeliveryStatus,
  attemptCount: z.number().int(),
  createdAt: isoTime,
  nextAttemptAt: nullableTime,
  deliveredAt: nullableTime,
  attempts: z.array(
    z.strictObject({
      attempt: z.number().int(),
      startedAt: isoTime,
      durationMs: z.number(),
      statusCode: z.number().int().nullable(),
      error: z.string().nullable(),
      gatewayId: z.string(),
    }),
  ),
});
export const adminWebhookDeliveriesOutput = z.strictObject({ deliveries: z.array(adminWebhookDelivery), nextCursor: z.string().nullable() });
export const adminWebhookRedeliverInput = z.strictObject({ applicationId, deliveryId: z.uuid() });
/** The delivery as queued again (status `pending`, same id: the receiver dedupes by it). */
export const adminWebhookRedeliverOutput = z.strictObject({ delivery: adminWebhookDelivery });

// ---------------------------------------------------------------------------------------------
// Audit — admin.audit.* (audit.read), plus SSE GET /v1/admin/audit/stream and
// GET /v1/admin/audit/export (admin bearer)
// ---------------------------------------------------------------------------------------------

/** An event type (`verification.accepted`) or a prefix ending in a dot (`admin.`). */
export const auditTypeFilter = z
  .string()
  .trim()
  .max(48)
  .regex(/^[a-z_]+(\.[a-z_]+)*\.?$/, 'an event type such as verification.accepted, or a prefix such as admin.');

export const adminAuditSearchFilters = z.strictObject({
  applicationId: applicationId.optional(),
  /** The application's own user id; needs applicationId. */
  userId: externalUserId.optional(),
  type: auditTypeFilter.optional(),
  gateway: z.string().trim().min(1).max(64).optional(),
  region: z.string().trim().min(1).max(32).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
});
export type AdminAuditSearchFilters = z.infer<typeof adminAuditSearchFilters>;
export const adminAuditSearchInput = adminAuditSearchFilters.extend({ limit: pageLimit(200, 50), cursor });

export const adminAuditEvent = z.strictObject({
  /** The row's id (paging order), as a string (bigint). */
  id: z.string(),
  eventId: z.uuid(),
  /** Null until the sealer has ordered it into the Merkle tree (normally ≤ 1 s). */
  leafIndex: z.number().int().nullable(),
  occurredAt: isoTime,
  type: z.string(),
  applicationId: z.uuid().nullable(),
  /** The application's own user id (resolved), when the event names a user. */
  userId: z.string().nullable(),
  factorId: z.uuid().nullable(),
  attemptId: z.string().nullable(),
  gatewayId: z.string(),
  region: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type AdminAuditEvent = z.infer<typeof adminAuditEvent>;
export const adminAuditSearchOutput = z.strictObject({ events: z.array(adminAuditEvent), nextCursor: z.string().nullable() });

export const adminAuditGetInput = z.strictObject({ eventId: z.uuid() });
export const adminAuditGetOutput = z.strictObject({
  event: adminAuditEvent.nullable(),
  /**
   * An RFC 9162 inclusion proof against the latest checkpoint, when the event is sealed (hex hashes).
   * `leafEntry` (base64 of the canonical leaf entry, as `holdfast audit proof` gives it: the sealed
   * row names the internal user id, not the one shown) and `verifierKey` (C2SP) make it verifiable
   * offline with nothing else.
   */
  proof: z
    .strictObject({
      leafIndex: z.number().int(),
      treeSize: z.number().int(),
      rootHash: z.string(),
      path: z.array(z.string()),
      checkpoint: z.string(),
      leafEntry: z.string(),
      verifierKey: z.string(),
    })
    .nullable(),
});

export const adminAuditStatusOutput = z.strictObject({
  latestCheckpoint: z.strictObject({ treeSize: z.number().int(), rootHash: z.string(), createdAt: isoTime }).nullable(),
  /** Age of the oldest unsealed row (ms); 0 when everything is sealed. */
  sealLagMs: z.number(),
  /** This gateway's history alarm (a checkpoint inconsistent with the one it kept on disk). */
  historyRewritten: z.boolean(),
  /** The last full verification this gateway ran (admin.audit.verify), if any. */
  lastVerification: z
    .strictObject({ at: isoTime, ok: z.boolean(), treeSize: z.number().int(), firstBadLeaf: z.number().int().nullable(), message: z.string() })
    .nullable(),
});
/** admin.audit.verify (mutation, audit.read): recomputes the tree and checks every checkpoint, as `holdfast audit verify`. */
export const adminAuditVerifyOutput = z.strictObject({
  at: isoTime,
  ok: z.boolean(),
  treeSize: z.number().int(),
  firstBadLeaf: z.number().int().nullable(),
  message: z.string(),
});
export const auditExportFormats = ['ocsf', 'ecs', 'ndjson'] as const;
/** GET /v1/admin/audit/export?format=…&<filters>: the search's events, sealed ones, as NDJSON. */
export const adminAuditExportQuery = adminAuditSearchFilters.extend({ format: z.enum(auditExportFormats).default('ndjson') });

// ---------------------------------------------------------------------------------------------
// Drills — admin.drills.* (drills.read)
// ---------------------------------------------------------------------------------------------

export const adminDrillSummary = z.strictObject({
  id: z.uuid(),
  scenario: z.string(),
  startedAt: isoTime,
  finishedAt: isoTime,
  isPassed: z.boolean(),
  /** Fresh logins accepted / sent (0–1), null when the report has no such number. */
  successRate: z.number().nullable(),
  writeOutageMs: z.number().nullable(),
  p99Ms: z.number().nullable(),
  /** Acknowledged writes lost + replays accepted (both must be 0). */
  lost: z.number().int().nullable(),
  replaysAccepted: z.number().int().nullable(),
});
export const adminDrillListInput = z.strictObject({ scenario: z.string().max(48).optional(), limit: pageLimit(100, 30), cursor });
export const adminDrillListOutput = z.strictObject({ drills: z.array(adminDrillSummary), nextCursor: z.string().nullable() });

export const adminDrillGetInput = z.strictObject({ id: z.uuid() });
export const adminDrillDetail = adminDrillSummary.extend({
  description: z.string(),
  targets: z.array(z.strictObject({ name: z.string(), isMet: z.boolean(), value: z.string() })),
  /** Per second of the drill: requests sent, accepted, latency percentiles (ms). */
  timeline: z.array(z.strictObject({ second: z.number().int(), sent: z.number().int(), accepted: z.number().int(), p50: z.number(), p99: z.number() })),
  /** What was done when (ms from the start): the kill, the promotion … */
  events: z.array(z.strictObject({ atMs: z.number(), what: z.string() })),
  markdown: z.string(),
});
export const adminDrillGetOutput = z.strictObject({ drill: adminDrillDetail.nullable() });
