import { authenticatorNameFor, factorModuleFor } from '@holdfast/core';
import type { AssuranceLevel, FactorKind } from '@holdfast/validators';
import { withDatabaseRetry } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { cached } from '../../cache/cached';

export type PreauthResult =
  | {
      result: 'auth';
      factors: {
        id: string;
        kind: FactorKind;
        label: string;
        isLocked: boolean;
        remainingCodes: number | null;
        /** WebAuthn only: the authenticator model's name when it is a well-known one. */
        authenticatorName: string | null;
        /** NIST 800-63B level this factor reaches together with the application's password check. */
        assuranceLevel: AssuranceLevel;
      }[];
    }
  | { result: 'enroll' };

/** Which factors can this user verify with? `enroll` when none is active (or the user is unknown). */
export async function getPreauth(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  externalUserId: string;
  signal?: AbortSignal;
}): Promise<PreauthResult> {
  const { deps } = options;
  const now = deps.clock();
  const user = await cached(deps, `preauth:${options.application.id}:${options.externalUserId}`, async () => {
    const row = await withDatabaseRetry(
      deps,
      () =>
        deps.db.prisma.user.findUnique({
          where: { applicationId_externalId: { applicationId: options.application.id, externalId: options.externalUserId } },
          select: {
            id: true,
            factors: {
              where: { status: 'active' },
              orderBy: { createdAt: 'asc' },
              select: {
                id: true,
                kind: true,
                label: true,
                lockedUntil: true,
                webauthn: { select: { aaguid: true } },
                bypassCode: { select: { expiresAt: true, usedAt: true } },
                _count: { select: { recoveryCodes: { where: { usedAt: null } } } },
              },
            },
          },
        }),
      options.signal,
    );
    // Any change to the user's factors or recovery codes notifies `user:<id>`.
    return { value: row, tags: row === null ? [] : [`user:${row.id}`], isCacheable: row !== null };
  });
  // A bypass code (issue 13) is offered while it can still work: unused (its use notifies
  // `user:<id>`) and unexpired (decided here, not in the cached value).
  const factors = (user?.factors ?? []).filter(
    (f) =>
      (f.kind !== 'recovery_codes' || f._count.recoveryCodes > 0) &&
      (f.kind !== 'bypass' || (f.bypassCode !== null && f.bypassCode.usedAt === null && f.bypassCode.expiresAt > now)),
  );
  if (factors.length === 0) return { result: 'enroll' };
  return {
    result: 'auth',
    factors: factors.map((f) => ({
      id: f.id,
      kind: f.kind,
      label: f.label,
      isLocked: f.lockedUntil !== null && f.lockedUntil > now,
      remainingCodes: f.kind === 'recovery_codes' ? f._count.recoveryCodes : null,
      authenticatorName: f.webauthn === null ? null : authenticatorNameFor(f.webauthn.aaguid),
      assuranceLevel: factorModuleFor(f.kind).assuranceLevel,
    })),
  };
}
