import { adminDrillGetInput, adminDrillGetOutput, adminDrillListInput, adminDrillListOutput } from '@holdfast/validators';
import { adminProcedure } from '../admin-procedure';
import { getDrillReport, listDrillReports } from '../services/admin/drills';
import { router } from '../trpc';

/**
 * admin.drills (issue 13, action drills.read): the failover drills' reports from drill_reports
 * (written by `npm run drill`), with their targets and per-second timeline for the console's chart.
 */
export const adminDrillsRouter = router({
  list: adminProcedure('drills.read')
    .input(adminDrillListInput)
    .output(adminDrillListOutput)
    .query(({ ctx, input, signal }) =>
      listDrillReports({ deps: ctx.deps, scenario: input.scenario, limit: input.limit, cursor: input.cursor, ...(signal === undefined ? {} : { signal }) }),
    ),
  get: adminProcedure('drills.read')
    .input(adminDrillGetInput)
    .output(adminDrillGetOutput)
    .query(({ ctx, input, signal }) => getDrillReport({ deps: ctx.deps, id: input.id, ...(signal === undefined ? {} : { signal }) })),
});
