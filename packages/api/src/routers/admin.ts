import { router } from '../trpc';
import { adminAdminsRouter } from './admin-admins';
import { adminApplicationsRouter } from './admin-applications';
import { adminAuditRouter } from './admin-audit';
import { adminAuthRouter } from './admin-auth';
import { adminBypassRouter } from './admin-bypass';
import { adminDrillsRouter } from './admin-drills';
import { adminOverviewRouter } from './admin-overview';
import { adminSessionRouter } from './admin-session';
import { adminUsersRouter } from './admin-users';

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
  users: adminUsersRouter,
  applications: adminApplicationsRouter,
  audit: adminAuditRouter,
  drills: adminDrillsRouter,
  bypass: adminBypassRouter,
});
