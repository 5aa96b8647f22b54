'use client';

// Whatever failed, the person sees words and a way forward, never a stack trace.
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <>
      <h1>Something went wrong</h1>
      <p role="alert">The page could not be shown because of a problem on our side. Nothing was approved or denied.</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </>
  );
}
