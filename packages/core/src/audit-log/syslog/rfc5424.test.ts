import { describe, expect, it } from 'vitest';

import type { AuditRecord } from '../audit-record';
import { auditSyslogFrame, auditSyslogMessage, auditSyslogSeverity, escapeSdParamValue, octetCountedFrame } from './rfc5424';

// A reader written from the ABNF of RFC 5424 §6 and RFC 6587 §3.4.1, byte by byte, independent of
// the formatter: every message the formatter makes must parse, and parse back to what went in.
interface ParsedSyslog {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: { id: string; params: [string, string][] }[] | null;
  /** The MSG bytes after the SP, if any. */
  msg: Uint8Array | null;
}

const SP = 0x20;
const isPrintUsAscii = (byte: number): boolean => byte >= 33 && byte <= 126;

class Reader {
  position = 0;
  constructor(readonly bytes: Uint8Array) {}
  peek(): number | undefined {
    return this.bytes[this.position];
  }
  next(): number {
    const byte = this.bytes[this.position];
    if (byte === undefined) throw new Error(`unexpected end at ${String(this.position)}`);
    this.position += 1;
    return byte;
  }
  expect(byte: number): void {
    const got = this.next();
    if (got !== byte) throw new Error(`expected ${String.fromCharCode(byte)} at ${String(this.position - 1)}, got ${String.fromCharCode(got)}`);
  }
  /** 1*max PRINTUSASCII up to the next SP. */
  token(max: number, what: string): string {
    let text = '';
    while (this.peek() !== SP && this.peek() !== undefined) {
      const byte = this.next();
      if (!isPrintUsAscii(byte)) throw new Error(`${what}: byte ${String(byte)} is not PRINTUSASCII`);
      text += String.fromCharCode(byte);
    }
    if (text.length < 1 || text.length > max) throw new Error(`${what}: length ${String(text.length)} not in 1..${String(max)}`);
    return text;
  }
}

/** SD-NAME: 1*32 PRINTUSASCII except '=', SP, ']', '"'. */
function sdName(reader: Reader): string {
  let name = '';
  for (;;) {
    const byte = reader.peek();
    if (byte === undefined || !isPrintUsAscii(byte) || byte === 0x3d || byte === 0x5d || byte === 0x22) break;
    name += String.fromCharCode(reader.next());
  }
  if (name.length < 1 || name.length > 32) throw new Error(`SD-NAME length ${String(name.length)}`);
  return name;
}

/** PARAM-VALUE between the quotes; only `"`, `\` and `]` are escaped (§6.3.3), and a bare `]` or `"` is not allowed. */
function paramValue(reader: Reader): string {
  const bytes: number[] = [];
  for (;;) {
    const byte = reader.next();
    if (byte === 0x22) break;
    if (byte === 0x5d) throw new Error('unescaped ] in PARAM-VALUE');
    if (byte === 0x5c) {
      const escaped = reader.next();
      if (escaped !== 0x22 && escaped !== 0x5c && escaped !== 0x5d) bytes.push(byte);
      bytes.push(escaped);
      continue;
    }
    bytes.push(byte);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
}

function parseSyslogMessage(bytes: Uint8Array): ParsedSyslog {
  const reader = new Reader(bytes);
  reader.expect(0x3c);
  let priText = '';
  while (reader.peek() !== 0x3e) priText += String.fromCharCode(reader.next());
  reader.expect(0x3e);
  if (!/^\d{1,3}$/.test(priText) || Number(priText) > 191) throw new Error(`PRIVAL ${priText}`);
  let versionText = '';
  while (reader.peek() !== SP) versionText += String.fromCharCode(reader.next());
  if (!/^[1-9]\d{0,2}$/.test(versionText)) throw new Error(`VERSION ${versionText}`);
  reader.expect(SP);
  const timestamp = reader.token(64, 'TIMESTAMP');
  if (
    timestamp !== '-' &&
    !/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/.test(timestamp)
  ) {
    throw new Error(`TIMESTAMP ${timestamp}`);
  }
  reader.expect(SP);
  const hostname = reader.token(255, 'HOSTNAME');
  reader.expect(SP);
  const appName = reader.token(48, 'APP-NAME');
  reader.expect(SP);
  const procId = reader.token(128, 'PROCID');
  reader.expect(SP);
  const msgId = reader.token(32, 'MSGID');
  reader.expect(SP);
  let structuredData: ParsedSyslog['structuredData'] = null;
  if (reader.peek() === 0x2d) {
    reader.next();
  } else {
    structuredData = [];
    while (reader.peek() === 0x5b) {
      reader.next();
      const id = sdName(reader);
      const params: [string, string][] = [];
      while (reader.peek() === SP) {
        reader.next();
        const name = sdName(reader);
        reader.expect(0x3d);
        reader.expect(0x22);
        params.push([name, paramValue(reader)]);
      }
      reader.expect(0x5d);
      structuredData.push({ id, params });
    }
    if (structuredData.length === 0) throw new Error('STRUCTURED-DATA: neither NILVALUE nor an SD-ELEMENT');
  }
  let msg: Uint8Array | null = null;
  if (reader.peek() !== undefined) {
    reader.expect(SP);
    msg = bytes.subarray(reader.position);
  }
  return { pri: Number(priText), version: Number(versionText), timestamp, hostname, appName, procId, msgId, structuredData, msg };
}

/** RFC 6587 octet counting: MSG-LEN (NONZERO-DIGIT *DIGIT) SP then exactly MSG-LEN bytes; returns the messages of a stream. */
function splitOctetCounted(stream: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let position = 0;
  while (position < stream.length) {
    let digits = '';
    while (stream[position] !== SP) {
      const byte = stream[position];
      if (byte === undefined || byte < 0x30 || byte > 0x39) throw new Error(`MSG-LEN: byte ${String(byte)} at ${String(position)}`);
      digits += String.fromCharCode(byte);
      position += 1;
    }
    if (!/^[1-9]\d*$/.test(digits)) throw new Error(`MSG-LEN ${digits}`);
    position += 1;
    const end = position + Number(digits);
    if (end > stream.length) throw new Error('frame runs past the end');
    messages.push(stream.subarray(position, end));
    position = end;
  }
  return messages;
}

/** MSG-UTF8 = BOM UTF-8-STRING. */
function msgJson(msg: Uint8Array | null): unknown {
  if (msg === null) throw new Error('no MSG');
  expect([...msg.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(msg.subarray(3)));
}

const record: AuditRecord = {
  format: 'holdfast-audit-record/v1',
  leafIndex: 41,
  eventId: '0195f0a4-7a5e-7c3b-9d2e-1f2a3b4c5d6e',
  occurredAt: '2026-11-30T01:02:03.456Z',
  type: 'verify.accepted',
  applicationId: '5b0c5a52-8a0f-4f6e-9a57-3b0f5c1d2e3f',
  userId: '6c1d6b63-9b1f-4a7f-8b68-4c1f6d2e3f40',
  factorId: null,
  attemptId: 'attempt-1',
  gatewayId: 'gw-eu-1',
  region: 'eu',
  detail: { kind: 'totp' },
  checkpoint: {
    treeSize: 42,
    rootHash: 'q1w2e3r4t5y6u7i8o9p0+/a1s2d3f4g5h6j7k8l9z0x=',
    note: 'holdfast.audit/abc\n42\nq1w2e3r4t5y6u7i8o9p0+/a1s2d3f4g5h6j7k8l9z0x=\n\n— holdfast.audit/abc AAAA\n',
  },
};

describe('auditSyslogMessage (RFC 5424)', () => {
  it('is a valid SYSLOG-MSG: authpriv PRI, version 1, the event time, gateway, app, type, our SD element, BOM + the record JSON', () => {
    const parsed = parseSyslogMessage(auditSyslogMessage(record));
    expect(parsed.pri).toBe(10 * 8 + 6);
    expect(parsed.version).toBe(1);
    expect(parsed.timestamp).toBe('2026-11-30T01:02:03.456Z');
    expect(parsed.hostname).toBe('gw-eu-1');
    expect(parsed.appName).toBe('holdfast');
    expect(parsed.procId).toBe('-');
    expect(parsed.msgId).toBe('verify.accepted');
    expect(parsed.structuredData).toEqual([
      {
        id: 'holdfast@32473',
        params: [
          ['leaf', '41'],
          ['eventId', record.eventId],
          ['treeSize', '42'],
          ['rootHash', record.checkpoint.rootHash],
        ],
      },
    ]);
    expect(msgJson(parsed.msg)).toEqual(record);
  });

  it('takes the severity from the event: refusals notice, locks and fraud warning, a rewritten history alert, the rest informational', () => {
    const priOf = (type: string): number => parseSyslogMessage(auditSyslogMessage({ ...record, type })).pri;
    expect(priOf('verify.rejected')).toBe(85);
    expect(priOf('push.denied')).toBe(85);
    expect(priOf('account.locked')).toBe(84);
    expect(priOf('factor.locked')).toBe(84);
    expect(priOf('push.fraud_reported')).toBe(84);
    expect(priOf('audit.history_rewritten')).toBe(81);
    expect(priOf('factor.enrolled')).toBe(86);
    expect(priOf('some.future_type')).toBe(86);
    expect(auditSyslogSeverity('constructor')).toBe(6);
    expect(auditSyslogSeverity('__proto__')).toBe(6);
  });

  it('escapes ", \\ and ] in PARAM-VALUEs (§6.3.3) and a reader gets the value back', () => {
    const eventId = 'a"b\\c]d';
    const message = auditSyslogMessage({ ...record, eventId });
    expect(new TextDecoder().decode(message)).toContain('eventId="a\\"b\\\\c\\]d"');
    const parsed = parseSyslogMessage(message);
    expect(parsed.structuredData?.[0]?.params[1]).toEqual(['eventId', eventId]);
    expect(msgJson(parsed.msg)).toEqual({ ...record, eventId });
    expect(escapeSdParamValue('plain-value_123=')).toBe('plain-value_123=');
  });

  it('uses NILVALUE for a type longer than MSGID allows (never clipped) and for header values that are not PRINTUSASCII', () => {
    const long = parseSyslogMessage(auditSyslogMessage({ ...record, type: 'webauthn.backup_eligibility_changed', gatewayId: 'gw 1' }));
    expect(long.msgId).toBe('-');
    expect(long.hostname).toBe('-');
    expect((msgJson(long.msg) as AuditRecord).type).toBe('webauthn.backup_eligibility_changed');
    expect(parseSyslogMessage(auditSyslogMessage({ ...record, gatewayId: '' })).hostname).toBe('-');
    expect(parseSyslogMessage(auditSyslogMessage({ ...record, gatewayId: 'gw-é' })).hostname).toBe('-');
    expect(parseSyslogMessage(auditSyslogMessage(record, { hostname: 'edge-7', appName: 'mfa' }))).toMatchObject({ hostname: 'edge-7', appName: 'mfa' });
  });

  it('writes a TIMESTAMP the grammar accepts whatever the ISO form, NILVALUE when there is none', () => {
    expect(parseSyslogMessage(auditSyslogMessage({ ...record, occurredAt: '2026-11-30T02:02:03.456+01:00' })).timestamp).toBe('2026-11-30T02:02:03.456+01:00');
    expect(parseSyslogMessage(auditSyslogMessage({ ...record, occurredAt: '2026-11-30T01:02:03.123456789Z' })).timestamp).toBe('2026-11-30T01:02:03.123Z');
    expect(parseSyslogMessage(auditSyslogMessage({ ...record, occurredAt: 'yesterday' })).timestamp).toBe('-');
  });
});

describe('octet-counted frames (RFC 6587 §3.4.1)', () => {
  it('counts BYTES, not characters, so multi-byte detail and a stream of frames split exactly', () => {
    const wide: AuditRecord = { ...record, leafIndex: 42, detail: { label: 'café ✓ 🔐', nested: { quote: '"]\\' } } };
    const first = auditSyslogFrame(record);
    const second = auditSyslogFrame(wide);
    const secondMessage = auditSyslogMessage(wide);
    const secondText = new TextDecoder().decode(secondMessage);
    expect(secondText.length).toBeLessThan(secondMessage.length);
    expect(new TextDecoder().decode(second.subarray(0, second.indexOf(SP)))).toBe(String(secondMessage.length));
    const stream = new Uint8Array(first.length + second.length);
    stream.set(first, 0);
    stream.set(second, first.length);
    const messages = splitOctetCounted(stream);
    expect(messages).toHaveLength(2);
    expect(msgJson(parseSyslogMessage(messages[0] ?? new Uint8Array()).msg)).toEqual(record);
    expect(msgJson(parseSyslogMessage(messages[1] ?? new Uint8Array()).msg)).toEqual(wide);
  });

  it('frames any message as MSG-LEN SP MSG', () => {
    expect(new TextDecoder().decode(octetCountedFrame(new TextEncoder().encode('é')))).toBe('2 é');
  });
});
