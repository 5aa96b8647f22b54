import type { Metadata } from 'next';
import '../../../../components/console-records.css';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import type { AdminApplication } from '@holdfast/validators';
import { getApplication, webhookDeliveries, type AdminWebhookDeliveries } from '../../../../lib/admin-api-applications';
import { GatewayError } from '../../../../lib/gateway';
import { describeConsoleError } from '../../../../lib/messages';
import { requireSession, sessionEndedPath } from '../../../../lib/session';
import { ApplicationDetail } from './application-detail';
import { canAdmin } from '@holdfast/validators';

export const metadata: Metadata = { title: 'Application' };

/** One application: settings, API keys, webhook and its delivery log. */
export default async function ApplicationPage({ params }: { params: Promise<{ applicationId: string }> }) {
  const session = await requireSession();
  const { applicationId } = await params;
  const role = session.admin.role;
  let application: AdminApplication | null = null;
  let deliveries: AdminWebhookDeliveries | null = null;
  let problem: string | null = null;
  if (!canAdmin(role, 'applications.read')) {
    problem = describeConsoleError('ADMIN_FORBIDDEN', { topic: 'applications' });
  } else if (!z.uuid().safeParse(applicationId).success) {
    problem = describeConsoleError('NOT_FOUND', { topic: 'applications' });
  } else {
    try {
      application = (await getApplication(session.token, { applicationId })).application;
      if (application === null) problem = describeConsoleError('NOT_FOUND', { topic: 'applications' });
      else deliveries = await webhookDeliveries(session.token, { applicationId });
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'ADMIN_SESSION_INVALID') redirect(sessionEndedPath);
      if (!(error instanceof GatewayError))
        console.error('holdfast admin: loading an application failed:', error instanceof Error ? error.name : 'unknown error');
      problem = describeConsoleError(error instanceof GatewayError ? error.code : 'INTERNAL', { topic: 'applications' });
    }
  }
  return (
    <>
      <p>
        <a href="/applications">← All applications</a>
      </p>
      {application === null ? (
        <>
          <h1>Application</h1>
          <p role="alert" className="error">
            {problem}
          </p>
        </>
      ) : (
        <ApplicationDetail
          initial={application}
          initialDeliveries={deliveries ?? { deliveries: [], nextCursor: null }}
          deliveriesProblem={problem}
          role={role}
          factorKinds={session.factorKinds}
        />
      )}
    </>
  );
}
