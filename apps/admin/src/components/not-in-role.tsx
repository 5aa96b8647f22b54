import type { ReactNode } from 'react';

/**
 * A console section the admin's role may not read: the section's heading and why, in words — not
 * an error and not an empty page. The gateway refuses the reads anyway (adminProcedure).
 */
export function NotInRole({ section, children }: { section: string; children: ReactNode }) {
  return (
    <>
      <h1>{section}</h1>
      <section className="card" aria-labelledby="no-access-title">
        <h2 id="no-access-title">Not part of your role</h2>
        <p>{children}</p>
      </section>
    </>
  );
}
