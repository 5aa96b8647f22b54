// The REST surface's one source (issue 10): the operations table, problem details and the
// OpenAPI document, used by the gateway's REST transport and its tests.
export {
  applicationProcedurePaths,
  restOperationDeclarations,
  restOperations,
  restPathOf,
  type ProcedurePath,
  type RestMethod,
  type RestOperation,
  type RestOperationDeclaration,
} from './operations';
export { buildOpenApiDocument, queryParametersOf, toJsonSchema, type JsonSchema, type QueryParameter } from './openapi-document';
export { problemContentType, problemOf, problemSchema, problemTitleOf, problemTypeBase, problemTypeOf, type Problem } from './problem';
