import type { Metadata } from 'next';
import { callGateway, GatewayError } from '../../../lib/gateway';
import { describeTransactionProblem } from '../../../lib/messages';
import { HostedVerify } from '../hosted-verify';

export const metadata: Metadata = { title: 'Verify it is you', referrer: 'no-referrer' };
export const dynamic = 'force-dynamic';

export default async function VerifyPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  try {
    const transaction = await callGateway({
      bearer: null,
      isIdempotent: true,
      call: (client, signal) => client.hosted.getTransaction.query({ token }, { signal }),
    });
    return <HostedVerify token={token} applicationName={transaction.applicationName} factors={transaction.factors} />;
  } catch (error) {
    if (!(error instanceof GatewayError)) console.error('holdfast web: loading a verification failed', error);
    const problem = describeTransactionProblem(error instanceof GatewayError ? error.code : 'INTERNAL');
    return (
      <section className="notice" aria-labelledby="problem-title">
        <h1 id="problem-title">{problem.title}</h1>
        <p>{problem.body}</p>
      </section>
    );
  }
}
