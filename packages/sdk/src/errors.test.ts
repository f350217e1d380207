import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBruteForceDetector } from './domain/brute-force.ts';
import { prometheusName } from './domain/catalogue.ts';
import { createPerformanceLogger } from './domain/performance-logger.ts';
import { AuthlensConfigError, AuthlensError, ERROR_CODES, errorCode } from './errors.ts';

describe('the error code table', () => {
  it('docs/configuration.md lists exactly its codes, with their exit status and meaning', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');
    const section = doc.slice(doc.indexOf('\n## Error codes'));
    const rows = [...section.matchAll(/^\| `([a-z_]+)` +\| ([12]) +\| (.+?) +\|$/gm)].map((m) => [
      m[1],
      { exitStatus: Number(m[2]), meaning: m[3] },
    ]);
    expect(Object.fromEntries(rows)).toEqual(ERROR_CODES);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(ERROR_CODES)).toBe(true);
  });
});

describe('AuthlensError', () => {
  it('carries code, setting and cause', () => {
    const cause = new Error('root');
    const err = new AuthlensError('invalid_config', 'X: bad', { setting: 'X', cause });
    expect(err).toMatchObject({ code: 'invalid_config', setting: 'X', message: 'X: bad', cause });
    expect(errorCode(err)).toBe('invalid_config');
  });

  it('AuthlensConfigError keeps its message and the deprecated `variable`', () => {
    const err = new AuthlensConfigError('LOG_LEVEL', 'loud', 'error, warn');
    expect(err.message).toBe('LOG_LEVEL="loud" is not valid; accepted: error, warn');
    expect(err).toMatchObject({ code: 'invalid_config', setting: 'LOG_LEVEL', variable: 'LOG_LEVEL' });
  });

  it('errorCode reads only string codes', () => {
    expect(errorCode({ code: 'usage' })).toBe('usage');
    expect(errorCode({ code: 3 })).toBeUndefined();
    expect(errorCode(null)).toBeUndefined();
    expect(errorCode('invalid_config')).toBeUndefined();
  });
});

describe('errors a user can see carry a code', () => {
  const caught = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err as AuthlensError;
    }
    throw new Error('expected a throw');
  };

  it('a bad factory option is invalid_config naming the option', () => {
    const err = caught(() => createBruteForceDetector({ windows: { ipSeconds: -5 } }));
    expect(err).toBeInstanceOf(AuthlensError);
    expect(err).toMatchObject({ code: 'invalid_config', setting: 'windows.ipSeconds' });
    expect(caught(() => createBruteForceDetector({ redis: 'localhost:6379' }))).toMatchObject({
      code: 'invalid_config',
      setting: 'redis',
    });
    expect(caught(() => createPerformanceLogger({ slowQueryMs: -1 }))).toMatchObject({
      code: 'invalid_config',
      setting: 'slowQueryMs',
    });
  });

  it('a name outside the catalogue is unknown_instrument', () => {
    expect(caught(() => prometheusName('auth.logins'))).toMatchObject({ code: 'unknown_instrument' });
  });
});
