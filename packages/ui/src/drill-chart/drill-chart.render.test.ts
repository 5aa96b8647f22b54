import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DrillChart } from './drill-chart';
import { niceCeiling, summarizeDrillTimeline } from './summary';

// A primary kill at 10 s: acceptance drops for two seconds while p99 climbs, then recovers.
const timeline = Array.from({ length: 20 }, (_, second) => ({
  second,
  sent: 20,
  accepted: second === 10 ? 3 : second === 11 ? 12 : 20,
  p50: 12,
  p99: second === 10 ? 2310 : second === 11 ? 900 : 45,
}));
const events = [
  { atMs: 10_000, what: 'killed the leader pg1' },
  { atMs: 14_200, what: 'pg2 promoted' },
];

function render(props: Parameters<typeof DrillChart>[0]): string {
  return renderToStaticMarkup(createElement(DrillChart, props));
}

describe('DrillChart', () => {
  it('is an image named by its <title> and described in words by its <desc>', () => {
    const html = render({ id: 'c1', timeline, events, title: 'primary-kill per second' });
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-labelledby="c1-title" aria-describedby="c1-desc"');
    expect(html).toContain('<title id="c1-title">primary-kill per second</title>');
    const summary = summarizeDrillTimeline(timeline, events);
    expect(html).toContain(`<desc id="c1-desc">${summary}</desc>`);
    expect(summary).toContain('20 seconds of load.');
    expect(summary).toContain('Sent 20 to 20 requests a second (20.0 on average); accepted 3 to 20.');
    expect(summary).toContain('The fewest accepted: 3 of 20 at second 10.');
    expect(summary).toContain('p99 latency from 45 ms to 2,310 ms, highest at second 10.');
    expect(summary).toContain('2 events: at 10.0 s, killed the leader pg1; at 14.2 s, pg2 promoted.');
  });

  it('tells the series apart by line style and labels, not colour alone', () => {
    const html = render({ id: 'c2', timeline, events });
    // Three different strokes: solid (no dash), dashed, dotted.
    expect(html).toMatch(/<path d="M[^"]+" class="dc-line dc-sent" stroke-width="2.5"><\/path>/);
    expect(html).toMatch(/class="dc-line dc-accepted" stroke-width="2.5" stroke-dasharray="9 5"/);
    expect(html).toMatch(/class="dc-line dc-p99" stroke-width="3" stroke-dasharray="2 4"/);
    // Each line is named at its end and in the key.
    for (const label of ['>sent<', '>accepted<', '>p99<', 'sent (req/s)', 'accepted (req/s)', 'p99 latency (ms)']) expect(html).toContain(label);
    // The events are numbered markers, listed in the caption.
    expect(html).toContain('10.0 s: killed the leader pg1');
    expect(html).toContain('14.2 s: pg2 promoted');
    // No inline style attributes: the console's CSP allows none.
    expect(html).not.toContain('style=');
  });

  it('an empty or partial report says so instead of drawing nothing', () => {
    const html = render({ id: 'c3', timeline: [] });
    expect(html).toContain('The report has no per-second data.');
    expect(html).not.toContain('<svg');
    const one = render({ id: 'c4', timeline: [{ second: 0, sent: 5, accepted: 5, p50: 10, p99: 20 }] });
    expect(one).toContain('<circle');
    expect(summarizeDrillTimeline([{ second: 0, sent: 5, accepted: 5, p50: 10, p99: 20 }])).toContain('Every request sent was accepted in every second.');
  });

  it('axes end on round numbers', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(21)).toBe(50);
    expect(niceCeiling(2310)).toBe(5000);
    expect(niceCeiling(100)).toBe(100);
  });
});
