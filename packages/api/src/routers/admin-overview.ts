import { HoldfastError } from '@holdfast/core';
import { clusterOverview } from '@holdfast/validators';
import { adminProcedure } from '../admin-procedure';
import { createCallerFactory, router } from '../trpc';

/**
 * admin.overview (issue 13): the live failover map. The snapshot comes from this gateway's
 * collector (services/admin/overview), built from Patroni, etcd, HAProxy and the gateways — never
 * from the database, so it keeps answering while the primary is down (adminProcedure accepts a
 * session it verified within 60 s for `overview.read` while the database is unreachable).
 * The same snapshots stream as Server-Sent Events on GET /v1/admin/overview/stream.
 */
export const adminOverviewRouter = router({
  snapshot: adminProcedure('overview.read')
    .output(clusterOverview)
    .query(({ ctx }) => {
      const { overview } = ctx.deps;
      if (overview === undefined) throw new HoldfastError('INTERNAL', 'the live failover map is not running on this gateway');
      return overview.snapshot();
    }),
});

/**
 * A caller of this sub-router alone, with the same middleware (adminProcedure('overview.read')):
 * the gateway's overview stream authenticates each viewer with it, so the SSE route and the
 * snapshot query can never disagree on who may watch.
 */
export const createAdminOverviewCaller = createCallerFactory(adminOverviewRouter);
