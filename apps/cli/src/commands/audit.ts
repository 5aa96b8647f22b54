// `holdfast audit verify | proof <event>` (`npm run audit -- …`): the sealed audit log (issue 12),
// checked from the database's rows with the gateway's configuration (DATABASE_URL and the keyring,
// as rotate-keys reads them). The keyring proves the signing key was made by a gateway (its
// private half opens); the checks themselves need only the public key.
import { buildAuditInclusionProof, AuditProofError, verifyAuditLog, type AuditPublicKey } from '@holdfast/api';
import { parseKeyring, parseVerifierKey } from '@holdfast/core';
import { createDatabase } from '@holdfast/db';
import { readGatewayEnv } from '@holdfast/gateway';
import { auditExportUsage, runAuditExport } from './audit-export';
import { auditPruneUsage, runAuditPrune } from './audit-prune';

const usage = `usage: holdfast audit verify [--json] [--key <C2SP verifier key>]
       holdfast audit proof <audit event id | event id (UUID)>
       ${auditExportUsage}
       ${auditPruneUsage}`;

/** `--key name+id+base64`: verify against a key the operator holds, not the one the database offers. */
function pinnedKeyOf(args: readonly string[]): AuditPublicKey | undefined | null {
  const at = args.indexOf('--key');
  if (at === -1) return undefined;
  const parsed = parseVerifierKey(args[at + 1] ?? '');
  return parsed === null ? null : { id: 'pinned', keyName: parsed.keyName, publicKey: parsed.publicKey };
}

async function verify(args: readonly string[]): Promise<number> {
  const pinnedKey = pinnedKeyOf(args);
  if (pinnedKey === null) {
    console.error('holdfast audit verify: --key must be a C2SP verifier key (<name>+<key id>+<base64>)');
    return 2;
  }
  const env = readGatewayEnv();
  const db = createDatabase({ url: env.DATABASE_URL.split(','), poolMax: 1, applicationName: 'holdfast-audit-verify' });
  try {
    const report = await verifyAuditLog({
      pool: db.pool,
      keyring: parseKeyring({ keys: env.HOLDFAST_ENCRYPTION_KEYS, activeKeyId: env.HOLDFAST_ACTIVE_KEY_ID }),
      ...(pinnedKey === undefined ? {} : { pinnedKey }),
    });
    if (args.includes('--json')) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(
        `audit log: ${String(report.leaves)} leaves, ${String(report.checkpoints)} checkpoints, key ${report.keyName ?? '(none yet)'}${report.prunedBelow > 0 ? `, pruned below ${String(report.prunedBelow)} (${String(report.prunedRows)} rows removed by retention, their leaves kept)` : ''}`,
      );
      const [first] = report.problems;
      if (first === undefined) {
        console.log(
          `verified: every leaf matches its row, every checkpoint is signed and consistent${report.latestCheckpoint === null ? '' : ` (tree size ${String(report.latestCheckpoint.treeSize)})`}`,
        );
      } else {
        console.log(
          `FIRST BAD LEAF: ${first.leafIndex === null ? 'none' : String(first.leafIndex)} (audit event ${first.auditEventId ?? '-'}): ${first.kind}: ${first.message}`,
        );
        for (const problem of report.problems.slice(1)) console.log(`  also: ${problem.kind}: ${problem.message}`);
      }
    }
    return report.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

async function proof(args: readonly string[]): Promise<number> {
  const reference = args[0];
  if (reference === undefined) {
    console.error(usage);
    return 2;
  }
  const env = readGatewayEnv();
  const db = createDatabase({ url: env.DATABASE_URL.split(','), poolMax: 1, applicationName: 'holdfast-audit-proof' });
  try {
    console.log(JSON.stringify(await buildAuditInclusionProof({ sql: db.pool, reference }), null, 2));
    return 0;
  } catch (error) {
    if (!(error instanceof AuditProofError)) throw error;
    console.error(`holdfast audit proof: ${error.message}`);
    return 1;
  } finally {
    await db.close();
  }
}

export async function runAuditCommand(args: readonly string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'verify') return verify(rest);
  if (subcommand === 'proof') return proof(rest);
  if (subcommand === 'export') return runAuditExport(rest);
  if (subcommand === 'prune') return runAuditPrune(rest);
  console.error(usage);
  return 2;
}
