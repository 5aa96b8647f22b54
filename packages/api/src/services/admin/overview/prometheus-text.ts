// A small reader of the Prometheus text exposition format (0.0.4), enough for the gateways' own
// /metrics: `name{label="value",…} number [timestamp]`. Comments (# HELP / # TYPE) are skipped.

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Parses `{a="x",b="y\"z"}` starting at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } | null {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === ',') i += 1;
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq === -1 || line[eq + 1] !== '"') return null;
    const key = line.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < line.length; j += 1) {
      const c = line.charAt(j);
      if (c === '\\') {
        const next = line[j + 1];
        value += next === 'n' ? '\n' : next === undefined ? '' : next;
        j += 1;
      } else if (c === '"') break;
      else value += c;
    }
    if (j >= line.length) return null;
    labels[key] = value;
    i = j + 1;
  }
  return null;
}

/** Every sample line whose metric name passes `wanted` (all when omitted); malformed lines are skipped. */
export function parsePrometheusText(text: string, wanted?: (name: string) => boolean): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = line.search(/[{\s]/);
    if (nameEnd <= 0) continue;
    const name = line.slice(0, nameEnd);
    if (wanted !== undefined && !wanted(name)) continue;
    let labels: Record<string, string> = {};
    let rest = line.slice(nameEnd);
    if (line[nameEnd] === '{') {
      const parsed = parseLabels(line, nameEnd);
      if (parsed === null) continue;
      labels = parsed.labels;
      rest = line.slice(parsed.end);
    }
    const valueText = rest.trim().split(/\s+/)[0];
    if (valueText === undefined || valueText === '') continue;
    const value = parseValue(valueText);
    if (Number.isNaN(value)) continue;
    samples.push({ name, labels, value });
  }
  return samples;
}
