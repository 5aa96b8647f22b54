import type { ReactNode } from 'react';

/**
 * The frame every Holdfast page sits in (the portal, the push PWA): a skip link to the main
 * landmark, the brand, and `<main id="main">`. The brand links home where the app has a home
 * page of its own (`homeHref`); the portal's pages are reached only by links, so there it is text.
 */
export function AppShell({ name, homeHref, children }: { name: string; homeHref?: string; children: ReactNode }) {
  const brand = (
    <>
      <span aria-hidden="true" className="brand-mark">
        ◆
      </span>{' '}
      {name}
    </>
  );
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        {homeHref === undefined ? (
          <span className="brand">{brand}</span>
        ) : (
          <a className="brand" href={homeHref}>
            {brand}
          </a>
        )}
      </header>
      <main id="main" className="page">
        {children}
      </main>
    </>
  );
}
