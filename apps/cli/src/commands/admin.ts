// `holdfast admin create --email <e> --name <n> --role owner|admin|helpdesk|auditor` (issue 13): an
// admin account for the console. The password is read from stdin when piped (`… < file`,
// `printf %s "$PW" | holdfast admin create …`), otherwise generated and printed once. It is never
// logged, written to a file or put in the audit trail. The account has no second factor yet: the
// first sign-in enrolls one (passkey or authenticator app).
import { createAdminAccount } from '@holdfast/api';
import { HoldfastError } from '@holdfast/core';
import { createDatabase } from '@holdfast/db';
import { adminEmail, adminPassword, adminRole, type AdminRole } from '@holdfast/validators';
import { randomBytes } from 'node:crypto';
import { ZodError } from 'zod';
import { readAdminCommandEnv } from '../env';
import { parseAdminCreateArgs } from './admin-args';

export const adminUsage = 'usage: holdfast admin create --email <email> --name <name> --role owner|admin|helpdesk|auditor  (password on stdin, or generated)';

/** 24 random bytes → 32 base64url characters (192 bits): well over the 20 the console asks of a generated one. */
export function generateAdminPassword(): string {
  return randomBytes(24).toString('base64url');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  // One trailing newline (echo, a file) is not part of the password; anything else is.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Creates an admin account in the database at `databaseUrl`; used by the command and by `npm start`'s demo owner. */
export async function createAdminWithPassword(options: {
  databaseUrl: string;
  region: string;
  email: string;
  name: string;
  role: AdminRole;
  password: string;
}): Promise<{ id: string; email: string }> {
  const db = createDatabase({ url: options.databaseUrl.split(','), poolMax: 2, applicationName: 'holdfast-admin-create' });
  try {
    return await createAdminAccount({
      deps: {
        db,
        gateway: { id: 'cli', region: options.region },
        random: (size) => new Uint8Array(randomBytes(size)),
        clock: () => new Date(),
      },
      email: adminEmail.parse(options.email),
      name: options.name.trim(),
      role: options.role,
      password: adminPassword.parse(options.password),
      createdBy: 'cli',
    });
  } finally {
    await db.close();
  }
}

export async function runAdminCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    console.error(adminUsage);
    return 2;
  }
  const parsed = parseAdminCreateArgs(rest);
  if (typeof parsed === 'string') {
    console.error(`holdfast admin create: ${parsed}\n${adminUsage}`);
    return 2;
  }
  const email = adminEmail.safeParse(parsed.email);
  const role = adminRole.safeParse(parsed.role);
  if (!email.success || !role.success || parsed.name.trim() === '' || parsed.name.length > 128) {
    console.error(
      `holdfast admin create: ${!email.success ? 'not an email address' : !role.success ? 'role must be owner, admin, helpdesk or auditor' : 'a name of 1–128 characters is needed'}`,
    );
    return 2;
  }
  const isPiped = !process.stdin.isTTY;
  const password = isPiped ? await readStdin() : generateAdminPassword();
  const checked = adminPassword.safeParse(password);
  if (!checked.success) {
    console.error('holdfast admin create: the password on stdin must be 12–128 characters');
    return 2;
  }
  let env;
  try {
    env = readAdminCommandEnv();
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    console.error(`holdfast admin create: ${error.issues.map((issue) => issue.message).join('; ')}`);
    return 2;
  }
  try {
    const created = await createAdminWithPassword({
      databaseUrl: env.DATABASE_URL,
      region: env.HOLDFAST_REGION,
      email: email.data,
      name: parsed.name,
      role: role.data,
      password,
    });
    console.log(`created ${role.data} ${created.email} (${created.id}); the first sign-in sets up a passkey or an authenticator app`);
    if (!isPiped) console.log(`password (shown once, not stored anywhere in clear): ${password}`);
    return 0;
  } catch (error) {
    if (error instanceof HoldfastError && error.code === 'ALREADY_ENROLLED') {
      console.error(`holdfast admin create: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
