// Shapes shared by the server actions and the portal's client components.

/** What a server action returns: never a thrown error, which the browser would only see as a digest. */
export type ActionResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface OwnFactor {
  id: string;
  kind: 'totp' | 'recovery_codes' | 'webauthn';
  label: string;
  status: 'pending' | 'active';
  createdAt: string;
  lastUsedAt: string | null;
  remainingCodes: number | null;
  /** Security keys and passkeys: the model's name when it is a well-known one. */
  authenticatorName: string | null;
}

export interface OwnFactors {
  userId: string;
  factors: OwnFactor[];
}
