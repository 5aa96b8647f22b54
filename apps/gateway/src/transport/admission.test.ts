import { describe, expect, it } from 'vitest';
import { AdmissionGate, InFlightLimit, shedMemoryMs, tickInFlightLimit, type AdmissionLimits } from './admission';

// The gate's two answers to sustained overload (issue 9, surges): a short wait while it sheds,
// and fewer requests in the router while it sheds with a busy event loop. The end-to-end burst is
// test/surge.admission.test.ts; these pin the rules with a clock the test moves.

interface Request {
  name: string;
}

function gateWith(limits: Partial<AdmissionLimits>, inFlightLimit?: Pick<InFlightLimit, 'value' | 'onRefusal'>) {
  const clock = { now: 0 };
  const admitted: string[] = [];
  const refused: string[] = [];
  const gate = new AdmissionGate<Request, null, null>(
    { maxInFlight: 1, maxQueue: 1, maxWaitMs: 40, shedWaitMs: 5, minInFlight: 1, ...limits },
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
    const limit = { value: 1, onRefusal: () => undefined };
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

describe('[ADMISSION_CPU_PRESSURE] fewer requests in flight while the gate sheds with a busy event loop', () => {
  it('drops to the floor on a refusal with a busy loop, never with an idle one, and climbs back one slot per calm interval', () => {
    const limit = new InFlightLimit({ max: 16, min: 4 });
    expect(limit.value).toBe(16);
    // Refusing while the loop idles: a database that does not answer. Every slot stays.
    limit.tick(0.1);
    limit.onRefusal();
    expect(limit.value).toBe(16);
    // Busy and refusing: CPU overload. At once to the floor.
    limit.tick(0.9);
    limit.onRefusal();
    expect(limit.value).toBe(4);
    // Busy without refusing (a worker at work) is no reason to stay low: one slot back per interval.
    limit.tick(0.95); // the interval had a refusal: hold
    expect(limit.value).toBe(4);
    limit.tick(0.95);
    limit.tick(0.95);
    expect(limit.value).toBe(6);
    for (let i = 0; i < 20; i += 1) limit.tick(0.95);
    expect(limit.value).toBe(16); // never above the configured limit
    // A floor at or above the configured limit: never lowered.
    const off = new InFlightLimit({ max: 2, min: 4 });
    off.tick(1);
    off.onRefusal();
    expect(off.value).toBe(2);
  });

  it('a gate with the limit: refusals under a busy loop lower what it lets in', () => {
    const limit = new InFlightLimit({ max: 3, min: 1 });
    limit.tick(0.9);
    const { gate, admitted, refused, enter } = gateWith({ maxInFlight: 3, maxQueue: 0, minInFlight: 1 }, limit);
    enter('a');
    enter('b');
    enter('c');
    enter('d'); // all 3 slots taken, no queue: refused — and the limit drops to 1
    expect(refused).toEqual(['d']);
    gate.leave();
    gate.leave();
    enter('e'); // two still running against a limit of 1: refused
    gate.leave();
    enter('f'); // none running: admitted
    expect(admitted).toEqual(['a', 'b', 'c', 'f']);
    expect(refused).toEqual(['d', 'e']);
  });

  it('is ticked with the real event loop utilization: a refusal after a busy interval lowers the limit, after an idle one it does not', async () => {
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const limit = new InFlightLimit({ max: 16, min: 2 });
    const stop = tickInFlightLimit(limit, 100);
    try {
      await pause(250); // idle intervals
      limit.onRefusal();
      expect(limit.value).toBe(16);
      await pause(150); // a tick after the refusal's interval
      const until = performance.now() + 250;
      while (performance.now() < until) {
        // A busy loop: the ticks that come due meanwhile run after it, with utilization ~1.
      }
      await pause(5);
      limit.onRefusal();
      expect(limit.value).toBe(2);
    } finally {
      stop();
    }
  });
});
