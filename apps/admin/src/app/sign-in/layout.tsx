import { AppShell } from '@holdfast/ui';
import type { ReactNode } from 'react';

export default function SignInLayout({ children }: { children: ReactNode }) {
  return <AppShell name="Holdfast console">{children}</AppShell>;
}
