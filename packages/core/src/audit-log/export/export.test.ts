import { describe, expect, it } from 'vitest';

import { auditEventTypes } from '../../audit/events';
import type { AuditRecord } from '../audit-record';
import { auditRecordToEcs } from './ecs';
import { exportPlanOf, exportPlans } from './export-plan';
import { auditRecordToNdjson } from './ndjson';
import { auditRecordToOcsf, ocsfSchemaVersion } from './ocsf';
import { ocsfExportJsonSchema as schema } from './schema/ocsf-1.7.0-holdfast.schema';

const note = 'holdfast.audit/ab12cd34\n42\nq83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJo=\n\n— holdfast.audit/ab12cd34 AAAAAAAA\n';

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    format: 'holdfast-audit-record/v1',
    leafIndex: 17,
    eventId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e',
    occurredAt: '2026-03-01T12:00:00.123Z',
    type: 'verify.accepted',
    applicationId: '5b0c5a52-8a0f-4f6e-9a57-3b0f5c1d2e3f',
    userId: 'alice',
    factorId: '6c1d6b63-9b1f-4a7f-8b68-4c1f6d2e3f40',
    attemptId: 'attempt-1',
    gatewayId: 'gw-a',
    region: 'region-1',
    detail: { kind: 'totp' },
    checkpoint: { treeSize: 42, rootHash: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJo=', note },
    ...overrides,
  };
}

/** The enums our schema allows, read from the schema itself (so the test and the schema agree). */
const defs = schema.$defs as Record<string, { properties?: Record<string, { const?: unknown; enum?: unknown[] }> }>;
const factorTypeIds = defs.auth_factor?.properties?.factor_type_id?.enum ?? [];

describe('audit export mappings (issue 12)', () => {
  it('ndjson: the record itself, on exactly one line, round-tripping', () => {
    const line = auditRecordToNdjson(record());
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(record());
  });

  it('[AUDIT_EXPORT_OCSF] golden: an accepted TOTP verification is OCSF Authentication Logon, success, factor OTP', () => {
    expect(auditRecordToOcsf(record(), { productVersion: '0.1.0' })).toEqual({
      class_uid: 3002,
      class_name: 'Authentication',
      category_uid: 3,
      category_name: 'Identity & Access Management',
      activity_id: 1,
      activity_name: 'Logon',
      type_uid: 300201,
      type_name: 'Authentication: Logon',
      time: Date.parse('2026-03-01T12:00:00.123Z'),
      timezone_offset: 0,
      severity_id: 1,
      severity: 'Informational',
      status_id: 1,
      status: 'Success',
      message: 'verify.accepted (totp)',
      metadata: {
        version: '1.7.0',
        product: { name: 'Holdfast', vendor_name: 'Holdfast', version: '0.1.0', feature: { name: 'sealed audit log' } },
        uid: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e',
        event_code: 'verify.accepted',
        log_name: 'holdfast.audit/ab12cd34',
        log_provider: 'holdfast-audit',
        sequence: 17,
        correlation_uid: 'attempt-1',
        tags: [
          { name: 'holdfast.leaf_index', value: '17' },
          { name: 'holdfast.checkpoint.tree_size', value: '42' },
          { name: 'holdfast.checkpoint.root_hash', value: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJo=' },
          { name: 'holdfast.checkpoint.note', value: note },
        ],
      },
      user: { uid: 'alice', type_id: 1, type: 'User' },
      auth_factors: [{ factor_type_id: 7, factor_type: 'OTP', provider: 'Holdfast', is_totp: true }],
      is_mfa: true,
      service: { name: 'Holdfast relying application', uid: '5b0c5a52-8a0f-4f6e-9a57-3b0f5c1d2e3f' },
      dst_endpoint: { uid: 'gw-a', name: 'gw-a' },
      unmapped: {
        holdfast: {
          format: 'holdfast-audit-record/v1',
          type: 'verify.accepted',
          leafIndex: 17,
          applicationId: '5b0c5a52-8a0f-4f6e-9a57-3b0f5c1d2e3f',
          factorId: '6c1d6b63-9b1f-4a7f-8b68-4c1f6d2e3f40',
          attemptId: 'attempt-1',
          gatewayId: 'gw-a',
          region: 'region-1',
          detail: { kind: 'totp' },
          checkpoint: record().checkpoint,
        },
      },
    });
  });

  it('golden: rejections, recovery codes, push and WebAuthn carry their outcome and factor type', () => {
    const rejected = auditRecordToOcsf(record({ type: 'verify.rejected', detail: { kind: 'totp', reason: 'wrong_code' } }));
    expect(rejected).toMatchObject({ type_uid: 300201, status_id: 2, status: 'Failure', status_detail: 'wrong_code', severity_id: 2 });
    const recovery = auditRecordToOcsf(record({ detail: { kind: 'recovery_codes' } }));
    expect(recovery.auth_factors).toEqual([{ factor_type_id: 99, factor_type: 'Recovery Code', provider: 'Holdfast' }]);
    const push = auditRecordToOcsf(record({ type: 'push.approved', detail: { kind: 'push', reason: 'approved' } }));
    expect(push).toMatchObject({ type_uid: 300201, status_id: 1, auth_factors: [{ factor_type_id: 5, factor_type: 'Push Notification' }] });
    const fraud = auditRecordToOcsf(record({ type: 'push.fraud_reported', detail: { kind: 'push', reason: 'fraud_reported' } }));
    expect(fraud).toMatchObject({ status_id: 2, severity_id: 4, severity: 'High' });
    const begun = auditRecordToOcsf(record({ type: 'push.begun', detail: { transactionId: 'tx' } }));
    expect(begun).toMatchObject({ activity_id: 6, activity_name: 'Preauth', type_uid: 300206, auth_factors: [{ factor_type_id: 5 }] });
    const webauthn = auditRecordToOcsf(record({ detail: { kind: 'webauthn' } }));
    expect(webauthn.auth_factors).toEqual([{ factor_type_id: 10, factor_type: 'WebAuthn', provider: 'Holdfast' }]);
    const replay = auditRecordToOcsf(record({ type: 'verify.replayed', detail: { kind: 'totp', outcome: 'rejected' } }));
    expect(replay).toMatchObject({ activity_id: 99, type_uid: 300299, status_id: 2 });
  });

  it('golden: factor and account changes are Account Change (enable, disable, lock, unlock); configuration is Entity Management', () => {
    expect(auditRecordToOcsf(record({ type: 'factor.enrolled', detail: { kind: 'webauthn' } }))).toMatchObject({
      class_uid: 3001,
      activity_id: 10,
      activity_name: 'MFA Factor Enable',
      type_uid: 300110,
      auth_factors: [{ factor_type_id: 10 }],
    });
    expect(auditRecordToOcsf(record({ type: 'factor.revoked', detail: { kind: 'push', by: 'user' } }))).toMatchObject({ type_uid: 300111 });
    expect(auditRecordToOcsf(record({ type: 'account.locked', detail: { kind: 'totp' } }))).toMatchObject({ type_uid: 300109, severity_id: 3 });
    expect(auditRecordToOcsf(record({ type: 'factor.unlocked', detail: {} }))).toMatchObject({ type_uid: 300112 });
    const rotated = auditRecordToOcsf(record({ type: 'keys.rotated', userId: null, detail: { activeKeyId: 'k2', rewrapped: 3 } }));
    expect(rotated).toMatchObject({ class_uid: 3004, type_uid: 300403, entity: { type: 'encryption keyring', uid: 'k2' } });
    expect(rotated).not.toHaveProperty('user');
    const rewritten = auditRecordToOcsf(record({ type: 'audit.history_rewritten', userId: null, detail: { reason: 'forked' } }));
    expect(rewritten).toMatchObject({ class_uid: 0, category_uid: 0, type_uid: 99, severity_id: 5, status_detail: 'forked' });
  });

  it('a bad API key is an Authentication failure whose user is the key (a service), never a made-up person', () => {
    const event = auditRecordToOcsf(
      record({ type: 'apikey.rejected', userId: null, factorId: null, attemptId: null, detail: { reason: 'unknown_key', keyId: 'hf_k1' } }),
    );
    expect(event).toMatchObject({ type_uid: 300201, status_id: 2, is_mfa: false, user: { uid: 'hf_k1', type_id: 4, type: 'Service' } });
    expect(event.metadata).not.toHaveProperty('correlation_uid');
  });

  it('every audit event type maps to an OCSF class, activity and type_uid our schema allows, and to ECS', () => {
    expect(Object.keys(exportPlans).sort()).toEqual([...auditEventTypes].sort());
    const classDefs: Record<number, string> = { 3002: 'authentication', 3001: 'account_change', 3004: 'entity_management', 0: 'base_event' };
    for (const type of auditEventTypes) {
      for (const detail of [{}, { kind: 'totp', reason: 'wrong_code' }, { kind: 'push' }, { outcome: 'accepted' }]) {
        for (const userId of ['alice', null]) {
          const event = auditRecordToOcsf(record({ type, detail, userId }));
          const def = defs[classDefs[event.class_uid] ?? 'none'];
          expect(def, `${type}: class ${String(event.class_uid)}`).toBeDefined();
          expect(event.type_uid, type).toBe(event.class_uid * 100 + event.activity_id);
          expect(event.category_uid, type).toBe(def?.properties?.category_uid?.const);
          expect(event.metadata).toMatchObject({ version: ocsfSchemaVersion, uid: record().eventId, sequence: 17 });
          expect(event.metadata.tags).toContainEqual({ name: 'holdfast.checkpoint.tree_size', value: '42' });
          for (const factor of event.auth_factors ?? []) expect(factorTypeIds, type).toContain(factor.factor_type_id);
          if (event.class_uid === 3002 || event.class_uid === 3001) expect(event.user?.uid ?? event.user?.name, type).toBeTruthy();
          if (event.class_uid === 3004) expect(event.entity?.uid ?? event.entity?.name, type).toBeTruthy();
          const ecs = auditRecordToEcs(record({ type, detail, userId }));
          expect(ecs.event).toMatchObject({ action: type, id: record().eventId, sequence: 17 });
          expect(['success', 'failure', 'unknown']).toContain(ecs.event.outcome);
          expect(ecs.event.outcome === 'success').toBe(event.status_id === 1);
        }
      }
    }
  });

  it('a type this build does not know is still exported (Base Event, Other), never dropped', () => {
    expect(exportPlanOf('gateway.future_event').ocsfClass).toBe('base_event');
    expect(auditRecordToOcsf(record({ type: 'gateway.future_event', detail: {} }))).toMatchObject({
      class_uid: 0,
      activity_id: 99,
      activity_name: 'gateway.future_event',
      type_uid: 99,
      status_id: 0,
    });
  });

  it('golden: ECS carries @timestamp, event.*, user.id, service, observer and the leaf index and checkpoint', () => {
    expect(auditRecordToEcs(record({ type: 'verify.rejected', detail: { kind: 'totp', reason: 'wrong_code' } }))).toEqual({
      '@timestamp': '2026-03-01T12:00:00.123Z',
      ecs: { version: '8.17.0' },
      message: 'verify.rejected (totp): wrong_code',
      event: {
        kind: 'event',
        category: ['authentication'],
        type: ['start'],
        action: 'verify.rejected',
        outcome: 'failure',
        id: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e',
        sequence: 17,
        severity: 2,
        dataset: 'holdfast.audit',
        module: 'holdfast',
        provider: 'holdfast-gateway',
        reason: 'wrong_code',
      },
      user: { id: 'alice' },
      service: { name: 'holdfast', type: 'mfa', node: { name: 'gw-a' } },
      observer: { vendor: 'Holdfast', product: 'Holdfast', type: 'mfa-gateway', name: 'gw-a' },
      labels: { holdfast_leaf_index: '17', holdfast_tree_size: '42', holdfast_region: 'region-1' },
      holdfast: {
        leaf_index: 17,
        checkpoint: { tree_size: 42, root_hash: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJo=', note },
        application_id: '5b0c5a52-8a0f-4f6e-9a57-3b0f5c1d2e3f',
        factor_id: '6c1d6b63-9b1f-4a7f-8b68-4c1f6d2e3f40',
        factor_kind: 'totp',
        attempt_id: 'attempt-1',
        gateway_id: 'gw-a',
        region: 'region-1',
        detail: { kind: 'totp', reason: 'wrong_code' },
      },
    });
    expect(auditRecordToEcs(record({ type: 'factor.enrolled' })).event).toMatchObject({ category: ['iam'], type: ['user', 'creation'], outcome: 'success' });
    expect(auditRecordToEcs(record({ type: 'enrollment.session_ended', userId: null })).user).toBeUndefined();
  });
});
