/** The store is the lower layer: nothing under `store/` imports from `alerts/` (no cycle between them). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const here = path.dirname(new URL(import.meta.url).pathname);
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g;

describe('store layering', () => {
  it('has no import from alerts/', () => {
    const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(3);
    const offending: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(here, file), 'utf8');
      for (const [, spec] of text.matchAll(IMPORT)) {
        if (spec?.includes('alerts/')) offending.push(`${file} → ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
