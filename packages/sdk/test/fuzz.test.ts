import { describe, expect, it } from 'vitest';
import { fuzz, fuzzSeed } from './support/fuzz.ts';

describe('fuzz seeds', () => {
  it('replays the same sequence from the same seed, and another from another seed', () => {
    const draw = (seed: number) => {
      const f = fuzz('replay', seed);
      return Array.from({ length: 100 }, () => f.random());
    };
    const a = draw(42);
    expect(draw(42)).toEqual(a);
    expect(draw(43)).not.toEqual(a);
    for (const x of a) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    // Spread over [0, 1): every tenth of the range is hit.
    expect(new Set(a.map((x) => Math.floor(x * 10))).size).toBe(10);
  });

  it('reads AUTHLENS_FUZZ_SEED, draws one when unset, and rejects a malformed one', () => {
    expect(fuzzSeed({ AUTHLENS_FUZZ_SEED: '4294967295' })).toBe(4294967295);
    expect(fuzzSeed({ AUTHLENS_FUZZ_SEED: '0' })).toBe(0);
    const drawn = fuzzSeed({});
    expect(Number.isInteger(drawn) && drawn >= 0 && drawn <= 4294967295).toBe(true);
    for (const bad of ['-1', '1.5', 'abc', '4294967296', '0x10']) {
      expect(() => fuzzSeed({ AUTHLENS_FUZZ_SEED: bad }), bad).toThrow(
        /^AUTHLENS_FUZZ_SEED must be an integer/,
      );
    }
  });
});
