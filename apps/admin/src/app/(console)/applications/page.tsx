import type { Metadata } from 'next';
import '../../../components/console-records.css';
import { listApplications, type AdminApplicationList } from '../../../lib/admin-api-applications';
import { NotInRole } from '../../../components/not-in-role';
import { formatTime } from '../../../lib/format';
import { describeConsoleError, roleNames } from '../../../lib/messages';
import { readForPage } from '../../../lib/page-read';
import { requireSession } from '../../../lib/session';
import { CreateApplication } from './create-application';
import { canAdmin } from '@holdfast/validators';

export const metadata: Metadata = { title: 'Applications' };

/** The relying applications (never the canary or the console's own system application: the gateway hides them). */
export default async function ApplicationsPage() {
  const session = await requireSession();
  const role = session.admin.role;
  if (!canAdmin(role, 'applications.read')) {
    return (
      <NotInRole section="Applications">
        The {roleNames[role]} role does not see applications. Find users on the Users page with the application id its team gives you.
      </NotInRole>
    );
  }
  const read = await readForPage('loading applications', () => listApplications(session.token));
  const applications: AdminApplicationList['applications'] | null = read.value?.applications ?? null;
  const problem = read.problem === null ? null : describeConsoleError(read.problem, { topic: 'applications', retryAfterSeconds: read.retryAfterSeconds });
  return (
    <>
      <h1>Applications</h1>
      {problem !== null && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {applications !== null && (
        <section className="card" aria-labelledby="apps-title">
          <h2 id="apps-title">Relying applications</h2>
          {applications.length === 0 ? (
            <p>No applications yet.</p>
          ) : (
            <ul className="records" data-testid="application-list">
              {applications.map((application) => (
                <li key={application.id} className="record">
                  <a href={`/applications/${application.id}`}>{application.name}</a>
                  <span className="record-meta">
                    {application.userCount} user{application.userCount === 1 ? '' : 's'} · {application.activeKeyCount} active key
                    {application.activeKeyCount === 1 ? '' : 's'} · {application.hasWebhook ? 'webhook set' : 'no webhook'} · created{' '}
                    {formatTime(application.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {canAdmin(role, 'applications.write') && <CreateApplication factorKinds={session.factorKinds} />}
    </>
  );
}
