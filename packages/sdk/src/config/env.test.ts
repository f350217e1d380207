import { describe, expect, it } from 'vitest';
import { AuthlensError } from '../errors.ts';
import { createEnvReader, describeRange, type InvalidValue, parseBoolean, parseDuration } from './env.ts';

/** A reader whose errors carry the refused value as data, so each case can say what was refused. */
const reader = (env: Record<string, string | undefined>) =>
  createEnvReader(env, (p) => Object.assign(new Error(`${p.setting}: ${p.value} / ${p.expected}`), p));

const refusal = (fn: () => unknown): InvalidValue => {
  try {
    fn();
  } catch (err) {
    const { setting, value, expected } = err as InvalidValue;
    return { setting, value, expected };
  }
  throw new Error('expected the reader to refuse the value');
};

describe('createEnvReader', () => {
  it('treats unset and blank as the default, and trims', () => {
    const read = reader({ A: '  ', B: ' 42 ' });
    expect(read.integer('A', { default: 7 })).toBe(7);
    expect(read.integer('MISSING', { default: 7 })).toBe(7);
    expect(read.integer('B', { default: 7 })).toBe(42);
    expect(read.string('A')).toBeUndefined();
  });

  it.each([
    ['abc', { min: 0, max: 10 }, 'an integer from 0 to 10'],
    ['1.5', { min: 0 }, 'an integer ≥ 0'],
    ['1e3', { max: 5000 }, 'an integer ≤ 5000'],
    ['11', { min: 0, max: 10 }, 'an integer from 0 to 10'],
    ['-1', { min: 0 }, 'an integer ≥ 0'],
  ])('integer refuses %s (%o)', (value, range, expected) => {
    expect(refusal(() => reader({ N: value }).integer('N', { default: 1, ...range }))).toEqual({
      setting: 'N',
      value,
      expected,
    });
  });

  it('checks an explicit option by the same rule and names the option', () => {
    const read = reader({ N: '5' });
    expect(read.integer('N', { default: 1, min: 1, option: { name: 'n', value: 3 } })).toBe(3);
    expect(refusal(() => read.integer('N', { default: 1, min: 1, option: { name: 'n', value: 0 } }))).toEqual(
      {
        setting: 'n',
        value: '0',
        expected: 'an integer ≥ 1',
      },
    );
  });

  it('numbers: decimals and exclusive bounds', () => {
    const rule = { default: 0.999, min: 0, max: 1, minExclusive: true, maxExclusive: true };
    expect(reader({ S: '0.5' }).number('S', rule)).toBe(0.5);
    expect(refusal(() => reader({ S: '1' }).number('S', rule)).expected).toBe('a number > 0 and < 1');
    expect(refusal(() => reader({ S: '0x1' }).number('S', rule)).value).toBe('0x1');
    expect(refusal(() => reader({ S: 'Infinity' }).number('S', { default: 1 })).value).toBe('Infinity');
  });

  it('booleans in the usual forms, any case', () => {
    const read = reader({ T: 'Yes', F: 'OFF', X: 'maybe' });
    expect(read.boolean('T', { default: false })).toBe(true);
    expect(read.boolean('F', { default: true })).toBe(false);
    expect(refusal(() => read.boolean('X', { default: true })).expected).toMatch(/^a boolean \(true, false/);
    expect([' off ', 'NO', '0', 'On', 'maybe', ''].map(parseBoolean)).toEqual([
      false,
      false,
      false,
      true,
      undefined,
      undefined,
    ]);
  });

  it('URLs: scheme checked, secrets never repeated, normalised on request', () => {
    const read = reader({ U: 'http://prom:9090', F: 'ftp://x', S: 'not a url with a key' });
    expect(read.url('U')).toBe('http://prom:9090');
    expect(read.url('U', { normalize: true })).toBe('http://prom:9090/');
    expect(refusal(() => read.url('F'))).toEqual({
      setting: 'F',
      value: 'ftp://x',
      expected: 'an http(s) URL',
    });
    expect(refusal(() => read.url('S', { secret: true })).value).toBe('<hidden>');
    expect(refusal(() => read.url('U', { protocols: ['smtp:', 'smtps:'] })).expected).toBe(
      'a URL starting with smtp:// or smtps://',
    );
  });

  it('durations in milliseconds or with a unit, within range', () => {
    const read = reader({ A: '1500', B: '1.5s', C: '5m', D: '5 minutes', E: '50ms' });
    expect(read.duration('A', { default: 1 })).toBe(1500);
    expect(read.duration('B', { default: 1 })).toBe(1500);
    expect(read.duration('C', { default: 1 })).toBe(300_000);
    expect(refusal(() => read.duration('D', { default: 1 })).value).toBe('5 minutes');
    expect(refusal(() => read.duration('E', { default: 1000, min: 100 })).expected).toMatch(/≥ 100 ms/);
    expect(parseDuration('4h')).toBe(14_400_000);
    expect(parseDuration('4 h')).toBeUndefined();
    expect(parseDuration('30')).toBeUndefined();
  });

  it('lists and enums', () => {
    const read = reader({ L: 'a, B ,,c', E: 'Delta' });
    expect(read.list('L')).toEqual(['a', 'B', 'c']);
    expect(read.list('L', { lowerCase: true, allowed: ['a', 'b', 'c'] })).toEqual(['a', 'b', 'c']);
    expect(refusal(() => read.list('L', { allowed: ['a', 'c'] })).expected).toBe(
      'a comma-separated list of a, c',
    );
    expect(read.list('NONE')).toBeUndefined();
    expect(read.oneOf('E', ['cumulative', 'delta'], { default: 'cumulative' })).toBe('delta');
    expect(refusal(() => read.oneOf('L', ['x', 'y'], { default: 'x' })).expected).toBe('x, y');
  });

  it('throws exactly what the package makes', () => {
    const read = createEnvReader(
      { P: 'x' },
      (p) => new AuthlensError('invalid_config', `${p.setting} bad`, { setting: p.setting }),
    );
    expect(() => read.integer('P', { default: 1 })).toThrow(
      expect.objectContaining({ code: 'invalid_config', setting: 'P', message: 'P bad' }),
    );
  });
});

describe('describeRange', () => {
  it('says what a range accepts', () => {
    expect(describeRange('an integer', {})).toBe('an integer');
    expect(describeRange('a number', { min: 0, minExclusive: true, max: 300 })).toBe(
      'a number > 0 and ≤ 300',
    );
  });
});
