// What the OpenAPI tests share: the served document, a JSON Schema 2020-12 validator (ajv 8, the
// gateway's own devDependency: the root `ajv` is eslint's 6, without the 2020 dialect) and `$ref`
// resolution inside the document.
import Ajv2020 from 'ajv/dist/2020';

export type JsonObject = Record<string, unknown>;

interface AjvError {
  instancePath: string;
  message?: string;
}
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}
/** ajv 8's JSON Schema 2020-12 build, with the formats the document uses. */
export function createAjv2020(): Ajv2020 {
  // strict: false — OpenAPI adds annotations (e.g. `description` on $ref siblings) ajv would warn about.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('date-time', (value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)));
  ajv.addFormat('uri', (value) => URL.canParse(value));
  return ajv;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows `#/…` references inside the document until a non-reference object is reached. */
export function deref(document: JsonObject, value: unknown): JsonObject {
  let current = value;
  for (let hops = 0; hops < 10 && isObject(current) && typeof current.$ref === 'string'; hops += 1) {
    const pointer = current.$ref;
    if (!pointer.startsWith('#/')) throw new Error(`external $ref ${pointer}`);
    current = pointer
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (isObject(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), document);
  }
  if (!isObject(current)) throw new Error('unresolvable $ref');
  return current;
}

/** The JSON schema of an operation's response for `status` (or `default`) and content type. */
export function responseSchema(document: JsonObject, operation: JsonObject, status: number, contentType: string): JsonObject {
  const responses = deref(document, operation.responses);
  const response = deref(document, responses[String(status)] ?? responses.default);
  const content = deref(document, response.content);
  const media = deref(document, content[contentType]);
  return deref(document, media.schema);
}

export async function fetchOpenApiDocument(gatewayUrl: string): Promise<{ document: JsonObject; text: string; contentType: string | null }> {
  const response = await fetch(`${gatewayUrl}/v1/openapi.json`);
  if (response.status !== 200) throw new Error(`GET /v1/openapi.json: ${response.status}`);
  const text = await response.text();
  const document: unknown = JSON.parse(text);
  if (!isObject(document)) throw new Error('the document is not an object');
  return { document, text, contentType: response.headers.get('content-type') };
}

/** Every operation in the document: path, lower-case method, the operation object. */
export function operationsOf(document: JsonObject): { path: string; method: string; operation: JsonObject }[] {
  const paths = deref(document, { $ref: '#/paths' });
  return Object.entries(paths).flatMap(([path, item]) =>
    isObject(item) ? Object.entries(item).flatMap(([method, operation]) => (isObject(operation) ? [{ path, method, operation }] : [])) : [],
  );
}

/**
 * One unhurried request before the SDK's 5 s deadlines apply: a fresh gateway builds its database
 * client on first use, which on a loaded two-core machine can take longer than that.
 */
export async function warmUp(gatewayUrl: string, apiKey: string): Promise<void> {
  await fetch(`${gatewayUrl}/v1/enrollment/create-link`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'warm-up' }),
  });
}
