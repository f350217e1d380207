/** A silence ends within 365 days from now, whichever way its end is given (issue 13). */
import { describe, expect, it } from 'vitest';
import { AlertError } from '../src/alerts/errors.ts';
import { MAX_SILENCE_DAYS, silenceWindow } from '../src/alerts/silence.ts';

const DAY = 86_400_000;
const refusedField = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AlertError);
    return (err as AlertError).field;
  }
  return 'accepted';
};

describe('silence window bound', () => {
  const now = Date.UTC(2026, 11, 4);
  it('accepts up to 365 days from now and refuses later ends, naming the field used', () => {
    expect(MAX_SILENCE_DAYS).toBe(365);
    expect(silenceWindow({ matchers: ['a=b'], endsAt: new Date(now + 365 * DAY) }, now).endsAt).toBe(
      now + 365 * DAY,
    );
    expect(
      refusedField(() => silenceWindow({ matchers: ['a=b'], endsAt: new Date('9999-12-31T00:00:00Z') }, now)),
    ).toBe('endsAt');
    expect(
      refusedField(() => silenceWindow({ matchers: ['a=b'], endsAt: new Date(now + 365 * DAY + 1) }, now)),
    ).toBe('endsAt');
    // A start in the future does not stretch the bound: it is counted from now.
    expect(
      refusedField(() =>
        silenceWindow(
          { matchers: ['a=b'], startsAt: new Date(now + 30 * DAY), durationSeconds: 360 * 86_400 },
          now,
        ),
      ),
    ).toBe('durationSeconds');
  });
});
