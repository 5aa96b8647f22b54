import type { Metadata } from 'next';
import '../../../../components/console-records.css';
import { z } from 'zod';
import type { AdminApplication } from '@holdfast/validators';
import { getApplication, webhookDeliveries, type AdminWebhookDeliveries } from '../../../../lib/admin-api-applications';
import { describeConsoleError } from '../../../../lib/messages';
import { readForPage } from '../../../../lib/page-read';
import { requireSession } from '../../../../lib/session';
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
    const read = await readForPage('loading an application', async () => {
      const found = (await getApplication(session.token, { applicationId })).application;
      return { found, deliveries: found === null ? null : await webhookDeliveries(session.token, { applicationId }) };
    });
    if (read.problem !== null) problem = describeConsoleError(read.problem, { topic: 'applications', retryAfterSeconds: read.retryAfterSeconds });
    else if (read.value.found === null) problem = describeConsoleError('NOT_FOUND', { topic: 'applications' });
    else {
      application = read.value.found;
      deliveries = read.value.deliveries;
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
