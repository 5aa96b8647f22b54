// A drill's per-second chart (issue 13: "drawn, not a table of numbers"), as SVG the server can
// render: requests sent and accepted per second above, p99 latency below, the drill's events (the
// kill, the promotion …) as numbered markers across both. Accessible: role=img named by its <title>
// and described by a <desc> that says in words what the picture shows; each series has its own
// line style (solid, dashed, dotted) and its own label at the line's end and in the key — colour
// is never the only difference.
import { formatEventTime, niceCeiling, summarizeDrillTimeline, type DrillEvent, type DrillSecond } from './summary';

export interface DrillChartProps {
  /** Prefix for the ids the SVG's title and description need (unique on the page). */
  id: string;
  timeline: readonly DrillSecond[];
  events?: readonly DrillEvent[];
  title?: string;
}

const width = 720;
const left = 56;
const right = 86;
const plotWidth = width - left - right;
const rate = { top: 34, height: 150 };
const latency = { top: 240, height: 100 };
const height = latency.top + latency.height + 40;
const gridSteps = 4;

/** Line styles: what tells the series apart without colour. */
export const drillSeriesStyles = {
  sent: { label: 'sent', dash: undefined, width: 2.5 },
  accepted: { label: 'accepted', dash: '9 5', width: 2.5 },
  p99: { label: 'p99', dash: '2 4', width: 3 },
} as const;

function path(points: readonly { x: number; y: number }[]): string {
  return points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ');
}

function ticksOf(max: number): number[] {
  return Array.from({ length: gridSteps + 1 }, (_, index) => (max / gridSteps) * index);
}

function secondTicks(first: number, last: number): number[] {
  const span = Math.max(1, last - first);
  const step = niceCeiling(span / 8);
  const ticks: number[] = [];
  for (let second = Math.ceil(first / step) * step; second <= last; second += step) ticks.push(second);
  return ticks;
}

const number = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function DrillChart({ id, timeline, events = [], title = 'Requests and latency, per second of the drill' }: DrillChartProps) {
  const summary = summarizeDrillTimeline(timeline, events);
  if (timeline.length === 0) {
    return (
      <figure className="drill-chart">
        <p className="dc-empty">{summary}</p>
      </figure>
    );
  }
  const firstSecond = Math.min(...timeline.map((point) => point.second));
  const lastSecond = Math.max(...timeline.map((point) => point.second));
  const span = Math.max(1, lastSecond - firstSecond);
  const x = (second: number) => left + ((second - firstSecond) / span) * plotWidth;
  const rateMax = niceCeiling(Math.max(...timeline.map((point) => Math.max(point.sent, point.accepted))));
  const latencyMax = niceCeiling(Math.max(...timeline.map((point) => point.p99)));
  const yRate = (value: number) => rate.top + rate.height - (value / rateMax) * rate.height;
  const yLatency = (value: number) => latency.top + latency.height - (value / latencyMax) * latency.height;
  const lines = {
    sent: timeline.map((point) => ({ x: x(point.second), y: yRate(point.sent) })),
    accepted: timeline.map((point) => ({ x: x(point.second), y: yRate(point.accepted) })),
    p99: timeline.map((point) => ({ x: x(point.second), y: yLatency(point.p99) })),
  };
  const end = (key: keyof typeof lines) => lines[key][lines[key].length - 1] ?? { x: left, y: 0 };
  // Labels at the lines' ends, pushed apart when sent and accepted end at the same height.
  const sentEnd = end('sent');
  const acceptedEnd = end('accepted');
  const labelGap = 14;
  const acceptedLabelY = Math.abs(acceptedEnd.y - sentEnd.y) < labelGap ? sentEnd.y + labelGap : acceptedEnd.y;
  const markers = events
    .map((event, index) => ({ index: index + 1, x: x(event.atMs / 1000), event }))
    .filter((marker) => marker.x >= left - 0.5 && marker.x <= left + plotWidth + 0.5);
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;

  return (
    <figure className="drill-chart">
      <svg
        role="img"
        aria-labelledby={titleId}
        aria-describedby={descId}
        viewBox={`0 0 ${String(width)} ${String(height)}`}
        className="dc-svg"
        data-testid="drill-chart"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{summary}</desc>
        {/* Key: a sample of each line style with its name. */}
        <g className="dc-key" aria-hidden="true">
          {(['sent', 'accepted', 'p99'] as const).map((key, index) => (
            <g key={key} transform={`translate(${String(left + index * 150)}, 12)`}>
              <line
                x1={0}
                y1={0}
                x2={34}
                y2={0}
                className={`dc-line dc-${key}`}
                strokeWidth={drillSeriesStyles[key].width}
                strokeDasharray={drillSeriesStyles[key].dash}
              />
              <text x={40} y={4} className="dc-text">
                {key === 'p99' ? 'p99 latency (ms)' : `${drillSeriesStyles[key].label} (req/s)`}
              </text>
            </g>
          ))}
        </g>
        <g aria-hidden="true">
          <text x={left} y={rate.top - 6} className="dc-text dc-axis-title">
            Requests per second
          </text>
          {ticksOf(rateMax).map((tick) => (
            <g key={`rate-${String(tick)}`}>
              <line x1={left} x2={left + plotWidth} y1={yRate(tick)} y2={yRate(tick)} className="dc-grid" />
              <text x={left - 6} y={yRate(tick) + 4} textAnchor="end" className="dc-text">
                {number.format(tick)}
              </text>
            </g>
          ))}
          <text x={left} y={latency.top - 6} className="dc-text dc-axis-title">
            p99 latency (ms)
          </text>
          {ticksOf(latencyMax).map((tick) => (
            <g key={`latency-${String(tick)}`}>
              <line x1={left} x2={left + plotWidth} y1={yLatency(tick)} y2={yLatency(tick)} className="dc-grid" />
              <text x={left - 6} y={yLatency(tick) + 4} textAnchor="end" className="dc-text">
                {number.format(tick)}
              </text>
            </g>
          ))}
          {secondTicks(firstSecond, lastSecond).map((second) => (
            <text key={`second-${String(second)}`} x={x(second)} y={latency.top + latency.height + 16} textAnchor="middle" className="dc-text">
              {second}
            </text>
          ))}
          <text x={left + plotWidth / 2} y={height - 6} textAnchor="middle" className="dc-text dc-axis-title">
            second of the drill
          </text>
          {markers.map((marker) => (
            <g key={`event-${String(marker.index)}`}>
              <line x1={marker.x} x2={marker.x} y1={rate.top} y2={latency.top + latency.height} className="dc-event" strokeDasharray="1 3" />
              <text x={marker.x} y={rate.top + 12} textAnchor="middle" className="dc-text dc-event-label">
                {marker.index}
              </text>
            </g>
          ))}
          <path d={path(lines.sent)} className="dc-line dc-sent" strokeWidth={drillSeriesStyles.sent.width} />
          <path
            d={path(lines.accepted)}
            className="dc-line dc-accepted"
            strokeWidth={drillSeriesStyles.accepted.width}
            strokeDasharray={drillSeriesStyles.accepted.dash}
          />
          <path d={path(lines.p99)} className="dc-line dc-p99" strokeWidth={drillSeriesStyles.p99.width} strokeDasharray={drillSeriesStyles.p99.dash} />
          {/* A single second is a point, not a line: mark it. */}
          {timeline.length === 1 && (
            <>
              <circle cx={sentEnd.x} cy={sentEnd.y} r={4} className="dc-dot dc-sent-dot" />
              <circle cx={end('p99').x} cy={end('p99').y} r={4} className="dc-dot dc-p99-dot" />
            </>
          )}
          <text x={sentEnd.x + 6} y={sentEnd.y + 4} className="dc-text dc-end-label">
            sent
          </text>
          <text x={acceptedEnd.x + 6} y={acceptedLabelY + 4} className="dc-text dc-end-label">
            accepted
          </text>
          <text x={end('p99').x + 6} y={end('p99').y + 4} className="dc-text dc-end-label">
            p99
          </text>
        </g>
      </svg>
      <figcaption className="dc-caption">
        <p data-testid="drill-chart-summary">{summary}</p>
        {markers.length > 0 && (
          <ol className="dc-events" aria-label="Events marked on the chart">
            {markers.map((marker) => (
              <li key={`caption-${String(marker.index)}`}>
                {formatEventTime(marker.event.atMs)}: {marker.event.what}
              </li>
            ))}
          </ol>
        )}
      </figcaption>
    </figure>
  );
}
