import { adminRouter } from './routers/admin';
import { enrollmentRouter } from './routers/enrollment';
import { factorsRouter } from './routers/factors';
import { hostedRouter } from './routers/hosted';
import { preauth } from './routers/preauth';
import { pushRouter } from './routers/push';
import { recoveryCodesRouter } from './routers/recovery-codes';
import { totpRouter } from './routers/totp';
import { verifyRouter } from './routers/verify';
import { webauthnRouter } from './routers/webauthn';
import { webhooksRouter } from './routers/webhooks';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  preauth,
  enrollment: enrollmentRouter,
  totp: totpRouter,
  recoveryCodes: recoveryCodesRouter,
  verify: verifyRouter,
  factors: factorsRouter,
  webauthn: webauthnRouter,
  hosted: hostedRouter,
  webhooks: webhooksRouter,
  push: pushRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
