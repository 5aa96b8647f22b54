// Opening a one-time enrollment link shows a "Continue" page and changes nothing: mail scanners
// and link previews fetch URLs, and a GET that redeemed would burn the link (or log a victim into a
// session someone else sent). The redemption is the form's POST (./actions.ts).
import type { Metadata } from 'next';
import { callGateway, GatewayError } from '../../../lib/gateway';
import { linkProblemText, type LinkProblem } from '../../../lib/messages';
import { redeemLink } from './actions';

export const metadata: Metadata = { title: 'Set up two-step sign-in' };
export const dynamic = 'force-dynamic';

type LinkState = 'valid' | 'invalid' | 'expired' | 'used' | 'superseded' | 'unavailable';

/** What the link would meet, read without redeeming it (the gateway's `enrollment.inspectLink`). */
async function inspect(token: string): Promise<LinkState> {
  try {
    const result = await callGateway({
      bearer: null,
      isIdempotent: true,
      call: (client, signal) => client.enrollment.inspectLink.query({ token }, { signal }),
    });
    return result.state;
  } catch (error) {
    // A malformed token is refused by the gateway's input check: it is simply not a valid link.
    if (error instanceof GatewayError && error.code === 'BAD_REQUEST') return 'invalid';
    if (!(error instanceof GatewayError)) console.error('holdfast web: checking an enrollment link failed', error);
    return 'unavailable';
  }
}

export default async function EnrollLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const state = await inspect(token);
  if (state !== 'valid') {
    const text = linkProblemText[state satisfies LinkProblem];
    return (
      <section className="notice" aria-labelledby="problem-title">
        <h1 id="problem-title">{text.title}</h1>
        <p>{text.body}</p>
      </section>
    );
  }
  return (
    <section className="notice" aria-labelledby="continue-title">
      <h1 id="continue-title">Set up two-step sign-in</h1>
      <p>
        You opened an enrollment link. Continue only if you asked for it: it lets you add or change the ways you confirm your sign-in. The link works once and
        only for a short while.
      </p>
      <form action={redeemLink} className="stack">
        <input type="hidden" name="token" value={token} />
        <button type="submit" className="primary">
          Continue
        </button>
      </form>
    </section>
  );
}
