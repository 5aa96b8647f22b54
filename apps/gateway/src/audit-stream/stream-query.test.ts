import { describe, expect, it } from 'vitest';
import { auditEventFrame, commentFrame, retryFrame } from './sse';
import { parseAuditStreamRequest } from './stream-query';

describe('the audit stream request', () => {
  it('reads after, since and Last-Event-ID (which wins over after)', () => {
    expect(parseAuditStreamRequest('', undefined)).toEqual({ ok: true, request: { afterLeafIndex: undefined, since: undefined } });
    expect(parseAuditStreamRequest('after=-1', undefined)).toEqual({ ok: true, request: { afterLeafIndex: -1, since: undefined } });
    expect(parseAuditStreamRequest('after=41', '')).toEqual({ ok: true, request: { afterLeafIndex: 41, since: undefined } });
    expect(parseAuditStreamRequest('after=41', '57')).toEqual({ ok: true, request: { afterLeafIndex: 57, since: undefined } });
    const parsed = parseAuditStreamRequest('since=2026-11-30T12:00:00%2B01:00', undefined);
    expect(parsed).toEqual({ ok: true, request: { afterLeafIndex: undefined, since: new Date('2026-11-30T11:00:00Z') } });
  });

  it('refuses what is not a leaf index or a zoned date-time, repeated and unknown parameters, by field', () => {
    const pathsOf = (query: string, header?: string): string[] => {
      const parsed = parseAuditStreamRequest(query, header);
      return parsed.ok ? [] : parsed.issues.map((issue) => issue.path);
    };
    for (const after of ['-2', '1.5', '01', 'abc', '', '12345678901234567', '1e3']) expect(pathsOf(`after=${after}`)).toEqual(['after']);
    expect(pathsOf('after=1&after=2')).toEqual(['after']);
    expect(pathsOf('since=2026-11-30')).toEqual(['since']);
    expect(pathsOf('since=2026-11-30T12:00:00')).toEqual(['since']);
    expect(pathsOf('applicationId=x')).toEqual(['']);
    expect(pathsOf('', 'x1')).toEqual(['Last-Event-ID']);
    expect(pathsOf('after=x', '-5')).toEqual(['after', 'Last-Event-ID']);
  });
});

describe('SSE frames', () => {
  it('an audit event is id (the leaf index), event and one data line, ended by a blank line', () => {
    const record = {
      format: 'holdfast-audit-record/v1',
      leafIndex: 7,
      eventId: 'e',
      occurredAt: '2026-11-30T00:00:00.000Z',
      type: 'verify.rejected',
      applicationId: null,
      userId: null,
      factorId: null,
      attemptId: null,
      gatewayId: 'gw',
      region: 'r',
      detail: { text: 'line one\nline two\r\n\n' },
      checkpoint: { treeSize: 8, rootHash: 'AA==', note: 'a\nb\n\n— k x\n' },
    } as const;
    const frame = auditEventFrame(record);
    expect(frame.endsWith('\n\n')).toBe(true);
    const lines = frame.slice(0, -2).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('id: 7');
    expect(lines[1]).toBe('event: audit');
    expect(JSON.parse(lines[2]?.slice('data: '.length) ?? '')).toEqual(record);
  });

  it('comments cannot break out of their line; retry is whole milliseconds', () => {
    expect(commentFrame('a\nid: 9\r\nb')).toBe(': a id: 9 b\n\n');
    expect(retryFrame(2000.7)).toBe('retry: 2000\n\n');
  });
});
