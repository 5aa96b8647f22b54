'use server';
// The Audit page's one action: "Verify now" — the gateway recomputes the Merkle tree and checks
// every checkpoint (admin.audit.verify, as `holdfast audit verify`). Read-only (audit.read), no step-up.
import { verifyAuditTrail, type AuditVerification } from '../../../lib/admin-api-audit';
import { GatewayError } from '../../../lib/gateway';
import { describeAdminError } from '../../../lib/messages';
import { readAdminCookie } from '../../../lib/session';
import type { ActionResult } from '../../sign-in/types';

export async function verifyTrailNow(): Promise<ActionResult<AuditVerification>> {
  const content = await readAdminCookie();
  if (content?.stage !== 'session')
    return { ok: false, code: 'ADMIN_SESSION_INVALID', message: describeAdminError('ADMIN_SESSION_INVALID', { stage: 'step-up' }) };
  try {
    return { ok: true, value: await verifyAuditTrail(content.token) };
  } catch (error) {
    if (error instanceof GatewayError) {
      return { ok: false, code: error.code, message: describeAdminError(error.code, { stage: 'step-up', retryAfterSeconds: error.retryAfterSeconds }) };
    }
    console.error('holdfast admin: audit verification failed', error);
    return { ok: false, code: 'INTERNAL', message: describeAdminError('INTERNAL', { stage: 'step-up' }) };
  }
}
