import type { FactorKind } from '@holdfast/validators';
import { factorKinds } from '@holdfast/validators';
import type { AuditEventType } from '../../audit/events';
import type { AuditRecord } from '../audit-record';

/**
 * How each audit event type leaves Holdfast in the standard formats (issue 12): one plan per type,
 * shared by the OCSF and ECS mappings so the two never disagree on what an event was or how it
 * ended. Typed by `AuditEventType`: a new event type does not compile until it has a plan here.
 *
 * OCSF 1.7.0 classes used (events/iam/authentication.json, account_change.json,
 * entity_management.json, events/base_event.json of ocsf/ocsf-schema):
 *
 * | Holdfast type                                   | OCSF class (uid)          | activity_id (name)            | status          | severity |
 * | ----------------------------------------------- | ------------------------- | ----------------------------- | --------------- | -------- |
 * | verify.accepted                                 | Authentication (3002)     | 1 Logon                       | Success         | 1        |
 * | verify.rejected                                 | Authentication (3002)     | 1 Logon                       | Failure         | 2        |
 * | verify.replayed                                 | Authentication (3002)     | 99 Other ("Replay")           | detail.outcome  | 1        |
 * | push.approved                                   | Authentication (3002)     | 1 Logon                       | Success         | 1        |
 * | push.denied / push.expired                      | Authentication (3002)     | 1 Logon                       | Failure         | 2 / 1    |
 * | push.fraud_reported                             | Authentication (3002)     | 1 Logon                       | Failure         | 4        |
 * | push.answer_refused                             | Authentication (3002)     | 1 Logon                       | Failure         | 3        |
 * | push.begun / push.sent                          | Authentication (3002)     | 6 Preauth (challenge issued)  | Success         | 1        |
 * | push.begin_refused                              | Authentication (3002)     | 6 Preauth                     | Failure         | 2        |
 * | webauthn.clone_suspected                        | Authentication (3002)     | 1 Logon                       | Failure         | 4        |
 * | webauthn.backup_eligibility_changed             | Authentication (3002)     | 1 Logon                       | Unknown         | 3        |
 * | hosted.transaction_created                      | Authentication (3002)     | 6 Preauth                     | Success         | 1        |
 * | hosted.transaction_completed                    | Authentication (3002)     | 1 Logon                       | Success         | 1        |
 * | hosted.attempts_exceeded                        | Authentication (3002)     | 1 Logon                       | Failure         | 3        |
 * | hosted.result_redeemed / _rejected              | Authentication (3002)     | 99 Other ("Result Redeem")    | Success/Failure | 1 / 3    |
 * | enrollment.link_redeemed / _rejected            | Authentication (3002)     | 1 Logon (portal session)      | Success/Failure | 1 / 2    |
 * | enrollment.stepped_up                           | Authentication (3002)     | 1 Logon (is_mfa)              | Success         | 1        |
 * | enrollment.session_ended / link_superseded      | Authentication (3002)     | 2 Logoff                      | Success         | 1        |
 * | enrollment.link_created                         | Authentication (3002)     | 99 Other ("Link Issue")       | Success         | 1        |
 * | apikey.rejected                                 | Authentication (3002)     | 1 Logon (user = the key)      | Failure         | 2        |
 * | factor.enrolled, recovery_codes.generated,      | Account Change (3001)     | 10 MFA Factor Enable          | Success         | 1        |
 * |   webauthn.registered, push.device_paired       |                           |                               |                 |          |
 * | factor.enroll_rejected                          | Account Change (3001)     | 10 MFA Factor Enable          | Failure         | 2        |
 * | factor.enroll_begun, push.pairing_created       | Account Change (3001)     | 99 Other ("MFA Factor Enroll  | Success         | 1        |
 * |                                                 |                           |   Begin" / "Push Pairing")    |                 |          |
 * | bypass.issued                                   | Account Change (3001)     | 10 MFA Factor Enable          | Success         | 3        |
 * | factor.revoked                                  | Account Change (3001)     | 11 MFA Factor Disable         | Success         | 1        |
 * | factor.suspended                                | Account Change (3001)     | 11 MFA Factor Disable         | Success         | 4        |
 * | factor.locked / account.locked                  | Account Change (3001)     | 9 Lock                        | Success         | 3        |
 * | factor.unlocked / account.unlocked              | Account Change (3001)     | 12 Unlock                     | Success         | 1        |
 * | factor.renamed                                  | Account Change (3001)     | 99 Other ("MFA Factor Rename")| Success         | 1        |
 * | keys.rotated, webhook.configured,               | Entity Management (3004)  | 3 Update                      | Success         | 1        |
 * |   push.subscription_updated                     |                           |                               |                 |          |
 * | hosted.signing_key_published                    | Entity Management (3004)  | 1 Create                      | Success         | 1        |
 * | hosted.signing_key_activated                    | Entity Management (3004)  | 10 Activate                   | Success         | 1        |
 * | webhook.removed, push.subscription_gone         | Entity Management (3004)  | 4 Delete                      | Success         | 1        |
 * | request.rejected                                | Base Event (0)            | 99 Other ("Request Rejected") | Failure         | 2        |
 * | audit.history_rewritten                         | Base Event (0)            | 99 Other ("History Rewritten")| Failure         | 5        |
 * | gateway.started / gateway.stopped               | Base Event (0)            | 99 Other ("Gateway Started/Stopped") | Success  | 1        |
 * | gateway.load_shed                               | Base Event (0)            | 99 Other ("Requests Shed")    | Failure         | 3        |
 * | any type this build does not know               | Base Event (0)            | 99 Other (the type)           | Unknown         | 0        |
 *
 * Why these choices:
 * - Lockouts are Account Change `Lock` / `Unlock`: OCSF defines Account Change as the class for an
 *   account being "locked out or unlocked"; the failed verification that caused the lock is its
 *   own Authentication event in the same transaction.
 * - A push challenge issued (begun, sent) is `Preauth`, "a preauthentication stage was engaged":
 *   nobody has authenticated yet; the approval or denial is the `Logon`.
 * - Key, signing-key, webhook and push-subscription changes are configuration of a managed thing,
 *   not of a user account: Entity Management with `entity.type` naming the thing.
 * - `request.rejected` (bad input, unknown user) and `audit.history_rewritten` (the sealed log no
 *   longer extends a verified checkpoint) fit no IAM class; OCSF's Base Event is the defined home
 *   for "events that are not otherwise defined by the schema".
 * - Recovery codes have no OCSF factor type (the list is SMS … Password); they are `Other` (99) with
 *   `factor_type: "Recovery Code"`, per OCSF's sibling rule for Other, not OTP (7), which is a code
 *   an authenticator app generates — SIEM rules counting TOTP use must not count recovery codes.
 *   An admin-issued bypass code likewise: Other (99), `factor_type: "Bypass Code"`. Its issue is an
 *   MFA Factor Enable (a credential the user can sign in with now exists) at Medium severity: a
 *   bypass is what a social-engineering attack on the helpdesk asks for, so SIEMs should see it.
 */

export type OcsfClassName = 'authentication' | 'account_change' | 'entity_management' | 'base_event';

export type ExportOutcome = 'success' | 'failure' | 'unknown';

/** OCSF severity_id: 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
export type ExportSeverity = 0 | 1 | 2 | 3 | 4 | 5;

export type EcsCategory = 'authentication' | 'configuration' | 'database' | 'iam' | 'intrusion_detection' | 'process' | 'session' | 'web';
export type EcsType = 'access' | 'allowed' | 'change' | 'creation' | 'deletion' | 'denied' | 'end' | 'error' | 'info' | 'start' | 'user';

export interface ExportPlan {
  ocsfClass: OcsfClassName;
  activityId: number;
  /** activity_name: the OCSF caption, or our own word for `Other` (99). */
  activityName: string;
  /** 'detail' = the recorded outcome a replay repeats (`detail.outcome`: accepted | rejected). */
  outcome: ExportOutcome | 'detail';
  severity: ExportSeverity;
  /** The factor the event is about when its type says so; otherwise `detail.kind` is used. */
  factorKind?: FactorKind;
  /** An authentication that checked a second factor (OCSF is_mfa). */
  isMfa?: boolean;
  /** Entity Management: what was managed. */
  entityType?: string;
  ecs: { kind: 'event' | 'alert'; category: EcsCategory[]; type: EcsType[] };
}

const auth = (
  activityId: number,
  activityName: string,
  rest: Omit<ExportPlan, 'ocsfClass' | 'activityId' | 'activityName' | 'ecs'> & { ecs?: ExportPlan['ecs'] },
): ExportPlan => ({
  ocsfClass: 'authentication',
  activityId,
  activityName,
  ecs: rest.ecs ?? { kind: 'event', category: ['authentication'], type: activityId === 2 ? ['end'] : activityId === 1 ? ['start'] : ['info'] },
  ...rest,
});

const accountChange = (
  activityId: number,
  activityName: string,
  rest: Omit<ExportPlan, 'ocsfClass' | 'activityId' | 'activityName' | 'ecs'>,
  ecsType: EcsType,
): ExportPlan => ({
  ocsfClass: 'account_change',
  activityId,
  activityName,
  ecs: { kind: 'event', category: ['iam'], type: ['user', ecsType] },
  ...rest,
});

const entity = (activityId: number, activityName: string, entityType: string, ecsType: EcsType): ExportPlan => ({
  ocsfClass: 'entity_management',
  activityId,
  activityName,
  outcome: 'success',
  severity: 1,
  entityType,
  ecs: { kind: 'event', category: ['configuration'], type: [ecsType] },
});

const logon = 'Logon';

export const exportPlans: Readonly<Record<AuditEventType, ExportPlan>> = {
  'verify.accepted': auth(1, logon, { outcome: 'success', severity: 1, isMfa: true }),
  'verify.rejected': auth(1, logon, { outcome: 'failure', severity: 2, isMfa: true }),
  'verify.replayed': auth(99, 'Replay', { outcome: 'detail', severity: 1, isMfa: true }),
  'push.approved': auth(1, logon, { outcome: 'success', severity: 1, factorKind: 'push', isMfa: true }),
  'push.denied': auth(1, logon, { outcome: 'failure', severity: 2, factorKind: 'push', isMfa: true }),
  'push.expired': auth(1, logon, { outcome: 'failure', severity: 1, factorKind: 'push', isMfa: true }),
  'push.fraud_reported': auth(1, logon, { outcome: 'failure', severity: 4, factorKind: 'push', isMfa: true }),
  'push.answer_refused': auth(1, logon, { outcome: 'failure', severity: 3, factorKind: 'push', isMfa: true }),
  'push.begun': auth(6, 'Preauth', { outcome: 'success', severity: 1, factorKind: 'push', isMfa: true }),
  'push.sent': auth(6, 'Preauth', { outcome: 'success', severity: 1, factorKind: 'push', isMfa: true }),
  'push.begin_refused': auth(6, 'Preauth', { outcome: 'failure', severity: 2, factorKind: 'push', isMfa: true }),
  'webauthn.clone_suspected': auth(1, logon, {
    outcome: 'failure',
    severity: 4,
    factorKind: 'webauthn',
    isMfa: true,
    ecs: { kind: 'alert', category: ['authentication', 'intrusion_detection'], type: ['denied'] },
  }),
  'webauthn.backup_eligibility_changed': auth(1, logon, { outcome: 'unknown', severity: 3, factorKind: 'webauthn', isMfa: true }),
  'hosted.transaction_created': auth(6, 'Preauth', { outcome: 'success', severity: 1 }),
  'hosted.transaction_completed': auth(1, logon, { outcome: 'success', severity: 1, isMfa: true }),
  'hosted.attempts_exceeded': auth(1, logon, { outcome: 'failure', severity: 3, isMfa: true }),
  'hosted.result_redeemed': auth(99, 'Result Redeem', { outcome: 'success', severity: 1 }),
  'hosted.result_rejected': auth(99, 'Result Redeem', { outcome: 'failure', severity: 3 }),
  'enrollment.link_created': auth(99, 'Link Issue', { outcome: 'success', severity: 1 }),
  'enrollment.link_redeemed': auth(1, logon, { outcome: 'success', severity: 1, isMfa: false }),
  'enrollment.link_rejected': auth(1, logon, { outcome: 'failure', severity: 2, isMfa: false }),
  'enrollment.stepped_up': auth(1, logon, { outcome: 'success', severity: 1, isMfa: true }),
  'enrollment.session_ended': auth(2, 'Logoff', { outcome: 'success', severity: 1 }),
  'enrollment.link_superseded': auth(2, 'Logoff', { outcome: 'success', severity: 1 }),
  'apikey.rejected': auth(1, logon, { outcome: 'failure', severity: 2, isMfa: false }),
  'factor.enrolled': accountChange(10, 'MFA Factor Enable', { outcome: 'success', severity: 1 }, 'creation'),
  'recovery_codes.generated': accountChange(10, 'MFA Factor Enable', { outcome: 'success', severity: 1, factorKind: 'recovery_codes' }, 'creation'),
  'webauthn.registered': accountChange(10, 'MFA Factor Enable', { outcome: 'success', severity: 1, factorKind: 'webauthn' }, 'creation'),
  'push.device_paired': accountChange(10, 'MFA Factor Enable', { outcome: 'success', severity: 1, factorKind: 'push' }, 'creation'),
  'factor.enroll_rejected': accountChange(10, 'MFA Factor Enable', { outcome: 'failure', severity: 2 }, 'creation'),
  'factor.enroll_begun': accountChange(99, 'MFA Factor Enroll Begin', { outcome: 'success', severity: 1 }, 'info'),
  'push.pairing_created': accountChange(99, 'Push Pairing', { outcome: 'success', severity: 1, factorKind: 'push' }, 'info'),
  'bypass.issued': accountChange(10, 'MFA Factor Enable', { outcome: 'success', severity: 3, factorKind: 'bypass' }, 'creation'),
  'factor.revoked': accountChange(11, 'MFA Factor Disable', { outcome: 'success', severity: 1 }, 'deletion'),
  'factor.suspended': accountChange(11, 'MFA Factor Disable', { outcome: 'success', severity: 4 }, 'change'),
  'factor.locked': accountChange(9, 'Lock', { outcome: 'success', severity: 3 }, 'change'),
  'account.locked': accountChange(9, 'Lock', { outcome: 'success', severity: 3 }, 'change'),
  'factor.unlocked': accountChange(12, 'Unlock', { outcome: 'success', severity: 1 }, 'change'),
  'account.unlocked': accountChange(12, 'Unlock', { outcome: 'success', severity: 1 }, 'change'),
  'factor.renamed': accountChange(99, 'MFA Factor Rename', { outcome: 'success', severity: 1 }, 'change'),
  'keys.rotated': entity(3, 'Update', 'encryption keyring', 'change'),
  'webhook.configured': entity(3, 'Update', 'webhook endpoint', 'change'),
  'push.subscription_updated': entity(3, 'Update', 'push subscription', 'change'),
  'hosted.signing_key_published': entity(1, 'Create', 'hosted result signing key', 'creation'),
  'hosted.signing_key_activated': entity(10, 'Activate', 'hosted result signing key', 'change'),
  'webhook.removed': entity(4, 'Delete', 'webhook endpoint', 'deletion'),
  'push.subscription_gone': entity(4, 'Delete', 'push subscription', 'deletion'),
  'request.rejected': {
    ocsfClass: 'base_event',
    activityId: 99,
    activityName: 'Request Rejected',
    outcome: 'failure',
    severity: 2,
    ecs: { kind: 'event', category: ['web'], type: ['access'] },
  },
  'gateway.started': {
    ocsfClass: 'base_event',
    activityId: 99,
    activityName: 'Gateway Started',
    outcome: 'success',
    severity: 1,
    ecs: { kind: 'event', category: ['process'], type: ['start'] },
  },
  'gateway.stopped': {
    ocsfClass: 'base_event',
    activityId: 99,
    activityName: 'Gateway Stopped',
    outcome: 'success',
    severity: 1,
    ecs: { kind: 'event', category: ['process'], type: ['end'] },
  },
  'gateway.load_shed': {
    ocsfClass: 'base_event',
    activityId: 99,
    activityName: 'Requests Shed',
    outcome: 'failure',
    severity: 3,
    ecs: { kind: 'event', category: ['web'], type: ['error'] },
  },
  'admin.created': accountChange(1, 'Create', { outcome: 'success', severity: 1 }, 'creation'),
  'admin.signed_in': auth(1, 'Logon', { outcome: 'success', severity: 1, isMfa: true }),
  'admin.sign_in_failed': auth(1, 'Logon', { outcome: 'failure', severity: 2 }),
  'admin.signed_out': auth(2, 'Logoff', { outcome: 'success', severity: 1 }),
  'admin.stepped_up': auth(1, 'Logon', { outcome: 'success', severity: 1, isMfa: true }),
  'admin.action': entity(3, 'Update', 'admin console action', 'change'),
  'audit.history_rewritten': {
    ocsfClass: 'base_event',
    activityId: 99,
    activityName: 'History Rewritten',
    outcome: 'failure',
    severity: 5,
    ecs: { kind: 'alert', category: ['database'], type: ['error'] },
  },
};

/** A type written by a newer build (or the spool of one): exported, never dropped, as Other. */
export function exportPlanOf(type: string): ExportPlan {
  if (Object.hasOwn(exportPlans, type)) return exportPlans[type as AuditEventType];
  return { ocsfClass: 'base_event', activityId: 99, activityName: type, outcome: 'unknown', severity: 0, ecs: { kind: 'event', category: [], type: ['info'] } };
}

function isFactorKind(value: unknown): value is FactorKind {
  return typeof value === 'string' && (factorKinds as readonly string[]).includes(value);
}

/** The factor an event is about: fixed by its type, else the row's `detail.kind`. */
export function factorKindOf(record: AuditRecord, plan: ExportPlan): FactorKind | null {
  if (plan.factorKind !== undefined) return plan.factorKind;
  const kind = record.detail.kind;
  return isFactorKind(kind) ? kind : null;
}

export function outcomeOf(record: AuditRecord, plan: ExportPlan): ExportOutcome {
  if (plan.outcome !== 'detail') return plan.outcome;
  const recorded = record.detail.outcome;
  return recorded === 'accepted' ? 'success' : recorded === 'rejected' ? 'failure' : 'unknown';
}

/** Why it ended so (reason words and error codes writers put in detail; never input: invariant 6). */
export function statusDetailOf(record: AuditRecord): string | null {
  for (const key of ['reason', 'code', 'outcome'] as const) {
    const value = record.detail[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}
