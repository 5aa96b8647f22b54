import type { AdminFactorKind } from '@holdfast/validators';

/** What an action answers a client component: a value, or a refusal in words (and its code). */
export type ActionResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** Where a sign-in stands after the password: a second factor to use, or one to enroll first. */
export type SignedIn = { signedIn: true };

export type SignInNext = { enrolledFactors: AdminFactorKind[]; mustEnroll: boolean };
