import type { FactorKind } from '@holdfast/validators';
import type { AuditRecord } from '../audit-record';
import { exportPlanOf, factorKindOf, outcomeOf, statusDetailOf, type OcsfClassName } from './export-plan';

/**
 * OCSF 1.7.0 (schema.ocsf.io, ocsf/ocsf-schema v1.7.0) — the version every exported event names in
 * `metadata.version` and the version our JSON Schema (schema/ocsf-1.7.0-holdfast.schema.ts) checks.
 * The class per event type and why: export-plan.ts.
 */
export const ocsfSchemaVersion = '1.7.0';

const classes: Readonly<Record<OcsfClassName, { classUid: number; className: string; categoryUid: number; categoryName: string }>> = {
  authentication: { classUid: 3002, className: 'Authentication', categoryUid: 3, categoryName: 'Identity & Access Management' },
  account_change: { classUid: 3001, className: 'Account Change', categoryUid: 3, categoryName: 'Identity & Access Management' },
  entity_management: { classUid: 3004, className: 'Entity Management', categoryUid: 3, categoryName: 'Identity & Access Management' },
  base_event: { classUid: 0, className: 'Base Event', categoryUid: 0, categoryName: 'Uncategorized' },
};

/** auth_factor.factor_type_id (dictionary.json): 5 Push Notification, 7 OTP, 10 WebAuthn, 99 Other. */
const factorTypes: Readonly<Record<FactorKind, { id: number; name: string; isTotp?: boolean }>> = {
  totp: { id: 7, name: 'OTP', isTotp: true },
  push: { id: 5, name: 'Push Notification' },
  webauthn: { id: 10, name: 'WebAuthn' },
  // No OCSF factor type for one-time recovery codes: Other, named in the sibling (see export-plan.ts).
  recovery_codes: { id: 99, name: 'Recovery Code' },
  // Nor for an admin-issued one-time bypass code: Other as well, named in the sibling.
  bypass: { id: 99, name: 'Bypass Code' },
};

const severities = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical'] as const;
const statuses = { success: { id: 1, name: 'Success' }, failure: { id: 2, name: 'Failure' }, unknown: { id: 0, name: 'Unknown' } } as const;

export interface OcsfAuthFactor {
  factor_type_id: number;
  factor_type: string;
  provider: string;
  is_totp?: boolean;
}

export interface OcsfKeyValue {
  name: string;
  value: string;
}

export interface OcsfEvent {
  class_uid: number;
  class_name: string;
  category_uid: number;
  category_name: string;
  activity_id: number;
  activity_name: string;
  type_uid: number;
  type_name: string;
  time: number;
  timezone_offset: number;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  status_detail?: string;
  message: string;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; version?: string; feature: { name: string } };
    uid: string;
    event_code: string;
    log_name: string;
    log_provider: string;
    sequence: number;
    correlation_uid?: string;
    tags: OcsfKeyValue[];
  };
  user?: { uid?: string; name?: string; type_id: number; type: string };
  auth_factors?: OcsfAuthFactor[];
  is_mfa?: boolean;
  service?: { name: string; uid?: string };
  dst_endpoint?: { uid: string; name: string };
  src_endpoint?: { ip: string };
  entity?: { type: string; uid?: string; name?: string };
  unmapped: { holdfast: Record<string, unknown> };
}

export interface OcsfOptions {
  /** Holdfast's version, for metadata.product.version. */
  productVersion?: string;
}

/** The log a record belongs to: the checkpoint's origin line (`holdfast.audit/<key id>`). */
function logNameOf(record: AuditRecord): string {
  const origin = record.checkpoint.note.split('\n', 1)[0] ?? '';
  return origin === '' ? 'holdfast.audit' : origin;
}

function stringDetail(record: AuditRecord, key: string): string | null {
  const value = record.detail[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** OCSF user (at least one of account, name, uid): the subject, or the API key that failed. */
function userOf(record: AuditRecord): NonNullable<OcsfEvent['user']> {
  if (record.userId !== null) return { uid: record.userId, type_id: 1, type: 'User' };
  const keyId = stringDetail(record, 'keyId');
  if (keyId !== null) return { uid: keyId, type_id: 4, type: 'Service' };
  // Refusals before the subject is known (an unknown push device): said so, not invented.
  return { name: 'unknown', type_id: 0, type: 'Unknown' };
}

function entityOf(record: AuditRecord, entityType: string): NonNullable<OcsfEvent['entity']> {
  const uid = stringDetail(record, 'kid') ?? stringDetail(record, 'activeKeyId') ?? record.factorId ?? record.applicationId;
  return uid === null ? { type: entityType, name: entityType } : { type: entityType, uid };
}

/** One sealed audit record as an OCSF event of the class its type maps to (export-plan.ts). */
export function auditRecordToOcsf(record: AuditRecord, options: OcsfOptions = {}): OcsfEvent {
  const plan = exportPlanOf(record.type);
  const cls = classes[plan.ocsfClass];
  const outcome = outcomeOf(record, plan);
  const statusDetail = statusDetailOf(record);
  const kind = factorKindOf(record, plan);
  const isIam = plan.ocsfClass !== 'base_event';
  const event: OcsfEvent = {
    class_uid: cls.classUid,
    class_name: cls.className,
    category_uid: cls.categoryUid,
    category_name: cls.categoryName,
    activity_id: plan.activityId,
    activity_name: plan.activityName,
    type_uid: cls.classUid * 100 + plan.activityId,
    type_name: `${cls.className}: ${plan.activityName}`,
    time: Date.parse(record.occurredAt),
    timezone_offset: 0,
    severity_id: plan.severity,
    severity: severities[plan.severity],
    status_id: statuses[outcome].id,
    status: statuses[outcome].name,
    ...(statusDetail === null ? {} : { status_detail: statusDetail }),
    message: `${record.type}${kind === null ? '' : ` (${kind})`}${statusDetail === null ? '' : `: ${statusDetail}`}`,
    metadata: {
      version: ocsfSchemaVersion,
      product: {
        name: 'Holdfast',
        vendor_name: 'Holdfast',
        ...(options.productVersion === undefined ? {} : { version: options.productVersion }),
        feature: { name: 'sealed audit log' },
      },
      uid: record.eventId,
      event_code: record.type,
      log_name: logNameOf(record),
      log_provider: 'holdfast-audit',
      // The leaf index: the log's one total order, and what `holdfast audit proof` takes.
      sequence: record.leafIndex,
      ...(record.attemptId === null ? {} : { correlation_uid: record.attemptId }),
      tags: [
        { name: 'holdfast.leaf_index', value: String(record.leafIndex) },
        { name: 'holdfast.checkpoint.tree_size', value: String(record.checkpoint.treeSize) },
        { name: 'holdfast.checkpoint.root_hash', value: record.checkpoint.rootHash },
        { name: 'holdfast.checkpoint.note', value: record.checkpoint.note },
      ],
    },
    unmapped: {
      holdfast: {
        format: record.format,
        type: record.type,
        leafIndex: record.leafIndex,
        applicationId: record.applicationId,
        factorId: record.factorId,
        attemptId: record.attemptId,
        gatewayId: record.gatewayId,
        region: record.region,
        detail: record.detail,
        checkpoint: record.checkpoint,
      },
    },
  };
  if (isIam && plan.ocsfClass !== 'entity_management') event.user = userOf(record);
  if (kind !== null && isIam && plan.ocsfClass !== 'entity_management') {
    const factor = factorTypes[kind];
    event.auth_factors = [{ factor_type_id: factor.id, factor_type: factor.name, provider: 'Holdfast', ...(factor.isTotp === true ? { is_totp: true } : {}) }];
  }
  if (plan.ocsfClass === 'authentication') {
    if (plan.isMfa !== undefined) event.is_mfa = plan.isMfa;
    // Authentication needs a service or a dst_endpoint: the relying application authenticated to,
    // and the gateway that checked the credential.
    event.service = record.applicationId === null ? { name: 'Holdfast' } : { name: 'Holdfast relying application', uid: record.applicationId };
    event.dst_endpoint = { uid: record.gatewayId, name: record.gatewayId };
    const ip = stringDetail(record, 'ipAddress');
    if (ip !== null) event.src_endpoint = { ip };
  }
  if (plan.ocsfClass === 'entity_management') event.entity = entityOf(record, plan.entityType ?? 'configuration');
  return event;
}
