import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Signed out' };

export default function SignedOutPage() {
  return (
    <section className="notice" aria-labelledby="signed-out-title">
      <h1 id="signed-out-title">You have signed out</h1>
      <p>Your enrollment session has ended and its link no longer works. To make more changes, ask the app or website you use for a new enrollment link.</p>
    </section>
  );
}
