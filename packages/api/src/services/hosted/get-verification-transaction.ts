import type { FactorKind } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import { getPreauth } from '../preauth/get-preauth';
import { findOpenTransaction, isFactorKindAllowed } from './find-open-transaction';

/** What the hosted page shows: whose verification it is and which kinds of factor the user has and the application allows. */
export async function getVerificationTransaction(options: { deps: ServiceDeps; token: string; signal?: AbortSignal }): Promise<{
  applicationName: string;
  factors: FactorKind[];
  expiresAt: Date;
}> {
  const transaction = await findOpenTransaction(options);
  const preauth = await getPreauth({
    deps: options.deps,
    application: transaction.application,
    externalUserId: transaction.externalUserId,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  // Not a bypass code (issue 13): the hosted page has no form for one — it is the relying
  // application's to check with verify.bypassCode — so offering it would show a kind the user
  // cannot use here.
  const kinds =
    preauth.result === 'auth' ? preauth.factors.map((factor) => factor.kind).filter((kind) => kind !== 'bypass' && isFactorKindAllowed(transaction, kind)) : [];
  return { applicationName: transaction.application.name, factors: [...new Set(kinds)], expiresAt: transaction.expiresAt };
}
