import { beginTotpInput, beginTotpOutput, confirmTotpInput, confirmTotpOutput } from '../schemas';
import { beginTotpEnrollment } from '../services/totp/begin-totp-enrollment';
import { confirmTotpEnrollment } from '../services/totp/confirm-totp-enrollment';
import { enrollmentProcedure, router } from '../trpc';

/**
 * End user (enrollment session): set up an authenticator app. Once the user has a factor, both steps
 * need a step-up within the last 5 minutes (STEP_UP_REQUIRED) and stay under the factor cap.
 */
export const totpRouter = router({
  beginEnrollment: enrollmentProcedure
    .input(beginTotpInput)
    .output(beginTotpOutput)
    .mutation(({ ctx, input }) =>
      beginTotpEnrollment({
        deps: ctx.deps,
        enrollment: ctx.enrollment,
        label: input.label,
        params: { algorithm: input.algorithm, digits: input.digits, period: input.period },
      }),
    ),
  confirmEnrollment: enrollmentProcedure
    .input(confirmTotpInput)
    .output(confirmTotpOutput)
    .mutation(({ ctx, input }) => confirmTotpEnrollment({ deps: ctx.deps, enrollment: ctx.enrollment, factorId: input.factorId, code: input.code })),
});
