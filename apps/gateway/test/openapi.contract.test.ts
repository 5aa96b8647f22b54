import { createApplication } from '@holdfast/db';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, postTrpc, startEnvironment } from './support/fixtures';
import { createAjv2020, deref, fetchOpenApiDocument, isObject, operationsOf, responseSchema, type JsonObject, warmUp } from './openapi.support';

const callbackUrl = 'https://app.example.com/mfa/callback';

/**
 * A value satisfying `schema` for a field no seeded value covers: the first enum value, the
 * smallest allowed number, an object of its required fields… (the request is checked against the
 * document's schema before it is sent either way).
 */
function sample(schema: JsonObject): unknown {
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.anyOf) && isObject(schema.anyOf[0])) return sample(schema.anyOf[0]);
  switch (schema.type) {
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
      return Object.fromEntries(required.map((name) => [name, isObject(properties[name]) ? sample(properties[name]) : null]));
    }
    default:
      if (schema.format === 'uuid') return randomUUID();
      return 'x'.repeat(typeof schema.minLength === 'number' ? schema.minLength : 1);
  }
}

/** The body (or query) for a request schema: seeded values for its fields first, then samples for required ones. */
function inputFor(schema: JsonObject, seeded: JsonObject): JsonObject {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
  const input: JsonObject = {};
  for (const [name, property] of Object.entries(properties)) {
    if (name in seeded) input[name] = seeded[name];
    else if (required.includes(name) && isObject(property)) input[name] = sample(property);
  }
  return input;
}

describe('[OPENAPI_CONTRACT] every operation, called from the document alone, answers what the document says', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_CANARY_INTERVAL_MS: '3600000' } });
    const [gw] = env.gateways;
    if (gw !== undefined) await warmUp(gw.url, (await createApplication({ prisma: env.db.prisma, name: 'warm-up' })).apiKey);
  });
  afterAll(async () => {
    await env.stop();
  });

  it('makes a request per operation with real seeded values, and one refused request each, and validates every response', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const alice = await enrollTotpUser({ db: env.db, gatewayUrl: gw.url, withRecoveryCodes: true });
    await env.db.prisma.application.update({ where: { id: alice.applicationId }, data: { callbackUrls: [callbackUrl] } });
    const { document } = await fetchOpenApiDocument(gw.url);
    const ajv = createAjv2020();

    // Seeded values by field name, per operation (found by operationId); some come from an earlier answer.
    const answers = new Map<string, unknown>();
    const totpAttemptId = `contract-totp-${randomUUID()}`;
    let lastStep = alice.confirmedStep;
    const seededFor = async (operationId: string): Promise<JsonObject> => {
      const common: JsonObject = { userId: alice.userId, attemptId: `contract-${randomUUID()}` };
      switch (operationId) {
        case 'verifyTotp': {
          const fresh = await freshCode(alice.secret, lastStep);
          lastStep = fresh.step;
          return { ...common, attemptId: totpAttemptId, code: fresh.code };
        }
        case 'verifyStatus':
          return { attemptId: totpAttemptId };
        case 'verifyRecoveryCode':
          return { ...common, code: alice.recoveryCodes[0] };
        case 'verifyWebauthnFinish':
          return {
            ...common,
            challengeId: randomUUID(),
            response: {
              id: 'AAAA',
              rawId: 'AAAA',
              type: 'public-key',
              clientExtensionResults: {},
              response: { clientDataJSON: 'AA', authenticatorData: 'AA', signature: 'AA' },
            },
          };
        case 'hostedCreateTransaction':
          return { ...common, callbackUrl, state: 'contract-state' };
        case 'hostedRedeemResult': {
          // The page's part (a hosted verification with a recovery code), then the callback's code.
          const created = answers.get('hostedCreateTransaction');
          if (!isObject(created) || typeof created.url !== 'string') throw new Error('hostedCreateTransaction answered no url');
          const token = created.url.slice(created.url.lastIndexOf('/') + 1);
          const page = await postTrpc(gw.url, 'hosted.verifyRecoveryCode', { token, code: alice.recoveryCodes[1] });
          const redirect = (page.json as { result: { data: { redirectUrl: string } } }).result.data.redirectUrl;
          return { ...common, code: new URL(redirect).searchParams.get('code') };
        }
        case 'webhooksConfigure':
          return { url: 'http://localhost:9/holdfast-webhook' };
        case 'webhooksRedeliver': {
          const log = answers.get('webhooksDeliveries');
          const first = isObject(log) && Array.isArray(log.deliveries) && isObject(log.deliveries[0]) ? log.deliveries[0].id : undefined;
          return { deliveryId: typeof first === 'string' ? first : randomUUID() };
        }
        case 'factorsRevoke':
          return { ...common, factorId: alice.factorId };
        default:
          return common;
      }
    };
    // The order a relying application would call them in; revocation last (it ends alice's factor).
    const order = [
      'preauth',
      'verifyTotp',
      'verifyStatus',
      'verifyRecoveryCode',
      'verifyWebauthnBegin',
      'verifyWebauthnFinish',
      'enrollmentCreateLink',
      'factorsUnlock',
      'hostedCreateTransaction',
      'hostedRedeemResult',
      'webhooksConfigure',
      'factorsRevoke',
      'webhooksDeliveries',
      'webhooksRedeliver',
    ];
    const operations = operationsOf(document).sort(
      (x, y) => (order.indexOf(String(x.operation.operationId)) + 1 || 99) - (order.indexOf(String(y.operation.operationId)) + 1 || 99),
    );
    expect(operations.length).toBeGreaterThan(0);

    const statuses: Record<string, number> = {};
    for (const { path, method, operation } of operations) {
      const operationId = String(operation.operationId);
      const seeded = await seededFor(operationId);
      // Build the request from the document: query parameters for GET, a JSON body for POST.
      let target = `${gw.url}${path}`;
      let body: string | undefined;
      if (method === 'get') {
        const parameters = Array.isArray(operation.parameters) ? operation.parameters.filter(isObject) : [];
        const schema: JsonObject = {
          type: 'object',
          properties: Object.fromEntries(parameters.map((p) => [String(p.name), p.schema])),
          required: parameters.filter((p) => p.required === true).map((p) => String(p.name)),
        };
        const query = inputFor(schema, seeded);
        expect(ajv.compile(schema)(query), `${operationId}: query satisfies its parameters`).toBe(true);
        target += `?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
      } else {
        const requestBody = deref(document, operation.requestBody);
        const schema = deref(document, deref(document, deref(document, requestBody.content)['application/json']).schema);
        const input = inputFor(schema, seeded);
        const validate = ajv.compile(schema);
        expect(validate(input), `${operationId}: body satisfies its schema ${JSON.stringify(validate.errors)}`).toBe(true);
        body = JSON.stringify(input);
      }
      const headers: Record<string, string> = {
        authorization: `Bearer ${alice.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      };
      const response = await fetch(target, { method: method.toUpperCase(), headers, ...(body === undefined ? {} : { body }) });
      const contentType = response.status === 200 ? 'application/json' : 'application/problem+json';
      expect(response.headers.get('content-type'), operationId).toBe(contentType);
      const json: unknown = await response.json();
      const validate = ajv.compile(responseSchema(document, operation, response.status, contentType));
      expect(validate(json), `${operationId} ${response.status}: ${JSON.stringify(json)} ${JSON.stringify(validate.errors)}`).toBe(true);
      statuses[operationId] = response.status;
      if (response.status === 200) answers.set(operationId, json);

      // And refused: no API key → 401, as the document's problem schema says.
      const refused = await fetch(target, {
        method: method.toUpperCase(),
        ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
      });
      expect(refused.status, operationId).toBe(401);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      const problem: unknown = await refused.json();
      const validateProblem = ajv.compile(responseSchema(document, operation, 401, 'application/problem+json'));
      expect(validateProblem(problem), `${operationId} 401: ${JSON.stringify(validateProblem.errors)}`).toBe(true);
      expect(problem).toMatchObject({ status: 401, holdfastCode: 'UNAUTHENTICATED' });
    }

    // The calls a seeded application can complete did complete (the others are refusals the document lists).
    expect(statuses).toMatchObject({
      preauth: 200,
      verifyTotp: 200,
      verifyStatus: 200,
      verifyRecoveryCode: 200,
      enrollmentCreateLink: 200,
      factorsUnlock: 200,
      hostedCreateTransaction: 200,
      hostedRedeemResult: 200,
      webhooksConfigure: 200,
      factorsRevoke: 200,
      webhooksDeliveries: 200,
    });
    expect(answers.get('verifyTotp')).toMatchObject({ outcome: 'accepted' });
    expect(answers.get('verifyRecoveryCode')).toMatchObject({ outcome: 'accepted' });
  });
});
