import { adminAuditExportQuery, adminAuditSearchFilters } from '@holdfast/validators';
import { describe, expect, it } from 'vitest';
import { filterQuery, searchParamsOf, toIsoUtc, toUrlSearchParams, typedFilters } from './search-params';

describe('the audit search in the URL', () => {
  it('reads datetime-local values as UTC and keeps a typed zone', () => {
    expect(toIsoUtc('2026-12-01T10:15')).toBe('2026-12-01T10:15:00Z');
    expect(toIsoUtc('2026-12-01T10:15:30')).toBe('2026-12-01T10:15:30Z');
    expect(toIsoUtc('2026-12-01T10:15:30+02:00')).toBe('2026-12-01T10:15:30+02:00');
  });

  it("drops the form's empty fields and unknown parameters, and the contract accepts the rest", () => {
    const params = toUrlSearchParams({ applicationId: '', type: ' verification. ', since: '2026-12-01T10:15', cursor: '42', other: 'x' });
    expect(typedFilters(params)).toEqual({ type: 'verification.', since: '2026-12-01T10:15' });
    const filters = searchParamsOf(params);
    expect(filters).toEqual({ type: 'verification.', since: '2026-12-01T10:15:00Z' });
    expect(adminAuditSearchFilters.parse(filters)).toEqual(filters);
    expect(adminAuditExportQuery.parse(searchParamsOf(toUrlSearchParams({ format: 'ocsf', region: 'region-1' }), ['format']))).toEqual({
      format: 'ocsf',
      region: 'region-1',
    });
  });

  it('paging and export links carry the filters', () => {
    expect(filterQuery({})).toBe('');
    expect(filterQuery({ type: 'admin.', userId: 'a b' }, { cursor: '9' })).toBe('?type=admin.&userId=a+b&cursor=9');
  });
});
