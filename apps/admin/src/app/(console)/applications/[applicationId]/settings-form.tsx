'use client';

import { adminApplicationUpdateInput, type AdminApplication } from '@holdfast/validators';
import { useRef, useState, type SubmitEvent } from 'react';
import type { z } from 'zod';
import { RadioChoice } from '../../../../components/radio-choice';
import type { ActionResult } from '../../../sign-in/types';
import { updateApplication } from '../actions';

type Run = <T>(reason: string, action: () => Promise<ActionResult<T>>) => Promise<ActionResult<T>>;
type Push = AdminApplication['push'];
type Lockout = AdminApplication['lockoutOverrides'];

/** Blank = the deployment's value (shown as the placeholder). */
const lockoutFields: readonly { key: keyof Lockout; label: string; hint: string; min: number; max: number }[] = [
  { key: 'factorThreshold', label: 'Lock a factor after', hint: 'failures in a row, 1–100', min: 1, max: 100 },
  { key: 'factorLockSeconds', label: 'Factor lock lasts', hint: 'seconds, 1–86400', min: 1, max: 86_400 },
  { key: 'factorHardLimit', label: 'Keep a factor locked until an unlock after', hint: 'failures in a row, 1–100', min: 1, max: 100 },
  { key: 'accountThreshold', label: 'Lock the account after', hint: 'failures in a row across factors, 1–100', min: 1, max: 100 },
];

const pushFields: readonly { key: keyof Push; label: string; hint: string; min: number; max: number }[] = [
  { key: 'ttlSeconds', label: 'Push request lifetime', hint: 'seconds, 15–300', min: 15, max: 300 },
  { key: 'numberDigits', label: 'Number-matching digits', hint: '2 or 3', min: 2, max: 3 },
  { key: 'maxPerWindow', label: 'Pushes per user per window', hint: '1–20', min: 1, max: 20 },
  { key: 'windowSeconds', label: 'Window', hint: 'seconds, 60–3600', min: 60, max: 3600 },
  { key: 'fraudSuspensionSeconds', label: 'Suspension after a fraud report', hint: 'seconds, 1–86400', min: 1, max: 86_400 },
];

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, index) => value === b[index]);

/** Field names in the order they are drawn, for the first-invalid-field focus. */
const fieldIds: Record<string, string> = {
  name: 'app-name',
  rpId: 'app-rp-id',
  rpName: 'app-rp-name',
  allowedOrigins: 'app-origins',
  callbackUrls: 'app-callbacks',
  push: 'push-ttlSeconds',
  lockout: 'lockout-factorThreshold',
};

/**
 * The application's settings. Only what changed is sent (the gateway audits each change with
 * before and after), checked first with the same schema the gateway uses: an invalid field is
 * named, marked and focused before anything is sent.
 */
export function SettingsForm({
  application,
  isBusy,
  onSaved,
  onFailed,
  run,
}: {
  application: AdminApplication;
  isBusy: boolean;
  onSaved: (application: AdminApplication, message: string) => void;
  onFailed: (message: string) => void;
  run: Run;
}) {
  const [name, setName] = useState(application.name);
  const [failMode, setFailMode] = useState(application.failMode);
  const [rpId, setRpId] = useState(application.rpId);
  const [rpName, setRpName] = useState(application.rpName);
  const [origins, setOrigins] = useState(application.allowedOrigins.join('\n'));
  const [userVerification, setUserVerification] = useState(application.userVerification);
  const [callbacks, setCallbacks] = useState(application.callbackUrls.join('\n'));
  const [push, setPush] = useState<Record<keyof Push, string>>({
    ttlSeconds: String(application.push.ttlSeconds),
    numberDigits: String(application.push.numberDigits),
    maxPerWindow: String(application.push.maxPerWindow),
    windowSeconds: String(application.push.windowSeconds),
    fraudSuspensionSeconds: String(application.push.fraudSuspensionSeconds),
  });
  const [lockout, setLockout] = useState<Record<keyof Lockout, string>>({
    factorThreshold: application.lockoutOverrides.factorThreshold?.toString() ?? '',
    factorLockSeconds: application.lockoutOverrides.factorLockSeconds?.toString() ?? '',
    factorHardLimit: application.lockoutOverrides.factorHardLimit?.toString() ?? '',
    accountThreshold: application.lockoutOverrides.accountThreshold?.toString() ?? '',
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  function changes(): z.input<typeof adminApplicationUpdateInput> {
    const update: z.input<typeof adminApplicationUpdateInput> = { applicationId: application.id };
    if (name.trim() !== application.name) update.name = name;
    if (failMode !== application.failMode) update.failMode = failMode;
    if (rpId.trim() !== application.rpId) update.rpId = rpId;
    if (rpName.trim() !== application.rpName) update.rpName = rpName;
    if (!sameList(lines(origins), application.allowedOrigins)) update.allowedOrigins = lines(origins);
    if (userVerification !== application.userVerification) update.userVerification = userVerification;
    if (!sameList(lines(callbacks), application.callbackUrls)) update.callbackUrls = lines(callbacks);
    const pushChanges: Partial<Push> = {};
    for (const field of pushFields) {
      const value = Number(push[field.key]);
      if (push[field.key].trim() === '' || value !== application.push[field.key]) pushChanges[field.key] = push[field.key].trim() === '' ? Number.NaN : value;
    }
    if (Object.keys(pushChanges).length > 0) update.push = pushChanges;
    const lockoutChanges: Partial<Lockout> = {};
    for (const field of lockoutFields) {
      const text = lockout[field.key].trim();
      const value = text === '' ? null : Number(text);
      if (value !== application.lockoutOverrides[field.key]) lockoutChanges[field.key] = value;
    }
    if (Object.keys(lockoutChanges).length > 0) update.lockout = lockoutChanges;
    return update;
  }

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const update = changes();
    const checked = adminApplicationUpdateInput.safeParse(update);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const field = typeof issue?.path[0] === 'string' ? issue.path[0] : null;
      setInvalid(field);
      onFailed(`${describeField(field)}: ${issue?.message ?? 'not valid'}.`);
      const element = field === null ? null : document.getElementById(fieldIds[field] ?? '');
      element?.focus();
      return;
    }
    setInvalid(null);
    if (Object.keys(update).length === 1) {
      onFailed('Nothing has changed: there is nothing to save.');
      return;
    }
    setIsSaving(true);
    try {
      const result = await run('change the application settings', () => updateApplication(update));
      if (result.ok) onSaved(result.value.application, 'Settings saved.');
      else onFailed(result.message);
    } finally {
      setIsSaving(false);
    }
  }

  const invalidProps = (field: string) => (invalid === field ? { 'aria-invalid': true, 'aria-describedby': 'application-error' } : {});

  return (
    <form ref={form} onSubmit={(event) => void submit(event)} className="settings-form" noValidate>
      <fieldset className="bare" disabled={isBusy}>
        <div className="field">
          <label htmlFor="app-name">Name</label>
          <input
            id="app-name"
            value={name}
            onChange={(event) => {
              setName(event.target.value);
            }}
            maxLength={80}
            autoComplete="off"
            {...invalidProps('name')}
          />
        </div>
        <RadioChoice
          legend="When the database is unreachable"
          name="fail-mode"
          value={failMode}
          options={[
            { value: 'secure', label: 'Refuse (secure)' },
            { value: 'safe', label: 'Let through (safe)' },
          ]}
          onChange={setFailMode}
        />
        <div className="field">
          <label htmlFor="app-rp-id">
            Passkey RP ID <span className="hint">(a host name, e.g. example.com)</span>
          </label>
          <input
            id="app-rp-id"
            value={rpId}
            onChange={(event) => {
              setRpId(event.target.value);
            }}
            autoComplete="off"
            spellCheck={false}
            {...invalidProps('rpId')}
          />
        </div>
        <div className="field">
          <label htmlFor="app-rp-name">Passkey RP name</label>
          <input
            id="app-rp-name"
            value={rpName}
            onChange={(event) => {
              setRpName(event.target.value);
            }}
            maxLength={64}
            autoComplete="off"
            {...invalidProps('rpName')}
          />
        </div>
        <RadioChoice
          legend="User verification for passkeys"
          name="user-verification"
          value={userVerification}
          options={[
            { value: 'required', label: 'Required' },
            { value: 'preferred', label: 'Preferred' },
          ]}
          onChange={setUserVerification}
        />
        <div className="field wide">
          <label htmlFor="app-origins">
            Allowed origins <span className="hint">(one per line, e.g. https://app.example.com; 1–20)</span>
          </label>
          <textarea
            id="app-origins"
            value={origins}
            onChange={(event) => {
              setOrigins(event.target.value);
            }}
            spellCheck={false}
            {...invalidProps('allowedOrigins')}
          />
        </div>
        <div className="field wide">
          <label htmlFor="app-callbacks">
            Callback URLs <span className="hint">(one per line; hosted verification may only return to these; up to 20)</span>
          </label>
          <textarea
            id="app-callbacks"
            value={callbacks}
            onChange={(event) => {
              setCallbacks(event.target.value);
            }}
            spellCheck={false}
            {...invalidProps('callbackUrls')}
          />
        </div>
        <fieldset className="wide">
          <legend>Push approval limits</legend>
          <div className="settings-form">
            {pushFields.map((field) => (
              <div className="field" key={field.key}>
                <label htmlFor={`push-${field.key}`}>
                  {field.label} <span className="hint">({field.hint})</span>
                </label>
                <input
                  id={`push-${field.key}`}
                  type="number"
                  inputMode="numeric"
                  min={field.min}
                  max={field.max}
                  value={push[field.key]}
                  onChange={(event) => {
                    setPush({ ...push, [field.key]: event.target.value });
                  }}
                  {...invalidProps('push')}
                />
              </div>
            ))}
          </div>
        </fieldset>
        <fieldset className="wide">
          <legend>Lockout</legend>
          <p className="hint">Leave a field blank to use the deployment&apos;s value (shown inside the empty field).</p>
          <div className="settings-form">
            {lockoutFields.map((field) => (
              <div className="field" key={field.key}>
                <label htmlFor={`lockout-${field.key}`}>
                  {field.label} <span className="hint">({field.hint})</span>
                </label>
                <input
                  id={`lockout-${field.key}`}
                  type="number"
                  inputMode="numeric"
                  min={field.min}
                  max={field.max}
                  placeholder={String(application.lockout[field.key])}
                  value={lockout[field.key]}
                  onChange={(event) => {
                    setLockout({ ...lockout, [field.key]: event.target.value });
                  }}
                  {...invalidProps('lockout')}
                />
              </div>
            ))}
          </div>
        </fieldset>
        <div className="wide actions">
          <button type="submit" className="primary" disabled={isBusy || isSaving}>
            {isSaving ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </fieldset>
    </form>
  );
}

function describeField(field: string | null): string {
  switch (field) {
    case 'name':
      return 'Name';
    case 'rpId':
      return 'Passkey RP ID';
    case 'rpName':
      return 'Passkey RP name';
    case 'allowedOrigins':
      return 'Allowed origins (full URLs such as https://app.example.com, at least one)';
    case 'callbackUrls':
      return 'Callback URLs (full http(s) URLs)';
    case 'push':
      return 'Push approval limits';
    case 'lockout':
      return 'Lockout (whole numbers; a factor is locked before it stays locked: threshold ≤ hard limit)';
    default:
      return 'Settings';
  }
}

/** The same settings, read-only (a role that may not change them: no controls at all). */
export function SettingsView({ application }: { application: AdminApplication }) {
  return (
    <dl className="facts-grid">
      <dt>Name</dt>
      <dd>{application.name}</dd>
      <dt>Database unreachable</dt>
      <dd>{application.failMode === 'secure' ? 'Refuse (secure)' : 'Let through (safe)'}</dd>
      <dt>Passkey RP ID</dt>
      <dd>{application.rpId}</dd>
      <dt>Passkey RP name</dt>
      <dd>{application.rpName}</dd>
      <dt>Allowed origins</dt>
      <dd>{application.allowedOrigins.join(', ') || 'none'}</dd>
      <dt>User verification</dt>
      <dd>{application.userVerification === 'required' ? 'Required' : 'Preferred'}</dd>
      <dt>Callback URLs</dt>
      <dd>{application.callbackUrls.join(', ') || 'none'}</dd>
      <dt>Push limits</dt>
      <dd>
        lifetime {application.push.ttlSeconds} s · {application.push.numberDigits} digits · {application.push.maxPerWindow} per {application.push.windowSeconds}{' '}
        s · suspension {application.push.fraudSuspensionSeconds} s
      </dd>
    </dl>
  );
}
