/**
 * Matchers: Alertmanager's semantics (RE2, anchored at both ends, quoted values unescaped as
 * Alertmanager does), and the regexes RE2 refuses are refused at parse time naming the field,
 * without repeating the pattern.
 */
import { describe, expect, it } from 'vitest';
import { AlertError } from '../src/alerts/errors.ts';
import { MAX_REGEX_PROGRAM, matchesAll, parseMatcher, parseMatchers } from '../src/alerts/matchers.ts';
import { compileRouting, type RoutingConfig } from '../src/alerts/routing.ts';

const refusal = (text: string, field = 'matchers[0]') => {
  try {
    parseMatcher(text, field);
  } catch (err) {
    expect(err).toBeInstanceOf(AlertError);
    return err as AlertError;
  }
  throw new Error(`${text} was accepted`);
};

describe('matchers', () => {
  it('are fully anchored, like Alertmanager', () => {
    const m = parseMatcher('env=~prod', 'm');
    expect(m.test({ env: 'prod' })).toBe(true);
    expect(m.test({ env: 'production' })).toBe(false);
    expect(m.test({ env: 'preprod' })).toBe(false);
    // An alternation is anchored as a whole, not just its first and last branch.
    const alt = parseMatcher('severity=~low|info', 'm');
    expect(['low', 'info', 'lowx', 'xinfo'].map((v) => alt.test({ severity: v }))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    // `.` does not match a newline (RE2's default, as in Alertmanager).
    expect(parseMatcher('x=~a.b', 'm').test({ x: 'a\nb' })).toBe(false);
  });

  it('treat a missing label as the empty string', () => {
    expect(parseMatcher('env!=dev', 'm').test({})).toBe(true);
    expect(parseMatcher('env=', 'm').test({})).toBe(true);
    expect(parseMatcher('env=~.*', 'm').test({})).toBe(true);
    expect(parseMatcher('env!~.+', 'm').test({})).toBe(true);
  });

  it('unquote values as Alertmanager does: \\" \\\\ \\n, other escapes kept for the regex', () => {
    expect(parseMatcher('env="a b"', 'm')).toMatchObject({ name: 'env', op: '=', value: 'a b' });
    expect(parseMatcher('x="say \\"hi\\""', 'm').value).toBe('say "hi"');
    expect(parseMatcher('x="a\\\\b"', 'm').value).toBe('a\\b');
    const re = parseMatcher('host=~"db\\.prod"', 'm');
    expect(re.value).toBe('db\\.prod');
    expect(re.test({ host: 'db.prod' })).toBe(true);
    expect(re.test({ host: 'dbxprod' })).toBe(false);
    expect(parseMatcher('  team  !=  auth ', 'm')).toMatchObject({ name: 'team', op: '!=', value: 'auth' });
  });

  it('run the issue 13 attack pattern in linear time: (a+)+$ against a×N+"!" answers false', () => {
    const m = parseMatcher('name=~"(a+)+$"', 'matchers[0]');
    for (const n of [24, 30, 40, 10_000]) expect(m.test({ name: `${'a'.repeat(n)}!` })).toBe(false);
    expect(m.test({ name: 'aaaa' })).toBe(true);
  });

  it.each([
    ['name=~"(a)\\1"', /backreferences are not supported/],
    ['name=~"a(?=b)"', /lookaround is not supported/],
    ['name=~"a(?!b)"', /lookaround is not supported/],
    ['name=~"(?<=a)b"', /lookaround is not supported/],
    ['name=~"(?<!a)b"', /lookaround is not supported/],
    ['name=~"x("', /missing closing \) \(RE2 syntax\)/],
    ['name=~"(?:a{1000}){1000}"', /invalid repeat count/],
    ['name=~"a{1000}b{1000}c{1000}d{1000}e{1000}"', /too large/],
  ])('refuse %s naming the field, without echoing the pattern', (text, reason) => {
    const err = refusal(text, 'matchers[2]');
    expect(err.field).toBe('matchers[2]');
    expect(err.code).toBe('invalid_field');
    expect(err.detail).toMatch(/^invalid regular expression: /);
    expect(err.detail).toMatch(reason);
    expect(err.detail).not.toContain(text.slice(text.indexOf('"') + 1, -1));
  });

  it('bound the compiled size', () => {
    expect(() => parseMatcher('x=~.{1000}', 'm')).not.toThrow();
    expect(MAX_REGEX_PROGRAM).toBeGreaterThan(1004);
  });

  it.each(['severity critical', '=x', '1abc=x', 'a~b', ''])('refuse %j as not a matcher', (text) => {
    const err = refusal(text);
    expect(err.detail).toMatch(/is not a matcher/);
    if (text) expect(err.detail).not.toContain(text);
  });

  it('name each matcher of a list by its index; all must match', () => {
    expect(() => parseMatchers(['a=1', 'b=~(', 'c=3'], 'matchers')).toThrow(
      expect.objectContaining({ field: 'matchers[1]' }),
    );
    const list = parseMatchers(['a=1', 'b=~x|y'], 'matchers');
    expect(matchesAll(list, { a: '1', b: 'y' })).toBe(true);
    expect(matchesAll(list, { a: '1', b: 'z' })).toBe(false);
  });

  it.each([
    [{ routes: [{ matchers: ['x=~"a(?=b)"'], channels: [] }] }, 'routes[0].matchers[0]'],
    [
      { inhibitRules: [{ sourceMatchers: ['a=b'], targetMatchers: ['x=~"(a)\\1"'] }] },
      'inhibitRules[0].targetMatchers[0]',
    ],
    [
      {
        maintenanceWindows: [
          {
            name: 'w',
            start: '2030-01-01T00:00:00Z',
            end: '2030-01-02T00:00:00Z',
            matchers: ['x=~"(?<!a)b"'],
          },
        ],
      },
      'maintenanceWindows[0].matchers[0]',
    ],
  ] as Array<[RoutingConfig, string]>)(
    'a routing config with a regex RE2 refuses fails at start (case %#), naming the field',
    (config, field) => {
      try {
        compileRouting(config, []);
      } catch (err) {
        expect(err).toBeInstanceOf(AlertError);
        expect((err as AlertError).code).toBe('invalid_config');
        expect((err as AlertError).field).toBe(field);
        expect((err as AlertError).detail).toMatch(/not supported \(RE2 syntax\)/);
        return;
      }
      throw new Error('accepted');
    },
  );
});
