'use server';
// Redeeming a one-time enrollment link happens HERE, in a server action: a POST that only the
// portal's own "Continue" form sends (Next.js refuses server actions whose Origin is not the
// portal's host). A GET of the link — a mail scanner, a link preview, a prefetch — never reaches it,
// so it cannot burn the link, and nobody can be logged into a session by merely following a URL.
import { enrollmentLinkToken } from '@holdfast/validators';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { webEnv } from '../../../env';
import { callGateway, GatewayError } from '../../../lib/gateway';
import { linkProblemFor } from '../../../lib/messages';
import { sealSessionToken, sessionCookieName, sessionCookieOptions } from '../../../lib/session-cookie';

export async function redeemLink(formData: FormData): Promise<void> {
  const parsed = enrollmentLinkToken.safeParse(formData.get('token'));
  if (!parsed.success) redirect(`/enroll/link-problem?reason=${linkProblemFor('ENROLLMENT_LINK_INVALID')}`);
  let problem: string | null = null;
  try {
    const session = await callGateway({
      bearer: null,
      // Redeeming twice is not harmless: never retried on another gateway after a doubtful failure.
      isIdempotent: false,
      call: (client, signal) => client.enrollment.redeem.mutate({ token: parsed.data }, { signal }),
    });
    // JSON carries the expiry as an ISO string whatever the router's output type says.
    const expiresAt = new Date(session.expiresAt);
    (await cookies()).set(
      sessionCookieName(),
      await sealSessionToken({ token: session.sessionToken, secret: webEnv().HOLDFAST_WEB_SESSION_SECRET, expiresAt }),
      sessionCookieOptions({ expiresAt }),
    );
  } catch (error) {
    if (!(error instanceof GatewayError)) console.error('holdfast web: redeeming an enrollment link failed', error);
    problem = linkProblemFor(error instanceof GatewayError ? error.code : 'INTERNAL');
  }
  // redirect() throws: it stays outside the try. 303 after a POST, so a reload does not post again.
  redirect(problem === null ? '/enroll' : `/enroll/link-problem?reason=${problem}`);
}
