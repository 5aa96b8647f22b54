import type { AuditVerifyReport } from '@holdfast/api';
import { describe, expect, it } from 'vitest';
import { auditVerifyLine, isAuditPassed, parseVerifyOutput, verifySectionOf, type AuditSection } from './audit-check';

const okReport: AuditVerifyReport = {
  ok: true,
  leaves: 1200,
  checkpoints: 40,
  latestCheckpoint: { treeSize: 1200, note: 'holdfast.audit/x\n1200\nroot\n\n— sig\n' },
  keyName: 'holdfast.audit/x',
  prunedBelow: 0,
  prunedRows: 0,
  pruneMarks: 0,
  problems: [],
};
const badReport: AuditVerifyReport = {
  ...okReport,
  ok: false,
  problems: [
    { kind: 'row_edited', leafIndex: 17, auditEventId: '42', message: 'leaf 17: audit event 42 was changed after it was sealed' },
    { kind: 'checkpoint_root', leafIndex: 18, auditEventId: null, message: 'checkpoint 20: …' },
  ],
};
const sealing = { rows: 900, unsealed: 0, waitedMs: 1_300, boundMs: 30_000 };

describe('[DRILL_AUDIT_VERIFY] the drill report’s audit verify line', () => {
  it('reads the CLI’s --json report and refuses output that disagrees with its exit code', () => {
    expect(parseVerifyOutput(JSON.stringify(okReport), 0)).toEqual({ report: okReport });
    expect(parseVerifyOutput(JSON.stringify(badReport), 1)).toEqual({ report: badReport });
    expect(parseVerifyOutput(JSON.stringify(okReport), 1)).toMatchObject({ error: expect.stringContaining('exited 1 but reported ok = true') as unknown });
    expect(parseVerifyOutput('Error: connect ECONNREFUSED', 1)).toMatchObject({ error: expect.stringContaining('without a JSON report') as unknown });
    expect(parseVerifyOutput('{"hello":1}', 0)).toMatchObject({ error: expect.stringContaining('not a verify report') as unknown });
  });

  it('says ok with leaves, checkpoints and the sealing wait', () => {
    const audit: AuditSection = { sealing, verify: verifySectionOf(okReport, 2_400) };
    expect(isAuditPassed(audit)).toBe(true);
    expect(auditVerifyLine(audit)).toBe(
      'audit verify: ok — 1200 leaves, 40 checkpoints (tree size 1200); all 900 audit rows of the drill sealed (waited 1.3 s); 2.4 s',
    );
  });

  it('names the first bad leaf and fails the drill', () => {
    const audit: AuditSection = { sealing, verify: verifySectionOf(badReport, 2_000) };
    expect(isAuditPassed(audit)).toBe(false);
    expect(auditVerifyLine(audit)).toContain(
      'audit verify: FAILED — first bad leaf 17 (audit event 42): row_edited: leaf 17: audit event 42 was changed after it was sealed (+1 more)',
    );
  });

  it('fails when rows stay unsealed past the bound, or verify could not run', () => {
    const unsealed: AuditSection = { sealing: { ...sealing, unsealed: 3, waitedMs: 30_000 }, verify: verifySectionOf(okReport, 1_000) };
    expect(isAuditPassed(unsealed)).toBe(false);
    expect(auditVerifyLine(unsealed)).toContain('3 of 900 audit rows of the drill NOT sealed after 30 s');
    const notRun: AuditSection = { sealing, verify: { ran: false, error: 'spawn tsx ENOENT', durationMs: 5 } };
    expect(isAuditPassed(notRun)).toBe(false);
    expect(auditVerifyLine(notRun)).toMatch(/^audit verify: FAILED — could not run: spawn tsx ENOENT/);
  });
});
