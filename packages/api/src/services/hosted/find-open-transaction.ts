import { HoldfastError } from '@holdfast/core';
import { hashToken, withDatabaseRetry } from '@holdfast/db';
import type { FactorKind } from '@holdfast/validators';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';

/** A pending, unexpired hosted verification, found by the token in its page's URL. */
export interface OpenTransaction {
  id: string;
  application: ApplicationPrincipal;
  userId: string;
  externalUserId: string;
  callbackUrl: string;
  state: string | null;
  expiresAt: Date;
  /** The kinds the application allows for this transaction; empty = every kind the user has. */
  allowedFactorKinds: FactorKind[];
}

/** Whether the transaction lets the page verify this kind of factor. */
export function isFactorKindAllowed(transaction: Pick<OpenTransaction, 'allowedFactorKinds'>, kind: FactorKind): boolean {
  return transaction.allowedFactorKinds.length === 0 || transaction.allowedFactorKinds.includes(kind);
}

/**
 * The token is the page's only credential: unknown → TRANSACTION_INVALID, done or expired → 412.
 * With `kind` (every verify procedure passes the kind it checks), a kind the application did not
 * allow for this transaction is refused before anything is counted or verified.
 */
export async function findOpenTransaction(options: { deps: ServiceDeps; token: string; kind?: FactorKind; signal?: AbortSignal }): Promise<OpenTransaction> {
  const { deps } = options;
  const row = await withDatabaseRetry(
    deps,
    () =>
      deps.db.prisma.verificationTransaction.findUnique({
        where: { tokenHash: hashToken(options.token) },
        select: {
          id: true,
          userId: true,
          callbackUrl: true,
          state: true,
          status: true,
          expiresAt: true,
          allowedFactorKinds: true,
          application: { select: { id: true, name: true, failMode: true } },
          user: { select: { externalId: true } },
        },
      }),
    options.signal,
  );
  if (row === null) throw new HoldfastError('TRANSACTION_INVALID', 'this verification link is not valid');
  if (row.status === 'completed') throw new HoldfastError('TRANSACTION_COMPLETED', 'this verification was already completed');
  if (row.expiresAt <= deps.clock()) throw new HoldfastError('TRANSACTION_EXPIRED', 'this verification link has expired');
  if (options.kind !== undefined && !isFactorKindAllowed(row, options.kind)) {
    throw new HoldfastError('FACTOR_KIND_NOT_ALLOWED', 'this verification does not accept this kind of factor');
  }
  return {
    id: row.id,
    application: row.application,
    userId: row.userId,
    externalUserId: row.user.externalId,
    callbackUrl: row.callbackUrl,
    state: row.state,
    expiresAt: row.expiresAt,
    allowedFactorKinds: row.allowedFactorKinds,
  };
}
