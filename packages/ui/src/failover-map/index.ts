export { FailoverMap, type FailoverMapProps } from './failover-map';
export { formatBytes, formatDuration, formatMs, formatPercent, formatRate, formatUpdated, formatUtc, nodeStateText, roleText } from './format';
