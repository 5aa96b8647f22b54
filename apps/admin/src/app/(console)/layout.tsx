import '@holdfast/ui/failover-map.css';
import type { ReactNode } from 'react';
import { sessionMe } from '../../lib/admin-api';
import { roleNames } from '../../lib/messages';
import { requireSession } from '../../lib/session';
import { signOut } from './actions';
import { NavLinks } from './nav-links';

/**
 * The console's frame: skip link, brand, the sections, who is signed in (name and role, from the
 * sealed cookie — so the frame still renders while the database fails over) and "Sign out". Each
 * page checks the session with the gateway through its own data calls.
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  // Opening a page is activity: tell the gateway (it keeps the 30-minute idle limit), best effort and
  // not awaited — the frame renders from the cookie even while the database fails over; each page's
  // own calls send an ended session to sign-in.
  void sessionMe(session.token).catch(() => undefined);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="console-header">
        <div className="console-bar">
          <a className="brand" href="/">
            <span aria-hidden="true" className="brand-mark">
              ◆
            </span>{' '}
            Holdfast console
          </a>
          <div className="who">
            <span className="who-name" data-testid="admin-name">
              {session.admin.name}
            </span>{' '}
            <span className="role-badge" data-testid="admin-role">
              {roleNames[session.admin.role]}
            </span>
            <form action={signOut} className="sign-out">
              <button type="submit">Sign out</button>
            </form>
          </div>
        </div>
        <nav aria-label="Console sections" className="console-nav">
          <NavLinks />
        </nav>
      </header>
      <main id="main" className="page console-page">
        {children}
      </main>
    </>
  );
}
