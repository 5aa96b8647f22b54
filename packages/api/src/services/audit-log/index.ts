// The sealed audit log (issue 12): sealing, the gateway's history check, verify and proofs.
export {
  auditKeyAad,
  auditOriginFor,
  loadOrCreateAuditSigningKey,
  publicKeyFromRaw,
  rawPublicKey,
  readAuditPublicKey,
  type AuditPublicKey,
  type AuditSigningKey,
} from './audit-key';
export { leafEntryOf, type SealedRow } from './audit-rows';
export { readLatestCheckpoint, type StoredCheckpoint } from './audit-tree';
export { checkLatestCheckpoint, readSealLagMs, type CheckpointCheck, type HistoryRewrittenReason, type TrustedCheckpoint } from './checkpoint-check';
export {
  defaultSealerSettings,
  sealAuditPass,
  sealerLockKey,
  SealerRefusedError,
  startAuditSealer,
  type AuditSealer,
  type SealerSettings,
  type SealPassResult,
} from './sealer';
export { verifyAuditLog, type AuditProblem, type AuditProblemKind, type AuditVerifyReport } from './verify-audit-log';
export { AuditProofError, buildAuditInclusionProof, verifyAuditInclusionProof, type AuditInclusionProof } from './audit-proof';
export { readSealedRecords, type SealedRecordPage, type SealedRecordQuery } from './sealed-records';
export {
  AuditStreamReads,
  defaultAuditStreamSettings,
  openAuditStream,
  type AuditStream,
  type AuditStreamSettings,
  type AuditStreamStart,
} from './audit-stream';
export { AuditStreamSignals } from './audit-stream-signals';
export { auditStreamProblemOf, authenticateAuditStreamApplication } from './audit-stream-access';
export { AuditPruneRefusedError, explainMissingAuditEvent, pruneAuditLog, pruneLockKey, type AuditPruneResult } from './retention';
export { openPruneMark, prunedBelowExtension, readPruneMarks, signPruneMark, type OpenedPruneMark, type StoredPruneMark } from './retention-mark';
export {
  defaultForwarderSettings,
  forwarderLockKey,
  startAuditForwarder,
  type AuditForwarder,
  type AuditForwarderStatus,
  type AuditRecordSink,
  type ForwarderSettings,
} from './forwarder';
export { advanceForwarderCursor, readForwarderCursor, readForwarderLag } from './forwarder-cursor';
