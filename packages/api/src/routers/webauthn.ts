import { beginWebauthnRegistrationOutput, finishWebauthnRegistrationInput, finishWebauthnRegistrationOutput } from '../schemas';
import { beginWebauthnRegistration } from '../services/webauthn/begin-webauthn-registration';
import { finishWebauthnRegistration } from '../services/webauthn/finish-webauthn-registration';
import { enrollmentProcedure, router } from '../trpc';

/**
 * End user (enrollment session): register a security key or passkey. Once the user has a factor,
 * begin and finish both need a step-up within the last 5 minutes (STEP_UP_REQUIRED).
 */
export const webauthnRouter = router({
  beginRegistration: enrollmentProcedure
    .output(beginWebauthnRegistrationOutput)
    .mutation(({ ctx }) => beginWebauthnRegistration({ deps: ctx.deps, enrollment: ctx.enrollment })),
  finishRegistration: enrollmentProcedure
    .input(finishWebauthnRegistrationInput)
    .output(finishWebauthnRegistrationOutput)
    .mutation(({ ctx, input }) =>
      finishWebauthnRegistration({ deps: ctx.deps, enrollment: ctx.enrollment, challengeId: input.challengeId, response: input.response, label: input.label }),
    ),
});
