// How a drill's numbers read on the console: null (an old or partial report) is said, not hidden.
const percent = new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const seconds = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

export const notRecorded = 'not recorded';

export function formatSuccessRate(rate: number | null): string {
  return rate === null ? notRecorded : percent.format(rate);
}

export function formatOutage(ms: number | null): string {
  return ms === null ? notRecorded : `${seconds.format(ms / 1000)} s`;
}

export function formatP99(ms: number | null): string {
  return ms === null ? notRecorded : `${integer.format(ms)} ms`;
}

/** Acknowledged writes lost and replays accepted: both must be 0. */
export function formatLossAndReplays(lost: number | null, replays: number | null): string {
  return `${lost === null ? '?' : integer.format(lost)} lost / ${replays === null ? '?' : integer.format(replays)} replays`;
}
