// The OpenAPI 3.1 document of the REST surface, generated from the operations table and the
// procedures' own zod schemas (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod 4 emits).
import { z } from 'zod';
import { problemContentType, problemSchema, problemTypeBase } from './problem';
import { restOperations, type RestOperation } from './operations';

export type JsonSchema = Record<string, unknown>;

/**
 * zod → JSON Schema 2020-12 for one side of the wire. `io: 'input'` documents what a client may
 * send (fields with defaults are optional), `io: 'output'` what it gets back. Dates travel as ISO
 * 8601 strings (JSON.stringify), so they are documented as `date-time` strings; the WebAuthn
 * options (`z.custom`, built by @simplewebauthn/server) as objects, which is all zod checks.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json: JsonSchema = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: (context) => {
      const type = context.zodSchema._zod.def.type;
      if (type === 'date') {
        context.jsonSchema.type = 'string';
        context.jsonSchema.format = 'date-time';
      } else if (type === 'custom') {
        context.jsonSchema.type = 'object';
      }
    },
  });
  // The dialect is declared once for the whole document (jsonSchemaDialect).
  delete json.$schema;
  return json;
}

/** A query's flat input as query parameters: one per property of its input object. */
export interface QueryParameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function queryParametersOf(operation: RestOperation): QueryParameter[] {
  const schema = toJsonSchema(operation.input, 'input');
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(properties).map(([name, property]) => ({
    name,
    required: required.includes(name),
    schema: isRecord(property) ? property : {},
  }));
}

function operationIdOf(procedure: string): string {
  return procedure.replace(/\.([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

const problemResponse = { $ref: '#/components/responses/Problem' };

function operationObject(operation: RestOperation): JsonSchema {
  // Statuses any operation may answer with (from the router's error mapping and the gateway's
  // shield and admission queue); anything else is covered by `default`.
  const errors: Record<string, unknown> = { '400': problemResponse, '401': problemResponse, '404': problemResponse, '405': problemResponse };
  if (operation.method === 'POST') Object.assign(errors, { '409': problemResponse, '413': problemResponse, '415': problemResponse });
  Object.assign(errors, { '429': problemResponse, '503': problemResponse, default: problemResponse });
  return {
    operationId: operationIdOf(operation.procedure),
    summary: operation.summary,
    ...(operation.description === undefined ? {} : { description: operation.description }),
    tags: [operation.tag],
    'x-holdfast-procedure': operation.procedure,
    ...(operation.method === 'GET'
      ? { parameters: queryParametersOf(operation).map((parameter) => ({ ...parameter, in: 'query' })) }
      : { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(operation.input, 'input') } } } }),
    responses: {
      '200': { description: 'The procedure’s result, as plain JSON', content: { 'application/json': { schema: toJsonSchema(operation.output, 'output') } } },
      ...errors,
    },
  };
}

/** The whole document; the gateway builds it once at startup and serves the same bytes. */
export function buildOpenApiDocument(options: { version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of restOperations) {
    paths[operation.path] = { ...paths[operation.path], [operation.method.toLowerCase()]: operationObject(operation) };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Holdfast relying-application API',
      version: options.version,
      description:
        'Plain JSON over HTTP for relying applications, served by every gateway under /v1/ (the same procedures as the tRPC API at /trpc/). Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457 problem details (`application/problem+json`) carrying the typed `holdfastCode`.',
    },
    servers: [{ url: '/', description: 'The gateway that served this document; every gateway serves the same API.' }],
    security: [{ apiKey: [] }],
    tags: [
      { name: 'verification', description: 'Second-factor checks at login' },
      { name: 'enrollment', description: 'Enrollment links for your users' },
      { name: 'factors', description: "Managing a user's factors" },
      { name: 'hosted', description: 'The hosted verification page' },
      { name: 'webhooks', description: 'Signed notifications of factor changes' },
    ],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'hf_<keyId>_<secret>', description: 'The relying application’s API key.' },
      },
      schemas: {
        Problem: { ...toJsonSchema(problemSchema, 'output'), description: `RFC 9457 problem details; type = ${problemTypeBase}<holdfast-code-kebab>` },
      },
      responses: {
        Problem: {
          description: 'Refused: RFC 9457 problem details with the typed holdfastCode',
          content: { [problemContentType]: { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    },
  };
}
