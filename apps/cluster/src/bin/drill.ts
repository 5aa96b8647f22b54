// `npm run drill -- <scenario> [--rate 20] [--duration 45 (database-down: 75)] [--at 10] [--deadline 15] [--users 1000] [--region region-2] [--hedge-ms 3000] [--push-every 5] [--push-users 200] [--late 4]`
import { parseArgs } from 'node:util';
import { readClusterConfig } from '../config';
import { auditVerifyLine } from '../drill/audit-check';
import { runDrill } from '../drill/run-drill';
import { scenarios, type Scenario } from '../drill/scenarios';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: 'string', default: '20' },
    // Default per scenario: database-down needs room for 20 s without a database, the restart and logins after it.
    duration: { type: 'string' },
    at: { type: 'string', default: '10' },
    deadline: { type: 'string', default: '15' },
    users: { type: 'string', default: '1000' },
    region: { type: 'string' },
    // The SDK's hedging (on by default here, as a relying application in several regions would run it).
    'hedge-ms': { type: 'string', default: '3000' },
    // Push logins in the mix: every n-th request (0 = none), users with a simulated phone, late approvals.
    'push-every': { type: 'string', default: '5' },
    'push-users': { type: 'string', default: '200' },
    late: { type: 'string', default: '4' },
  },
});
const scenario = positionals[0];
if (scenario === undefined || !(scenarios as readonly string[]).includes(scenario)) {
  console.error(
    `usage: npm run drill -- <${scenarios.join('|')}> [--rate N] [--duration s] [--at s] [--deadline s] [--users N] [--region name] [--hedge-ms ms, 0 = off] [--push-every N, 0 = off] [--push-users N] [--late N]`,
  );
  process.exit(2);
}
const number = (value: string | undefined, name: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number`);
    process.exit(2);
  }
  return n;
};
/** A count that may be 0 (push off, no late approvals). */
const whole = (value: string | undefined, name: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number ≥ 0`);
    process.exit(2);
  }
  return n;
};
const config = readClusterConfig();
const report = await runDrill(
  config,
  {
    scenario: scenario as Scenario,
    ratePerSecond: number(values.rate, 'rate'),
    durationMs: number(values.duration ?? (scenario === 'database-down' ? '75' : '45'), 'duration') * 1000,
    disruptAtMs: number(values.at, 'at') * 1000,
    deadlineMs: number(values.deadline, 'deadline') * 1000,
    users: number(values.users, 'users'),
    targetRegion: values.region ?? null,
    hedgeAfterMs: Number(values['hedge-ms']),
    pushEvery: whole(values['push-every'], 'push-every'),
    pushUsers: number(values['push-users'], 'push-users'),
    lateLogins: whole(values.late, 'late'),
  },
  (line) => {
    console.log(`[drill] ${line}`);
  },
);
console.log(`
${report.scenario}: ${report.isPassed ? 'PASSED' : 'FAILED'}
  success ${(report.fresh.successRate * 100).toFixed(2)} % (${report.fresh.accepted}/${report.fresh.sent}), latency p50 ${report.latencyMs.p50} ms p99 ${report.latencyMs.p99} ms max ${report.latencyMs.max} ms
  write outage ${(report.writeOutageMs / 1000).toFixed(2)} s; lost ${report.checks.lostAcknowledged.length}; replays accepted ${report.checks.replaysAccepted.length}/${report.checks.replaysSent}; audit missing ${report.checks.auditMissing.length}; in doubt ${report.checks.acceptedNotAcknowledged}
${
  report.push === null
    ? ''
    : `  push: ${report.push.logins.prompt} logins, app saw approved ${(report.push.app.successRate * 100).toFixed(2)} %, begin→approved p50 ${report.push.latencyMs.p50} ms p99 ${report.push.latencyMs.p99} ms; ${report.push.crossRegion.inAnotherRegion}/${report.push.crossRegion.approved} approved in another region; approvals lost ${report.push.checks.approvalsLost.length}, accepted twice ${report.push.checks.approvedTwice.length}, expired approved ${report.push.checks.expiredApproved.length}, audit missing ${report.push.checks.auditMissing.length}\n`
}  ${auditVerifyLine(report.audit)}
${
  report.outage === null
    ? ''
    : `  database down ${(report.outage.downMs / 1000).toFixed(1)} s, write committed ${report.outage.restartToBackMs === null ? 'never' : `${(report.outage.restartToBackMs / 1000).toFixed(1)} s`} after the restart, first login ${report.outage.logins.firstAcceptedAfterBackMs === null ? 'never' : `${(report.outage.logins.firstAcceptedAfterBackMs / 1000).toFixed(1)} s`} after that; probes ${report.outage.probes.typed}/${report.outage.probes.sent} typed (${report.outage.probes.typed503} × 503) (max ${report.outage.probes.latencyMs.max} ms); spooled ${report.outage.spool.spooled}, arrived ${report.outage.spool.arrived}, twice ${report.outage.spool.twice.length}, dropped ${report.outage.spool.dropped}, spools empty ${report.outage.spool.drainedAfterBackMs === null ? 'never' : `${(report.outage.spool.drainedAfterBackMs / 1000).toFixed(1)} s`} after\n`
}${report.targets.map((t) => `  ${t.isMet ? 'met' : 'NOT met'}: ${t.name} (${t.value})`).join('\n')}`);
process.exit(report.isPassed ? 0 : 1);
