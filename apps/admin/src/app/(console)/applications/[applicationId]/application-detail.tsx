'use client';

import type { AdminApiKey, AdminApplication, AdminFactorKind, AdminRole } from '@holdfast/validators';
import { useState, type SubmitEvent } from 'react';
import { ConfirmDialog } from '../../../../components/confirm-dialog';
import { usePageActions } from '../../../../components/page-actions';
import { ShownOnce } from '../../../../components/shown-once';
import type { AdminWebhookDeliveries } from '../../../../lib/admin-api-applications';
import { formatTime } from '../../../../lib/format';
import { createApiKey, loadWebhookDeliveries, redeliverWebhook, revokeApiKey, rotateApiKey, setWebhook } from '../actions';
import { DeliveryLog } from './delivery-log';
import { SettingsForm, SettingsView } from './settings-form';
import { canAdmin } from '@holdfast/validators';

type Secret = { title: string; value: string; testId: string; note: string } | null;
type Confirming =
  { kind: 'revoke-key'; key: AdminApiKey } | { kind: 'rotate-key'; key: AdminApiKey } | { kind: 'remove-webhook' } | { kind: 'rotate-secret' } | null;

const overlapUnits = [
  { seconds: 1, label: 'seconds' },
  { seconds: 60, label: 'minutes' },
  { seconds: 3600, label: 'hours' },
  { seconds: 86_400, label: 'days' },
] as const;
const maxOverlapSeconds = 604_800;

const keyStateNames = { active: 'Active', expiring: 'Expiring', revoked: 'Revoked' } as const;

function keyTimes(key: AdminApiKey): string {
  const created = `created ${formatTime(key.createdAt)}`;
  if (key.revokedAt === null) return created;
  return key.state === 'expiring' ? `${created} · works until ${formatTime(key.revokedAt)}` : `${created} · revoked ${formatTime(key.revokedAt)}`;
}

/**
 * One application's page. The settings, keys and webhook all change the same application, so it is
 * held here and replaced by what each answer carries (the gateway's state after the change). One
 * step-up dialog and one outcome line for the page; controls a role may not use are not drawn.
 */
export function ApplicationDetail({
  initial,
  initialDeliveries,
  deliveriesProblem,
  role,
  factorKinds,
}: {
  initial: AdminApplication;
  initialDeliveries: AdminWebhookDeliveries;
  deliveriesProblem: string | null;
  role: AdminRole;
  factorKinds: readonly AdminFactorKind[];
}) {
  const [application, setApplication] = useState(initial);
  const [secret, setSecret] = useState<Secret>(null);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [overlapAmount, setOverlapAmount] = useState('24');
  const [overlapUnit, setOverlapUnit] = useState<number>(3600);
  const [webhookUrl, setWebhookUrl] = useState(initial.webhook?.url ?? '');
  const { act, say, markSecretShown, focusOutcome, run, isHydrated, isDisabled, outcome, dialog } = usePageActions(factorKinds, 'application-error');
  const mayWrite = canAdmin(role, 'applications.write');
  const mayKeys = canAdmin(role, 'apikeys.write');
  const ref = { applicationId: application.id };

  function newKey() {
    setSecret(null);
    void act(
      'create an API key',
      () => createApiKey(ref),
      (value) => {
        setApplication(value.application);
        markSecretShown();
        setSecret({ title: `New API key ${value.key.id}`, value: value.apiKey, testId: 'new-api-key', note: 'Give it to the application; it works at once.' });
        return `API key ${value.key.id} created.`;
      },
    );
  }

  function rotate(key: AdminApiKey) {
    setConfirming(null);
    const overlapSeconds = Math.round(Number(overlapAmount) * overlapUnit);
    if (!Number.isFinite(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > maxOverlapSeconds) {
      say({ error: 'The overlap must be between 0 seconds and 7 days.' });
      return;
    }
    setSecret(null);
    void act(
      `rotate API key ${key.id}`,
      () => rotateApiKey({ ...ref, keyId: key.id, overlapSeconds }),
      (value) => {
        setApplication(value.application);
        markSecretShown();
        setSecret({
          title: `New API key ${value.key.id}`,
          value: value.apiKey,
          testId: 'new-api-key',
          note: `It works now. The old key ${key.id} keeps working ${overlapSeconds === 0 ? 'no longer' : `until ${formatTime(value.application.apiKeys.find((k) => k.id === key.id)?.revokedAt ?? null)}`}.`,
        });
        return `API key ${key.id} rotated to ${value.key.id}.`;
      },
    );
  }

  function revoke(key: AdminApiKey) {
    setConfirming(null);
    void act(
      `revoke API key ${key.id}`,
      () => revokeApiKey({ ...ref, keyId: key.id }),
      (value) => {
        setApplication(value.application);
        return `API key ${key.id} revoked: it is refused from now on.`;
      },
    );
  }

  function saveWebhook(options: { url: string | null; rotateSecret: boolean }) {
    setConfirming(null);
    setSecret(null);
    void act(
      options.url === null ? 'remove the webhook' : options.rotateSecret ? "rotate the webhook's secret" : 'set the webhook',
      () => setWebhook({ ...ref, url: options.url, rotateSecret: options.rotateSecret }),
      (value) => {
        setApplication(value.application);
        setWebhookUrl(value.application.webhook?.url ?? '');
        if (value.secret !== null) {
          markSecretShown();
          setSecret({
            title: 'Webhook signing secret',
            value: value.secret,
            testId: 'webhook-secret',
            note: 'The application checks each delivery’s signature with it (the SDK’s verifyWebhook).',
          });
        }
        if (options.url === null) return 'Webhook removed.';
        return value.secret === null ? 'Webhook address saved.' : 'Webhook saved with a new signing secret.';
      },
    );
  }

  function submitWebhook(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const url = webhookUrl.trim();
    if (url === '') {
      say({ error: 'Enter the webhook address (https://…), or use “Remove webhook”.' });
      return;
    }
    saveWebhook({ url, rotateSecret: false });
  }

  return (
    <>
      <h1>{application.name}</h1>
      <p className="muted">
        Application id <code data-testid="application-id">{application.id}</code> · created {formatTime(application.createdAt)}
      </p>
      {outcome}
      {secret !== null && (
        <ShownOnce
          title={secret.title}
          value={secret.value}
          testId={secret.testId}
          note={secret.note}
          onDone={() => {
            setSecret(null);
            focusOutcome();
          }}
        />
      )}

      <section className="card" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        {mayWrite ? (
          <SettingsForm
            application={application}
            isBusy={isDisabled}
            onSaved={(saved, message) => {
              setApplication(saved);
              say({ status: message });
            }}
            onFailed={(message) => {
              say({ error: message });
            }}
            run={run}
          />
        ) : (
          <SettingsView application={application} />
        )}
        <h3>Lockout in force</h3>
        <p className="hint">
          As verifications of this application are counted: its own settings where it has them, else the deployment&apos;s (the gateways&apos;
          HOLDFAST_LOCKOUT_* settings).
        </p>
        <dl className="facts-grid">
          <dt>Factor lock</dt>
          <dd>
            after {application.lockout.factorThreshold} failures in a row, for {application.lockout.factorLockSeconds} s
          </dd>
          <dt>Factor hard limit</dt>
          <dd>{application.lockout.factorHardLimit} failures (then suspended until an unlock)</dd>
          <dt>Account lock</dt>
          <dd>after {application.lockout.accountThreshold} failures in a row across factors</dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">API keys</h2>
        {mayKeys && (
          <div className="actions">
            <button type="button" className="primary" onClick={newKey} disabled={isDisabled}>
              Create API key
            </button>
          </div>
        )}
        {application.apiKeys.length === 0 ? (
          <p>No keys.</p>
        ) : (
          <ul className="records" aria-label="API keys" data-testid="api-keys">
            {application.apiKeys.map((key) => (
              <li key={key.id} className="record" data-testid="api-key" data-key-id={key.id}>
                <div className="record-head">
                  <code>hf_{key.id}_…</code>
                  <span className={`tag ${key.state === 'active' ? 'tag-ok' : key.state === 'expiring' ? 'tag-warn' : 'tag-muted'}`}>
                    {keyStateNames[key.state]}
                  </span>
                </div>
                <p className="record-meta">{keyTimes(key)}</p>
                {mayKeys && key.state !== 'revoked' && (
                  <div className="actions">
                    {key.state === 'active' && (
                      <button
                        type="button"
                        onClick={() => {
                          setConfirming({ kind: 'rotate-key', key });
                        }}
                        disabled={isDisabled}
                      >
                        Rotate <span className="visually-hidden">key {key.id}</span>
                      </button>
                    )}
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        setConfirming({ kind: 'revoke-key', key });
                      }}
                      disabled={isDisabled}
                    >
                      Revoke <span className="visually-hidden">key {key.id}</span>
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="webhook-title">
        <h2 id="webhook-title">Webhook</h2>
        <p>
          {application.webhook === null
            ? 'No webhook: the application is not told about enrollments, revocations, locks or bypass codes.'
            : `Events go to ${application.webhook.url}, signed with a secret made ${formatTime(application.webhook.secretCreatedAt)}.`}
        </p>
        {mayWrite && (
          <>
            <form onSubmit={submitWebhook} className="search-form" noValidate>
              <fieldset className="bare" disabled={!isHydrated}>
                <div className="field wide-field">
                  <label htmlFor="webhook-url">Webhook URL</label>
                  <input
                    id="webhook-url"
                    type="url"
                    inputMode="url"
                    value={webhookUrl}
                    onChange={(event) => {
                      setWebhookUrl(event.target.value);
                    }}
                    placeholder="https://app.example.com/holdfast/events"
                    autoComplete="off"
                    spellCheck={false}
                  />
                </div>
                <button type="submit" className="primary" disabled={isDisabled}>
                  {application.webhook === null ? 'Set webhook' : 'Save address'}
                </button>
              </fieldset>
            </form>
            {application.webhook !== null && (
              <div className="actions spaced">
                <button
                  type="button"
                  onClick={() => {
                    setConfirming({ kind: 'rotate-secret' });
                  }}
                  disabled={isDisabled}
                >
                  Rotate secret
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => {
                    setConfirming({ kind: 'remove-webhook' });
                  }}
                  disabled={isDisabled}
                >
                  Remove webhook
                </button>
              </div>
            )}
          </>
        )}
        <DeliveryLog
          applicationId={application.id}
          initial={initialDeliveries}
          initialProblem={deliveriesProblem}
          mayRedeliver={mayWrite}
          run={run}
          load={loadWebhookDeliveries}
          redeliver={redeliverWebhook}
        />
      </section>

      <ConfirmDialog
        isOpen={confirming?.kind === 'rotate-key'}
        title="Rotate this API key?"
        confirmLabel="Rotate key"
        isDanger={false}
        onConfirm={() => {
          if (confirming?.kind === 'rotate-key') rotate(confirming.key);
        }}
        onCancel={() => {
          setConfirming(null);
        }}
      >
        <p>A new key is made at once. How long may the old key {confirming?.kind === 'rotate-key' ? confirming.key.id : ''} keep working?</p>
        <div className="inline-field">
          <label htmlFor="overlap-amount">Overlap</label>
          <input
            id="overlap-amount"
            type="number"
            inputMode="numeric"
            min={0}
            className="short-number"
            value={overlapAmount}
            onChange={(event) => {
              setOverlapAmount(event.target.value);
            }}
          />
          <label htmlFor="overlap-unit" className="visually-hidden">
            Overlap unit
          </label>
          <select
            id="overlap-unit"
            value={overlapUnit}
            onChange={(event) => {
              setOverlapUnit(Number(event.target.value));
            }}
          >
            {overlapUnits.map((unit) => (
              <option key={unit.seconds} value={unit.seconds}>
                {unit.label}
              </option>
            ))}
          </select>
        </div>
        <p className="hint">0 stops the old key at once; at most 7 days.</p>
      </ConfirmDialog>
      <ConfirmDialog
        isOpen={confirming?.kind === 'revoke-key'}
        title="Revoke this API key?"
        confirmLabel="Yes, revoke it"
        onConfirm={() => {
          if (confirming?.kind === 'revoke-key') revoke(confirming.key);
        }}
        onCancel={() => {
          setConfirming(null);
        }}
      >
        <p>Every request with key {confirming?.kind === 'revoke-key' ? confirming.key.id : ''} is refused from now on, on every gateway.</p>
      </ConfirmDialog>
      <ConfirmDialog
        isOpen={confirming?.kind === 'rotate-secret'}
        title="Rotate the webhook secret?"
        confirmLabel="Rotate secret"
        isDanger={false}
        onConfirm={() => {
          saveWebhook({ url: application.webhook?.url ?? null, rotateSecret: true });
        }}
        onCancel={() => {
          setConfirming(null);
        }}
      >
        <p>Deliveries are signed with the new secret from now on; the application must be given it.</p>
      </ConfirmDialog>
      <ConfirmDialog
        isOpen={confirming?.kind === 'remove-webhook'}
        title="Remove the webhook?"
        confirmLabel="Yes, remove it"
        onConfirm={() => {
          saveWebhook({ url: null, rotateSecret: false });
        }}
        onCancel={() => {
          setConfirming(null);
        }}
      >
        <p>The application stops being told about enrollments, revocations, locks and bypass codes.</p>
      </ConfirmDialog>
      {dialog}
    </>
  );
}
