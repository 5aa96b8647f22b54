'use client';

// The last line of defence: whatever failed, the operator sees words and a way forward, never a stack trace.
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <main id="main" className="page">
      <h1>Something went wrong</h1>
      <p role="alert">The page could not be shown because of a problem on our side. Nothing was changed.</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </main>
  );
}
