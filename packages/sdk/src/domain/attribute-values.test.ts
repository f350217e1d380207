import { describe, expect, it } from 'vitest';
import * as groups from './attribute-values.ts';
import { instrumentCatalogue } from './catalogue.ts';

describe('grouped attribute values', () => {
  it('freezes every group and every list in it', () => {
    for (const [name, group] of Object.entries(groups)) {
      expect(Object.isFrozen(group), name).toBe(true);
      for (const [key, list] of Object.entries(group))
        expect(Object.isFrozen(list), `${name}.${key}`).toBe(true);
    }
    expect(() => (groups.AuthAttributeValues.methods as unknown as string[]).push('pin')).toThrow(TypeError);
  });

  it('are the very lists and buckets the catalogue enforces', () => {
    const lists = new Set<unknown>(Object.values(groups).flatMap((group) => Object.values(group)));
    const used = new Set<unknown>();
    for (const entry of instrumentCatalogue) {
      if (entry.source === 'runtime') continue; // the Node runtime instrumentation's own sets
      for (const [key, values] of Object.entries(entry.attributes)) {
        if (values === 'free' || key === 'url.scheme') continue;
        expect(lists.has(values), `${entry.name} ${key}`).toBe(true);
        used.add(values);
      }
      if (entry.buckets) {
        expect(lists.has(entry.buckets), `${entry.name} buckets`).toBe(true);
        used.add(entry.buckets);
      }
    }
    // Every exported list is enforced by some instrument (none is left over from an old catalogue).
    expect([...lists].filter((list) => !used.has(list))).toEqual([]);
  });
});
