// Shared React pieces for the web app and the apps to come (push approval, admin console).
export type { CodeInputProps } from './code-input';
export { CodeInput } from './code-input';
export type { CodeInputAttributes, CodeKind } from './code-input-attributes';
export { codeInputAttributes } from './code-input-attributes';
export type { ContentSecurityPolicyOptions } from './content-security-policy';
export { buildContentSecurityPolicy, createNonce, strictTransportSecurity, withPageSecurityHeaders } from './content-security-policy';
export { AppShell } from './app-shell';
export type { FailoverMapProps } from './failover-map';
export { FailoverMap } from './failover-map';
export { DrillChart, summarizeDrillTimeline, type DrillChartProps, type DrillEvent, type DrillSecond } from './drill-chart';
