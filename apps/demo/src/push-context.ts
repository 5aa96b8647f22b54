// What the demo tells the user's phone about a sign-in ("Chromium on Linux", 203.0.113.7), so they
// can tell their own sign-in from an attacker's. Only words from fixed lists leave here: the raw
// User-Agent header is the requester's text, and it would be shown on the phone and written to the
// audit trail (the gateway refuses control characters, but not a believable lie like "Your bank").
import type { PushContext } from '@holdfast/sdk';
import { z } from 'zod';

/** First match wins: the order matters (Edge and Opera also say "Chrome", Chrome also says "Safari"). */
const browsers: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\bChromium\//, 'Chromium'],
  [/\b(?:Chrome|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const systems: readonly (readonly [RegExp, string])[] = [
  [/\b(?:iPhone|iPod)\b/, 'iOS'],
  [/\biPad\b/, 'iPadOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

/** Long enough for any real User-Agent; a longer header is not read further (bounded regex work). */
const maxUserAgentLength = 512;

/**
 * "Firefox on Windows", "Chrome on Android", "A browser on Linux", "Safari" — or undefined when
 * nothing is recognised (the phone then says "Not given" rather than guessing).
 */
export function summarizeUserAgent(userAgent: string | undefined): string | undefined {
  if (userAgent === undefined) return undefined;
  const text = userAgent.slice(0, maxUserAgentLength);
  const browser = browsers.find(([pattern]) => pattern.test(text))?.[1];
  const system = systems.find(([pattern]) => pattern.test(text))?.[1];
  if (browser === undefined && system === undefined) return undefined;
  if (system === undefined) return browser;
  return `${browser ?? 'A browser'} on ${system}`;
}

// The gateway's own rule for `context.ipAddress` (validators pushContext): anything else would be refused.
const ipAddress = z.union([z.ipv4(), z.ipv6()]);

/** The request's address as the gateway accepts it: IPv4-mapped IPv6 shown as IPv4, anything unparsable left out. */
export function contextIpAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  const candidate = mapped?.[1] ?? address;
  return ipAddress.safeParse(candidate).success ? candidate : undefined;
}

/** The push's context from what the demo's own server saw (no location: the demo resolves none). */
export function pushContextFor(request: { ip: string | undefined; userAgent: string | undefined }): PushContext {
  const ip = contextIpAddress(request.ip);
  const browser = summarizeUserAgent(request.userAgent);
  return { ...(ip === undefined ? {} : { ipAddress: ip }), ...(browser === undefined ? {} : { browser }) };
}
