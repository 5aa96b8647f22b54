import { adminProcedure } from '../admin-procedure';
import { listAdmins, setAdminRole } from '../services/admin/manage-admins';
import { router } from '../trpc';
import { adminListOutput, adminSetRoleInput, adminSetRoleOutput } from './admin-schemas';

/** Admin accounts: listed by whoever may read them; roles changed by owners only, after a step-up. */
export const adminAdminsRouter = router({
  list: adminProcedure('admins.read')
    .output(adminListOutput)
    .query(({ ctx }) => listAdmins({ deps: ctx.deps })),
  setRole: adminProcedure('admins.write')
    .input(adminSetRoleInput)
    .output(adminSetRoleOutput)
    .mutation(({ ctx, input }) => setAdminRole({ deps: ctx.deps, admin: ctx.admin, adminId: input.adminId, role: input.role })),
});
