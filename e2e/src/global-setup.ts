// Everything real, on free ports: an embedded Postgres with a fresh migrated database, two gateways
// (so a ceremony may start on one and finish on the other), the built web app, and a relying
// application seeded in the database. The returned function stops them all, by PID.
import { createApplication, createDatabase } from '@holdfast/db';
import { createTestDatabase, findFreePort, startTestPostgres } from '@holdfast/db/testing';
import { startPushService } from '@holdfast/process/push-service';
import { randomBytes } from 'node:crypto';
import { ensureAdminBuild, ensurePushBuild, ensureWebBuild, startAdmin, startGateway, startPush, startWeb, type RunningProcess } from './processes';
import { startGatewayControl, writeTopologyFile, type ControlledGateway } from './gateway-control';
import { startPushServiceApi } from './push-service-api';
import { stateVariable, type E2eState } from './state';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const started = performance.now();
  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => {
        console.error('e2e teardown:', error);
      });
  };
  try {
    // Building first: on two cores `next build` should not compete with starting servers.
    await ensureWebBuild();
    await ensurePushBuild();
    await ensureAdminBuild();
    const postgres = await startTestPostgres();
    cleanups.push(postgres.stop);
    const database = await createTestDatabase(postgres.url);
    cleanups.push(database.drop);

    const webPort = await findFreePort();
    const webUrl = `http://localhost:${webPort}`;
    const pushPort = await findFreePort();
    const pushUrl = `http://localhost:${pushPort}`;
    const adminPort = await findFreePort();
    const adminUrl = `http://localhost:${adminPort}`;
    // The local Web Push service (HTTPS, throw-away CA): before the gateways, which must trust it.
    const pushService = await startPushService();
    cleanups.push(pushService.stop);
    const pushServiceApi = await startPushServiceApi(pushService);
    cleanups.push(pushServiceApi.stop);
    const push = { publicUrl: pushUrl, serviceHosts: pushService.host, caFile: pushService.caFile };
    const encryptionKey = randomBytes(32).toString('base64');
    const gateways: RunningProcess[] = [];
    // Ports first: every gateway's live map names all of them ([ADMIN_LIVE_MAP] stops one and starts it again).
    const gatewayPlan: { id: string; port: number; url: string }[] = [];
    for (const id of ['gw-e2e-a', 'gw-e2e-b']) {
      const port = await findFreePort();
      gatewayPlan.push({ id, port, url: `http://127.0.0.1:${String(port)}` });
    }
    const topology = await writeTopologyFile(gatewayPlan.map(({ id, url }) => ({ id, url })));
    cleanups.push(topology.remove);
    const controlled: ControlledGateway[] = [];
    for (const { id: gatewayId, port } of gatewayPlan) {
      const gateway = await startGateway({
        databaseUrl: database.gatewayUrl,
        port,
        gatewayId,
        encryptionKey,
        publicUrl: webUrl,
        push,
        adminOrigin: adminUrl,
        topologyFile: topology.file,
      });
      gateways.push(gateway);
      controlled.push({ id: gatewayId, url: gateway.url, process: gateway });
      cleanups.push(gateway.stop);
    }
    const gatewayControl = await startGatewayControl(controlled);
    cleanups.push(gatewayControl.stop);
    const web = await startWeb({ port: webPort, gatewayUrls: gateways.map((g) => g.url) });
    cleanups.push(web.stop);
    const pushApp = await startPush({ port: pushPort, gatewayUrls: gateways.map((g) => g.url) });
    cleanups.push(pushApp.stop);
    const admin = await startAdmin({ port: adminPort, gatewayUrls: gateways.map((g) => g.url), sessionSecret: randomBytes(32).toString('base64url') });
    cleanups.push(admin.stop);

    const db = createDatabase({ url: database.url, poolMax: 1 });
    const application = await createApplication({ prisma: db.prisma, name: 'E2E relying app' });
    // WebAuthn origins include the port: the portal is opened as http://localhost:<port>.
    await db.prisma.application.update({ where: { id: application.applicationId }, data: { rpId: 'localhost', allowedOrigins: [webUrl] } });
    await db.close();

    const state: E2eState = {
      webUrl,
      gatewayUrls: gateways.map((g) => g.url),
      databaseUrl: database.url,
      applicationId: application.applicationId,
      apiKey: application.apiKey,
      pushUrl,
      pushServiceOrigin: pushService.origin,
      pushServiceApiUrl: pushServiceApi.url,
      adminUrl,
      gatewayControlUrl: gatewayControl.url,
    };
    // Set before the workers start, so every spec sees it.
    process.env[stateVariable] = JSON.stringify(state);
    console.log(
      `e2e: platform up in ${((performance.now() - started) / 1000).toFixed(1)} s (web ${webUrl}, push ${pushUrl}, admin ${adminUrl}, gateways ${state.gatewayUrls.join(', ')})`,
    );
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
