// Where Holdfast sends results and accepts WebAuthn ceremonies from: https, or plain http on a
// loopback host only (a developer's machine). The database holds the same rule as a CHECK
// (`holdfast_is_secure_url`, migration 20261128090000) so every writer is bound by it.

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for `https:` URLs and for `http:` ones whose host is localhost, 127.0.0.1 or [::1]. */
export function isSecureOrLoopbackUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return url.hostname !== '';
  return url.protocol === 'http:' && loopbackHosts.has(url.hostname);
}

/** True when the URL's host is a loopback name (`localhost`, 127.0.0.1, [::1]), whatever its scheme. */
export function isLoopbackUrl(value: string): boolean {
  try {
    return loopbackHosts.has(new URL(value).hostname);
  } catch {
    return false;
  }
}
