import { describe, expect, it } from 'vitest';

import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    const a = { b: 1, a: { d: [1, { z: true, y: 'x' }], c: null } };
    const b = { a: { c: null, d: [1, { y: 'x', z: true }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[1,{"y":"x","z":true}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    // Arrays keep their order: it is data.
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('orders keys by UTF-16 code units, as RFC 8785 (JCS) does', () => {
    // The JCS specification's own sorting example (§3.2.3).
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\u{1F600}': 'Emoji',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\u{1F600}', '\ufb33'] as const;
    // Read the string, not JSON.parse's object: JavaScript enumerates integer-like keys ('1') first.
    expect(canonicalJson(value)).toBe(`{${order.map((key) => `${JSON.stringify(key)}:${JSON.stringify(value[key])}`).join(',')}}`);
  });

  it('writes numbers and strings as JSON.stringify does, with one spelling for zero', () => {
    expect(canonicalJson([0, -0, 1e21, 0.1, 1.5e-7, -42, 2 ** 53])).toBe('[0,0,1e+21,0.1,1.5e-7,-42,9007199254740992]');
    expect(canonicalJson('line\nbreak "quoted" \\ \u2028')).toBe(JSON.stringify('line\nbreak "quoted" \\ \u2028'));
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(false)).toBe('false');
  });

  it('keeps a lone surrogate apart from U+FFFD (the bytes stay distinct after UTF-8 encoding)', () => {
    const encode = (value: unknown): string => Buffer.from(new TextEncoder().encode(canonicalJson(value))).toString('hex');
    expect(encode('\ud800')).not.toBe(encode('\ufffd'));
    expect(canonicalJson('\ud800')).toBe('"\\ud800"');
  });

  it('round-trips what JSON.parse makes, __proto__ keys and null-prototype objects included', () => {
    const parsed: unknown = JSON.parse('{"__proto__":{"x":1},"a":[1,"2",null,{"b":false}]}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"a":[1,"2",null,{"b":false}]}');
    expect(JSON.parse(canonicalJson(parsed))).toEqual(parsed);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
    expect(canonicalJson(bare)).toBe('{"a":1,"b":2}');
  });

  it('refuses what JSON cannot hold instead of dropping or converting it', () => {
    class Detail {
      a = 1;
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const refused: [string, unknown][] = [
      ['undefined', undefined],
      ['undefined member', { a: undefined }],
      ['function', () => 1],
      ['symbol', Symbol('s')],
      ['bigint', 1n],
      ['NaN', Number.NaN],
      ['Infinity', [Number.POSITIVE_INFINITY]],
      ['Date', { at: new Date(0) }],
      ['Map', new Map()],
      ['Buffer', Buffer.from('x')],
      ['class instance', new Detail()],
      ['sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays -- the hole is the test
      ['symbol key', { [Symbol('k')]: 1 }],
      ['cycle', cyclic],
    ];
    for (const [name, value] of refused) expect(() => canonicalJson(value), name).toThrow(/Canonical JSON/u);
    expect(() => canonicalJson({ outer: { list: [1, undefined] } })).toThrow('$.outer.list[1]');
  });
});
