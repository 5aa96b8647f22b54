import { applicationProcedurePaths, restPathOf } from '@holdfast/api';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnvironment } from './support/fixtures';
import { createAjv2020, fetchOpenApiDocument, operationsOf, type JsonObject } from './openapi.support';

describe('[OPENAPI_VALID] every gateway serves a valid OpenAPI 3.1 document covering every relying-application procedure', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2, env: { HOLDFAST_CANARY_INTERVAL_MS: '3600000' } });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('validates as OpenAPI 3.1, is the same on every gateway, and has one operation per applicationProcedure', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const served = await fetchOpenApiDocument(a.url);
    expect(served.contentType).toContain('application/json');
    expect((await fetchOpenApiDocument(b.url)).text).toBe(served.text);
    // Generated once at startup: the same bytes on every request.
    expect((await fetchOpenApiDocument(a.url)).text).toBe(served.text);

    const validator = new Validator();
    const result = await validator.validate(served.document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');

    // Every schema in it compiles as JSON Schema 2020-12 (the document's dialect).
    const ajv = createAjv2020();
    const operations = operationsOf(served.document);
    for (const { operation } of operations) {
      const responses = operation.responses as Record<string, JsonObject>;
      const success = responses['200']?.content as Record<string, { schema: JsonObject }> | undefined;
      const schema = success?.['application/json']?.schema;
      if (schema === undefined) throw new Error(`${String(operation.operationId)}: no 200 schema`);
      ajv.compile(schema);
    }

    // The router decides what must be there: a new relying-application procedure without a REST
    // operation fails here.
    const documented = operations.map(({ operation }) => operation['x-holdfast-procedure']);
    expect([...documented].sort()).toEqual(applicationProcedurePaths().sort());
    for (const { path, method, operation } of operations) {
      const procedure = String(operation['x-holdfast-procedure']);
      expect(path).toBe(restPathOf(procedure));
      expect(['get', 'post']).toContain(method);
      expect(operation.security ?? served.document.security).toEqual([{ apiKey: [] }]);
    }
  });
});
