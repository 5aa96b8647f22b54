import { describe, expect, it } from 'vitest';
import { AdmissionGate, InFlightLimit, sampleLoopLag, shedMemoryMs, type AdmissionLimits } from './admission';

// The gate's two answers to sustained overload (issue 9, surges): a short wait while it sheds,
// and fewer requests in the router while the event loop lags. The end-to-end burst is
// test/surge.admission.test.ts; these pin the rules with a clock the test moves.

interface Request {
  name: string;
}

function gateWith(limits: Partial<AdmissionLimits>, inFlightLimit?: { value: number }) {
  const clock = { now: 0 };
  const admitted: string[] = [];
  const refused: string[] = [];
  const gate = new AdmissionGate<Request, null, null>(
    { maxInFlight: 1, maxQueue: 1, maxWaitMs: 40, shedWaitMs: 5, minInFlight: 1, targetLagMs: 0, ...limits },
    {
      admit: (req) => admitted.push(req.name),
      refuse: (req) => refused.push(req.name),
      isGone: () => false,
    },
    () => clock.now,
    inFlightLimit,
  );
  return {
    gate,
    clock,
    admitted,
    refused,
    enter: (name: string) => {
      gate.enter({ name }, null, null);
    },
  };
}

describe('[ADMISSION_SHEDDING] the admission gate under sustained overload', () => {
  it('gives waiters the full wait until it refuses someone, then the short wait for a second after its last refusal', () => {
    const { gate, clock, admitted, refused, enter } = gateWith({});
    enter('a'); // admitted: the one slot
    enter('b'); // waits, with the full 40 ms (nothing refused yet)
    clock.now = 30;
    gate.leave(); // a done: b admitted after 30 ms
    expect(admitted).toEqual(['a', 'b']);

    enter('c'); // waits
    enter('d'); // the queue is full: refused — the gate is shedding now
    expect(refused).toEqual(['d']);
    clock.now = 31;
    gate.leave(); // b done: c admitted
    enter('e'); // waits, but only 5 ms while shedding
    clock.now = 37;
    gate.leave(); // c done after e's 5 ms ran out: e is refused, not admitted 6 ms late
    expect(refused).toEqual(['d', 'e']);
    expect(gate.isShedding).toBe(true);

    // A second after the last refusal the gate is not shedding: bursts get the full wait again.
    enter('f'); // the slot is free: admitted
    clock.now = 37 + shedMemoryMs + 1;
    expect(gate.isShedding).toBe(false);
    enter('g'); // waits with 40 ms
    clock.now += 30;
    gate.leave();
    expect(admitted).toEqual(['a', 'b', 'c', 'f', 'g']);
    expect(refused).toEqual(['d', 'e']);
  });

  it('lets in no more than the in-flight limit allows now', () => {
    const limit = { value: 1 };
    const { gate, admitted, refused, enter } = gateWith({ maxInFlight: 3, maxQueue: 10 }, limit);
    enter('a');
    enter('b'); // the limit is 1: b waits although 3 are configured
    expect(admitted).toEqual(['a']);
    expect(gate.maxInFlight).toBe(1);
    limit.value = 5; // never more than configured
    expect(gate.maxInFlight).toBe(3);
    gate.leave();
    expect(admitted).toEqual(['a', 'b']);
    expect(refused).toEqual([]);
  });
});

describe('[ADMISSION_CPU_PRESSURE] the in-flight limit follows the event loop lag', () => {
  it('falls by a quarter per lagging interval down to its floor and climbs back one per calm interval', () => {
    const limit = new InFlightLimit({ max: 16, min: 4, targetLagMs: 10 });
    expect(limit.value).toBe(16);
    const values: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      limit.observe(25);
      values.push(limit.value);
    }
    expect(values).toEqual([12, 9, 6, 4, 4, 4]);
    limit.observe(7); // between half the target and the target: hold
    expect(limit.value).toBe(4);
    for (let i = 0; i < 20; i += 1) limit.observe(2);
    expect(limit.value).toBe(16); // never above the configured limit
    // A floor above the configured limit is the configured limit.
    const small = new InFlightLimit({ max: 2, min: 4, targetLagMs: 10 });
    small.observe(100);
    expect(small.value).toBe(2);
  });

  it('is fed by the real event loop: a blocked loop lowers the limit', async () => {
    const limit = new InFlightLimit({ max: 16, min: 2, targetLagMs: 10 });
    const changes: number[] = [];
    const stop = sampleLoopLag(limit, 100, (value) => changes.push(value));
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const until = performance.now() + 60;
      while (performance.now() < until) {
        // The loop is held for 60 ms: six of the 10-ms samples come late.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(changes[0]).toBe(12);
      expect(Math.min(...changes)).toBeLessThan(16);
    } finally {
      stop();
    }
  });
});
