/** The error table of `docs/status-api.md` and the problem types of `src/errors.ts` stay in step. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemTypes } from '../src/index.ts';

describe('error table and docs stay in step', () => {
  it('docs/status-api.md lists exactly the codes of src/errors.ts with their status', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/status-api.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_]+)` +\| (\d{3}) +\|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.entries(problemTypes).map(([code, t]) => [code, t.status])),
    );
  });
});
