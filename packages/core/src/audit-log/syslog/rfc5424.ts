// Sealed audit records as syslog messages (issue 12, the forwarder): RFC 5424 messages framed by
// octet counting (RFC 6587 §3.4.1 — the framing RFC 5425 requires over TLS, and the one that
// survives any byte in the message). Pure: the forwarder in the gateway owns the socket.
//
//   <PRI>1 TIMESTAMP HOSTNAME holdfast - MSGID [holdfast@32473 leaf=".." eventId=".." treeSize=".." rootHash=".."] BOM{AuditRecord JSON}
//
// - PRI = facility authpriv (10) × 8 + a severity by event type (auditSyslogSeverity).
// - TIMESTAMP = the event's occurredAt (when it happened, not when it was forwarded).
// - HOSTNAME = the gateway that wrote the event (the record's gatewayId), NILVALUE if unusable:
//   the forwarding gateway changes whenever another takes over, and says nothing about the event.
// - MSGID = the event type when it fits RFC 5424's 1*32 PRINTUSASCII, else NILVALUE (the type is
//   always in the JSON); never truncated, so a collector's rule never matches a clipped name.
// - STRUCTURED-DATA: one element under the documentation PEN 32473 (RFC 5612) with the leaf index,
//   event id and the checkpoint the record carries — enough for a collector to see a gap, ask for
//   `holdfast audit proof`, or refill with `holdfast audit export --after-leaf`.
// - MSG = UTF-8 BOM + JSON.stringify(record): the same AuditRecord the stream and the export send.
// Lengths are counted in bytes (UTF-8), never in UTF-16 code units.
import type { AuditRecord } from '../audit-record';

/** RFC 5424 §6.2.1 severities. */
export const syslogSeverities = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  informational: 6,
  debug: 7,
} as const;

export type SyslogSeverity = (typeof syslogSeverities)[keyof typeof syslogSeverities];

/** Facility 10, "security/authorization messages" (authpriv): where MFA events belong. */
export const syslogFacilityAuthpriv = 10;

/** Our structured-data element's SD-ID: a name @ the documentation private enterprise number (RFC 5612). */
export const auditSyslogSdId = 'holdfast@32473';

export const auditSyslogAppName = 'holdfast';

const { alert, warning, notice } = syslogSeverities;

/**
 * Severities other than informational, by event type. Warning: a lock, a suspension, a cloned key,
 * a fraud report (something to look at). Notice: refusals (normal in small numbers, a signal in
 * bulk). Alert: the sealed history itself was rewritten — act now. Unknown types are informational.
 */
const severityByType: Readonly<Record<string, SyslogSeverity>> = {
  'audit.history_rewritten': alert,
  'account.locked': warning,
  'factor.locked': warning,
  'factor.suspended': warning,
  'webauthn.clone_suspected': warning,
  'push.fraud_reported': warning,
  'hosted.attempts_exceeded': warning,
  'gateway.load_shed': warning,
  'admin.sign_in_failed': notice,
  'admin.action': notice,
  'apikey.rejected': notice,
  'request.rejected': notice,
  'verify.rejected': notice,
  'enrollment.link_rejected': notice,
  'factor.enroll_rejected': notice,
  'hosted.result_rejected': notice,
  'push.begin_refused': notice,
  'push.answer_refused': notice,
  'push.denied': notice,
  'webauthn.backup_eligibility_changed': notice,
  'factor.unlocked': notice,
  'account.unlocked': notice,
};

export function auditSyslogSeverity(type: string): SyslogSeverity {
  return Object.hasOwn(severityByType, type) ? (severityByType[type] ?? syslogSeverities.informational) : syslogSeverities.informational;
}

const nilValue = '-';
const printUsAscii = /^[\x21-\x7e]+$/;
const utf8 = new TextEncoder();
const bom = Uint8Array.of(0xef, 0xbb, 0xbf);

/** A header field: PRINTUSASCII, 1..maxLength characters, else NILVALUE (RFC 5424 §6.2). */
function headerField(value: string | null, maxLength: number): string {
  return value !== null && value.length <= maxLength && value !== nilValue && printUsAscii.test(value) ? value : nilValue;
}

/** PARAM-VALUE escaping (RFC 5424 §6.3.3): `"`, `\` and `]` MUST be escaped with a backslash. */
export function escapeSdParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (character) => `\\${character}`);
}

/** RFC 5424 TIMESTAMP from an ISO string: already FULL-DATE "T" FULL-TIME when it is UTC with ≤ 6 fraction digits. */
function timestampOf(occurredAt: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(occurredAt)) return occurredAt;
  const parsed = new Date(occurredAt);
  return Number.isNaN(parsed.getTime()) ? nilValue : parsed.toISOString();
}

export interface AuditSyslogOptions {
  /** HOSTNAME override (default: the record's gatewayId). */
  hostname?: string;
  /** APP-NAME (default `holdfast`). */
  appName?: string;
}

/** The RFC 5424 SYSLOG-MSG for one sealed record, as UTF-8 bytes (unframed). */
export function auditSyslogMessage(record: AuditRecord, options: AuditSyslogOptions = {}): Uint8Array {
  const pri = syslogFacilityAuthpriv * 8 + auditSyslogSeverity(record.type);
  const params: [string, string][] = [
    ['leaf', String(record.leafIndex)],
    ['eventId', record.eventId],
    ['treeSize', String(record.checkpoint.treeSize)],
    ['rootHash', record.checkpoint.rootHash],
  ];
  const structuredData = `[${auditSyslogSdId}${params.map(([name, value]) => ` ${name}="${escapeSdParamValue(value)}"`).join('')}]`;
  const header = [
    `<${String(pri)}>1`,
    timestampOf(record.occurredAt),
    headerField(options.hostname ?? record.gatewayId, 255),
    headerField(options.appName ?? auditSyslogAppName, 48),
    nilValue, // PROCID: which process forwarded says nothing about the event
    headerField(record.type, 32),
  ].join(' ');
  const head = utf8.encode(`${header} ${structuredData} `);
  const body = utf8.encode(JSON.stringify(record));
  const message = new Uint8Array(head.length + bom.length + body.length);
  message.set(head, 0);
  message.set(bom, head.length);
  message.set(body, head.length + bom.length);
  return message;
}

/** RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN the message's length in bytes. */
export function octetCountedFrame(message: Uint8Array): Uint8Array {
  const prefix = utf8.encode(`${String(message.length)} `);
  const frame = new Uint8Array(prefix.length + message.length);
  frame.set(prefix, 0);
  frame.set(message, prefix.length);
  return frame;
}

/** One record, formatted and framed: what the forwarder writes to the collector. */
export function auditSyslogFrame(record: AuditRecord, options: AuditSyslogOptions = {}): Uint8Array {
  return octetCountedFrame(auditSyslogMessage(record, options));
}
