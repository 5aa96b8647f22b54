'use client';

import { useState } from 'react';
import { formatTime } from '../../../lib/format';
import type { AuditVerification } from '../../../lib/admin-api-audit';
import { verifyTrailNow } from './actions';

/** A verification's outcome in words: ok, or where the trail stops matching its signed checkpoints. */
export function verificationText(verification: AuditVerification): string {
  const when = formatTime(verification.at);
  if (verification.ok) return `Verified: ${String(verification.treeSize)} sealed events match every signed checkpoint (${when}).`;
  const where = verification.firstBadLeaf === null ? '' : ` The first bad leaf is ${String(verification.firstBadLeaf)}.`;
  return `Verification FAILED at ${when}.${where} ${verification.message}`;
}

/**
 * "Verify now": the gateway recomputes the tree from the stored events and checks every signed
 * checkpoint. The outcome is announced (role=status when it holds, role=alert when it does not).
 */
export function VerifyTrail({ last }: { last: AuditVerification | null }) {
  const [result, setResult] = useState<AuditVerification | null>(last);
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function verify() {
    setIsBusy(true);
    setError(null);
    try {
      const answer = await verifyTrailNow();
      if (answer.ok) setResult(answer.value);
      else setError(answer.message);
    } catch {
      setError('The console could not reach its server. Try again.');
    } finally {
      setIsBusy(false);
    }
  }

  const hasFailed = result !== null && !result.ok;
  return (
    <div className="stack">
      <button type="button" className="primary" onClick={() => void verify()} disabled={isBusy} aria-describedby="verify-hint">
        {isBusy ? 'Verifying…' : 'Verify now'}
      </button>
      <p id="verify-hint" className="hint">
        Recomputes the Merkle tree from every stored event and checks it against each signed checkpoint; on a long trail this takes a while.
      </p>
      <p role="status" className={hasFailed ? 'status' : 'status verify-result'} data-testid="audit-verify-result">
        {result !== null && result.ok ? `✓ ${verificationText(result)}` : isBusy ? 'Verifying the trail…' : ''}
      </p>
      <p role="alert" className="error">
        {hasFailed ? `✗ ${verificationText(result)}` : error}
      </p>
    </div>
  );
}
