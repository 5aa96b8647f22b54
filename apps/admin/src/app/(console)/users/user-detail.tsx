'use client';

import type { AdminFactor, AdminFactorKind, AdminRole, AdminUserDetail } from '@holdfast/validators';
import { useRef, useState } from 'react';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { usePageActions } from '../../../components/page-actions';
import { ShownOnce } from '../../../components/shown-once';
import { formatTime } from '../../../lib/format';
import { factorKindNames } from '../../../lib/messages';
import { issueBypass, revokeFactor, sendEnrollmentLink, unlockUser } from './actions';
import { canAdmin } from '@holdfast/validators';

type Confirming = { kind: 'revoke'; factor: AdminFactor } | { kind: 'bypass' } | null;
type Secret = { kind: 'link' | 'bypass'; value: string; expiresAt: string } | null;

const bypassLifetimes = [
  { minutes: 15, label: '15 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
  { minutes: 1440, label: '24 hours' },
] as const;

const statusNames = { active: 'Active', pending: 'Not finished', revoked: 'Revoked', suspended: 'Suspended' } as const;

function factorName(factor: AdminFactor): string {
  const kind = factorKindNames[factor.kind];
  return factor.label === '' || factor.label === kind ? kind : `${kind}: ${factor.label}`;
}

/**
 * One user of one application: the account's lock and push suspension, a live bypass's expiry, each
 * factor with status, lock, last use and device, the last attempts — and the actions the role may
 * take. Controls a role may not use are not drawn; the gateway refuses them anyway (adminProcedure).
 */
export function UserDetail({ initial, role, factorKinds }: { initial: AdminUserDetail; role: AdminRole; factorKinds: readonly AdminFactorKind[] }) {
  const [user, setUser] = useState(initial);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [secret, setSecret] = useState<Secret>(null);
  const [bypassMinutes, setBypassMinutes] = useState<number>(60);
  const heading = useRef<HTMLHeadingElement>(null);
  const { act, markSecretShown, isDisabled, outcome, dialog } = usePageActions(factorKinds, 'user-action-error');

  const mayUnlock = canAdmin(role, 'users.unlock');
  const mayRevoke = canAdmin(role, 'users.revoke_factor');
  const mayBypass = canAdmin(role, 'users.issue_bypass');
  const maySendLink = canAdmin(role, 'users.send_enrollment_link');
  const ref = { applicationId: user.applicationId, userId: user.userId };
  const isAccountLocked = user.lockedUntil !== null;
  const lockedFactors = user.factors.filter((factor) => factor.lockedUntil !== null);

  function unlock(factor: AdminFactor | null) {
    void act(
      factor === null ? 'unlock this user' : `unlock ${factorName(factor)}`,
      () => unlockUser({ ...ref, factorId: factor?.id ?? null }),
      (value) => {
        setUser(value.user);
        const parts = [value.accountUnlocked ? 'the account' : null, value.unlockedFactorIds.length > 0 ? `${value.unlockedFactorIds.length} factor(s)` : null];
        const what = parts.filter((part) => part !== null).join(' and ');
        return what === '' ? 'Nothing was locked.' : `Unlocked ${what}.`;
      },
    );
  }

  function revoke(factor: AdminFactor) {
    setConfirming(null);
    void act(
      `revoke ${factorName(factor)}`,
      () => revokeFactor({ ...ref, factorId: factor.id }),
      (value) => {
        setUser(value);
        return `Revoked ${factorName(factor)}. The application's webhook tells it.`;
      },
    );
  }

  function bypass() {
    setConfirming(null);
    setSecret(null);
    void act(
      'issue a bypass code',
      () => issueBypass({ ...ref, ttlMinutes: bypassMinutes }),
      (value) => {
        setUser(value.user);
        markSecretShown();
        setSecret({ kind: 'bypass', value: value.code, expiresAt: value.expiresAt });
        return 'Bypass code issued.';
      },
    );
  }

  function enrollmentLink() {
    setSecret(null);
    void act(
      'send an enrollment link',
      () => sendEnrollmentLink(ref),
      (value) => {
        markSecretShown();
        setSecret({ kind: 'link', value: value.url, expiresAt: value.expiresAt });
        return 'Enrollment link made.';
      },
    );
  }

  return (
    <section className="card" aria-labelledby="user-title" data-testid="user-detail">
      <h2 id="user-title" ref={heading} tabIndex={-1}>
        User <code>{user.userId}</code> <span className="hint">in {user.applicationName}</span>
      </h2>
      <dl className="facts-grid">
        <dt>Account</dt>
        <dd data-testid="account-state">
          {isAccountLocked ? <strong className="tag tag-warn">Locked until {formatTime(user.lockedUntil)}</strong> : <span>Not locked</span>}{' '}
          <span className="hint">
            ({user.failedCount} failed attempt{user.failedCount === 1 ? '' : 's'} in a row)
          </span>
        </dd>
        <dt>Push approvals</dt>
        <dd>{user.pushSuspendedUntil === null ? 'Not suspended' : `Suspended until ${formatTime(user.pushSuspendedUntil)} (fraud report)`}</dd>
        <dt>Bypass code</dt>
        <dd data-testid="bypass-state">
          {user.bypass === null ? 'None live' : `A code is live until ${formatTime(user.bypass.expiresAt)} (issued ${formatTime(user.bypass.issuedAt)})`}
        </dd>
        <dt>Known since</dt>
        <dd>{formatTime(user.createdAt)}</dd>
      </dl>

      {(mayUnlock || maySendLink || mayBypass) && (
        <div className="actions user-actions">
          {mayUnlock && (isAccountLocked || lockedFactors.length > 0) && (
            <button
              type="button"
              className="primary"
              onClick={() => {
                unlock(null);
              }}
              disabled={isDisabled}
            >
              Unlock account and factors
            </button>
          )}
          {maySendLink && (
            <button type="button" onClick={enrollmentLink} disabled={isDisabled}>
              Make an enrollment link
            </button>
          )}
          {mayBypass && (
            <span className="inline-field">
              <label htmlFor="bypass-ttl">Bypass valid for</label>
              <select
                id="bypass-ttl"
                value={bypassMinutes}
                onChange={(event) => {
                  setBypassMinutes(Number(event.target.value));
                }}
                disabled={isDisabled}
              >
                {bypassLifetimes.map((lifetime) => (
                  <option key={lifetime.minutes} value={lifetime.minutes}>
                    {lifetime.label}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setConfirming({ kind: 'bypass' });
                }}
                disabled={isDisabled}
              >
                Issue bypass code
              </button>
            </span>
          )}
        </div>
      )}

      {outcome}
      {secret !== null && (
        <ShownOnce
          title={secret.kind === 'bypass' ? 'Bypass code' : 'Enrollment link'}
          value={secret.value}
          testId={secret.kind === 'bypass' ? 'bypass-code' : 'enrollment-url'}
          note={
            secret.kind === 'bypass'
              ? `Works once, until ${formatTime(secret.expiresAt)}. Read it to the user over a channel you trust.`
              : `Open until ${formatTime(secret.expiresAt)}. Pass it to the user; it sets up a new factor.`
          }
          onDone={() => {
            setSecret(null);
            heading.current?.focus();
          }}
        />
      )}

      <h3>Factors</h3>
      {user.factors.length === 0 ? (
        <p>No factors. Make an enrollment link so the user can set one up.</p>
      ) : (
        <ul className="records" aria-label="Factors">
          {user.factors.map((factor) => (
            <li key={factor.id} className="record factor-record" data-testid="factor">
              <div className="record-head">
                <span className="factor-name">{factorName(factor)}</span>
                <span className={`tag ${factor.status === 'active' ? 'tag-ok' : 'tag-muted'}`}>{statusNames[factor.status]}</span>
                {factor.lockedUntil !== null && <strong className="tag tag-warn">Locked until {formatTime(factor.lockedUntil)}</strong>}
              </div>
              <p className="record-meta">
                Last used {factor.lastUsedAt === null ? 'never' : formatTime(factor.lastUsedAt)} · {factor.failedCount} failed in a row · added{' '}
                {formatTime(factor.createdAt)}
                {factor.device !== null && <> · on {factor.device}</>}
              </p>
              {factor.status !== 'revoked' && ((mayUnlock && factor.lockedUntil !== null) || mayRevoke) && (
                <div className="actions">
                  {mayUnlock && factor.lockedUntil !== null && (
                    <button
                      type="button"
                      onClick={() => {
                        unlock(factor);
                      }}
                      disabled={isDisabled}
                    >
                      Unlock <span className="visually-hidden">{factorName(factor)}</span>
                    </button>
                  )}
                  {mayRevoke && (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        setConfirming({ kind: 'revoke', factor });
                      }}
                      disabled={isDisabled}
                    >
                      Revoke <span className="visually-hidden">{factorName(factor)}</span>
                    </button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}

      <h3>Recent attempts</h3>
      {user.recentAttempts.length === 0 ? (
        <p>No verifications yet.</p>
      ) : (
        <ol className="records attempts" aria-label="Recent attempts, newest first">
          {user.recentAttempts.map((attempt, index) => (
            <li key={`${attempt.at}-${String(index)}`} className="record">
              <strong className={attempt.outcome === 'accepted' ? 'tag tag-ok' : 'tag tag-warn'}>
                {attempt.outcome === 'accepted' ? 'Accepted' : 'Rejected'}
              </strong>{' '}
              {attempt.kind === null ? 'unknown factor' : factorKindNames[attempt.kind]} · {formatTime(attempt.at)}
              {attempt.reason !== null && <span className="hint"> · {attempt.reason.replaceAll('_', ' ')}</span>}
            </li>
          ))}
        </ol>
      )}

      <ConfirmDialog
        isOpen={confirming?.kind === 'revoke'}
        title="Revoke this factor?"
        confirmLabel="Yes, revoke it"
        onConfirm={() => {
          if (confirming?.kind === 'revoke') revoke(confirming.factor);
        }}
        onCancel={() => {
          setConfirming(null);
        }}
      >
        <p>
          {confirming?.kind === 'revoke' ? factorName(confirming.factor) : 'The factor'} stops working at once. The user needs another factor or a new
          enrollment link to sign in.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        isOpen={confirming?.kind === 'bypass'}
        title="Issue a bypass code?"
        confirmLabel="Yes, issue the code"
        onConfirm={bypass}
        onCancel={() => {
          setConfirming(null);
        }}
      >
        <p>
          A one-time code that signs <code>{user.userId}</code> in without their factors, valid for{' '}
          {bypassLifetimes.find((lifetime) => lifetime.minutes === bypassMinutes)?.label ?? `${String(bypassMinutes)} minutes`}. It ends any earlier unused
          code, and the application&apos;s webhook tells the user. Only issue one after checking who is asking.
        </p>
      </ConfirmDialog>
      {dialog}
    </section>
  );
}
