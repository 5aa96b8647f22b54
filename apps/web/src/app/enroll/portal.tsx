'use client';

import { useCallback, useState } from 'react';
import { listFactors } from './actions';
import { FactorList } from './factor-list';
import { RecoveryCodes } from './recovery-codes';
import { TotpSetup } from './totp-setup';
import { WebauthnSetup } from './webauthn-setup';
import type { OwnFactors } from './types';

/** The enrollment portal: one section per thing a person can do, sharing the factor list. */
export function Portal({ initial }: { initial: OwnFactors }) {
  const [own, setOwn] = useState(initial);
  const [refreshError, setRefreshError] = useState<string | null>(null);

  // After any change, the list is re-read from the gateway rather than patched by guesswork.
  const refresh = useCallback(async () => {
    const result = await listFactors();
    if (result.ok) {
      setOwn(result.value);
      setRefreshError(null);
    } else {
      setRefreshError(result.message);
    }
  }, []);

  const hasRecoveryCodes = own.factors.some((factor) => factor.kind === 'recovery_codes');
  return (
    <>
      <h1>Set up two-step sign-in</h1>
      <p className="lead">
        Signed in for enrollment as <strong>{own.userId}</strong>. Add a second way to prove it is you when you sign in.
      </p>
      <TotpSetup onChanged={refresh} />
      <WebauthnSetup onChanged={refresh} />
      <RecoveryCodes hasExistingCodes={hasRecoveryCodes} onChanged={refresh} />
      <FactorList factors={own.factors} onChanged={refresh} refreshError={refreshError} />
    </>
  );
}
