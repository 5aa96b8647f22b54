'use server';
// The Audit page's one action: "Verify now" — the gateway recomputes the Merkle tree and checks
// every checkpoint (admin.audit.verify, as `holdfast audit verify`). Read-only (audit.read), no step-up.
import { verifyAuditTrail, type AuditVerification } from '../../../lib/admin-api-audit';
import { runConsoleAction } from '../../../lib/console-action';
import type { ActionResult } from '../../sign-in/types';

export async function verifyTrailNow(): Promise<ActionResult<AuditVerification>> {
  return runConsoleAction('audit', (bearer) => verifyAuditTrail(bearer));
}
