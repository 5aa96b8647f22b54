// A local Web Push service for tests and e2e (issue 11): no vendor push service is reachable here,
// and `web-push` only posts over HTTPS. It stands where FCM / Mozilla autopush / Apple's service
// would: HTTPS on 127.0.0.1 with a throw-away self-signed certificate (made with `openssl`, so
// nothing new is installed), one path per subscription endpoint, 201 by default and 404 / 410 / 429
// on request. It records every request and checks what a real push service checks — the VAPID
// `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292: ES256 over the JWT with k, `aud` = the
// endpoint's origin, `exp` at most 24 h ahead, `sub` present) — and it can decrypt the RFC 8291
// aes128gcm body with the subscription's private keys (node:crypto: ECDH, HKDF-SHA256, AES-128-GCM),
// which a real push service cannot: that is the test's view from the device's side.
// Gateways trust it through HOLDFAST_PUSH_CA_FILE (`caFile`) and HOLDFAST_PUSH_SERVICE_HOSTS (`host`).
import { execFile } from 'node:child_process';
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify as verifySignature } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What a device gives the server: `PushSubscription.toJSON()` minus expirationTime. */
export interface PushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A test device's subscription and the private half a real browser would keep to itself. */
export interface TestPushSubscription {
  subscription: PushSubscriptionJson;
  /** The device's ECDH P-256 private key (32 raw bytes). */
  privateKey: Buffer;
  /** The device's ECDH public key, uncompressed (65 bytes) — `keys.p256dh` decoded. */
  publicKey: Buffer;
  /** The 16-byte authentication secret — `keys.auth` decoded. */
  authSecret: Buffer;
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

export type VapidCheck = { isValid: true; publicKey: string; claims: VapidClaims } | { isValid: false; error: string };

export interface PushServiceRequest {
  /** The full endpoint URL the request was posted to. */
  endpoint: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** What the service answered. */
  status: number;
  vapid: VapidCheck;
  receivedAt: Date;
}

export interface PushEndpointBehaviour {
  /** 201 (delivered), 404 / 410 (subscription gone), 429 (slow down), or anything else. */
  status: number;
  /** Sent with the answer (e.g. `retry-after` for a 429). */
  headers?: Record<string, string>;
}

export interface LocalPushService {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  /** `127.0.0.1:<port>`: what HOLDFAST_PUSH_SERVICE_HOSTS must allow. */
  host: string;
  /** The self-signed certificate (its own CA): trust it with `https.Agent({ ca })`. */
  caPem: string;
  /** The same PEM in a file: HOLDFAST_PUSH_CA_FILE. */
  caFile: string;
  /** A fresh endpoint URL on this service (`name` makes it readable in failures). */
  endpoint: (name?: string) => string;
  /** A fresh endpoint with a test device's keys. */
  createSubscription: (options?: { name?: string; behaviour?: PushEndpointBehaviour }) => TestPushSubscription;
  /** How one endpoint answers from now on (default: 201). */
  respondWith: (endpoint: string, behaviour: PushEndpointBehaviour) => void;
  /** Every request received, oldest first. */
  readonly requests: readonly PushServiceRequest[];
  requestsFor: (endpoint: string) => PushServiceRequest[];
  /** Resolves with the next request to `endpoint` (or one already received beyond `after` requests). */
  waitForRequest: (endpoint: string, options?: { timeoutMs?: number; after?: number }) => Promise<PushServiceRequest>;
  stop: () => Promise<void>;
}

const maxVapidLifetimeSeconds = 24 * 60 * 60;
/** Request bodies above this are refused as a real push service does (RFC 8030 §7.2: 4096 bytes of payload). */
const maxBodyBytes = 8 * 1024;

function fromBase64url(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

function execOpenssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`openssl ${args[0] ?? ''} failed: ${stderr}`, { cause: error }));
    });
  });
}

/** A self-signed P-256 certificate for 127.0.0.1, valid one day, in a new temp folder (its own CA; the caller removes `dir`). */
export async function makeCertificate(): Promise<{ dir: string; keyPem: string; certPem: string; certFile: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'holdfast-push-service-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await execOpenssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  return { dir, keyPem: await readFile(keyFile, 'utf8'), certPem: await readFile(certFile, 'utf8'), certFile };
}

/** A test device's Web Push keys (what the browser's PushManager makes) for `endpoint`. */
export function createTestSubscription(endpoint: string): TestPushSubscription {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  const authSecret = randomBytes(16);
  return {
    subscription: { endpoint, keys: { p256dh: publicKey.toString('base64url'), auth: authSecret.toString('base64url') } },
    privateKey: ecdh.getPrivateKey(),
    publicKey,
    authSecret,
  };
}

/**
 * RFC 8291 + RFC 8188 (aes128gcm): what the device's browser does with a push body. Throws on
 * anything malformed or not decryptable with these keys.
 */
export function decryptPushPayload(body: Buffer, keys: Pick<TestPushSubscription, 'privateKey' | 'publicKey' | 'authSecret'>): Buffer {
  // Header: salt (16) | record size (uint32) | key id length (1) | key id (the sender's ECDH public key).
  if (body.length < 21) throw new Error('aes128gcm body shorter than its header');
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const keyIdLength = body.readUInt8(20);
  const senderPublicKey = body.subarray(21, 21 + keyIdLength);
  if (keyIdLength !== 65 || senderPublicKey.length !== 65) throw new Error('aes128gcm key id is not an uncompressed P-256 point');
  if (recordSize < 18) throw new Error('aes128gcm record size too small');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(keys.privateKey);
  const sharedSecret = ecdh.computeSecret(senderPublicKey);
  // RFC 8291 §3.3: IKM from the ECDH secret, keyed by the auth secret, bound to both public keys.
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), keys.publicKey, senderPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', sharedSecret, keys.authSecret, keyInfo, 32));
  // RFC 8188 §2.2-2.3: content-encryption key and nonce from the body's salt.
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const records = body.subarray(21 + keyIdLength);
  const plaintexts: Buffer[] = [];
  for (let offset = 0, sequence = 0; offset < records.length; offset += recordSize, sequence += 1) {
    const record = records.subarray(offset, offset + recordSize);
    if (record.length < 17) throw new Error('aes128gcm record too short');
    const nonce = Buffer.from(baseNonce);
    // The record sequence number XORed into the nonce's end (web-push sends one record; JS bitwise
    // operators are 32-bit, so only the last four bytes, which is where a small sequence lives).
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ sequence) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    // Padding: the delimiter (2 = last record, 1 = more follow), then zeros.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end -= 1;
    const isLast = offset + recordSize >= records.length;
    if (end < 0 || padded[end] !== (isLast ? 2 : 1)) throw new Error('aes128gcm record has no valid padding delimiter');
    plaintexts.push(padded.subarray(0, end));
  }
  return Buffer.concat(plaintexts);
}

/** `decryptPushPayload` parsed as JSON. */
export function decryptPushJson(body: Buffer, keys: Pick<TestPushSubscription, 'privateKey' | 'publicKey' | 'authSecret'>): unknown {
  return JSON.parse(decryptPushPayload(body, keys).toString('utf8'));
}

/**
 * RFC 8292: `Authorization: vapid t=<JWT>, k=<base64url uncompressed P-256 key>`; the JWT is ES256
 * over that key, `aud` is the push service's origin, `exp` is in the future and at most 24 h away,
 * `sub` is a contact (mailto: or https:).
 */
export function checkVapidAuthorization(header: string | undefined, expectedAudience: string, now: Date = new Date()): VapidCheck {
  const invalid = (error: string): VapidCheck => ({ isValid: false, error });
  if (header === undefined) return invalid('no Authorization header');
  const match = /^vapid\s+(.*)$/i.exec(header.trim());
  if (match === null) return invalid('Authorization is not the vapid scheme');
  const params = new Map<string, string>();
  for (const part of (match[1] ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at > 0) params.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const token = params.get('t');
  const key = params.get('k');
  if (token === undefined || key === undefined) return invalid('vapid needs t= and k=');
  const [headerPart, payloadPart, signaturePart] = token.split('.');
  if (headerPart === undefined || payloadPart === undefined || signaturePart === undefined || token.split('.').length !== 3) return invalid('t is not a JWT');
  let jwtHeader: unknown;
  let claims: unknown;
  try {
    jwtHeader = JSON.parse(fromBase64url(headerPart).toString('utf8'));
    claims = JSON.parse(fromBase64url(payloadPart).toString('utf8'));
  } catch {
    return invalid('JWT parts are not JSON');
  }
  if (typeof jwtHeader !== 'object' || jwtHeader === null || (jwtHeader as { alg?: unknown }).alg !== 'ES256') return invalid('JWT alg is not ES256');
  const point = fromBase64url(key);
  if (point.length !== 65 || point[0] !== 4) return invalid('k is not an uncompressed P-256 point');
  let isSigned = false;
  try {
    const publicKey = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
      format: 'jwk',
    });
    isSigned = verifySignature(
      'sha256',
      Buffer.from(`${headerPart}.${payloadPart}`),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      fromBase64url(signaturePart),
    );
  } catch (error) {
    return invalid(`k is not a usable key: ${String(error)}`);
  }
  if (!isSigned) return invalid('JWT signature does not verify with k');
  if (typeof claims !== 'object' || claims === null) return invalid('JWT claims are not an object');
  const { aud, exp, sub } = claims as { aud?: unknown; exp?: unknown; sub?: unknown };
  if (aud !== expectedAudience) return invalid(`aud ${String(aud)} is not ${expectedAudience}`);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof exp !== 'number' || !Number.isInteger(exp) || exp <= nowSeconds) return invalid('exp missing or past');
  if (exp > nowSeconds + maxVapidLifetimeSeconds) return invalid('exp more than 24 hours ahead');
  if (typeof sub !== 'string' || !/^(mailto:|https:\/\/)\S+$/.test(sub)) return invalid('sub missing or not mailto:/https:');
  return { isValid: true, publicKey: key, claims: { aud, exp, sub } };
}

/** Starts the service on 127.0.0.1 (a free port). Stop it with `stop()`: the temp folder goes too. */
export async function startPushService(): Promise<LocalPushService> {
  const certificate = await makeCertificate();
  const requests: PushServiceRequest[] = [];
  const behaviours = new Map<string, PushEndpointBehaviour>();
  const waiters = new Set<{ endpoint: string; after: number; resolve: (request: PushServiceRequest) => void }>();
  let origin = '';
  let counter = 0;

  const server = https.createServer({ key: certificate.keyPem, cert: certificate.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      const endpoint = `${origin}${req.url ?? '/'}`;
      const vapid = checkVapidAuthorization(req.headers.authorization, origin);
      const behaviour = behaviours.get(endpoint) ?? { status: 201 };
      // What a real push service does first: refuse an unauthenticated or oversized request.
      const status = size > maxBodyBytes ? 413 : req.method !== 'POST' ? 405 : !vapid.isValid ? 403 : behaviour.status;
      const request: PushServiceRequest = {
        endpoint,
        method: req.method ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        status,
        vapid,
        receivedAt: new Date(),
      };
      requests.push(request);
      for (const waiter of waiters) {
        if (waiter.endpoint === endpoint && requests.filter((seen) => seen.endpoint === endpoint).length > waiter.after) {
          waiters.delete(waiter);
          waiter.resolve(request);
        }
      }
      res.writeHead(status, status === behaviour.status ? (behaviour.headers ?? {}) : {});
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `https://127.0.0.1:${String(port)}`;

  const endpoint = (name = 'device'): string => {
    counter += 1;
    return `${origin}/push/${encodeURIComponent(name)}-${String(counter)}-${randomBytes(6).toString('hex')}`;
  };
  const requestsFor = (target: string): PushServiceRequest[] => requests.filter((request) => request.endpoint === target);

  return {
    origin,
    host: `127.0.0.1:${String(port)}`,
    caPem: certificate.certPem,
    caFile: certificate.certFile,
    endpoint,
    createSubscription: (options = {}) => {
      const subscription = createTestSubscription(endpoint(options.name));
      if (options.behaviour !== undefined) behaviours.set(subscription.subscription.endpoint, options.behaviour);
      return subscription;
    },
    respondWith: (target, behaviour) => {
      behaviours.set(target, behaviour);
    },
    requests,
    requestsFor,
    waitForRequest: (target, options = {}) => {
      const after = options.after ?? 0;
      const seen = requestsFor(target);
      const already = seen[after];
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = {
          endpoint: target,
          after,
          resolve: (request: PushServiceRequest) => {
            clearTimeout(timer);
            resolve(request);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no push request to ${target} within ${String(options.timeoutMs ?? 5000)} ms`));
        }, options.timeoutMs ?? 5000);
        waiters.add(waiter);
      });
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      await rm(certificate.dir, { recursive: true, force: true });
    },
  };
}
