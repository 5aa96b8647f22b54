// A named prepared statement whose result shape is described once per connection, not on every
// execution. node-postgres sends Describe with every Bind of a named statement, and on every
// answer parses the RowDescription into field objects, looks up a parser per column and builds the
// row template again: for the hot path's 30-column read that was ~10 % of everything a gateway
// worker allocated per verification (sampled heap profile, issue 9) and a Describe the server
// answered each time. A statement's columns cannot change under a name on one connection (Postgres
// refuses with "cached plan must not change result type"), so the first execution on a connection
// describes it as usual and later ones reuse that description: Bind, Execute, Sync.
import { createRequire } from 'node:module';
import pg from 'pg';

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

/** What a RowDescription set up on a Result (pg/lib/result.js), kept per connection and statement name. */
interface Description {
  fields: unknown[];
  parsers: unknown;
  emptyRow: unknown;
}

// The fields below are node-postgres's own (lib/query.js, lib/result.js, lib/connection.js, 8.x);
// `[DESCRIBED_ONCE]` holds this to pg's results and to one Describe per connection.
interface PgResultInternals {
  fields: unknown[];
  _parsers: unknown;
  _prebuiltEmptyResultObject: unknown;
}
interface PgConnection {
  bind: (config: { portal: string; statement: string; values: unknown[]; binary: boolean | undefined; valueMapper: (value: unknown) => unknown }) => void;
  sync: () => void;
}
interface PgQueryInternals {
  name: string | undefined;
  portal: string;
  values: unknown[] | undefined;
  binary: boolean | undefined;
  rows: number | undefined;
  callback: unknown;
  _result: PgResultInternals;
  _accumulateRows: unknown;
  hasBeenParsed: (connection: object) => boolean;
  handleError: (error: unknown, connection: object) => void;
  _getRows: (connection: object, rows: number | undefined) => void;
  listeners: (event: string) => unknown[];
}

const descriptions = new WeakMap<object, Map<string, Description>>();

const PgQuery = pg.Query as unknown as new (config: pg.QueryConfig) => object;

class DescribedOnceQuery extends PgQuery {
  /** The connection this execution described on (set only when it sends Describe). */
  private describingOn: object | null = null;

  prepare(connection: object): void {
    const self = this as unknown as PgQueryInternals;
    const known = self.name === undefined ? undefined : descriptions.get(connection)?.get(self.name);
    if (known === undefined || self.name === undefined || !self.hasBeenParsed(connection)) {
      this.describingOn = connection;
      (PgQuery.prototype as unknown as { prepare: (c: object) => void }).prepare.call(this, connection);
      return;
    }
    const wire = connection as PgConnection;
    try {
      wire.bind({ portal: self.portal, statement: self.name, values: self.values ?? [], binary: self.binary, valueMapper: prepareValue });
    } catch (error) {
      // A value pg cannot turn into a parameter throws before Bind is written: nothing went out,
      // so Sync alone brings the ReadyForQuery the client waits for. (pg's own path also closes
      // the statement here but still counts it as parsed, so its next execution fails with
      // "prepared statement does not exist"; the statement was parsed before, so it stays.)
      wire.sync();
      self.handleError(error, connection);
      return;
    }
    const result = self._result;
    result.fields = known.fields;
    result._parsers = known.parsers;
    result._prebuiltEmptyResultObject = known.emptyRow;
    // What handleRowDescription would have decided: keep the rows for the callback.
    self._accumulateRows = self.callback !== undefined || self.listeners('row').length === 0;
    self._getRows(connection, self.rows);
  }

  handleRowDescription(message: unknown): void {
    (PgQuery.prototype as unknown as { handleRowDescription: (m: unknown) => void }).handleRowDescription.call(this, message);
    const self = this as unknown as PgQueryInternals;
    if (this.describingOn === null || self.name === undefined) return;
    let byName = descriptions.get(this.describingOn);
    if (byName === undefined) {
      byName = new Map();
      descriptions.set(this.describingOn, byName);
    }
    const result = self._result;
    byName.set(self.name, { fields: result.fields, parsers: result._parsers, emptyRow: result._prebuiltEmptyResultObject });
  }
}

/**
 * Runs the named statement on `runner` (a pool or a checked-out client), describing its result
 * only on a connection's first execution of it. Same result as `runner.query({ name, text, values })`.
 */
export function queryDescribedOnce<Row extends pg.QueryResultRow>(
  runner: pg.Pool | pg.PoolClient | pg.Client,
  config: { name: string; text: string; values: unknown[] },
): Promise<pg.QueryResult<Row>> {
  const query = new DescribedOnceQuery(config);
  // Given a submittable, a pool answers with a promise (and releases its client in its own
  // callback); a client returns the submittable and calls the submittable's callback.
  if (runner instanceof pg.Pool) return (runner as unknown as { query: (submittable: object) => Promise<pg.QueryResult<Row>> }).query(query);
  return new Promise((resolve, reject) => {
    (query as unknown as { callback: (error: Error | null | undefined, result?: pg.QueryResult<Row>) => void }).callback = (error, result) => {
      if (error !== null && error !== undefined) reject(error);
      else if (result === undefined) reject(new Error('the statement gave no result'));
      else resolve(result);
    };
    (runner as unknown as { query: (submittable: object) => unknown }).query(query);
  });
}
