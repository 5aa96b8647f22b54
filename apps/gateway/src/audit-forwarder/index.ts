export {
  startGatewayAuditForwarder,
  syslogCursorName,
  type AuditForwarderReadiness,
  type AuditForwarderSettings,
  type GatewayAuditForwarder,
} from './audit-forwarder';
export { createSyslogSink, parseSyslogUrl, syslogDestinationText, type SyslogDestination, type SyslogSinkOptions } from './syslog-sink';
