import { preauthInput, preauthOutput } from '../schemas';
import { getPreauth } from '../services/preauth/get-preauth';
import { applicationProcedure } from '../trpc';

/** Which factors can this user verify with (or `enroll`)? */
export const preauth = applicationProcedure
  .input(preauthInput)
  .output(preauthOutput)
  .query(({ ctx, input, signal }) => getPreauth({ deps: ctx.deps, application: ctx.application, externalUserId: input.userId, signal }));
