'use client';

import { useEffect, useRef, useState } from 'react';

/**
 * A secret the gateway hands out once (an API key, a webhook secret, a bypass code, an enrollment
 * link): shown with a copy button and a plain warning that it cannot be shown again. It lives in
 * this component's state only — never in a URL, a cookie or a log — and is gone on reload or "Done".
 * Its heading takes focus when it appears, so a screen reader reads it next.
 */
export function ShownOnce({
  title,
  value,
  testId,
  note,
  onDone,
}: {
  title: string;
  value: string;
  testId: string;
  /** e.g. "Valid until …". */
  note?: string;
  onDone: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [status, setStatus] = useState('');
  useEffect(() => {
    heading.current?.focus();
  }, [value]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setStatus('Copied.');
    } catch {
      setStatus('Copying was not allowed here: select the text and copy it yourself.');
    }
  }

  return (
    <section className="shown-once" aria-labelledby={`${testId}-title`}>
      <h3 id={`${testId}-title`} ref={heading} tabIndex={-1}>
        {title}
      </h3>
      <p className="warning">Shown once: copy it now. Holdfast keeps only a hash and cannot show it again.</p>
      <p className="secret once-value" data-testid={testId}>
        {value}
      </p>
      {note !== undefined && <p>{note}</p>}
      <div className="actions">
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      <p role="status" className="status">
        {status}
      </p>
    </section>
  );
}
