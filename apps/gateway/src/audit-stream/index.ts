// The live audit stream's HTTP side (issue 12): GET /v1/audit/stream as Server-Sent Events.
export {
  auditStreamPath,
  createAuditStreamEndpoint,
  defaultAuditStreamEndpointSettings,
  isAuditStreamUrl,
  type AuditStreamEndpoint,
  type AuditStreamEndpointSettings,
} from './audit-stream-endpoint';
export { auditEventFrame, commentFrame, retryFrame } from './sse';
export { auditStreamQuerySchema, parseAuditStreamRequest, type AuditStreamRequest } from './stream-query';
