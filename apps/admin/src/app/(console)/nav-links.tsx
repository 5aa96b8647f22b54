'use client';

import { usePathname } from 'next/navigation';

export const consoleSections = [
  { href: '/', label: 'Overview' },
  { href: '/audit', label: 'Audit' },
  { href: '/users', label: 'Users' },
  { href: '/applications', label: 'Applications' },
  { href: '/drills', label: 'Drills' },
] as const;

/** The console's sections; the current one is marked for assistive technology (aria-current), not by colour alone. */
export function NavLinks() {
  const pathname = usePathname();
  return (
    <ul className="nav-list">
      {consoleSections.map((section) => {
        const isCurrent = section.href === '/' ? pathname === '/' : pathname.startsWith(section.href);
        return (
          <li key={section.href}>
            <a href={section.href} aria-current={isCurrent ? 'page' : undefined} className={isCurrent ? 'nav-link current' : 'nav-link'}>
              {section.label}
            </a>
          </li>
        );
      })}
    </ul>
  );
}
