import { describe, expect, it } from 'vitest';
import type { PushLogin, PushResend } from './push-load';
import { isPushPassed, renderPushMarkdown, summarizePush, type PushAuditRow, type PushTransactionRow } from './push-report';

const app = 'a0000000-0000-4000-8000-000000000001';
const at = (ms: number): Date => new Date(Date.UTC(2026, 0, 1) + ms);

const login = (id: string, patch: Partial<PushLogin> = {}): PushLogin => ({
  kind: 'prompt',
  attemptId: `attempt-${id}`,
  userId: `drill-push-${id}`,
  transactionId: id,
  homeRegion: 'region-1',
  startMs: 1_000,
  begunMs: 1_050,
  beginError: null,
  beginRefusals: [],
  answerSentMs: 2_000,
  answer: { kind: 'answered', status: 'approved', detail: 'approved', gateway: 'http://127.0.0.1:4131', region: 'region-3', tries: 1, endMs: 2_040 },
  appStatus: 'approved',
  appReason: 'approved',
  appStatusMs: 2_100,
  appError: null,
  ...patch,
});

const row = (id: string, patch: Partial<PushTransactionRow> = {}): PushTransactionRow => ({
  id,
  applicationId: app,
  attemptId: `attempt-${id}`,
  status: 'approved',
  reason: 'approved',
  createdAt: at(0),
  expiresAt: at(60_000),
  decidedAt: at(1_000),
  ...patch,
});

const audit = (type: string, id: string | null, region: string, attemptId: string | null = null): PushAuditRow => ({
  type,
  applicationId: app,
  attemptId,
  transactionId: id,
  gatewayId: `gw-${region}`,
  region,
});

describe('[DRILL_PUSH_REPORT] what the push section of a drill report says', () => {
  it('passes when every approval the device or app was told of is approved once, in time, audited', () => {
    const logins = [
      login('t1', { startMs: 0, appStatusMs: 2_000 }),
      login('t2', { startMs: 0, appStatusMs: 9_000 }), // waited out a failover
      login('t3', {
        kind: 'late',
        answer: { kind: 'answered', status: 'expired', detail: 'expired', gateway: null, region: null, tries: 1, endMs: 17_000 },
        appStatus: 'expired',
        appReason: 'expired',
      }),
      login('t4', {
        kind: 'late',
        answer: { kind: 'refused', status: null, detail: 'PUSH_REQUEST_REFUSED', gateway: null, region: null, tries: 2, endMs: 17_000 },
        appStatus: 'expired',
      }),
      login('', {
        transactionId: null,
        beginError: 'unavailable (http://x ECONNREFUSED)',
        beginRefusals: ['PUSH_PENDING'],
        answer: null,
        appStatus: null,
        appStatusMs: null,
      }),
    ];
    const transactions = [
      row('t1'),
      row('t2'),
      row('t3', { status: 'expired', reason: 'expired', expiresAt: at(15_000), decidedAt: at(16_500) }),
      row('t4', { status: 'expired', reason: 'expired', expiresAt: at(15_000), decidedAt: at(15_200) }),
    ];
    const audits = [
      audit('push.begun', 't1', 'region-1'),
      audit('push.approved', 't1', 'region-3'),
      audit('push.begun', 't2', 'region-2'),
      // No transactionId in the detail: found by the application's attempt id.
      audit('push.approved', null, 'region-2', 'attempt-t2'),
      audit('push.begun', 't3', 'region-1'),
      audit('push.expired', 't3', 'region-2'),
    ];
    const resends: PushResend[] = [
      { transactionId: 't1', signature: 'same', outcome: 'same-outcome', detail: 'approved approved' },
      { transactionId: 't1', signature: 'fresh', outcome: 'refused', detail: 'PUSH_REQUEST_REFUSED' },
    ];
    const push = summarizePush({ logins, transactions, audits, resends, decidedBeforeResend: { t1: at(1_000).toISOString() } });

    expect(push.checks).toEqual({ approvalsLost: [], approvedTwice: [], expiredApproved: [], auditMissing: [] });
    expect(isPushPassed(push)).toBe(true);
    expect(push.logins).toEqual({ prompt: 3, late: 2 });
    expect(push.begin).toEqual({ begun: 4, byRegion: { 'region-1': 2, 'region-2': 1 }, refusals: { PUSH_PENDING: 1 }, errors: { unavailable: 1 } });
    expect(push.failures).toEqual([
      { startMs: 1_000, userId: 'drill-push-', transactionId: null, stage: 'begin', detail: 'unavailable (http://x ECONNREFUSED)' },
    ]);
    expect(push.database).toEqual({ pending: 0, approved: 2, denied: 0, expired: 2 });
    expect(push.answers).toMatchObject({ sent: 4, approved: 2, expired: 1, refused: { PUSH_REQUEST_REFUSED: 1 }, errors: 0 });
    expect(push.crossRegion).toEqual({ approved: 2, inAnotherRegion: 1 });
    expect(push.app.successRate).toBeCloseTo(2 / 3);
    expect(push.app.statuses).toEqual({ approved: 2, 'not begun': 1 });
    expect(push.late).toEqual({ sent: 2, toldApproved: 0, toldExpired: 1, refused: 1, errors: 0, appSawExpired: 2 });
    expect(push.latencyMs).toEqual({ p50: 9_000, p99: 9_000, max: 9_000 });
    expect(push.resends).toEqual({ sent: 2, refused: 1, sameOutcome: 1, changed: 0, errors: 0 });
    expect(renderPushMarkdown(push).join('\n')).toContain('| **approvals lost** | 0 |');
  });

  it('fails on a lost approval, a second transition, an approval past expiry and a missing audit row', () => {
    const logins = [
      login('lost'), // the device was told approved; the database never got it
      login('app-only', { answer: null }), // the app was told approved
      login('twice'),
      login('moved'),
      login('late-approved', { kind: 'late' }),
    ];
    const transactions = [
      row('lost', { status: 'pending', reason: null, decidedAt: null }),
      row('app-only', { status: 'expired', reason: 'expired' }),
      row('twice'),
      row('moved', { decidedAt: at(5_000) }),
      row('late-approved', { expiresAt: at(15_000), decidedAt: at(16_000) }),
      row('unaudited'),
    ];
    const audits = [
      audit('push.approved', 'twice', 'region-1'),
      audit('push.approved', 'twice', 'region-2'),
      audit('push.approved', 'moved', 'region-1'),
      audit('push.approved', 'late-approved', 'region-1'),
    ];
    const resends: PushResend[] = [{ transactionId: 'moved', signature: 'fresh', outcome: 'changed', detail: 'denied wrong_number' }];
    const push = summarizePush({ logins, transactions, audits, resends, decidedBeforeResend: { moved: at(1_000).toISOString() } });

    expect(push.checks.approvalsLost).toEqual(['app-only', 'lost']);
    expect(push.checks.approvedTwice).toEqual(['moved', 'twice']);
    expect(push.checks.expiredApproved).toEqual(['late-approved']);
    expect(push.checks.auditMissing).toEqual(['unaudited']);
    expect(isPushPassed(push)).toBe(false);
  });
});
