// Keeps etcd's leader out of the Postgres primary's region (see ../etcd.ts for why): one per
// region, started by `cluster up` beside its Patroni. Every second it asks its own Patroni whether
// it is the primary; when it is and its own etcd member leads too, it hands etcd's leadership to a
// member elsewhere. It only ever moves leadership away from its own region, so the keepers of
// different regions never undo each other, and a keeper that is cut off or dead changes nothing
// (failover is slower then, never less safe: placement is an optimisation, not a safety mechanism).
//
// etcd-placement.ts <own region> <own Patroni REST URL> <region=etcd client URL>...
import { moveEtcdLeaderAway, type EtcdEndpoint } from '../etcd';

const [own, patroniUrl, ...pairs] = process.argv.slice(2);
if (own === undefined || patroniUrl === undefined || pairs.length < 2) {
  console.error('usage: etcd-placement.ts <own region> <own Patroni REST URL> <region=etcd URL>...');
  process.exit(2);
}
const endpoints: EtcdEndpoint[] = pairs.map((pair) => {
  const at = pair.indexOf('=');
  return { name: pair.slice(0, at), url: pair.slice(at + 1) };
});
const log = (line: string): void => {
  console.log(`${new Date().toISOString()} ${line}`);
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function isPrimaryHere(): Promise<boolean> {
  try {
    // Patroni answers 200 on /primary only on the node that holds the leader lock and runs as primary.
    const response = await fetch(`${patroniUrl}/primary`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

// An object: set from a signal handler, read by the loop (a plain `let` would be narrowed to false).
const run = { stopping: false };
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    run.stopping = true;
  });
}
log(`keeping etcd's leader out of ${own} while its Patroni is the primary (members: ${endpoints.map((e) => e.name).join(', ')})`);
while (!run.stopping) {
  try {
    if (await isPrimaryHere()) {
      // One round of member statuses decides and moves (null: etcd's leader is elsewhere already).
      const moved = await moveEtcdLeaderAway(endpoints, own);
      if (moved !== null) log(`the primary and etcd's leader were both in ${own}: etcd leadership moved to ${moved}`);
    }
  } catch (error) {
    log(`placement check failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  await sleep(1_000);
}
log('stopped');
