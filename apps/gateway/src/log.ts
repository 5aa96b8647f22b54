// One JSON line per event on stdout, written by pino. The fields are the ones operators and tests
// already read: `time` (ISO 8601), `event`, the process's base fields (`gatewayId`, `region`), then
// the event's own; plus pino's `level`, as a name ("info"). No `pid` or `hostname`: the base fields
// name the process.
import { pino, stdTimeFunctions, type DestinationStream } from 'pino';

export type GatewayLog = (event: string, fields?: Record<string, unknown>) => void;

// Callers pass only non-secret fields; this is the net under that rule, by configuration rather
// than by care. A field with one of these names is written as "[redacted]", at the top level or one
// object down (and in request headers). Error codes belong under `holdfastCode`, not `code`: a
// `code` is taken to be a one-time code.
const secretNames = [
  'authorization',
  'cookie',
  'bearer',
  'token',
  'sessionToken',
  'apiKey',
  'secret',
  'password',
  'privateJwk',
  'code',
  'recoveryCode',
  // Push approval: pairing tokens, device signatures and Web Push subscriptions (endpoint + keys).
  'pairingToken',
  'signature',
  'subscription',
  'endpoint',
  'p256dh',
  'auth',
  'number',
  'typedNumber',
];
const redactedPaths = [
  ...secretNames,
  ...secretNames.map((name) => `*.${name}`),
  ...['headers', 'req.headers', '*.headers'].flatMap((headers) => [`${headers}.authorization`, `${headers}.cookie`, `${headers}["x-api-key"]`]),
];

/**
 * A logger with `base` on every line. Writes synchronously (tests and the launcher read the
 * process's output line by line, and a crash must not swallow the lines before it).
 */
export function createLogger(base: Record<string, string>, options: { destination?: DestinationStream } = {}): GatewayLog {
  const logger = pino(
    {
      base,
      messageKey: 'event',
      timestamp: stdTimeFunctions.isoTime,
      // pino cannot leave the level out (its line starts with it), so write it readably.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return (event, fields) => {
    logger.info(fields ?? {}, event);
  };
}
