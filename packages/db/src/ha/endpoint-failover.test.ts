import { describe, expect, it } from 'vitest';
import { createEndpointFailover, isEndpointUnreachable } from './endpoint-failover';
import { isTransientDatabaseError } from './transient';
import { CommitNotReplicatedError } from './commit-not-replicated';

const wrapped = (code: string): Error =>
  new Error('query failed', { cause: new Error('driver error', { cause: Object.assign(new Error('socket'), { code }) }) });

describe('[DB_ENDPOINTS] moving to the next database endpoint', () => {
  it('opens endpoints lazily, moves on only when one is unreachable, and goes round', () => {
    const opened: number[] = [];
    const changes: { from: number; to: number }[] = [];
    const endpoints = createEndpointFailover({
      count: 3,
      open: (index) => {
        opened.push(index);
        return `endpoint-${index}`;
      },
      onEndpointChange: (event) => {
        changes.push(event);
      },
    });
    expect(opened).toEqual([]);
    expect(endpoints.current).toBe('endpoint-0');
    expect(endpoints.current).toBe('endpoint-0');
    // Busy or failing over: every endpoint would say the same, so stay.
    endpoints.reportError(new Error('timeout exceeded when trying to connect'));
    endpoints.reportError(wrapped('57P03'));
    expect(endpoints.index).toBe(0);
    endpoints.reportError(wrapped('ECONNREFUSED'));
    endpoints.reportError(wrapped('EHOSTUNREACH'));
    endpoints.reportError(wrapped('ENOTFOUND'));
    expect(changes).toEqual([
      { from: 0, to: 1 },
      { from: 1, to: 2 },
      { from: 2, to: 0 },
    ]);
    expect(endpoints.current).toBe('endpoint-0');
    expect(opened).toEqual([0]);
    endpoints.reportError(wrapped('ECONNREFUSED'));
    expect(endpoints.current).toBe('endpoint-1');
    expect(endpoints.opened()).toEqual(['endpoint-0', 'endpoint-1']);
  });

  it('stays on a single endpoint whatever happens', () => {
    const endpoints = createEndpointFailover({ count: 1, open: () => 'only' });
    endpoints.reportError(wrapped('ECONNREFUSED'));
    expect(endpoints.index).toBe(0);
    expect(() => createEndpointFailover({ count: 0, open: () => 'none' })).toThrow(/at least one/);
  });

  it('looks for the code along the cause chain, but not past its bound', () => {
    expect(isEndpointUnreachable(wrapped('ECONNREFUSED'))).toBe(true);
    let deep: unknown = Object.assign(new Error('socket'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 6; i += 1) deep = new Error(`layer ${i}`, { cause: deep });
    expect(isEndpointUnreachable(deep)).toBe(false);
    const cyclic = new Error('a') as Error & { cause?: unknown };
    cyclic.cause = cyclic;
    expect(isEndpointUnreachable(cyclic)).toBe(false);
  });
});

describe('[DB_TRANSIENT] which errors are worth retrying', () => {
  it('retries failover codes, connection messages and a commit the standby did not acknowledge', () => {
    for (const code of ['57P01', '57P03', '08006', '25006', '40001', 'ECONNRESET']) expect(isTransientDatabaseError(wrapped(code))).toBe(true);
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDatabaseError(new Error('retry failed', { cause: new CommitNotReplicatedError('canceling wait for synchronous replication') }))).toBe(
      true,
    );
  });

  it('does not retry what would fail the same way again', () => {
    for (const code of ['23505', '42P01', '22P02']) expect(isTransientDatabaseError(wrapped(code))).toBe(false);
    expect(isTransientDatabaseError('ECONNREFUSED')).toBe(false);
    expect(isTransientDatabaseError(null)).toBe(false);
  });
});
