import { generateRecoveryCodes as generateCodes, hashRecoveryCode, normalizeRecoveryCode, recoveryCodeLookupTag, recoveryCodeSaltBytes } from '@holdfast/core';
import { randomUUID } from 'node:crypto';
import { writeAuditEvent } from '@holdfast/db';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { authorizeFactorChange, recordFirstBindingStepUp } from '../enrollment/authorize-factor-change';

/**
 * Issues a new set of recovery codes, replacing any previous set (old codes stop working at once).
 * Only salted scrypt hashes are stored; the codes are returned this once. Once the user has any
 * factor this needs a fresh step-up: otherwise a link alone would turn into working codes (and
 * kill the user's own).
 */
export async function generateRecoveryCodeSet(options: { deps: ServiceDeps; enrollment: EnrollmentPrincipal }): Promise<{ factorId: string; codes: string[] }> {
  const { deps, enrollment } = options;
  // Refuse an unverified session before the deliberately slow hashing, not after (checked again below, under the lock).
  await authorizeFactorChange({ db: deps.db.prisma, enrollment, change: 'replace', now: deps.clock(), isPrecheck: true });
  const codes = generateCodes({ random: deps.random });
  const setId = randomUUID(); // the new factor's id, known up front: it salts the lookup tags
  // Hash before opening the transaction: scrypt is deliberately slow and must not hold row locks.
  const hashed = await Promise.all(
    codes.map(async (code) => {
      const salt = deps.random(recoveryCodeSaltBytes);
      const canonical = normalizeRecoveryCode(code) ?? code;
      return {
        salt: new Uint8Array(salt),
        hash: new Uint8Array(await hashRecoveryCode({ code: canonical, salt })),
        lookupTag: recoveryCodeLookupTag({ setId, code: canonical }),
      };
    }),
  );
  const factorId = await deps.db.prisma.$transaction(async (tx) => {
    const now = deps.clock();
    // Replacing the set is not adding a factor (only adding counts toward the cap).
    const hasCodes = (await tx.factor.count({ where: { userId: enrollment.userId, kind: 'recovery_codes', status: { notIn: ['revoked', 'pending'] } } })) > 0;
    const decision = await authorizeFactorChange({ db: tx, enrollment, change: hasCodes ? 'replace' : 'add', now });
    const previous = await tx.factor.findMany({
      where: { userId: enrollment.userId, kind: 'recovery_codes', status: { not: 'revoked' } },
      select: { id: true },
    });
    if (previous.length > 0) {
      await tx.factor.updateMany({ where: { id: { in: previous.map((f) => f.id) } }, data: { status: 'revoked' } });
      await tx.recoveryCode.deleteMany({ where: { factorId: { in: previous.map((f) => f.id) } } });
    }
    const factor = await tx.factor.create({
      data: {
        id: setId,
        userId: enrollment.userId,
        kind: 'recovery_codes',
        label: 'Recovery codes',
        status: 'active',
        recoveryCodes: { create: hashed },
      },
      select: { id: true },
    });
    await recordFirstBindingStepUp({ db: tx, enrollment, decision, factorId: factor.id, now });
    await writeAuditEvent(tx, {
      type: 'recovery_codes.generated',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      factorId: factor.id,
      detail: { count: codes.length, replacedFactorIds: previous.map((f) => f.id) },
    });
    return factor.id;
  });
  return { factorId, codes };
}
