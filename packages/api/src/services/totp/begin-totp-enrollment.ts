import { buildOtpauthUri, createTotpSecret, encryptSecret, totpSecretAad, type TotpParams } from '@holdfast/core';
import { writeAuditEvent } from '@holdfast/db';
import { randomUUID } from 'node:crypto';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { authorizeFactorChange } from '../enrollment/authorize-factor-change';

/**
 * Starts TOTP enrollment: a pending factor with a fresh secret, encrypted at rest. The secret and
 * otpauth URI are returned this once (for the QR code) and never again. Older pending TOTP
 * factors of the user are discarded, so abandoned attempts do not pile up. Adding a factor to an
 * account that has one needs a fresh step-up (and stays under the factor cap): checked here, so a
 * secret is never even issued to an unverified session, and again when it is confirmed.
 */
export async function beginTotpEnrollment(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  label: string;
  params: TotpParams;
}): Promise<{ factorId: string; secret: string; otpauthUri: string }> {
  const { deps, enrollment, params } = options;
  const factorId = randomUUID();
  const secret = createTotpSecret({ random: deps.random, algorithm: params.algorithm });
  const secretEnc = encryptSecret({ keyring: deps.keyring, plaintext: secret, aad: totpSecretAad(factorId), random: deps.random });
  await deps.db.prisma.$transaction(async (tx) => {
    await authorizeFactorChange({ db: tx, enrollment, change: 'add', now: deps.clock() });
    await tx.factor.deleteMany({ where: { userId: enrollment.userId, kind: 'totp', status: 'pending' } });
    await tx.factor.create({
      data: {
        id: factorId,
        userId: enrollment.userId,
        kind: 'totp',
        label: options.label,
        status: 'pending',
        totp: { create: { secretEnc, algorithm: params.algorithm, digits: params.digits, period: params.period } },
      },
    });
    await writeAuditEvent(tx, {
      type: 'factor.enroll_begun',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      factorId,
      detail: { kind: 'totp', algorithm: params.algorithm, digits: params.digits, period: params.period },
    });
  });
  const otpauthUri = buildOtpauthUri({ issuer: deps.issuer, accountName: enrollment.externalUserId, secret, params });
  return { factorId, secret, otpauthUri };
}
