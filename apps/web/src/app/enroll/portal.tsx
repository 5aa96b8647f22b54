'use client';

import { useCallback, useState } from 'react';
import { getSession, listFactors, signOut } from './actions';
import { FactorList } from './factor-list';
import { PushSetup } from './push-setup';
import { RecoveryCodes } from './recovery-codes';
import { StepUp } from './step-up';
import { TotpSetup } from './totp-setup';
import { WebauthnSetup } from './webauthn-setup';
import type { EnrollmentSession, OwnFactors } from './types';

/**
 * The enrollment portal: one section per thing a person can do, sharing the factor list. A user who
 * already has a factor first sees "Confirm it's you" (step-up); until then the list is read-only
 * and nothing can be added — the gateway would refuse it anyway (STEP_UP_REQUIRED).
 */
export function Portal({ initial, initialSession }: { initial: OwnFactors; initialSession: EnrollmentSession }) {
  const [own, setOwn] = useState(initial);
  const [session, setSession] = useState(initialSession);
  const [hasLapsed, setHasLapsed] = useState(false);
  const [refreshError, setRefreshError] = useState<string | null>(null);

  // After any change (or refusal), the list and the step-up state are re-read from the gateway
  // rather than patched by guesswork.
  const refresh = useCallback(async () => {
    const [factors, current] = await Promise.all([listFactors(), getSession()]);
    if (factors.ok && current.ok) {
      setOwn(factors.value);
      setSession((previous) => {
        setHasLapsed(previous.stepUp !== 'required' && current.value.stepUp === 'required');
        return current.value;
      });
      setRefreshError(null);
    } else {
      setRefreshError(factors.ok ? (current.ok ? null : current.message) : factors.message);
    }
  }, []);

  const canChange = session.stepUp !== 'required';
  const hasRecoveryCodes = own.factors.some((factor) => factor.kind === 'recovery_codes');
  return (
    <>
      <h1>Set up two-step sign-in</h1>
      <p className="lead">
        Signed in for enrollment as <strong>{own.userId}</strong>. Add a second way to prove it is you when you sign in.
      </p>
      {canChange ? (
        <>
          <TotpSetup onChanged={refresh} />
          <WebauthnSetup onChanged={refresh} />
          <PushSetup factors={own.factors} onChanged={refresh} />
          <RecoveryCodes hasExistingCodes={hasRecoveryCodes} onChanged={refresh} />
        </>
      ) : (
        <StepUp session={session} hasLapsed={hasLapsed} onConfirmed={refresh} />
      )}
      <FactorList factors={own.factors} canChange={canChange} onChanged={refresh} refreshError={refreshError} />
      <section className="card" aria-labelledby="sign-out-title">
        <h2 id="sign-out-title">Finished?</h2>
        <p>Sign out to end this enrollment session. Its link stops working; for more changes later, ask for a new one.</p>
        <form action={signOut}>
          <button type="submit">Sign out</button>
        </form>
      </section>
    </>
  );
}
