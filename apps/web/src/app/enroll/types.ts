// Shapes shared by the server actions and the portal's client components. Factor shapes come from
// the API router's output types, so the portal cannot drift from what the gateway sends.
import type { AppRouter } from '@holdfast/api';
import type { inferRouterOutputs } from '@trpc/server';

/** What a server action returns: never a thrown error, which the browser would only see as a digest. */
export type ActionResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** The user's own factors exactly as the gateway's `enrollment.factors` procedure returns them. */
export type OwnFactors = inferRouterOutputs<AppRouter>['enrollment']['factors'];
export type OwnFactor = OwnFactors['factors'][number];

/** Whether the session must confirm it is the user ("step-up") before changing factors, and with what. */
export type EnrollmentSession = inferRouterOutputs<AppRouter>['enrollment']['session'];

/** A step-up attempt: accepted (changes allowed for 5 minutes) or rejected with the reason. */
export type StepUpResult = inferRouterOutputs<AppRouter>['enrollment']['stepUpTotp'];
