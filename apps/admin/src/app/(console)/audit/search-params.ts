// The audit search as it travels in the page's URL (a GET form, so a search can be bookmarked,
// shared, reloaded and exported): which parameters are filters, and how the form's values become
// the contract's (adminAuditSearchFilters). Times are typed in UTC, as the console shows them.

export const auditFilterNames = ['applicationId', 'userId', 'type', 'gateway', 'region', 'since', 'until'] as const;
export type AuditFilterName = (typeof auditFilterNames)[number];

/** A datetime-local value has no zone: it is read as UTC. A value with a zone is kept as typed. */
export function toIsoUtc(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return `${value}:00Z`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/.test(value)) return `${value}Z`;
  return value;
}

/** Next.js's searchParams (a value may repeat) as URLSearchParams. */
export function toUrlSearchParams(record: Record<string, string | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(record)) {
    if (typeof value === 'string') params.append(name, value);
    else if (Array.isArray(value)) for (const item of value) params.append(name, item);
  }
  return params;
}

/** The filters as typed (for the form to show them again): empty fields are absent. */
export function typedFilters(params: URLSearchParams): Partial<Record<AuditFilterName, string>> {
  const typed: Partial<Record<AuditFilterName, string>> = {};
  for (const name of auditFilterNames) {
    const value = params.get(name)?.trim() ?? '';
    if (value !== '') typed[name] = value;
  }
  return typed;
}

/** The filters (plus the `extra` parameters named) for the contract's schemas; times in ISO 8601 UTC. */
export function searchParamsOf(params: URLSearchParams, extra: readonly string[] = []): Record<string, string> {
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(typedFilters(params))) input[name] = name === 'since' || name === 'until' ? toIsoUtc(value) : value;
  for (const name of extra) {
    const value = params.get(name)?.trim() ?? '';
    if (value !== '') input[name] = value;
  }
  return input;
}

/** The query string of a search (filters only), for the paging and export links. */
export function filterQuery(filters: Partial<Record<AuditFilterName, string>>, more: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...more })) query.set(name, value);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}
