import { auditLeafHash, inclusionProof, openSignedNote, parseVerifierKey, verifierKey, verifyInclusion } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import { readAuditPublicKey } from './audit-key';
import { leafEntryOf, sealedColumns, type SealedRow } from './audit-rows';
import { readLatestCheckpoint, readLeafHashes } from './audit-tree';
import { explainMissingAuditEvent } from './retention';

type Sql = Pick<SqlClient, 'query'>;

/**
 * `holdfast audit proof <event>`: everything needed to check, offline and with nothing else, that
 * an audit event is in the deployment's signed log — the event's canonical leaf entry, its leaf
 * index, the inclusion proof, the latest signed checkpoint and the C2SP verifier key.
 */
export interface AuditInclusionProof {
  format: 'holdfast-audit-proof/v1';
  auditEventId: string;
  eventId: string;
  leafIndex: number;
  /** base64 of core auditLeafEntry(row): hash it (auditLeafHash) to get the leaf. */
  leafEntry: string;
  /** base64 hashes, leaf to root (RFC 9162 §2.1.3). */
  inclusionProof: string[];
  /** The tree size the proof is for: the checkpoint's (repeated from it for readability). */
  treeSize: number;
  /** The C2SP signed note of the latest checkpoint. */
  checkpoint: string;
  /** C2SP verifier key (`<name>+<key id>+<base64(0x01 ‖ public key)>`). */
  verifierKey: string;
}

export class AuditProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditProofError';
  }
}

/** An audit event by its row id (digits) or its event id (UUID). */
function eventCondition(reference: string): { where: string; value: string } {
  if (/^\d{1,19}$/.test(reference)) return { where: 'e.id = $1::bigint', value: reference };
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(reference)) return { where: 'e.event_id = $1::uuid', value: reference };
  throw new AuditProofError(`"${reference}" is neither an audit event id (digits) nor an event id (UUID)`);
}

/** Builds the proof against the latest checkpoint. Reads the leaf hashes of the whole tree: O(n), fine for an operator's command. */
export async function buildAuditInclusionProof(options: { sql: Sql; reference: string }): Promise<AuditInclusionProof> {
  const { sql } = options;
  const condition = eventCondition(options.reference);
  const { rows } = await sql.query<SealedRow & { leaf_index: string | null }>(
    `SELECT ${sealedColumns}, l.leaf_index::text AS leaf_index
       FROM audit_events e LEFT JOIN audit_leaves l ON l.audit_event_id = e.id
      WHERE ${condition.where}`,
    [condition.value],
  );
  const row = rows[0];
  // Pruned by retention, deleted, or never there: the message says which (retention.ts).
  if (row === undefined) throw new AuditProofError(await explainMissingAuditEvent(sql, options.reference));
  if (row.leaf_index === null) throw new AuditProofError(`audit event ${row.id} is not sealed yet (the sealer runs every second): try again`);
  const leafIndex = Number(row.leaf_index);
  const key = await readAuditPublicKey(sql);
  const checkpoint = await readLatestCheckpoint(sql);
  if (key === undefined || checkpoint === undefined || checkpoint.treeSize <= leafIndex) {
    throw new AuditProofError(`no checkpoint covers leaf ${String(leafIndex)} yet: try again`);
  }
  const leafHashes = await readLeafHashes(sql, 0, checkpoint.treeSize);
  const entry = leafEntryOf(row);
  const proof: AuditInclusionProof = {
    format: 'holdfast-audit-proof/v1',
    auditEventId: row.id,
    eventId: row.event_id,
    leafIndex,
    leafEntry: Buffer.from(entry).toString('base64'),
    inclusionProof: inclusionProof(leafHashes, leafIndex, checkpoint.treeSize).map((hash) => Buffer.from(hash).toString('base64')),
    treeSize: checkpoint.treeSize,
    checkpoint: checkpoint.note,
    verifierKey: verifierKey(key.keyName, key.publicKey),
  };
  // Never hand out a proof that does not verify (a row edited after sealing fails here).
  if (!verifyAuditInclusionProof(proof))
    throw new AuditProofError(`audit event ${row.id} does not verify against checkpoint ${String(checkpoint.treeSize)}: run holdfast audit verify`);
  return proof;
}

/**
 * The offline check of a proof, with nothing but the proof (and core): the checkpoint's signature
 * with the verifier key (core openSignedNote, which also checks the key id), then the inclusion of
 * the entry's leaf hash at its index in the checkpoint's tree (core verifyInclusion). A verifier
 * that already holds the deployment's verifier key should compare it with `proof.verifierKey`.
 */
export function verifyAuditInclusionProof(proof: AuditInclusionProof): boolean {
  const key = parseVerifierKey(proof.verifierKey);
  if (key === null) return false;
  const opened = openSignedNote({ note: proof.checkpoint, keyName: key.keyName, publicKey: key.publicKey });
  if (opened === null || opened.treeSize !== proof.treeSize) return false;
  return verifyInclusion({
    leafHash: auditLeafHash(new Uint8Array(Buffer.from(proof.leafEntry, 'base64'))),
    leafIndex: proof.leafIndex,
    treeSize: opened.treeSize,
    proof: proof.inclusionProof.map((hash) => new Uint8Array(Buffer.from(hash, 'base64'))),
    rootHash: opened.rootHash,
  });
}
