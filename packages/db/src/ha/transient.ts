import { errorChain } from './error-chain';

// Socket-level failures and the SQLSTATEs a failover produces: admin/crash shutdown (57P01/02),
// "cannot connect now" while a node starts or promotes (57P03), connection exceptions (08xxx),
// "read-only transaction" from a standby HAProxy briefly still routes to (25006), too many
// connections (53300), serialization failure (40001), a deadlock broken by the server (40P01: the
// victim rolled back whole, so trying again is safe), a statement cancelled by its timeout (57014),
// and a commit the synchronous standby did not acknowledge (CommitNotReplicatedError).
const transientCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '25006',
  '53300',
  '40001',
  '40P01',
  '57014',
  'COMMIT_NOT_REPLICATED',
  // The request's deadline passed while the work waited (ha/with-database-retry.ts).
  'DATABASE_DEADLINE',
]);
const transientMessages =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|server closed the connection|Can't reach database/i;

/** True when the same work may succeed if tried again shortly (possibly on another endpoint). */
export function isTransientDatabaseError(error: unknown): boolean {
  for (const { code, message } of errorChain(error, 8)) {
    if (typeof code === 'string' && transientCodes.has(code)) return true;
    if (typeof message === 'string' && transientMessages.test(message)) return true;
  }
  return false;
}
