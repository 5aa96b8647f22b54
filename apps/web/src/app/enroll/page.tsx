import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { webEnv } from '../../env';
import { callGateway, GatewayError } from '../../lib/gateway';
import { describeError } from '../../lib/messages';
import { openSessionCookie, sessionCookieName } from '../../lib/session-cookie';
import { Portal } from './portal';

export const metadata: Metadata = { title: 'Set up two-step sign-in' };
export const dynamic = 'force-dynamic';

function Notice({ title, body }: { title: string; body: string }) {
  return (
    <section className="notice" aria-labelledby="notice-title">
      <h1 id="notice-title">{title}</h1>
      <p>{body}</p>
    </section>
  );
}

export default async function EnrollPage() {
  const cookieStore = await cookies();
  const token = await openSessionCookie({ value: cookieStore.get(sessionCookieName())?.value, secret: webEnv().HOLDFAST_WEB_SESSION_SECRET });
  if (token === null) {
    return (
      <Notice
        title="Open your enrollment link"
        body="To set up two-step sign-in, open the enrollment link that the app or website you use sent you. If your link has expired, ask it for a new one."
      />
    );
  }
  try {
    const [own, session] = await Promise.all([
      callGateway({ bearer: token, isIdempotent: true, call: (client, signal) => client.enrollment.factors.query(undefined, { signal }) }),
      callGateway({ bearer: token, isIdempotent: true, call: (client, signal) => client.enrollment.session.query(undefined, { signal }) }),
    ]);
    return <Portal initial={own} initialSession={session} />;
  } catch (error) {
    const code = error instanceof GatewayError ? error.code : 'INTERNAL';
    if (!(error instanceof GatewayError)) console.error('holdfast web: loading the portal failed', error);
    if (code === 'ENROLLMENT_SESSION_INVALID') {
      return (
        <Notice
          title="Your enrollment session has ended"
          body="For your security, an enrollment session only lasts a short while, and it ends when you sign out or when a newer enrollment link is sent to you. Ask the app or website that sent you here for a new enrollment link."
        />
      );
    }
    return <Notice title="We could not load your sign-in settings" body={describeError(code)} />;
  }
}
