import type { Metadata } from 'next';
import { PairScreen } from './pair-screen';

export const metadata: Metadata = { title: 'Pair this device' };

// The one-time token is in the URL's fragment (`/pair#<token>`): browsers never send a fragment to
// a server, so it is in no request line, log or Referer. Only the screen's script reads it.
export default function PairPage() {
  return <PairScreen />;
}
