// The demo's only script and stylesheet, served from its own origin so the CSP can stay
// `script-src 'self'; style-src 'self'` (no inline code at all).

/**
 * The passkey step in the browser: ask the server for a challenge (Holdfast's `webauthnBegin`
 * options), run `navigator.credentials.get` on this page — its origin is what the authenticator
 * signs, so it must be one of the application's allowed origins — and post the assertion back.
 * base64url ↔ ArrayBuffer is converted here rather than shipping a library.
 */
export const passkeyScript = `
const button = document.getElementById('passkey-button');
const status = document.getElementById('passkey-status');
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

const fromBase64url = (text) => {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
};
const toBase64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const json = await response.json().catch(() => ({ error: 'The demo app did not answer. Try again.' }));
  if (json.redirect) {
    window.location.assign(json.redirect);
    return null;
  }
  if (!response.ok || json.error) throw new Error(json.error || 'Something went wrong. Try again.');
  return json;
}

button?.addEventListener('click', async () => {
  button.disabled = true;
  status.textContent = 'Waiting for your passkey or security key…';
  try {
    const begun = await post('/verify/passkey/options', {});
    if (begun === null) return;
    const options = begun.options;
    let credential;
    try {
      credential = await navigator.credentials.get({
        publicKey: {
          challenge: fromBase64url(options.challenge),
          rpId: options.rpId,
          timeout: options.timeout,
          userVerification: options.userVerification,
          allowCredentials: (options.allowCredentials || []).map((allowed) => ({
            type: 'public-key',
            id: fromBase64url(allowed.id),
            transports: allowed.transports,
          })),
        },
      });
    } catch (error) {
      throw new Error(
        error && error.name === 'NotAllowedError'
          ? 'The passkey request was cancelled or timed out. Try again, or choose another way.'
          : 'Your browser could not use a passkey here. Choose another way.',
      );
    }
    const response = credential.response;
    await post('/verify/passkey/finish', {
      response: {
        id: credential.id,
        rawId: toBase64url(credential.rawId),
        type: 'public-key',
        clientExtensionResults: {},
        ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
        response: {
          clientDataJSON: toBase64url(response.clientDataJSON),
          authenticatorData: toBase64url(response.authenticatorData),
          signature: toBase64url(response.signature),
          ...(response.userHandle ? { userHandle: toBase64url(response.userHandle) } : {}),
        },
      },
    });
  } catch (error) {
    status.textContent = error.message;
    button.disabled = false;
  }
});
`;

/**
 * "Approve on your phone": counts down to the expiry and long-polls the demo's own
 * GET /verify/push/status (which asks Holdfast about THIS session's push, never one the page
 * names), again and again until the phone has answered or the request expired; then follows the
 * server's same-origin redirect (the account, or the second-step page with what happened).
 * Without JavaScript the page's "Check again" button does one check per press.
 */
export const pushScript = `
const status = document.getElementById('push-status');
const countdown = document.getElementById('push-countdown');
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const expiresAt = Date.parse(countdown ? countdown.getAttribute('datetime') : '');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function tick() {
  if (!countdown || Number.isNaN(expiresAt)) return;
  const left = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
  countdown.textContent = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
  if (left > 0) setTimeout(tick, 1000 - (Date.now() % 1000));
}

/** Only a path on this origin: the answer comes from the demo's server, but a page never leaves for elsewhere. */
const isLocalPath = (value) => typeof value === 'string' && value.startsWith('/') && !value.startsWith('//');

async function wait() {
  let failures = 0;
  for (;;) {
    const started = Date.now();
    let answer = null;
    try {
      const response = await fetch('/verify/push/status', {
        headers: { accept: 'application/json', 'x-csrf-token': csrfToken },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      answer = await response.json();
    } catch {
      answer = null;
    }
    if (answer && isLocalPath(answer.redirect)) {
      if (typeof answer.message === 'string') status.textContent = answer.message;
      window.location.assign(answer.redirect);
      return;
    }
    if (answer && answer.state === 'pending') {
      failures = 0;
      // The server waits up to 20 s for the phone; an early answer is not a reason to spin.
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
      continue;
    }
    failures += 1;
    const message = answer && typeof answer.message === 'string' ? answer.message : 'The demo app did not answer.';
    if (failures >= 3) {
      status.textContent = message + ' Press “Check again” when you have answered on your phone.';
      return;
    }
    status.textContent = message + ' Trying again…';
    await sleep(2000);
  }
}

if (status) {
  status.textContent = 'Waiting for your answer on your phone…';
  tick();
  void wait();
}
`;

export const stylesheet = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; }
header { padding: 0.75rem 1.25rem; border-bottom: 1px solid #8884; display: flex; gap: 0.75rem; align-items: baseline; flex-wrap: wrap; }
.brand { font-weight: 700; }
.hint { color: #767676; font-size: 0.9rem; }
main { max-width: 32rem; margin: 0 auto; padding: 1.25rem; }
h1 { font-size: 1.5rem; }
form, section { margin: 1rem 0; padding: 1rem; border: 1px solid #8884; border-radius: 0.5rem; }
label { display: block; margin: 0.5rem 0 0.25rem; font-weight: 600; }
input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 0.5rem; font-size: 1rem; }
button { margin-top: 0.75rem; padding: 0.5rem 1rem; font-size: 1rem; cursor: pointer; }
.link-button { background: none; border: none; padding: 0; color: LinkText; text-decoration: underline; }
.notice { padding: 0.75rem; border-radius: 0.5rem; background: #36c2; }
.error { padding: 0.75rem; border-radius: 0.5rem; background: #c332; }
form.inline { border: none; padding: 0; margin: 0.5rem 0; }
.push-offer { border-width: 2px; }
.push-prompt { font-size: 1.25rem; text-align: center; margin: 1rem 0; }
.push-number { display: block; font-size: 3.5rem; font-weight: 700; line-height: 1.1; letter-spacing: 0.15em; font-variant-numeric: tabular-nums; }
.push-expiry { text-align: center; }
.push-expiry time { font-weight: 700; font-variant-numeric: tabular-nums; }
#push-status { text-align: center; min-height: 1.5em; }
`;
