import './audit.css';
import { adminAuditSearchFilters } from '@holdfast/validators';
import type { Metadata } from 'next';
import { applicationChoices, auditStatus, searchAudit, type AuditSearchOutput, type AuditStatus } from '../../../lib/admin-api-audit';
import { formatTime } from '../../../lib/format';
import { readForPage, type PageRead } from '../../../lib/page-read';
import { requireSession } from '../../../lib/session';
import { AuditEventsTable } from './audit-events-table';
import { LiveAudit } from './live-audit';
import { describeReadProblem } from './problems';
import { filterQuery, searchParamsOf, toUrlSearchParams, typedFilters, type AuditFilterName } from './search-params';
import { VerifyTrail } from './verify-trail';

export const metadata: Metadata = { title: 'Audit' };

const pageSize = 25;

function TrailStatus({ status }: { status: AuditStatus }) {
  const checkpoint = status.latestCheckpoint;
  return (
    <dl className="facts-grid">
      <dt>Latest checkpoint</dt>
      <dd data-testid="audit-tree-size">
        {checkpoint === null ? 'none yet (nothing sealed)' : `${String(checkpoint.treeSize)} events, signed ${formatTime(checkpoint.createdAt)}`}
      </dd>
      {checkpoint !== null && (
        <>
          <dt>Root hash</dt>
          <dd className="mono">{checkpoint.rootHash}</dd>
        </>
      )}
      <dt>Sealing</dt>
      <dd>{status.sealLagMs === 0 ? 'Every event is sealed.' : `The oldest unsealed event waits ${(status.sealLagMs / 1000).toFixed(1)} s.`}</dd>
      <dt>History check</dt>
      <dd>
        {status.historyRewritten ? (
          <strong className="state down">✗ History rewritten</strong>
        ) : (
          <span className="state ok">✓ Consistent with the checkpoint this gateway kept</span>
        )}
      </dd>
    </dl>
  );
}

function SearchForm({
  typed,
  applications,
  fieldErrors,
}: {
  typed: Partial<Record<AuditFilterName, string>>;
  applications: { id: string; name: string }[];
  fieldErrors: Partial<Record<AuditFilterName, string>>;
}) {
  const field = (name: AuditFilterName) => ({
    id: `filter-${name}`,
    name,
    'aria-invalid': fieldErrors[name] === undefined ? undefined : true,
    'aria-describedby': fieldErrors[name] === undefined ? `filter-${name}-hint` : `filter-${name}-hint filter-${name}-error`,
  });
  const error = (name: AuditFilterName) =>
    fieldErrors[name] === undefined ? null : (
      <span id={`filter-${name}-error`} className="error">
        {fieldErrors[name]}
      </span>
    );
  const asLocal = (value: string | undefined) => (value !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? value : undefined);
  const typedApplication = typed.applicationId;
  const knowsTyped = typedApplication === undefined || applications.some((application) => application.id === typedApplication);
  return (
    <form method="get" action="/audit" className="audit-search" aria-labelledby="search-title">
      <div className="filter-grid">
        <div className="field">
          <label htmlFor="filter-applicationId">Application</label>
          {applications.length > 0 ? (
            <select {...field('applicationId')} defaultValue={typedApplication ?? ''}>
              <option value="">All applications</option>
              {applications.map((application) => (
                <option key={application.id} value={application.id}>
                  {application.name}
                </option>
              ))}
              {!knowsTyped && <option value={typedApplication}>{typedApplication}</option>}
            </select>
          ) : (
            <input {...field('applicationId')} defaultValue={typedApplication} autoComplete="off" spellCheck={false} />
          )}
          <span id="filter-applicationId-hint" className="hint">
            {applications.length > 0 ? 'Needed to search by user.' : "The application's id (a UUID). Needed to search by user."}
          </span>
          {error('applicationId')}
        </div>
        <div className="field">
          <label htmlFor="filter-userId">User id</label>
          <input {...field('userId')} defaultValue={typed.userId} autoComplete="off" spellCheck={false} />
          <span id="filter-userId-hint" className="hint">
            The application&apos;s own id for the user.
          </span>
          {error('userId')}
        </div>
        <div className="field">
          <label htmlFor="filter-type">Event type</label>
          <input {...field('type')} defaultValue={typed.type} autoComplete="off" spellCheck={false} />
          <span id="filter-type-hint" className="hint">
            A type (verification.accepted) or a prefix ending in a dot (admin.).
          </span>
          {error('type')}
        </div>
        <div className="field">
          <label htmlFor="filter-gateway">Gateway</label>
          <input {...field('gateway')} defaultValue={typed.gateway} autoComplete="off" spellCheck={false} />
          <span id="filter-gateway-hint" className="hint">
            A gateway id, e.g. gw-r1-1.
          </span>
          {error('gateway')}
        </div>
        <div className="field">
          <label htmlFor="filter-region">Region</label>
          <input {...field('region')} defaultValue={typed.region} autoComplete="off" spellCheck={false} />
          <span id="filter-region-hint" className="hint">
            e.g. region-1.
          </span>
          {error('region')}
        </div>
        <div className="field">
          <label htmlFor="filter-since">Since (UTC)</label>
          <input {...field('since')} type="datetime-local" step={1} defaultValue={asLocal(typed.since)} />
          <span id="filter-since-hint" className="hint">
            From this time on.
          </span>
          {error('since')}
        </div>
        <div className="field">
          <label htmlFor="filter-until">Until (UTC)</label>
          <input {...field('until')} type="datetime-local" step={1} defaultValue={asLocal(typed.until)} />
          <span id="filter-until-hint" className="hint">
            Before this time.
          </span>
          {error('until')}
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          Search
        </button>
        <a className="button-link" href="/audit">
          Clear
        </a>
      </div>
    </form>
  );
}

/**
 * The audit trail: its verification status (and the history-rewritten alarm, first and loud), the
 * live stream, and a search with paging, detail and export. The search lives in the URL (a GET
 * form): reloadable, shareable, and the export links carry the same filters.
 */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireSession();
  const params = toUrlSearchParams(await searchParams);
  const typed = typedFilters(params);
  const cursor = params.get('cursor');
  const exportProblem = params.get('exportProblem');

  const fieldErrors: Partial<Record<AuditFilterName, string>> = {};
  const parsedFilters = adminAuditSearchFilters.safeParse(searchParamsOf(params));
  if (!parsedFilters.success) {
    for (const issue of parsedFilters.error.issues) {
      const name = issue.path[0];
      if (typeof name === 'string' && name in typed) fieldErrors[name as AuditFilterName] = issue.message;
    }
  } else if (parsedFilters.data.userId !== undefined && parsedFilters.data.applicationId === undefined) {
    fieldErrors.userId = "Choose the application too: a user id is the application's own.";
  }
  const canSearch = parsedFilters.success && Object.keys(fieldErrors).length === 0;

  const [status, search, applications] = await Promise.all([
    readForPage('reading the audit status', () => auditStatus(session.token)),
    canSearch
      ? readForPage('searching the audit trail', () =>
          searchAudit(session.token, { ...parsedFilters.data, limit: pageSize, cursor: cursor !== null && cursor !== '' ? cursor : null }),
        )
      : Promise.resolve<PageRead<AuditSearchOutput> | { value: null; problem: null }>({ value: null, problem: null }),
    applicationChoices(session.token),
  ]);
  const applicationNames = Object.fromEntries(applications.map((application) => [application.id, application.name]));
  const hasFilters = Object.keys(typed).length > 0;
  const latest = status.value?.latestCheckpoint ?? null;
  const isAlarm = status.value !== null && (status.value.historyRewritten || status.value.lastVerification?.ok === false);

  return (
    <>
      <h1>Audit</h1>
      {isAlarm && (
        <div className="alarm" role="alert" data-testid="audit-alarm">
          <h2>⚠ The audit trail does not verify</h2>
          {status.value.historyRewritten && (
            <p>
              <strong>History rewritten:</strong> the latest checkpoint is not consistent with the one this gateway kept on disk. Events may have been changed
              or removed. Keep the gateways&apos; checkpoint files, stop changes to the database, and investigate before trusting the trail.
            </p>
          )}
          {status.value.lastVerification?.ok === false && (
            <p>
              <strong>The last verification failed</strong>
              {status.value.lastVerification.firstBadLeaf === null ? '' : ` at leaf ${String(status.value.lastVerification.firstBadLeaf)}`}:{' '}
              {status.value.lastVerification.message}
            </p>
          )}
        </div>
      )}

      <section className="card" aria-labelledby="trail-title">
        <h2 id="trail-title">Trail verification</h2>
        {status.value === null ? (
          <p className="warning">{describeReadProblem(status.problem)}</p>
        ) : (
          <>
            <TrailStatus status={status.value} />
            <VerifyTrail last={status.value.lastVerification} />
          </>
        )}
      </section>

      <LiveAudit afterLeafIndex={latest === null ? null : latest.treeSize - 1} applicationNames={applicationNames} />

      <section className="card" aria-labelledby="search-title">
        <h2 id="search-title">Search</h2>
        <SearchForm typed={typed} applications={applications} fieldErrors={fieldErrors} />
        {!canSearch && (
          <p className="error" role="alert">
            Some filters are not right: see the fields above.
          </p>
        )}
        {exportProblem !== null && (
          <p className="error" role="alert">
            The export did not start. {describeReadProblem(exportProblem)}
          </p>
        )}
        {search.problem !== null && (
          <p className="error" role="alert">
            {describeReadProblem(search.problem)}
          </p>
        )}
        {search.value !== null && (
          <>
            <h3 id="results-title">{hasFilters ? 'Matching events' : 'Latest events'}</h3>
            <AuditEventsTable events={search.value.events} applicationNames={applicationNames} labelledBy="results-title" />
            <nav aria-label="Search pages" className="actions pager">
              {cursor !== null && cursor !== '' && <a href={`/audit${filterQuery(typed)}`}>First page</a>}
              {search.value.nextCursor !== null && (
                <a href={`/audit${filterQuery(typed, { cursor: search.value.nextCursor })}`} rel="next">
                  Older events
                </a>
              )}
            </nav>
            <h3 id="export-title">Export this search</h3>
            <p className="hint">Sealed events matching the filters above, one JSON document a line (a download).</p>
            <ul className="export-links" aria-labelledby="export-title">
              <li>
                <a href={`/audit/export${filterQuery(typed, { format: 'ndjson' })}`} download>
                  Holdfast records (NDJSON)
                </a>
              </li>
              <li>
                <a href={`/audit/export${filterQuery(typed, { format: 'ocsf' })}`} download>
                  OCSF 1.x (NDJSON)
                </a>
              </li>
              <li>
                <a href={`/audit/export${filterQuery(typed, { format: 'ecs' })}`} download>
                  Elastic Common Schema (NDJSON)
                </a>
              </li>
            </ul>
          </>
        )}
      </section>
    </>
  );
}
