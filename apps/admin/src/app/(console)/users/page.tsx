import type { Metadata } from 'next';
import '../../../components/console-records.css';
import { z } from 'zod';
import type { AdminUserDetail } from '@holdfast/validators';
import { listApplications, type AdminApplicationList } from '../../../lib/admin-api-applications';
import { getUser, listUsers, type AdminUserList } from '../../../lib/admin-api-users';
import { NotInRole } from '../../../components/not-in-role';
import { formatTime } from '../../../lib/format';
import { readForPage, type PageRead } from '../../../lib/page-read';
import { describeConsoleError, roleNames } from '../../../lib/messages';
import { requireSession } from '../../../lib/session';
import { UserDetail } from './user-detail';
import { canAdmin } from '@holdfast/validators';

export const metadata: Metadata = { title: 'Users' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function single(value: string | string[] | undefined): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** A read's refusal in words. */
function problemOf(read: PageRead<unknown>): string | null {
  return read.problem === null ? null : describeConsoleError(read.problem, { topic: 'users', retryAfterSeconds: read.retryAfterSeconds });
}

function usersHref(params: { app: string; q: string; user?: string; after?: string }): string {
  const search = new URLSearchParams({ app: params.app });
  if (params.q !== '') search.set('q', params.q);
  if (params.user !== undefined) search.set('user', params.user);
  if (params.after !== undefined) search.set('after', params.after);
  return `/users?${search.toString()}`;
}

/**
 * Users & factors: pick an application, find users by the start of their id, open one to see and
 * act on their factors. Reads run here on the server (GET form: works without JavaScript, and the
 * URL holds only an application id, an id prefix and a user id — never a secret); the actions are
 * the client component's, through server actions.
 */
export default async function UsersPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession();
  const role = session.admin.role;
  if (!canAdmin(role, 'users.read')) {
    return (
      <NotInRole section="Users">
        The {roleNames[role]} role does not look up users or their factors. Ask an owner, admin or helpdesk operator; the audit log shows what was done to a
        user.
      </NotInRole>
    );
  }

  const params = await searchParams;
  const query = single(params.q);
  const cursor = single(params.after);
  const userId = single(params.user);

  // Helpdesk operators may find users but not read the applications list (applications.read):
  // they type the application's id, which the application's team gives them.
  let applications: AdminApplicationList['applications'] | null = null;
  let problem: string | null = null;
  if (canAdmin(role, 'applications.read')) {
    const read = await readForPage('loading users', () => listApplications(session.token));
    applications = read.value?.applications ?? null;
    problem = problemOf(read);
  }
  const appId = single(params.app) || (applications?.[0]?.id ?? '');
  const isAppIdValid = z.uuid().safeParse(appId).success;

  let users: AdminUserList | null = null;
  let detail: AdminUserDetail | null = null;
  let isUserMissing = false;
  if (isAppIdValid) {
    const found = await readForPage('loading users', () => listUsers(session.token, { applicationId: appId, query, cursor: cursor === '' ? null : cursor }));
    users = found.value;
    problem = problemOf(found) ?? problem;
    if (found.value !== null && userId !== '') {
      const opened = await readForPage('loading a user', () => getUser(session.token, { applicationId: appId, userId }));
      detail = opened.value?.user ?? null;
      isUserMissing = opened.value !== null && detail === null;
      problem = problemOf(opened) ?? problem;
    }
  } else if (appId !== '') {
    problem = 'That application id is not in the right form: it looks like 0190a5c4-6b1e-7c3d-9f00-1234567890ab.';
  }
  const appName = applications?.find((application) => application.id === appId)?.name ?? detail?.applicationName ?? null;

  return (
    <>
      <h1>Users</h1>
      <section className="card" aria-labelledby="find-title">
        <h2 id="find-title">Find a user</h2>
        <form method="get" action="/users" className="search-form">
          {applications !== null && applications.length > 0 ? (
            <div className="field">
              <label htmlFor="app">Application</label>
              <select id="app" name="app" defaultValue={appId}>
                {applications.map((application) => (
                  <option key={application.id} value={application.id}>
                    {application.name}
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <div className="field">
              <label htmlFor="app">
                Application id <span className="hint">(from the application&apos;s settings)</span>
              </label>
              <input id="app" name="app" defaultValue={appId} autoComplete="off" spellCheck={false} required />
            </div>
          )}
          <div className="field">
            <label htmlFor="q">
              User id starts with <span className="hint">(case-sensitive; empty lists everyone)</span>
            </label>
            <input id="q" name="q" defaultValue={query} autoComplete="off" spellCheck={false} maxLength={128} />
          </div>
          <button type="submit" className="primary">
            Search
          </button>
        </form>
        {problem !== null && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
      </section>

      {users !== null && (
        <section className="card" aria-labelledby="results-title">
          <h2 id="results-title">
            {query === '' ? 'Users' : `Users whose id starts with “${query}”`}
            {appName === null ? '' : ` in ${appName}`}
          </h2>
          {users.users.length === 0 ? (
            <p>No users found. The application creates a user the first time it asks Holdfast about them.</p>
          ) : (
            <ul className="records" data-testid="user-results">
              {users.users.map((user) => (
                <li key={user.userId} className="record">
                  <a href={usersHref({ app: appId, q: query, user: user.userId })} aria-current={user.userId === userId ? 'true' : undefined}>
                    <code>{user.userId}</code>
                  </a>
                  <span className="record-meta">
                    {user.factorCount} factor{user.factorCount === 1 ? '' : 's'} · since {formatTime(user.createdAt)}
                    {user.isLocked && <strong className="tag tag-warn"> Locked</strong>}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {users.nextCursor !== null && (
            <p>
              <a href={usersHref({ app: appId, q: query, after: users.nextCursor })}>Next page of users</a>
            </p>
          )}
        </section>
      )}

      {isUserMissing && (
        <section className="card" aria-labelledby="missing-title">
          <h2 id="missing-title">No such user</h2>
          <p>
            {appName ?? 'This application'} has no user <code>{userId}</code>. User ids are case-sensitive.
          </p>
        </section>
      )}
      {detail !== null && <UserDetail key={`${detail.applicationId}:${detail.userId}`} initial={detail} role={role} factorKinds={session.factorKinds} />}
    </>
  );
}
