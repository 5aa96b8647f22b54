import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { describeSignInReason } from '../../lib/messages';
import { readAdminCookie } from '../../lib/session';
import { SignInFlow } from './sign-in-flow';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ reason?: string | string[] }> }) {
  const content = await readAdminCookie();
  if (content?.stage === 'session') redirect('/');
  const { reason } = await searchParams;
  const notice = describeSignInReason(typeof reason === 'string' ? reason : undefined);
  const pending = content?.stage === 'pending' ? { enrolledFactors: content.enrolledFactors, mustEnroll: content.mustEnroll } : null;
  return <SignInFlow notice={notice} pending={pending} />;
}
