import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

function capture(): { lines: () => Record<string, unknown>[]; destination: { write: (chunk: string) => void } } {
  const chunks: string[] = [];
  return {
    destination: {
      write: (chunk) => {
        chunks.push(chunk);
      },
    },
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('gateway log', () => {
  it('writes one JSON line per event with time, event, the base fields and the event fields', () => {
    const out = capture();
    const log = createLogger({ gatewayId: 'gw-1', region: 'eu' }, { destination: out.destination });
    log('listening', { url: 'http://127.0.0.1:4000' });
    log('stopped');
    const [listening, stopped] = out.lines();
    expect(listening).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      event: 'listening',
      gatewayId: 'gw-1',
      region: 'eu',
      url: 'http://127.0.0.1:4000',
    });
    expect(stopped).toMatchObject({ event: 'stopped', gatewayId: 'gw-1', region: 'eu' });
    expect(stopped).not.toHaveProperty('pid');
    expect(stopped).not.toHaveProperty('hostname');
  });

  it('redacts secrets by field name, whatever a caller passes', () => {
    const out = capture();
    const log = createLogger({ gatewayId: 'gw-1', region: 'eu' }, { destination: out.destination });
    log('leaky', {
      authorization: 'Bearer hfs_secret',
      code: '123456',
      attempt: { token: 'tok', bearer: 'b', apiKey: 'hf_k_s', attempts: 2 },
      req: { headers: { authorization: 'Bearer x', cookie: 'holdfast_enroll=v2.x', 'x-api-key': 'hf_k_s', accept: 'application/json' } },
    });
    const text = JSON.stringify(out.lines());
    for (const secret of ['hfs_secret', '123456', 'tok"', 'hf_k_s', 'Bearer x', 'v2.x']) expect(text).not.toContain(secret);
    expect(out.lines()[0]).toMatchObject({ attempt: { attempts: 2, token: '[redacted]' }, req: { headers: { accept: 'application/json' } } });
  });
});
