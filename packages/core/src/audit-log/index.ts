// Sealed audit log (issue 12) — the design, for whoever builds the rest. This folder is the pure part:
// hashing, trees, proofs, leaf bytes and signed checkpoints. No I/O, no clock, no key storage.
//
// WHY A MERKLE TREE AND NOT A HASH CHAIN
// - A chain (each row hashes the previous one) proves one event only by replaying everything
//   before it (Crosby & Wallach 2009: ~800 MB to prove one event of 80 million); a tree proves it
//   with log2(n) hashes (`inclusionProof`: 27 hashes, under 1 KB, for 80 million events).
// - A tree proves that a later state EXTENDS an earlier one (`consistencyProof`, also log-size), so
//   a gateway that kept yesterday's checkpoint can check today's without reading the rows between.
//   That is how a restored snapshot or a rewritten row is caught: the new tree is not an extension.
// - A chain needs its head row in every audited transaction: one lock serialising every audited
//   commit through the synchronous-replication wait. The tree is built AFTER commit, off the hot path.
// - RFC 6962/9162 hashing exactly (merkle.ts), so Go's transparency-dev/merkle, sigsum or any CT
//   tool can check our proofs; tested against their published vectors.
//
// WHY ONE SEALER ASSIGNS THE LEAVES
// - Writers insert audit rows in their own transactions, as before (invariant 7: the event commits
//   with its change). Sequence values are taken at insert and become visible at commit, so rows
//   commit out of id order: a reader that sealed "everything up to max(id)" would skip a row still
//   in flight and never come back to it. One sealer (elected with pg_try_advisory_lock, which dies
//   with its session so another gateway takes over) takes rows committed before the oldest running
//   transaction, gives them the next leaf indexes in one order, and extends the tree. A single
//   writer of leaf indexes means no gap, no double, and a total order everyone can recompute.
// - It keeps only the frontier (`MerkleFrontier`: one hash per set bit of the size) with each
//   checkpoint: appending needs no older leaf (`appendLeaf`, `frontierRoot`).
// - Leaf bytes are canonical (`auditLeafEntry`): a JSON array tagged "holdfast-audit-leaf-v1" of
//   every column, detail as sorted-key canonical JSON. Anyone holding the rows recomputes the same
//   leaves, so `holdfast audit verify` names the first leaf whose row was edited, deleted, inserted
//   or truncated.
//
// WHAT A CHECKPOINT PROVES
// - A C2SP checkpoint (origin, tree size, base64 root) in a C2SP signed note, Ed25519 (signed-note.ts;
//   byte-for-byte what Go's golang.org/x/mod/sumdb/note writes and reads). It says: "the log named
//   <origin> had exactly these <size> leaves, in this order, with this root" — signed by the key
//   whose verifier key (`verifierKey`, printed by the CLI) anyone can hold offline.
// - With an inclusion proof it shows one event is in the log at its index; with a consistency proof
//   from an earlier checkpoint it shows nothing earlier changed. It does NOT show that every event
//   that happened was logged (a writer could fail to insert; the spool covers outages), nor that the
//   log shows everyone the same tree (that needs the checkpoint kept outside the database: each
//   gateway keeps the last one it verified on disk; witnesses could cosign — their lines are ignored
//   by openSignedNote, as C2SP requires of unknown keys).
// - Size and root are one claim: verify a proof only against the size AND root of one signed
//   checkpoint, never a size the bearer names (a proof binds its size only through the path's shape).
// - A log must never sign two checkpoints that are not consistent (C2SP): the sealer checks
//   verifyConsistency against its last checkpoint before signing the next one.

export type { MerkleFrontier } from './merkle';
export {
  appendLeaf,
  auditHashLength,
  auditLeafHash,
  auditNodeHash,
  consistencyProof,
  emptyMerkleFrontier,
  emptyMerkleRoot,
  frontierRoot,
  inclusionProof,
  isMerkleFrontier,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle';
export { canonicalJson } from './canonical-json';
export type { AuditLeafRow } from './leaf-entry';
export { auditLeafEntry, auditLeafFormat, auditRowLeafHash } from './leaf-entry';
export type { AuditCheckpoint } from './signed-note';
export { auditKeyId, checkpointNote, openNote, openSignedNote, parseVerifierKey, signNote, verifierKey } from './signed-note';
export type { AuditRecord, AuditRecordCheckpoint } from './audit-record';
export { auditRecordFormat } from './audit-record';
export type { AuditSyslogOptions, SyslogSeverity } from './syslog/rfc5424';
export {
  auditSyslogAppName,
  auditSyslogFrame,
  auditSyslogMessage,
  auditSyslogSdId,
  auditSyslogSeverity,
  escapeSdParamValue,
  octetCountedFrame,
  syslogFacilityAuthpriv,
  syslogSeverities,
} from './syslog/rfc5424';
export type { EcsDocument, ExportPlan, OcsfAuthFactor, OcsfEvent, OcsfOptions } from './export';
export {
  auditRecordToEcs,
  auditRecordToNdjson,
  auditRecordToOcsf,
  ecsVersion,
  exportPlanOf,
  exportPlans,
  ocsfExportJsonSchema,
  ocsfSchemaVersion,
} from './export';
