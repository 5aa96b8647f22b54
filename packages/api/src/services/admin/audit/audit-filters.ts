import { HoldfastError } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import type { AdminAuditSearchFilters } from '@holdfast/validators';

type Sql = Pick<SqlClient, 'query'>;

/** A WHERE fragment over `audit_events e` and its positional values (numbered from `firstParam`). */
export interface AuditFilterSql {
  where: string;
  values: unknown[];
  /** True when the filters can match nothing (the named user does not exist): skip the query. */
  isEmpty: boolean;
}

/** LIKE's wildcards in a type prefix are literal characters (`verify_x.` must not match `verifyAx.`). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The console's search filters (admin.audit.search, the export) as SQL. The user filter is the
 * application's own id: it is resolved to the row's users.id first (audit rows name the internal id),
 * so it needs the application. Everything goes in as a bound value, never as text.
 */
export async function auditFilterSql(sql: Sql, filters: AdminAuditSearchFilters, firstParam = 1): Promise<AuditFilterSql> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${String(firstParam + values.length - 1)}`;
  };
  if (filters.userId !== undefined && filters.applicationId === undefined) {
    throw new HoldfastError('BAD_REQUEST', 'a user filter needs the application (user ids are the application’s own)');
  }
  if (filters.since !== undefined && filters.until !== undefined && Date.parse(filters.since) >= Date.parse(filters.until)) {
    throw new HoldfastError('BAD_REQUEST', 'since must be before until');
  }
  if (filters.applicationId !== undefined) conditions.push(`e.application_id = ${param(filters.applicationId)}::uuid`);
  if (filters.userId !== undefined) {
    const { rows } = await sql.query<{ id: string }>('SELECT u.id::text AS id FROM users u WHERE u.application_id = $1 AND u.external_id = $2', [
      filters.applicationId,
      filters.userId,
    ]);
    const id = rows[0]?.id;
    if (id === undefined) return { where: 'false', values: [], isEmpty: true };
    conditions.push(`e.user_id = ${param(id)}::uuid`);
  }
  if (filters.type !== undefined && filters.type !== '') {
    conditions.push(filters.type.endsWith('.') ? `e.type LIKE ${param(likePrefix(filters.type))}` : `e.type = ${param(filters.type)}`);
  }
  if (filters.gateway !== undefined) conditions.push(`e.gateway_id = ${param(filters.gateway)}`);
  if (filters.region !== undefined) conditions.push(`e.region = ${param(filters.region)}`);
  if (filters.since !== undefined) conditions.push(`e.occurred_at >= ${param(filters.since)}::timestamptz`);
  if (filters.until !== undefined) conditions.push(`e.occurred_at < ${param(filters.until)}::timestamptz`);
  return { where: conditions.length === 0 ? 'true' : conditions.join(' AND '), values, isEmpty: false };
}
