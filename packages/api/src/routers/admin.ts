import { router } from '../trpc';
import { adminAdminsRouter } from './admin-admins';
import { adminAuthRouter } from './admin-auth';
import { adminOverviewRouter } from './admin-overview';
import { adminSessionRouter } from './admin-session';

/**
 * The admin console's API (issue 13), mounted as `admin` in the one app router. Everything here but
 * `auth.*` runs behind `adminProcedure` / `adminSessionProcedure` (admin-procedure.ts): relying-app
 * API keys and enrollment sessions are never admin credentials, and admin tokens are never theirs.
 * Sub-routers add themselves with one line each (the overview helper: `overview: adminOverviewRouter`).
 */
export const adminRouter = router({
  auth: adminAuthRouter,
  session: adminSessionRouter,
  admins: adminAdminsRouter,
  overview: adminOverviewRouter,
});
