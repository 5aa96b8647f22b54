// zod for the admin console's procedures (issue 13), built from the validators' admin words.
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { adminEmail, adminFactorKind, adminPassword, adminRole, totpCode } from '@holdfast/validators';
import { z } from 'zod';
import { webauthnAuthenticationResponse, webauthnRegistrationResponse } from '../schemas';

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;
const creationOptions = z.custom<PublicKeyCredentialCreationOptionsJSON>(isObject);
const requestOptions = z.custom<PublicKeyCredentialRequestOptionsJSON>(isObject);

/** `hfp_` + 43 base64url characters: a sign-in in progress. */
export const adminPendingToken = z.string().regex(/^hfp_[A-Za-z0-9_-]{43}$/, 'a pending sign-in token (hfp_…)');

export const adminPublic = z.strictObject({ id: z.string(), email: z.string(), name: z.string(), role: adminRole });

export const adminSignInInput = z.strictObject({ email: adminEmail, password: adminPassword });
export const adminSignInOutput = z.strictObject({
  pendingToken: z.string(),
  expiresAt: z.date(),
  enrolledFactors: z.array(adminFactorKind),
  mustEnroll: z.boolean(),
});

export const adminPendingInput = z.strictObject({ pendingToken: adminPendingToken });
export const adminPendingTotpInput = z.strictObject({ pendingToken: adminPendingToken, code: totpCode });
export const adminPendingWebauthnFinishInput = z.strictObject({ pendingToken: adminPendingToken, response: webauthnAuthenticationResponse });
export const adminPendingWebauthnEnrollFinishInput = z.strictObject({ pendingToken: adminPendingToken, response: webauthnRegistrationResponse });

export const adminSignedInOutput = z.strictObject({ sessionToken: z.string(), expiresAt: z.date(), admin: adminPublic });
export const adminRequestOptionsOutput = z.strictObject({ options: requestOptions });
export const adminCreationOptionsOutput = z.strictObject({ options: creationOptions });
export const adminEnrollTotpOutput = z.strictObject({ otpauthUri: z.string(), secretBase32: z.string() });

export const adminMeOutput = z.strictObject({
  admin: adminPublic,
  session: z.strictObject({ createdAt: z.date(), expiresAt: z.date(), stepUpUntil: z.date().nullable() }),
});
export const adminOkOutput = z.strictObject({ ok: z.literal(true) });
export const adminStepUpTotpInput = z.strictObject({ code: totpCode });
export const adminStepUpWebauthnFinishInput = z.strictObject({ response: webauthnAuthenticationResponse });
export const adminStepUpOutput = z.strictObject({ stepUpUntil: z.date() });

export const adminListOutput = z.strictObject({
  admins: z.array(
    z.strictObject({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      role: adminRole,
      createdAt: z.date(),
      disabledAt: z.date().nullable(),
      lockedUntil: z.date().nullable(),
      factors: z.array(adminFactorKind),
    }),
  ),
});
export const adminSetRoleInput = z.strictObject({ adminId: z.uuid(), role: adminRole });
export const adminSetRoleOutput = z.strictObject({ id: z.string(), role: adminRole });
