import { describe, expect, it } from 'vitest';
import { parseAdminAuditExportQuery } from './export-query';

describe('admin audit export query', () => {
  it('takes the search filters and a format (ndjson by default)', () => {
    const parsed = parseAdminAuditExportQuery('applicationId=0b0e5f2c-6d7e-4c1a-9a55-3d1f1a2b3c4d&type=verify.&since=2026-12-01T00:00:00Z');
    expect(parsed).toEqual({
      ok: true,
      request: { applicationId: '0b0e5f2c-6d7e-4c1a-9a55-3d1f1a2b3c4d', type: 'verify.', since: '2026-12-01T00:00:00Z', format: 'ndjson' },
    });
    expect(parseAdminAuditExportQuery('format=ocsf')).toEqual({ ok: true, request: { format: 'ocsf' } });
  });

  it('refuses an unknown format, an unknown parameter and a repeated one', () => {
    for (const query of ['format=csv', 'after=3', 'type=a.&type=b.', 'type=DROP%20TABLE']) {
      const parsed = parseAdminAuditExportQuery(query);
      expect(parsed.ok, query).toBe(false);
    }
  });
});
