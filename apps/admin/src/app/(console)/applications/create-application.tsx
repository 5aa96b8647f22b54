'use client';

import type { AdminFactorKind } from '@holdfast/validators';
import { useRouter } from 'next/navigation';
import { useRef, useState, type SubmitEvent } from 'react';
import { FormMessages } from '../../../components/messages';
import { RadioChoice } from '../../../components/radio-choice';
import { useSensitiveAction } from '../../../components/sensitive-action';
import { useIsHydrated } from '../../../components/use-is-hydrated';
import { ShownOnce } from '../../../components/shown-once';
import { createApplication } from './actions';

/** A new relying application and its first API key (shown once). */
export function CreateApplication({ factorKinds }: { factorKinds: readonly AdminFactorKind[] }) {
  const [name, setName] = useState('');
  const [failMode, setFailMode] = useState<'secure' | 'safe'>('secure');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const isHydrated = useIsHydrated();
  const [created, setCreated] = useState<{ id: string; name: string; apiKey: string } | null>(null);
  const nameField = useRef<HTMLInputElement>(null);
  const sensitive = useSensitiveAction(factorKinds);
  const router = useRouter();

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (name.trim() === '') {
      setError('Give the application a name (up to 80 characters).');
      nameField.current?.focus();
      return;
    }
    setIsBusy(true);
    setError(null);
    try {
      const result = await sensitive.run('create an application', () => createApplication({ name: name.trim(), failMode }));
      if (result.ok) {
        setCreated({ id: result.value.application.id, name: result.value.application.name, apiKey: result.value.apiKey });
        setName('');
        // The list above is the server's: redrawn with the new application (this form keeps its state).
        router.refresh();
      } else {
        setError(result.message);
        nameField.current?.focus();
      }
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="create-title">
      <h2 id="create-title">Create an application</h2>
      <form onSubmit={(event) => void submit(event)} className="search-form" noValidate>
        <fieldset className="bare" disabled={!isHydrated}>
          <div className="field">
            <label htmlFor="new-app-name">Name</label>
            <input
              ref={nameField}
              id="new-app-name"
              value={name}
              onChange={(event) => {
                setName(event.target.value);
              }}
              maxLength={80}
              autoComplete="off"
              aria-invalid={error !== null}
              aria-describedby={error === null ? undefined : 'create-error'}
            />
          </div>
          <RadioChoice
            legend="When the database is unreachable"
            name="new-fail-mode"
            value={failMode}
            options={[
              { value: 'secure', label: 'Refuse sign-ins (secure)' },
              { value: 'safe', label: 'Let them through (safe)' },
            ]}
            onChange={setFailMode}
          />
          <button type="submit" className="primary" disabled={isBusy}>
            {isBusy ? 'Creating…' : 'Create application'}
          </button>
        </fieldset>
      </form>
      <FormMessages errorId="create-error" error={error} />
      {created !== null && (
        <>
          <ShownOnce
            title={`API key for ${created.name}`}
            value={created.apiKey}
            testId="new-application-key"
            note="Put it in the application's server configuration (HOLDFAST_API_KEY). It is sent as Authorization: Bearer."
            onDone={() => {
              setCreated(null);
            }}
          />
          <p>
            <a href={`/applications/${created.id}`}>Open {created.name}&apos;s settings</a>
          </p>
        </>
      )}
      {sensitive.dialog}
    </section>
  );
}
