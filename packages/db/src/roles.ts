// Least privilege in Postgres (issue 8): a migrator role that owns the schema and runs DDL, and a
// gateway role that reads and writes rows but cannot run DDL, truncate, disable triggers, or
// change or delete audit rows (the trail is append-only for every process that serves traffic).
//
// Order of operations wherever a database is set up (embedded for `npm start`, the tests, the
// cluster): `bootstrapDatabaseRoles` with admin credentials (creates both roles if missing, hands
// the schema to the migrator, sets default privileges), then `migrateDatabase` as the migrator,
// which re-applies `applyGatewayGrants` after every run so tables added by later migrations are
// covered whoever wrote them.
import { createHmac, createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import pg from 'pg';

export interface DatabaseRoleNames {
  migrator: string;
  gateway: string;
}

export interface DatabaseRolePasswords {
  migrator: string;
  gateway: string;
}

export const defaultRoleNames: Readonly<DatabaseRoleNames> = { migrator: 'holdfast_migrator', gateway: 'holdfast_gateway' };

/**
 * Tables the gateway may only read and append to. `audit_events`: invariant 7, the trail outlives
 * what it describes and no serving process may rewrite it (retention of audit rows is a separate,
 * migrator-run job). The sealed log (issue 12) likewise: a serving process may add leaves,
 * checkpoints and the deployment's signing key, never change one — so no gateway can re-point a
 * row's leaf or rewrite a signed checkpoint. `_prisma_migrations` and `drill_reports` are written by
 * the migrator and drills.
 */
const appendOnlyTables = ['audit_events', 'audit_leaves', 'audit_checkpoints', 'audit_signing_keys'] as const;
/**
 * Columns of append-only tables the gateway role may still update: `rotate-keys` (run with the
 * gateway's DATABASE_URL) re-wraps the audit key's envelope. The public key stays unchangeable, so a
 * swapped private half could only sign checkpoints no verifier accepts.
 */
const rewrappableColumns = [{ table: 'audit_signing_keys', column: 'private_key_enc' }] as const;
// `audit_prune_marks`: only `holdfast audit prune`, as the migrator, may authorise a hole in the audit trail.
const readOnlyTables = ['_prisma_migrations', 'drill_reports', 'audit_prune_marks'] as const;
/**
 * Rows a serving process may add and change but never delete (issue 13): an admin account is
 * disabled (`disabled_at`), never erased, so the audit trail's adminId always names a row; an
 * admin session is revoked (`revoked_at`), never erased, so "who was signed in" stays answerable.
 */
const noDeleteTables = ['admin_accounts', 'admin_sessions'] as const;

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

function quoteIdent(name: string): string {
  if (!identifier.test(name)) throw new Error(`invalid role name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

const scramIterations = 4096;

function scramKeys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  // RFC 5802 / 7677. Postgres SASLprep-normalizes the password; ours are ASCII, for which it is the identity.
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/**
 * The SCRAM-SHA-256 verifier Postgres stores for `password` (`SCRAM-SHA-256$iter:salt$StoredKey:ServerKey`).
 * Sent instead of the password, so the plaintext never appears in a statement (or a server log),
 * and the stored form is scram whatever `password_encryption` says.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const { storedKey, serverKey } = scramKeys(password, salt, scramIterations);
  return `SCRAM-SHA-256$${scramIterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Whether a stored verifier was made from `password` (so an unchanged password is not rewritten). */
export function isScramVerifierFor(verifier: string, password: string): boolean {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (match === null) return false;
  const [, iterations, salt, stored, server] = match;
  if (iterations === undefined || salt === undefined || stored === undefined || server === undefined) return false;
  const keys = scramKeys(password, Buffer.from(salt, 'base64'), Number(iterations));
  const expected = Buffer.concat([keys.storedKey, keys.serverKey]);
  const actual = Buffer.concat([Buffer.from(stored, 'base64'), Buffer.from(server, 'base64')]);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A connection string for `role` on the same server and database as `url`. */
export function roleUrl(url: string, role: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** A password for a generated role (URL-safe, so it needs no escaping in a connection string). */
export function generateRolePassword(): string {
  return randomBytes(24).toString('base64url');
}

// Concurrent bootstraps (test files starting in parallel) can race on the cluster-wide catalog.
const raceCodes = new Set(['42710', '23505', 'XX000', '40001']);

async function ensureRole(client: pg.ClientBase, name: string, password: string): Promise<void> {
  // No superuser, no role or database creation, no replication, no RLS bypass (least privilege).
  const attributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT';
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { rows } = await client.query<{ rolpassword: string | null; rolsuper: boolean }>('SELECT rolpassword, rolsuper FROM pg_authid WHERE rolname = $1', [
        name,
      ]);
      const row = rows[0];
      if (row === undefined) {
        await client.query(`CREATE ROLE ${quoteIdent(name)} ${attributes} PASSWORD ${client.escapeLiteral(scramVerifier(password))}`);
      } else if (row.rolsuper || row.rolpassword === null || !isScramVerifierFor(row.rolpassword, password)) {
        await client.query(`ALTER ROLE ${quoteIdent(name)} ${attributes} PASSWORD ${client.escapeLiteral(scramVerifier(password))}`);
      }
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= 5 || typeof code !== 'string' || !raceCodes.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/**
 * Grants the gateway role what serving traffic needs on every table that exists now: read and
 * write rows, use sequences; never TRUNCATE, REFERENCES or TRIGGER; on the append-only tables
 * INSERT and SELECT only. Idempotent; run by the migrator (or an admin) after each migration run.
 */
export async function applyGatewayGrants(client: pg.ClientBase, gatewayRole: string = defaultRoleNames.gateway): Promise<void> {
  const gateway = quoteIdent(gatewayRole);
  await client.query(`GRANT USAGE ON SCHEMA public TO ${gateway}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${gateway}`);
  await client.query(`REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM ${gateway}`);
  await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${gateway}`);
  for (const table of appendOnlyTables) {
    if (await tableExists(client, table)) await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM ${gateway}`);
  }
  // After the REVOKE above, which also takes back column privileges.
  for (const { table, column } of rewrappableColumns) {
    if (await tableExists(client, table)) await client.query(`GRANT UPDATE (${column}) ON ${table} TO ${gateway}`);
  }
  for (const table of readOnlyTables) {
    if (await tableExists(client, table)) await client.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ${table} FROM ${gateway}`);
  }
  for (const table of noDeleteTables) {
    if (await tableExists(client, table)) await client.query(`REVOKE DELETE, TRUNCATE ON ${table} FROM ${gateway}`);
  }
}

async function tableExists(client: pg.ClientBase, table: string): Promise<boolean> {
  const { rows } = await client.query<{ oid: string | null }>('SELECT to_regclass($1)::text AS oid', [`public.${table}`]);
  return rows[0]?.oid != null;
}

export async function roleExists(client: pg.ClientBase, name: string): Promise<boolean> {
  return ((await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount ?? 0) > 0;
}

/**
 * Run with admin credentials (the embedded Postgres superuser, the cluster's Patroni superuser),
 * connected to the application's database. Idempotent: creates the migrator and gateway roles if
 * missing (or resets their attributes and passwords if they drifted), makes the migrator the owner
 * of the database, its `public` schema and every object in it (databases migrated before roles
 * existed were owned by the superuser), forbids everyone else to create there, sets default
 * privileges so tables the migrator creates later are granted to the gateway, and grants on the
 * tables that exist now.
 */
export async function bootstrapDatabaseRoles(options: { adminUrl: string; passwords: DatabaseRolePasswords; names?: DatabaseRoleNames }): Promise<void> {
  const names = options.names ?? defaultRoleNames;
  const migrator = quoteIdent(names.migrator);
  const gateway = quoteIdent(names.gateway);
  const client = new pg.Client({ connectionString: options.adminUrl });
  await client.connect();
  try {
    await ensureRole(client, names.migrator, options.passwords.migrator);
    await ensureRole(client, names.gateway, options.passwords.gateway);
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    const database = quoteIdent(rows[0]?.db ?? '');
    await client.query(`ALTER DATABASE ${database} OWNER TO ${migrator}`);
    await client.query(`ALTER SCHEMA public OWNER TO ${migrator}`);
    // Postgres 15 already withholds CREATE on public from PUBLIC; older servers and restored dumps may not.
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await client.query(`REVOKE CREATE ON DATABASE ${database} FROM PUBLIC`);
    await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${gateway}`);
    await transferOwnership(client, names.migrator);
    await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${migrator} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${gateway}`);
    await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${migrator} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${gateway}`);
    await applyGatewayGrants(client, names.gateway);
  } finally {
    await client.end();
  }
}

/** Every table, view, sequence, type and function in `public` not owned by the migrator becomes its own. */
async function transferOwnership(client: pg.ClientBase, migratorRole: string): Promise<void> {
  const migrator = quoteIdent(migratorRole);
  const relations = await client.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        AND pg_get_userbyid(c.relowner) <> $1
        -- sequences owned by a column move with their table
        AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))`,
    [migratorRole],
  );
  const keyword: Record<string, string> = { r: 'TABLE', p: 'TABLE', v: 'VIEW', m: 'MATERIALIZED VIEW', S: 'SEQUENCE', f: 'FOREIGN TABLE' };
  for (const relation of relations.rows) {
    await client.query(`ALTER ${keyword[relation.kind] ?? 'TABLE'} public.${client.escapeIdentifier(relation.name)} OWNER TO ${migrator}`);
  }
  const types = await client.query<{ name: string }>(
    `SELECT t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r') AND pg_get_userbyid(t.typowner) <> $1`,
    [migratorRole],
  );
  for (const type of types.rows) await client.query(`ALTER TYPE public.${client.escapeIdentifier(type.name)} OWNER TO ${migrator}`);
  const functions = await client.query<{ signature: string; kind: string }>(
    `SELECT p.oid::regprocedure::text AS signature, p.prokind::text AS kind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1`,
    [migratorRole],
  );
  for (const fn of functions.rows) {
    await client.query(`ALTER ${fn.kind === 'p' ? 'PROCEDURE' : 'FUNCTION'} ${fn.signature} OWNER TO ${migrator}`);
  }
}
