import { generateRecoveryCodes as generateCodes, hashRecoveryCode, normalizeRecoveryCode, recoveryCodeLookupTag, recoveryCodeSaltBytes } from '@holdfast/core';
import { randomUUID } from 'node:crypto';
import { writeAuditEvent } from '@holdfast/db';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';

/**
 * Issues a new set of recovery codes, replacing any previous set (old codes stop working at once).
 * Only salted scrypt hashes are stored; the codes are returned this once.
 */
export async function generateRecoveryCodeSet(options: { deps: ServiceDeps; enrollment: EnrollmentPrincipal }): Promise<{ factorId: string; codes: string[] }> {
  const { deps, enrollment } = options;
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
