import { describe, expect, it } from 'vitest';
import { parseAuditExportArgs, parseExportTime } from './audit-export-args';

const now = new Date('2026-03-10T12:00:00.000Z');

describe('holdfast audit export flags', () => {
  it('reads the format, times (ISO or back from now), application and leaf', () => {
    expect(parseAuditExportArgs(['--format', 'ocsf'], now)).toEqual({ ok: true, options: { format: 'ocsf', afterLeafIndex: -1 } });
    expect(
      parseAuditExportArgs(
        ['--format', 'ecs', '--since', '24h', '--until', '2026-03-10T11:00:00Z', '--application', '5B0C5A52-8A0F-4F6E-9A57-3B0F5C1D2E3F', '--after-leaf', '41'],
        now,
      ),
    ).toEqual({
      ok: true,
      options: {
        format: 'ecs',
        since: new Date('2026-03-09T12:00:00.000Z'),
        until: new Date('2026-03-10T11:00:00.000Z'),
        applicationId: '5b0c5a52-8a0f-4f6e-9a57-3b0f5c1d2e3f',
        afterLeafIndex: 41,
      },
    });
    expect(parseExportTime('7d', now)).toEqual(new Date('2026-03-03T12:00:00.000Z'));
    expect(parseExportTime('30m', now)).toEqual(new Date('2026-03-10T11:30:00.000Z'));
    expect(parseExportTime('2026-03-01', now)).toEqual(new Date('2026-03-01T00:00:00.000Z'));
  });

  it('refuses what it cannot read, saying which flag', () => {
    const refusals: [string[], string][] = [
      [[], '--format is required'],
      [['--format', 'csv'], '--format must be'],
      [['--format', 'ocsf', '--since', 'yesterday'], '--since must be'],
      [['--format', 'ocsf', '--until', '24x'], '--until must be'],
      [['--format', 'ocsf', '--since', '1h', '--until', '2h'], '--since must be before --until'],
      [['--format', 'ocsf', '--application', 'app-1'], '--application must be'],
      [['--format', 'ocsf', '--after-leaf', '-2'], '--after-leaf must be'],
      [['--format', 'ocsf', '--after-leaf', '1.5'], '--after-leaf must be'],
      [['--format', 'ocsf', '--since'], '--since needs a value'],
      [['--format', 'ocsf', '--format', 'ecs'], 'given twice'],
      [['--format', 'ocsf', '--verbose', 'x'], 'unknown argument "--verbose"'],
    ];
    for (const [args, message] of refusals) {
      const parsed = parseAuditExportArgs(args, now);
      expect(parsed.ok, args.join(' ')).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain(message);
    }
  });
});
