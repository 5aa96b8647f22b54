import { describe, expect, it } from 'vitest';
import { parseAuditPruneArgs } from './audit-prune';

const now = new Date('2026-11-30T12:00:00.000Z');

describe('holdfast audit prune arguments', () => {
  it('takes an ISO time with its offset, a date (UTC midnight) or a number of days', () => {
    expect(parseAuditPruneArgs(['--before', '2026-09-01T00:00:00Z'], now)).toEqual({ before: new Date('2026-09-01T00:00:00Z'), dryRun: false, json: false });
    expect(parseAuditPruneArgs(['--before', '2026-09-01T02:00:00+02:00', '--dry-run'], now)).toMatchObject({
      before: new Date('2026-09-01T00:00:00Z'),
      dryRun: true,
    });
    expect(parseAuditPruneArgs(['--before', '2026-09-01', '--json'], now)).toMatchObject({ before: new Date('2026-09-01T00:00:00Z'), json: true });
    expect(parseAuditPruneArgs(['--before', '90d'], now)).toMatchObject({ before: new Date('2026-09-01T12:00:00.000Z') });
  });

  it('refuses a missing, local-time, malformed or future cutoff and unknown arguments', () => {
    for (const args of [[], ['--before'], ['--before', '2026-09-01T00:00:00'], ['--before', 'yesterday'], ['--before', '0d'], ['--before', '90d', '--force']]) {
      expect(parseAuditPruneArgs(args, now)).toHaveProperty('error');
    }
    expect(parseAuditPruneArgs(['--before', '2026-12-01T00:00:00Z'], now)).toEqual({ error: '--before 2026-12-01T00:00:00.000Z is in the future' });
  });
});
