// The drill chart's words: what a person reading the picture would take from it, for screen
// readers (the SVG's <desc>) and for everyone (the caption under it).

export interface DrillSecond {
  second: number;
  sent: number;
  accepted: number;
  p50: number;
  p99: number;
}

export interface DrillEvent {
  atMs: number;
  what: string;
}

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** "at 12.5 s": an event's time from the start of the drill. */
export function formatEventTime(atMs: number): string {
  return `${oneDecimal.format(atMs / 1000)} s`;
}

/** The chart in sentences: the range of each series, where the worst second was, and what happened when. */
export function summarizeDrillTimeline(timeline: readonly DrillSecond[], events: readonly DrillEvent[] = []): string {
  if (timeline.length === 0) return 'The report has no per-second data.';
  const first = timeline[0];
  const last = timeline[timeline.length - 1];
  const seconds = first === undefined || last === undefined ? 0 : last.second - first.second + 1;
  const sent = timeline.map((point) => point.sent);
  const accepted = timeline.map((point) => point.accepted);
  const averageSent = sent.reduce((sum, value) => sum + value, 0) / timeline.length;
  // The worst second: the lowest share of what was sent that second that was accepted.
  let worst = timeline[0];
  for (const point of timeline) {
    if (worst === undefined || point.sent === 0) continue;
    const share = point.accepted / point.sent;
    const worstShare = worst.sent === 0 ? 1 : worst.accepted / worst.sent;
    if (share < worstShare) worst = point;
  }
  let slowest = timeline[0];
  for (const point of timeline) if (slowest === undefined || point.p99 > slowest.p99) slowest = point;
  const p99 = timeline.map((point) => point.p99);
  const parts = [
    `${integer.format(seconds)} second${seconds === 1 ? '' : 's'} of load.`,
    `Sent ${integer.format(Math.min(...sent))} to ${integer.format(Math.max(...sent))} requests a second (${oneDecimal.format(averageSent)} on average); accepted ${integer.format(Math.min(...accepted))} to ${integer.format(Math.max(...accepted))}.`,
  ];
  if (worst !== undefined && worst.sent > 0 && worst.accepted < worst.sent) {
    parts.push(`The fewest accepted: ${integer.format(worst.accepted)} of ${integer.format(worst.sent)} at second ${integer.format(worst.second)}.`);
  } else {
    parts.push('Every request sent was accepted in every second.');
  }
  if (slowest !== undefined) {
    parts.push(
      `p99 latency from ${integer.format(Math.min(...p99))} ms to ${integer.format(Math.max(...p99))} ms, highest at second ${integer.format(slowest.second)}.`,
    );
  }
  if (events.length > 0) {
    parts.push(
      `${events.length === 1 ? 'One event' : `${integer.format(events.length)} events`}: ${events.map((event) => `at ${formatEventTime(event.atMs)}, ${event.what}`).join('; ')}.`,
    );
  }
  return parts.join(' ');
}

/** A round upper bound for an axis (1, 2 or 5 × a power of ten), never below 1. */
export function niceCeiling(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
