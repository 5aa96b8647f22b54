import type { AuditRecord } from '../audit-record';
import { exportPlanOf, factorKindOf, outcomeOf, statusDetailOf, type EcsCategory, type EcsType } from './export-plan';

/** Elastic Common Schema version the documents follow (field names and allowed event.* values). */
export const ecsVersion = '8.17.0';

export interface EcsDocument {
  '@timestamp': string;
  ecs: { version: string };
  message: string;
  event: {
    kind: 'event' | 'alert';
    category: EcsCategory[];
    type: EcsType[];
    action: string;
    outcome: 'success' | 'failure' | 'unknown';
    id: string;
    /** The leaf index: the sealed log's total order. */
    sequence: number;
    severity: number;
    dataset: 'holdfast.audit';
    module: 'holdfast';
    provider: string;
    reason?: string;
  };
  user?: { id: string };
  service: { name: 'holdfast'; type: 'mfa'; node: { name: string } };
  observer: { vendor: 'Holdfast'; product: 'Holdfast'; type: 'mfa-gateway'; name: string };
  /** ECS labels: flat keyword values, for SIEMs that index nothing custom. */
  labels: Record<string, string>;
  /** Our own field set (ECS: custom fields go under a name of their own). */
  holdfast: {
    leaf_index: number;
    checkpoint: { tree_size: number; root_hash: string; note: string };
    application_id: string | null;
    factor_id: string | null;
    factor_kind: string | null;
    attempt_id: string | null;
    gateway_id: string;
    region: string;
    detail: Record<string, unknown>;
  };
}

/** One sealed audit record as an ECS document (the same classification as OCSF: export-plan.ts). */
export function auditRecordToEcs(record: AuditRecord): EcsDocument {
  const plan = exportPlanOf(record.type);
  const reason = statusDetailOf(record);
  const kind = factorKindOf(record, plan);
  return {
    '@timestamp': record.occurredAt,
    ecs: { version: ecsVersion },
    message: `${record.type}${kind === null ? '' : ` (${kind})`}${reason === null ? '' : `: ${reason}`}`,
    event: {
      kind: plan.ecs.kind,
      category: plan.ecs.category,
      type: plan.ecs.type,
      action: record.type,
      outcome: outcomeOf(record, plan),
      id: record.eventId,
      sequence: record.leafIndex,
      severity: plan.severity,
      dataset: 'holdfast.audit',
      module: 'holdfast',
      provider: 'holdfast-gateway',
      ...(reason === null ? {} : { reason }),
    },
    ...(record.userId === null ? {} : { user: { id: record.userId } }),
    service: { name: 'holdfast', type: 'mfa', node: { name: record.gatewayId } },
    observer: { vendor: 'Holdfast', product: 'Holdfast', type: 'mfa-gateway', name: record.gatewayId },
    labels: {
      holdfast_leaf_index: String(record.leafIndex),
      holdfast_tree_size: String(record.checkpoint.treeSize),
      holdfast_region: record.region,
    },
    holdfast: {
      leaf_index: record.leafIndex,
      checkpoint: { tree_size: record.checkpoint.treeSize, root_hash: record.checkpoint.rootHash, note: record.checkpoint.note },
      application_id: record.applicationId,
      factor_id: record.factorId,
      factor_kind: kind,
      attempt_id: record.attemptId,
      gateway_id: record.gatewayId,
      region: record.region,
      detail: record.detail,
    },
  };
}
