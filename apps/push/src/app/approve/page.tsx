import type { Metadata } from 'next';
import { ApproveScreen } from './approve-screen';

export const metadata: Metadata = { title: 'Sign-in request' };

// The notification's URL: `/approve?tx=<transactionId>`. The id alone reveals nothing and answers
// nothing: the screen finds the request through a signed list request and answers with a signature.
export default async function ApprovePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { tx } = await searchParams;
  return <ApproveScreen transactionId={typeof tx === 'string' ? tx : ''} />;
}
